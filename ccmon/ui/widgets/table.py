"""`RunTable`: a virtualised table on Textual's line API.

Only visible lines are rendered; rendered lines (Strips) are cached per
(row key, row version, column layout, styles) and only lines whose rows changed are refreshed.
The table is generic: rows are opaque string keys whose cells, versions and sort values come
from a `RowSource`.
"""

from __future__ import annotations

from collections.abc import Callable, Container, Iterable, Sequence
from typing import ClassVar

from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from ccmon.ui.widgets.table_flash import Flashes
from ccmon.ui.widgets.table_layout import Column
from ccmon.ui.widgets.table_model import RowSource, TableModel
from ccmon.ui.widgets.table_render import COMPONENT_CLASSES, Frame, LineCache, make_frame
from ccmon.ui.widgets.table_scroll import row_regions, set_scroll_height

__all__ = ["Column", "RowSource", "RunTable"]


class _RowMessage(Message):
    """A message about one row: ``.key``, and the ``.table`` (also ``.control``)."""

    def __init__(self, table: RunTable, key: str) -> None:
        super().__init__()
        self.table = table
        self.key = key

    @property
    def control(self) -> RunTable:
        return self.table


class RunTable(ScrollView, can_focus=True, inherit_bindings=False):
    """A sortable, filterable table of many rows, repainting only what changed."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "move(-1)", "Up", show=False),
        Binding("down", "move(1)", "Down", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("pagedown", "page(1)", "Page down", show=False),
        Binding("home,g", "cursor_first", "First row", show=False),
        Binding("end,G", "cursor_last", "Last row", show=False),
        Binding("enter", "select_cursor", "Select"),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = COMPONENT_CLASSES

    DEFAULT_CSS = """
    RunTable {
        width: 1fr;
        height: 1fr;
        overflow-x: hidden;
        overflow-y: auto;
    }
    """

    ALLOW_SELECT = False

    FLASH_SECONDS: ClassVar[float] = 1.0
    """How long added / changed rows stay highlighted."""

    LINE_CACHE_SIZE: ClassVar[int] = 1024

    class RowHighlighted(_RowMessage):
        """The cursor moved to another row."""

    class RowSelected(_RowMessage):
        """A row was chosen (Enter, or a click on the cursor row)."""

    class SortChanged(Message):
        """The user clicked a header and the order changed."""

        def __init__(self, table: RunTable, column: str | None, reverse: bool) -> None:
            super().__init__()
            self.table = table
            self.column = column
            self.reverse = reverse

        @property
        def control(self) -> RunTable:
            return self.table

    def __init__(
        self,
        columns: Sequence[Column],
        source: RowSource,
        *,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._columns: tuple[Column, ...] = tuple(columns)
        keys = [column.key for column in self._columns]
        if len(set(keys)) != len(keys):
            raise ValueError(f"duplicate column keys: {keys}")
        if sum(column.flex for column in self._columns) > 1:
            raise ValueError("at most one column can be flex")
        self._model = TableModel(source, keys)
        self._index = self._model.index
        self._flash = Flashes(self.set_timer, self._refresh_keys)
        self._lines = LineCache(self._columns, self.LINE_CACHE_SIZE)
        self._frame: Frame | None = None
        self._painted: dict[int, tuple[str, int]] = {}
        """What each line (y) last showed: row key and row version."""
        self.on_paint: Callable[[], None] | None = None
        """Called after each repaint (its owner may want to know which rows show)."""

    # -- read-only state ---------------------------------------------------------------

    @property
    def columns(self) -> tuple[Column, ...]:
        return self._columns

    @property
    def source(self) -> RowSource:
        return self._model.source

    @property
    def sort_column(self) -> str | None:
        return self._model.sort_column

    @property
    def sort_reverse(self) -> bool:
        return self._index.reverse

    @property
    def row_count(self) -> int:
        """Number of shown rows (after the filter)."""
        return len(self._index)

    @property
    def cursor_key(self) -> str | None:
        return self._model.cursor_key

    @property
    def cursor_row(self) -> int:
        """Display index of the cursor row, -1 if the table is empty."""
        return self._model.cursor_row

    @cursor_row.setter
    def cursor_row(self, row: int) -> None:
        self._move_cursor(row)

    def ordered_keys(self) -> list[str]:
        """All shown keys in display order (O(n): not for per-tick use)."""
        return self._index.keys()

    def keys_in_view(self) -> list[str]:
        top, page = self._view()
        return self._index.keys(top, top + page)

    def move_cursor_to_key(self, key: str) -> bool:
        """Put the cursor on a shown key (scrolling it into view). False if it isn't shown."""
        display = self._index.display_index(key)
        if display is None:
            return False
        self._move_cursor(display)
        return True

    # -- data --------------------------------------------------------------------------

    def set_rows(self, keys: Iterable[str]) -> None:
        """Replace the whole key set (sorts once)."""
        cursor = self.cursor_key
        self._model.set_rows(keys)
        self._flash.clear()
        self._after_rebuild(cursor)

    def set_filter(self, predicate: Callable[[str], bool] | None) -> None:
        """Show only the keys for which `predicate(key)` is true (None shows every key)."""
        cursor = self.cursor_key
        self._model.set_filter(predicate)
        self._after_rebuild(cursor)

    def sort_by(self, column: str | None, reverse: bool = False) -> None:
        """Order by a column (None = the source's default order); the cursor keeps its key."""
        cursor = self.cursor_key
        self._model.sort_by(column, reverse)
        self._after_rebuild(cursor)

    def apply(
        self,
        added: Iterable[str] = (),
        changed: Iterable[str] = (),
        removed: Iterable[str] = (),
        quiet: Container[str] = (),
    ) -> None:
        """Apply an incremental update: O(k log n) for k keys; repaints only the visible
        rows that changed, or everything below the first row that moved. Changed rows
        flash briefly, except those in ``quiet``."""
        top, page = self._view()
        cursor = self.cursor_key
        cursor_row = self.cursor_row
        removed = list(removed)
        change = self._model.apply(added, changed, removed)
        index = self._index
        for key in removed:
            self._flash.discard(key)
        if self.is_mounted and change.touched:
            shown = [k for k in change.touched if k not in quiet and index.is_shown(k)]
            self._flash.start(shown, self.FLASH_SECONDS)
        if change.count_changed:
            self._update_virtual_size()

        if page > 0:
            bottom = limit = top + page
            spans: list[tuple[int, int]] = []
            if change.moved is not None and change.moved < bottom:
                limit = max(change.moved, top)
                spans.append((limit, bottom))
            for key in change.touched:
                display = index.display_index(key)
                if display is not None and top <= display < limit:
                    spans.append((display, display + 1))
            self._refresh_rows(*spans)
            if self.cursor_key != cursor:
                self._refresh_key(self.cursor_key)
        if self.cursor_key != cursor and self.cursor_key is not None:
            self.post_message(self.RowHighlighted(self, self.cursor_key))
        if top <= cursor_row < top + page:  # a visible cursor stays visible
            self._scroll_to_row(self.cursor_row)

    def _after_rebuild(self, old_cursor: str | None) -> None:
        """After a full re-sort / re-filter: fix the virtual size, repaint everything and
        bring the cursor into view."""
        self._update_virtual_size()
        self.refresh()
        cursor = self.cursor_key
        if cursor is not None:
            if cursor != old_cursor:
                self.post_message(self.RowHighlighted(self, cursor))
            self._scroll_to_row(self.cursor_row)

    def _update_virtual_size(self) -> None:
        set_scroll_height(self, Size(0, len(self._index) + 1))  # +1: the header line

    # -- geometry & refresh -----------------------------------------------------------

    def _view(self) -> tuple[int, int]:
        """(first display row in view, number of row lines below the header)."""
        return self.scroll_offset.y, max(0, self.scrollable_content_region.height - 1)

    def _refresh_rows(self, *spans: tuple[int, int]) -> None:
        """Repaint the lines of the display rows in each span [start, stop) (clipped to
        the view), adjacent spans as one region: one refresh for the lot."""
        width = self.scrollable_content_region.width  # not the scrollbar: not repainted
        if regions := row_regions(spans, self._view(), width):
            self.refresh(*regions)

    def refresh_changed(self) -> None:
        """Repaint only the visible lines whose row changed since they were painted
        (time columns tick; rows that did not change cost nothing)."""
        painted = self._painted
        self._refresh_visible(lambda line, key: painted.get(line) != (key, self._version(key)))

    def _refresh_keys(self, keys: set[str]) -> None:
        self._refresh_visible(lambda _line, key: key in keys)

    def _refresh_visible(self, wanted: Callable[[int, str], bool]) -> None:
        """Repaint the visible rows for which ``wanted(line, key)`` holds (``line``: the
        widget line, 1 under the header)."""
        top, page = self._view()
        keys = self._index.keys(top, top + page)
        self._refresh_rows(
            *((top + y - 1, top + y) for y, key in enumerate(keys, 1) if wanted(y, key))
        )

    def _refresh_key(self, key: str | None) -> None:
        if key is not None and (display := self._index.display_index(key)) is not None:
            self._refresh_rows((display, display + 1))

    def _scroll_to_row(self, display: int) -> None:
        """Scroll the least amount that makes a display row visible."""
        top, page = self._view()
        if page <= 0 or display < 0:
            return
        if display < top:
            self.scroll_to(y=display, animate=False, force=True)
        elif display >= top + page:
            self.scroll_to(y=display - page + 1, animate=False, force=True)

    def _move_cursor(self, display: int, scroll: bool = True) -> None:
        count = len(self._index)
        if not count:
            return
        display = max(0, min(display, count - 1))
        key = self._index.key_at(display)
        old = self.cursor_key
        if key != old:
            self._model.cursor_key = key
            self._refresh_key(old)
            self._refresh_rows((display, display + 1))
            self.post_message(self.RowHighlighted(self, key))
        if scroll:
            self._scroll_to_row(display)

    def on_focus(self, _event: events.Focus | events.Blur) -> None:
        self._refresh_key(self.cursor_key)  # the cursor's style follows the focus

    on_blur = on_focus

    # -- actions ----------------------------------------------------------------------

    def action_move(self, rows: int) -> None:
        self._move_cursor(self.cursor_row + rows)

    def action_page(self, direction: int) -> None:
        top, page = self._view()
        step = max(1, page) * direction
        self.scroll_to(y=top + step, animate=False, force=True)
        self._move_cursor(self.cursor_row + step)

    def action_cursor_first(self) -> None:
        self._move_cursor(0)

    def action_cursor_last(self) -> None:
        self._move_cursor(len(self._index) - 1)

    def action_select_cursor(self) -> None:
        if self.cursor_key is not None:
            self.post_message(self.RowSelected(self, self.cursor_key))

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        event.stop()
        if offset.y == 0:
            layout = self._lines.last_layout
            index = None if layout is None else layout.column_at(offset.x)
            if index is not None:
                column = self._columns[index].key
                reverse = column == self.sort_column and not self.sort_reverse
                self.sort_by(column, reverse)
                self.post_message(self.SortChanged(self, column, reverse))
            return
        display = offset.y - 1 + self.scroll_offset.y
        if display >= len(self._index):
            return
        if self._index.key_at(display) == self.cursor_key:
            self.action_select_cursor()
        else:
            self._move_cursor(display)

    # -- rendering --------------------------------------------------------------------

    def _make_frame(self) -> Frame:
        # the width left of the vertical scrollbar (self.size includes it)
        layout = self._lines.layout(self.scrollable_content_region.width)
        return make_frame(self, layout, self.has_focus)

    def render_lines(self, crop: Region) -> list[Strip]:
        self._frame = self._make_frame()  # styles are looked up once per paint
        lines = super().render_lines(crop)
        if self.on_paint is not None:
            self.on_paint()
        return lines

    def render_line(self, y: int) -> Strip:
        frame = self._frame or self._make_frame()
        console = self.app.console
        if y == 0:
            return self._lines.header(frame, self.sort_column, self.sort_reverse, console)
        display = y - 1 + self.scroll_offset.y
        if display >= len(self._index):
            return Strip.blank(frame.layout.width, frame.base)
        key = self._index.key_at(display)
        overlay = frame.overlay(key == self.cursor_key, key in self._flash)
        version = self._version(key)
        self._painted[y] = (key, version)
        return self._lines.row(key, version, frame, overlay, lambda: self._cells(key), console)

    def _version(self, key: str) -> int:
        try:
            return self._model.source.row_version(key)
        except KeyError:  # the source dropped it before we were told: draw it empty
            return -1

    def _cells(self, key: str) -> Sequence[Text]:
        try:
            return self._model.source.row_cells(key)
        except KeyError:
            return ()
