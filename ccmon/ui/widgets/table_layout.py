"""Column definitions, column-width fitting and line building for `RunTable`.

No Textual here: everything works on `rich.text.Text`. Cell text is used as given (it is
already styled and escaped by the row source); it is never parsed as markup.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text

SEPARATOR = " "
"""Between two columns (one cell wide)."""

SORT_ASCENDING = "▲"
SORT_DESCENDING = "▼"

_EMPTY = Text()
_CONTROL = str.maketrans({"\n": " ", "\r": " ", "\t": " "})


@dataclass(frozen=True)
class Column:
    """One table column."""

    key: str
    label: str
    width: int
    """Preferred width in cells."""
    align: Literal["left", "right"] = "left"
    flex: bool = False
    """The (single) flexible column takes whatever width the others leave."""
    min_width: int = 3


@dataclass(frozen=True)
class ColumnLayout:
    """Which columns are shown at a given widget width, and how wide each one is."""

    width: int
    """Widget (line) width the layout was computed for."""
    indices: tuple[int, ...]
    """Indices into the column list of the shown columns, left to right."""
    widths: tuple[int, ...]
    offsets: tuple[int, ...]
    """x of the first cell of each shown column."""

    def column_at(self, x: int) -> int | None:
        """Index (into the column list) of the column under x; a separator belongs to the
        column on its left."""
        for index, offset, width in zip(self.indices, self.offsets, self.widths, strict=True):
            if offset <= x <= offset + width:
                return index
        return None


def compute_layout(columns: Sequence[Column], width: int) -> ColumnLayout:
    """Fit columns to a width.

    Fixed columns get their preferred width and the flex column (if any) the rest, but not
    less than its `min_width`. While that still does not fit, the right-most non-flex column
    is dropped. What still overflows (a single huge column) is cropped by the caller.
    """
    width = max(0, width)
    flex = next((index for index, column in enumerate(columns) if column.flex), None)
    shown = list(range(len(columns)))
    while True:
        widths = {index: max(1, columns[index].width) for index in shown}
        separators = len(SEPARATOR) * max(0, len(shown) - 1)
        if flex is not None and flex in widths:
            others = sum(w for index, w in widths.items() if index != flex)
            widths[flex] = max(columns[flex].min_width, width - others - separators, 1)
        needed = sum(widths.values()) + separators
        droppable = [index for index in shown if index != flex]
        if needed <= width or len(shown) <= 1 or not droppable:
            break
        shown.remove(droppable[-1])
    offsets: list[int] = []
    x = 0
    for index in shown:
        offsets.append(x)
        x += widths[index] + len(SEPARATOR)
    return ColumnLayout(
        width=width,
        indices=tuple(shown),
        widths=tuple(widths[index] for index in shown),
        offsets=tuple(offsets),
    )


def fit_cell(text: Text, width: int, align: Literal["left", "right"]) -> Text:
    """A copy of `text` truncated with an ellipsis and padded to exactly `width` cells."""
    text = text.copy()
    plain = text.plain
    if "\n" in plain or "\r" in plain or "\t" in plain:
        text.plain = plain.translate(_CONTROL)  # same length: spans stay valid
    text.truncate(width, overflow="ellipsis")
    pad = width - text.cell_len
    if pad > 0:
        if align == "right":
            text.pad_left(pad)
        else:
            text.pad_right(pad)
    return text


def build_row_text(columns: Sequence[Column], layout: ColumnLayout, cells: Sequence[Text]) -> Text:
    """One table line: every shown cell fitted to its column, joined by the separator,
    then cropped / padded to exactly the layout width."""
    line = Text(end="", no_wrap=True)
    append_text = line.append_text
    for position, (index, width) in enumerate(zip(layout.indices, layout.widths, strict=True)):
        if position:
            line.append(SEPARATOR)
        cell = cells[index] if index < len(cells) else _EMPTY
        append_text(fit_cell(cell, width, columns[index].align))
    line.truncate(layout.width, pad=True)
    return line


def build_header_text(
    columns: Sequence[Column],
    layout: ColumnLayout,
    sort_column: str | None,
    sort_reverse: bool,
    sorted_style: Style | None = None,
) -> Text:
    """The header line; the sort column's label carries ▲ (ascending) or ▼ (descending)."""
    line = Text(end="", no_wrap=True)
    for position, (index, width) in enumerate(zip(layout.indices, layout.widths, strict=True)):
        if position:
            line.append(SEPARATOR)
        column = columns[index]
        if column.key == sort_column and width >= 2:
            arrow = SORT_DESCENDING if sort_reverse else SORT_ASCENDING
            if cell_len(column.label) + 2 <= width:
                arrow = " " + arrow
            label = fit_cell(Text(column.label), width - len(arrow), "left")
            label.rstrip()
            label.append(arrow)
            label = fit_cell(label, width, column.align)
            if sorted_style:
                label.stylize(sorted_style)
        else:
            label = fit_cell(Text(column.label), width, column.align)
        line.append_text(label)
    line.truncate(layout.width, pad=True)
    return line
