"""Rendering side of `RunTable`: per-paint styles and a cache of rendered lines (Strips).

A row is built straight from Segments (`build_row_strip`): a cell with no spans whose
characters are all one cell wide is padded / truncated here as a plain string; any other
cell goes through `rich.text.Text` (`fit_cell`) as before. Either way the Strip equals
what rendering the whole line as one `Text` produces (`build_row_text` + `_to_strip`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from rich.cells import cell_len, get_character_cell_size
from rich.console import Console
from rich.segment import Segment
from rich.style import Style, StyleType
from rich.text import Text
from textual.cache import LRUCache
from textual.strip import Strip
from textual.widget import Widget

from ccmon.ui.widgets.table_layout import (
    SEPARATOR,
    Column,
    ColumnLayout,
    build_header_text,
    build_row_text,
    compute_layout,
    fit_cell,
)

HEADER = "run-table--header"
HEADER_SORTED = "run-table--header-sorted"
CURSOR = "run-table--cursor"
CURSOR_BLURRED = "run-table--cursor-blurred"
FLASH = "run-table--flash"
COMPONENT_CLASSES = {HEADER, HEADER_SORTED, CURSOR, CURSOR_BLURRED, FLASH}


@dataclass(frozen=True)
class Frame:
    """What every line of one paint has in common (hashable: part of the cache keys)."""

    layout: ColumnLayout
    base: Style
    header: Style
    header_sorted: Style
    cursor: Style
    flash: Style
    flash_cursor: Style

    def overlay(self, is_cursor: bool, is_flash: bool) -> Style:
        if is_cursor:
            return self.flash_cursor if is_flash else self.cursor
        return self.flash if is_flash else _NULL


_NULL = Style.null()

StyleCache = dict[tuple[Style, Style | None], dict[tuple[Any, bool], Style | None]]
"""Final run styles by (base, overlay), then by (cell style, whether the line has spans)."""


def overlay_style(widget: Widget, name: str) -> Style:
    """The colours / text style a component class sets explicitly (alpha-blended over the
    widget background) and nothing inherited, so it can be drawn over the cells' styles."""
    styles = widget.get_component_styles(name)
    full = widget.get_component_rich_style(name)
    style = Style(
        color=full.color if styles.has_rule("color") else None,
        bgcolor=full.bgcolor if styles.has_rule("background") else None,
    )
    if styles.has_rule("text_style"):
        style += styles.text_style
    return style


def make_frame(widget: Widget, layout: ColumnLayout, focused: bool) -> Frame:
    cursor = overlay_style(widget, CURSOR if focused else CURSOR_BLURRED)
    flash = overlay_style(widget, FLASH)
    return Frame(
        layout=layout,
        base=widget.visual_style.rich_style,
        header=widget.get_component_rich_style(HEADER),
        header_sorted=overlay_style(widget, HEADER_SORTED),
        cursor=cursor,
        flash=flash,
        flash_cursor=flash + cursor,
    )


class LineCache:
    """Builds row / header Strips and keeps the recent ones (LRU).

    A row's strip is keyed by (row key, row version, layout, base style, overlay style), so a
    changed row, a resize, a theme change or a cursor / flash change all miss, and everything
    else (scrolling, rows shifting after an insert) hits.
    """

    def __init__(self, columns: Sequence[Column], size: int) -> None:
        self._columns = tuple(columns)
        self._layout: ColumnLayout | None = None
        self._strips: LRUCache[tuple[Any, ...], Strip] = LRUCache(size)
        self._styles: StyleCache = {}

    def layout(self, width: int) -> ColumnLayout:
        """Column layout for a width (recomputed only when the width changes)."""
        if self._layout is None or self._layout.width != width:
            self._layout = compute_layout(self._columns, width)
        return self._layout

    @property
    def last_layout(self) -> ColumnLayout | None:
        return self._layout

    def clear(self) -> None:
        self._strips.clear()
        self._styles.clear()

    def row(
        self,
        key: str,
        version: int,
        frame: Frame,
        overlay: Style,
        cells: Callable[[], Sequence[Text]],
        console: Console,
    ) -> Strip:
        cache_key = (key, version, frame.layout, frame.base, overlay)
        strip = self._strips.get(cache_key)
        if strip is None:
            strip = build_row_strip(
                self._columns, frame.layout, cells(), frame.base, overlay, console, self._styles
            )
            self._strips.set(cache_key, strip)
        return strip

    def header(
        self, frame: Frame, sort_column: str | None, reverse: bool, console: Console
    ) -> Strip:
        cache_key = ("\0header", sort_column, reverse, frame)
        strip = self._strips.get(cache_key)
        if strip is None:
            text = build_header_text(
                self._columns, frame.layout, sort_column, reverse, frame.header_sorted
            )
            base = frame.base + frame.header
            strip = _to_strip(text, base, None, frame.layout.width, console)
            self._strips.set(cache_key, strip)
        return strip


