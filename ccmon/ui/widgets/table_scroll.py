"""`RunTable`'s view geometry at the least repaint: the scroll range following the row
count, and the lines to repaint for changed rows (:func:`row_regions`).

Setting ``virtual_size`` makes Textual relayout the screen, which repaints every
widget. While the vertical scrollbar stays (the rows overflow the view before and
after), only the scrollbar needs to know: its thumb moves. And with thousands of rows
the thumb is drawn the same for most changes of the row count, so then the scrollbar
is not repainted either. Both lean on Textual internals (``_scroll_update``, the
arithmetic of ``ScrollBarRender.render_bar``); Textual is pinned, and
``tests/unit/test_table.py`` checks the bar against a full repaint.
"""

from __future__ import annotations

from collections.abc import Iterable
from math import ceil

from textual.geometry import Region, Size
from textual.scroll_view import ScrollView
from textual.scrollbar import ScrollBar

EIGHTHS = 8  # ScrollBarRender.VERTICAL_BARS: a thumb moves by eighths of a cell


def thumb(height: int, virtual: int, window: int, position: float) -> tuple[int, int] | None:
    """The span, in eighths of a cell, that Textual's vertical scrollbar of ``height``
    cells paints as its thumb (None: no thumb)."""
    window = window if window < virtual else 0
    if not (window and height and virtual and height != virtual):
        return None
    size = max(1, window / (virtual / height))
    start = int((height - size) * (position / (virtual - window)) * EIGHTHS)
    return start, start + ceil(size * EIGHTHS)


def set_scroll_height(view: ScrollView, size: Size) -> None:
    """Give ``view`` the virtual ``size``, relaying out only when the vertical scrollbar
    appears or goes."""
    if size == view.virtual_size:
        return
    window = view.container_size.height
    if not (view.is_mounted and view.virtual_size.height > window and size.height > window):
        view.virtual_size = size
        return
    bar = view.vertical_scrollbar
    old = thumb(bar.size.height, bar.window_virtual_size, bar.window_size, bar.position)
    new = thumb(bar.size.height, size.height, bar.window_size, bar.position)
    view.set_reactive(ScrollView.virtual_size, size)
    if old == new and view.validate_scroll_y(view.scroll_y) == view.scroll_y:
        bar.set_reactive(ScrollBar.window_virtual_size, size.height)  # drawn the same
    else:
        view._scroll_update(size)


def row_regions(
    spans: Iterable[tuple[int, int]], view: tuple[int, int], width: int
) -> list[Region]:
    """The widget lines of display rows in ``spans`` ([start, stop) each) that are in
    ``view`` (first row shown, rows shown under the header line), touching or overlapping
    spans joined: one region per run of lines, so one refresh repaints them all."""
    top, page = view
    regions: list[Region] = []
    for start, stop in sorted(spans):
        start, stop = max(start, top), min(stop, top + page)
        if start >= stop:
            continue
        y, bottom = start - top + 1, stop - top + 1  # under the header line
        if regions and regions[-1].bottom >= y:
            last = regions.pop()
            y, bottom = last.y, max(last.bottom, bottom)
        regions.append(Region(0, y, width, bottom - y))
    return regions
