"""Rendering side of `RunTable`: per-paint styles and a cache of rendered lines (Strips)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.cache import LRUCache
from textual.strip import Strip
from textual.widget import Widget

from ccmon.ui.widgets.table_layout import (
    Column,
    ColumnLayout,
    build_header_text,
    build_row_text,
    compute_layout,
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
            text = build_row_text(self._columns, frame.layout, cells())
            strip = _to_strip(text, frame.base, overlay, frame.layout.width, console)
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