def _to_strip(
    text: Text, base: Style, overlay: Style | None, width: int, console: Console
) -> Strip:
    segments = Segment.apply_style(text.render(console), base, overlay or None)
    return Strip(segments, width).simplify()


# -- rows straight to Segments ---------------------------------------------------------

_ZERO_WIDTH_JOINERS = frozenset("\u200d\ufe0f")
_MAX_STYLES = 64
_EMPTY = Text()
_MISSING: Any = object()


@lru_cache(maxsize=4096)
def _narrow_unicode(plain: str) -> bool:
    return (
        plain.isprintable()
        and _ZERO_WIDTH_JOINERS.isdisjoint(plain)
        and all(get_character_cell_size(character) == 1 for character in plain)
    )


def is_narrow(plain: str) -> bool:
    """Printable, and every character exactly one cell wide: rich then measures, crops
    and pads the string by code points, so a plain slice gives the same result."""
    if plain.isascii():
        return plain.isprintable()
    return _narrow_unicode(plain)


def _final_style(
    cell_style: StyleType | None,
    styled_line: bool,
    base: Style,
    overlay: Style | None,
    console: Console,
) -> Style | None:
    """The style `Text.render` + `Segment.apply_style(…, base, overlay)` give a run of
    text covered by nothing but the cell style (None: only the line's own style)."""
    style: Style | None = None
    if styled_line:  # Text.render: the line's (empty) style, combined with the cell style
        style = console.get_style("", default=_NULL)
        if cell_style:
            style = Style.combine((style, console.get_style(cell_style, default=_NULL)))
    if base:
        style = base + style
    if overlay:
        style = style + overlay if style else overlay
    return style


def build_row_strip(
    columns: Sequence[Column],
    layout: ColumnLayout,
    cells: Sequence[Text],
    base: Style,
    overlay: Style | None,
    console: Console,
    style_cache: StyleCache | None = None,
) -> Strip:
    """The row's Strip: the same segments as ``_to_strip(build_row_text(...))``."""
    width = layout.width
    overlay = overlay or None
    # (plain text, cell style) for a fast cell, the fitted Text for any other
    pieces: list[tuple[str, StyleType | None] | Text] = []
    styled_line = False
    total = len(SEPARATOR) * max(0, len(layout.indices) - 1)
    for index, cell_width in zip(layout.indices, layout.widths, strict=True):
        cell = cells[index] if index < len(cells) else _EMPTY
        plain = cell.plain
        if not cell.spans and is_narrow(plain):
            length = len(plain)
            if length > cell_width:  # Text.truncate(overflow="ellipsis")
                plain = plain[: cell_width - 1] + "…"
            elif length < cell_width:
                pad = " " * (cell_width - length)
                plain = pad + plain if columns[index].align == "right" else plain + pad
            style = cell.style or None
            styled_line = styled_line or style is not None
            pieces.append((plain, style))
            total += cell_width
        else:
            fitted = fit_cell(cell, cell_width, columns[index].align)
            styled_line = styled_line or bool(fitted.style) or bool(fitted.spans)
            pieces.append(fitted)
            total += cell_len(fitted.plain)
    if total != width:  # cropped or padded as a whole line: leave it to rich
        text = build_row_text(columns, layout, cells)
        return _to_strip(text, base, overlay, width, console)

    if style_cache is None:
        style_cache = {}
    known = style_cache.get((base, overlay))
    if known is None:
        if len(style_cache) >= _MAX_STYLES:
            style_cache.clear()
        known = style_cache[base, overlay] = {}
    line_style = known.get((None, styled_line), _MISSING)
    if line_style is _MISSING:
        line_style = known[None, styled_line] = _final_style(
            None, styled_line, base, overlay, console
        )
    texts: list[str] = []
    styles: list[Style | None] = []

    def add(text: str, style: Style | None) -> None:
        if styles and (styles[-1] is style or styles[-1] == style):
            texts[-1] += text
        else:
            texts.append(text)
            styles.append(style)

    for position, piece in enumerate(pieces):
        if position:
            add(SEPARATOR, line_style)
        if isinstance(piece, Text):
            _add_text(piece, base, overlay, console, line_style, add)
            continue
        plain, cell_style = piece
        if cell_style is None:
            add(plain, line_style)
            continue
        style = known.get((cell_style, True), _MISSING)
        if style is _MISSING:
            style = _final_style(cell_style, True, base, overlay, console)
            if style is None or not style.link:  # a link style is a new copy every time
                known[cell_style, True] = style
        add(plain, style)
    return Strip([Segment(text, style) for text, style in zip(texts, styles, strict=True)], width)


def _add_text(
    fitted: Text,
    base: Style,
    overlay: Style | None,
    console: Console,
    line_style: Style | None,
    add: Callable[[str, Style | None], None],
) -> None:
    """A fitted cell as `Text.render` draws it inside the line (spans over the cell only)."""
    line = Text(end="", no_wrap=True)
    line.append_text(fitted)
    if not line.spans:
        add(line.plain, line_style)
        return
    for text, style, _control in Segment.apply_style(line.render(console), base, overlay):
        add(text, style)
