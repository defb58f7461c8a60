"""RunTable (ccmon/ui/widgets/table.py) driven through Textual's Pilot."""

from __future__ import annotations

import math
import random
import re
from collections import Counter
from collections.abc import Callable, Sequence
from itertools import pairwise
from pathlib import Path
from typing import Any, ClassVar

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rich.text import Text
from textual.app import App, ComposeResult
from textual.strip import Strip

from ccmon.ui.widgets.table import Column, RunTable
from ccmon.ui.widgets.table_layout import compute_layout
from ccmon.ui.widgets.table_scroll import row_regions

COLUMNS = [
    Column("id", "ID", 8),
    Column("status", "Status", 9),
    Column("name", "Workflow", 20, flex=True, min_width=8),
    Column("n", "Steps", 6, align="right"),
    Column("started", "Started", 19),
]


class FakeSource:
    """A RowSource over a dict of rows; counts row_cells calls."""

    def __init__(self, rows: dict[str, dict[str, Any]] | None = None) -> None:
        self.rows: dict[str, dict[str, Any]] = rows or {}
        self.versions: Counter[str] = Counter()
        self.cell_calls: Counter[str] = Counter()

    def put(self, key: str, **values: Any) -> None:
        self.rows.setdefault(key, {}).update(values)
        self.versions[key] += 1

    def row_version(self, key: str) -> int:
        return self.versions[key]

    def row_cells(self, key: str) -> Sequence[Text]:
        self.cell_calls[key] += 1
        row = self.rows[key]
        status = row.get("status")
        return [
            Text(key),
            Text(str(status), style="red" if status == "failed" else "green"),
            Text(str(row.get("name", ""))),
            Text(str(row.get("n", ""))),
            Text(str(row.get("started", ""))),
        ]

    def sort_value(self, key: str, column: str | None) -> Any:
        if column is None:
            return self.rows[key].get("started")
        if column == "id":
            return key
        return self.rows[key].get(column)


def make_rows(count: int) -> dict[str, dict[str, Any]]:
    return {
        f"r{i:05d}": {
            "status": ("ok", "failed", "running")[i % 3],
            "name": f"workflow {i % 7}",
            "n": i % 10,
            "started": f"2024-01-01T{i // 3600 % 24:02d}:{i // 60 % 60:02d}:{i % 60:02d}",
        }
        for i in range(count)
    }


def reference_order(
    source: FakeSource,
    column: str | None,
    reverse: bool,
    predicate: Callable[[str], bool] | None = None,
) -> list[str]:
    """Sorted by (value, key), reversed if asked, rows without a value last (by key)."""
    keys = [key for key in source.rows if predicate is None or predicate(key)]
    values = {key: source.sort_value(key, column) for key in keys}
    present = sorted(
        (key for key in keys if values[key] is not None),
        key=lambda key: (values[key], key),
        reverse=reverse,
    )
    return present + sorted(key for key in keys if values[key] is None)


class CountingTable(RunTable):
    """Counts the row lines (not the header) the compositor asks for."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lines_rendered = 0

    def render_line(self, y: int) -> Strip:
        if y:
            self.lines_rendered += 1
        return super().render_line(y)


class QuickFlashTable(RunTable):
    FLASH_SECONDS: ClassVar[float] = 0.15


class TableApp(App[None]):
    CSS_PATH = Path(__file__).parents[2] / "styles" / "table.tcss"

    def __init__(self, source: FakeSource, table_class: type[RunTable] = RunTable) -> None:
        super().__init__()
        self.source = source
        self.table_class = table_class
        self.highlighted: list[str] = []
        self.selected: list[str] = []
        self.sorts: list[tuple[str | None, bool]] = []

    def compose(self) -> ComposeResult:
        yield self.table_class(COLUMNS, self.source, id="runs")

    def on_mount(self) -> None:
        table = self.query_one(RunTable)
        table.set_rows(self.source.rows)
        table.focus()

    def on_run_table_row_highlighted(self, message: RunTable.RowHighlighted) -> None:
        self.highlighted.append(message.key)

    def on_run_table_row_selected(self, message: RunTable.RowSelected) -> None:
        assert message.table is self.query_one(RunTable)
        self.selected.append(message.key)

    def on_run_table_sort_changed(self, message: RunTable.SortChanged) -> None:
        self.sorts.append((message.column, message.reverse))


def background(strip: Strip) -> Any:
    return next(iter(strip)).style.bgcolor


# -- data & order ----------------------------------------------------------------------


async def test_set_rows_shows_default_order_and_header() -> None:
    source = FakeSource(make_rows(50))
    app = TableApp(source)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        table = app.query_one(RunTable)
        assert table.row_count == 50
        assert table.ordered_keys() == reference_order(source, None, False)
        assert table.cursor_key == table.ordered_keys()[0]
        assert table.cursor_row == 0
        assert app.highlighted == [table.cursor_key]
        header = table.render_line(0).text
        for label in ("ID", "Status", "Workflow", "Steps", "Started"):
            assert label in header
        assert table.keys_in_view() == table.ordered_keys()[:23]  # 24 lines - header


async def test_apply_keeps_order_and_cursor_key() -> None:
    source = FakeSource(make_rows(40))
    app = TableApp(source)
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.query_one(RunTable)
        await pilot.pause()
        table.sort_by("n")
        assert table.move_cursor_to_key("r00013")
        # the cursor row changes its sort value: it moves but keeps the cursor
        source.put("r00013", n=9)
        source.put("r00099", status="ok", name="new", n=0, started="2025")
        del source.rows["r00002"]
        table.apply(added=["r00099"], changed=["r00013"], removed=["r00002"])
        assert table.ordered_keys() == reference_order(source, "n", False)
        assert table.cursor_key == "r00013"
        assert table.cursor_row == table.ordered_keys().index("r00013")
        # removing the cursor row moves the cursor to the row that took its place
        after = table.ordered_keys()[table.cursor_row + 1]
        del source.rows["r00013"]
        table.apply(removed=["r00013"])
        assert table.cursor_key == after
        await pilot.pause()
        assert app.highlighted[-1] == after


async def test_random_apply_sequences_match_a_full_sort() -> None:
    source = FakeSource()
    app = TableApp(source)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        table = app.query_one(RunTable)
        keys = [f"k{i:02d}" for i in range(30)]
        values = st.fixed_dictionaries(
            {
                "n": st.one_of(st.none(), st.integers(0, 4)),
                "name": st.sampled_from(["a", "b", "c"]),
                "started": st.one_of(st.none(), st.sampled_from(["t1", "t2", "t3"])),
            }
        )
        state: dict[str, Any] = {}

        def predicate(key: str) -> bool:
            n = source.rows[key]["n"]
            return n is None or n % 2 == state["parity"]

        @settings(
            max_examples=100,
            deadline=None,
            database=None,
            suppress_health_check=[HealthCheck.too_slow],
        )
        @given(data=st.data())
        def check(data: st.DataObject) -> None:
            table.set_rows([])
            table.set_filter(None)
            table.sort_by(None)
            source.rows.clear()
            initial = data.draw(st.lists(st.sampled_from(keys), unique=True, max_size=12))
            for key in initial:
                source.put(key, **data.draw(values))
            table.set_rows(initial)
            column: str | None = None
            reverse = False
            active: Callable[[str], bool] | None = None
            for _ in range(data.draw(st.integers(1, 8))):
                cursor_before = table.cursor_key
                action = data.draw(st.sampled_from(["apply", "apply", "apply", "sort", "filter"]))
                if action == "apply":
                    present = sorted(source.rows)
                    absent = [key for key in keys if key not in source.rows]
                    removed = data.draw(st.lists(st.sampled_from(present or ["-"]), unique=True))
                    removed = [key for key in removed if key in source.rows]
                    changed = data.draw(st.lists(st.sampled_from(present or ["-"]), unique=True))
                    changed = [key for key in changed if key not in removed]
                    added = data.draw(st.lists(st.sampled_from(absent or ["-"]), unique=True))
                    added = [key for key in added if key not in source.rows]
                    for key in removed:
                        del source.rows[key]
                    for key in [*changed, *added]:
                        source.put(key, **data.draw(values))
                    table.apply(added=added, changed=changed, removed=removed)
                elif action == "sort":
                    column = data.draw(st.sampled_from([None, "n", "name", "started"]))
                    reverse = data.draw(st.booleans())
                    table.sort_by(column, reverse)
                else:
                    state["parity"] = data.draw(st.integers(0, 1))
                    active = data.draw(st.sampled_from([None, predicate]))
                    table.set_filter(active)
                expected = reference_order(source, column, reverse, active)
                assert table.ordered_keys() == expected
                assert table.row_count == len(expected)
                if not expected:
                    assert table.cursor_key is None
                    continue
                assert table.cursor_key in expected
                assert table.cursor_row == expected.index(table.cursor_key)
                if cursor_before in expected:
                    assert table.cursor_key == cursor_before

        check()


async def test_sort_by_column_and_reverse_keeps_cursor() -> None:
    source = FakeSource(make_rows(30))
    source.put("r00004", n=None)  # missing values always sort last
    app = TableApp(source)
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.query_one(RunTable)
        await pilot.pause()
        table.move_cursor_to_key("r00017")
        table.sort_by("n")
        assert (table.sort_column, table.sort_reverse) == ("n", False)
        assert table.ordered_keys() == reference_order(source, "n", False)
        assert table.ordered_keys()[-1] == "r00004"
        assert table.cursor_key == "r00017"
        table.sort_by("n", reverse=True)
        assert table.ordered_keys() == reference_order(source, "n", True)
        assert table.ordered_keys()[-1] == "r00004"
        assert table.cursor_key == "r00017"
        assert "Steps▼" in table.render_line(0).text  # 6 cells: no room for a space
        table.sort_by(None)
        assert table.ordered_keys() == reference_order(source, None, False)
        assert table.cursor_key == "r00017"
        # the cursor row is scrolled into view after a re-sort
        assert "r00017" in table.keys_in_view()


async def test_mixed_sort_values_never_crash() -> None:
    values: list[Any] = [3, "x", None, 2.5, float("nan"), True, "a", None, 1]
    source = FakeSource({f"m{i}": {"n": value} for i, value in enumerate(values)})
    app = TableApp(source)
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.query_one(RunTable)
        await pilot.pause()
        for reverse in (False, True):
            table.sort_by("n", reverse)
            order = table.ordered_keys()
            assert sorted(order) == sorted(source.rows)
            assert set(order[-3:]) == {"m2", "m4", "m7"}  # None and NaN last
            source.put("m0", n="late")
            table.apply(changed=["m0"])
            assert sorted(table.ordered_keys()) == sorted(source.rows)


async def test_filter() -> None:
    source = FakeSource(make_rows(30))
    app = TableApp(source)
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.query_one(RunTable)
        await pilot.pause()
        table.move_cursor_to_key("r00004")  # status "failed"

        def failed(key: str) -> bool:
            return source.rows[key]["status"] == "failed"

        table.set_filter(failed)
        assert table.ordered_keys() == reference_order(source, None, False, failed)
        assert table.cursor_key == "r00004"
        # a changed row leaves / enters the filtered view
        source.put("r00004", status="ok")
        source.put("r00000", status="failed")
        table.apply(changed=["r00004", "r00000"])
        assert table.ordered_keys() == reference_order(source, None, False, failed)
        assert table.cursor_key == "r00007"  # the row that took the cursor's place
        table.set_filter(None)
        assert table.row_count == 30
        assert table.cursor_key == "r00007"


# -- keyboard & mouse ------------------------------------------------------------------


async def test_keyboard_moves_and_enter_selects() -> None:
    source = FakeSource(make_rows(100))
    app = TableApp(source)
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.query_one(RunTable)
        await pilot.pause()
        order = table.ordered_keys()
        await pilot.press("down", "down", "up")
        assert table.cursor_row == 1
        await pilot.press("pagedown")
        assert table.cursor_row == 24  # one page = 23 row lines
        assert table.cursor_key in table.keys_in_view()
        await pilot.press("end")
        assert table.cursor_key == order[-1]
        assert table.keys_in_view()[-1] == order[-1]
        await pilot.press("pageup")
        assert table.cursor_row == 99 - 23
        await pilot.press("home")
        assert table.cursor_row == 0
        assert table.scroll_offset.y == 0
        await pilot.press("G")
        assert table.cursor_row == 99
        await pilot.press("g", "down", "enter")
        await pilot.pause()
        assert app.selected == [order[1]]
        assert app.highlighted[-1] == order[1]


async def test_click_header_sorts_and_click_row_moves_then_selects() -> None:
    source = FakeSource(make_rows(30))
    app = TableApp(source)
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.query_one(RunTable)
        await pilot.pause()
        status_x = 10  # "ID" is 8 wide + 1 separator
        await pilot.click("#runs", offset=(status_x, 0))
        assert (table.sort_column, table.sort_reverse) == ("status", False)
        assert "Status ▲" in table.render_line(0).text
        await pilot.click("#runs", offset=(status_x, 0))
        assert (table.sort_column, table.sort_reverse) == ("status", True)
        assert table.ordered_keys() == reference_order(source, "status", True)
        await pilot.pause()
        assert app.sorts == [("status", False), ("status", True)]
        await pilot.click("#runs", offset=(2, 3))  # third row
        assert table.cursor_row == 2
        assert app.selected == []
        await pilot.click("#runs", offset=(2, 3))
        await pilot.pause()
        assert app.selected == [table.ordered_keys()[2]]


# -- rendering -------------------------------------------------------------------------


async def test_only_changed_visible_lines_are_rendered() -> None:
    source = FakeSource(make_rows(10_000))
    app = TableApp(source, CountingTable)
    async with app.run_test(size=(160, 50)) as pilot:
        table = app.query_one(CountingTable)
        await pilot.pause()
        visible = table.keys_in_view()
        assert len(visible) == 49
        assert sum(source.cell_calls.values()) == 49  # never more than the screen
        source.cell_calls.clear()
        table.lines_rendered = 0

        # one visible row changes in place
        source.put(visible[5], status="failed", n=7)
        table.apply(changed=[visible[5]])
        await pilot.pause()
        assert dict(source.cell_calls) == {visible[5]: 1}
        assert table.lines_rendered == 1

        # an off-screen row changes: nothing is rendered
        source.cell_calls.clear()
        table.lines_rendered = 0
        off_screen = table.ordered_keys()[5000]
        source.put(off_screen, name="elsewhere")
        table.apply(changed=[off_screen])
        await pilot.pause()
        assert sum(source.cell_calls.values()) == 0
        assert table.lines_rendered == 0

        # 1% of rows change, a visible row moves to the top: rows shift, but only the
        # changed visible rows are rebuilt; the shifted rest come from the line cache
        source.cell_calls.clear()
        changed = table.ordered_keys()[::100]
        for key in changed:
            source.put(key, name="changed")
        source.put(visible[10], started="0000")
        table.apply(changed=[*changed, visible[10]])
        await pilot.pause()
        assert table.ordered_keys()[0] == visible[10]
        assert set(source.cell_calls) <= {*changed, visible[10]}
        assert sum(source.cell_calls.values()) <= 3


async def test_screen_matches_order_after_incremental_updates() -> None:
    """What is on screen (cached lines included) follows inserts, removals and moves."""
    source = FakeSource(make_rows(300))
    app = TableApp(source)
    rng = random.Random(7)
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.query_one(RunTable)
        table.sort_by("n")
        table.move_cursor_to_key(table.ordered_keys()[30])
        await pilot.pause()
        for step in range(25):
            keys = table.ordered_keys()
            view = table.keys_in_view() or keys[:1]
            removed = rng.sample(keys, 2)  # as many as added: no virtual-size repaint
            changed = [key for key in rng.sample(view, 3) if key not in removed]
            added = [f"a{step:02d}{i}" for i in range(2)]
            for key in removed:
                del source.rows[key]
            for key in changed + added:
                source.put(key, n=rng.randrange(10), status="ok", started=f"s{step}")
            if step % 5 == 0:
                await pilot.press(rng.choice(["down", "pagedown", "up"]))
            table.apply(added=added, changed=changed, removed=removed)
            await pilot.pause()
            on_screen = re.findall(r"\b(?:r\d{5}|a\d{3})\b", app.export_screenshot())
            assert on_screen == table.keys_in_view()
            assert (
                table.keys_in_view()
                == reference_order(source, "n", False)[
                    table.scroll_offset.y : table.scroll_offset.y + 23
                ]
            )
            assert table.cursor_key in table.keys_in_view()


async def test_changed_rows_flash_then_expire() -> None:
    source = FakeSource(make_rows(10))
    app = TableApp(source, QuickFlashTable)
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.query_one(RunTable)
        await pilot.pause()
        normal = background(table.render_line(3))
        source.put("r00002", n=5)
        table.apply(changed=["r00002"])
        await pilot.pause()
        flashing = background(table.render_line(3))
        assert flashing != normal
        await pilot.pause(0.4)
        assert background(table.render_line(3)) == normal


async def test_cursor_style_follows_focus() -> None:
    source = FakeSource(make_rows(10))
    app = TableApp(source)
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.query_one(RunTable)
        await pilot.pause()
        focused = background(table.render_line(1))
        plain = background(table.render_line(2))
        app.set_focus(None)
        await pilot.pause()
        blurred = background(table.render_line(1))
        assert len({focused, blurred, plain}) == 3


async def test_narrow_and_wide_layouts() -> None:
    for size, rows in (((80, 24), 5), ((80, 24), 100), ((160, 50), 100)):
        source = FakeSource(make_rows(rows))
        source.put("r00001", name="a very long workflow name that cannot possibly fit " * 3)
        app = TableApp(source)
        async with app.run_test(size=size) as pilot:
            table = app.query_one(RunTable)
            await pilot.pause()
            # lines fill the width left of the vertical scrollbar (shown only when needed)
            width = size[0] - (1 if rows > size[1] else 0)
            assert table.scrollable_content_region.width == width
            lines = [table.render_line(y) for y in range(3)]
            assert all(line.cell_length == width for line in lines)
            assert "…" in lines[2].text  # the flex column is truncated with an ellipsis
            assert lines[2].text.endswith("2024-01-01T00:00:01")
            assert lines[0].text.rstrip().endswith("Started")


def test_column_layout_fits_width() -> None:
    wide = compute_layout(COLUMNS, 120)
    assert wide.indices == (0, 1, 2, 3, 4)
    assert sum(wide.widths) + len(wide.widths) - 1 == 120
    narrow = compute_layout(COLUMNS, 50)  # flex at min width, then drop from the right
    assert narrow.indices == (0, 1, 2, 3)
    assert narrow.widths[2] >= 8
    assert sum(narrow.widths) + len(narrow.widths) - 1 <= 50
    assert narrow.column_at(9) == 1
    tiny = compute_layout(COLUMNS, 5)
    assert tiny.indices == (2,)


def test_nan_is_treated_as_missing() -> None:
    from ccmon.ui.widgets.table_index import make_sort_key

    assert make_sort_key(math.nan, "a") == make_sort_key(None, "a")


async def test_row_count_changes_keep_the_scrollbar_true() -> None:
    """Adding and removing rows moves the scrollbar's thumb without a relayout while the
    bar stays; crossing the height of the view shows or hides it (a relayout). Either
    way the scroll range, the bar and the last row agree with the row count."""
    source = FakeSource(make_rows(10))
    app = TableApp(source)
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.query_one(RunTable)
        await pilot.pause()
        view = table.container_size.height
        steps = [(30, 0), (25, 0), (0, 40), (0, 20), (60, 0), (0, 62)]
        serial = 0
        for add, remove in steps:
            added = [f"a{serial + i:03d}" for i in range(add)]
            serial += add
            for key in added:
                source.put(key, n=serial, status="ok", started="s")
            removed = table.ordered_keys()[:remove]
            for key in removed:
                del source.rows[key]
            table.apply(added=added, removed=removed)
            await pilot.pause()
            lines = table.row_count + 1  # the header line too
            assert table.virtual_size.height == lines
            assert table.max_scroll_y == max(0, lines - view)
            assert table.show_vertical_scrollbar == (lines > view)
            if table.show_vertical_scrollbar:
                assert table.vertical_scrollbar.window_virtual_size == lines
            await pilot.press("end")
            await pilot.pause()
            last = table.ordered_keys()[-1]
            assert last in app.export_screenshot()
            await pilot.press("home")
            await pilot.pause()


async def test_a_thumb_drawn_the_same_is_not_repainted() -> None:
    """With thousands of rows one more row leaves the thumb where it was drawn: the
    scrollbar is not repainted, and what it shows equals a full repaint. Enough rows
    gone to move the thumb repaint it."""
    source = FakeSource(make_rows(2000))
    app = TableApp(source)
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.query_one(RunTable)
        await pilot.pause()
        bar = table.vertical_scrollbar
        renders = 0
        render = bar.render

        def counted() -> Any:
            nonlocal renders
            renders += 1
            return render()

        bar.render = counted  # type: ignore[method-assign]
        source.put("zzz", n=1, status="ok", started="s")
        table.apply(added=["zzz"])
        await pilot.pause()
        assert renders == 0 and bar.window_virtual_size == 2002
        shown = app.export_screenshot()
        bar.refresh()
        await pilot.pause()
        assert renders == 1 and app.export_screenshot() == shown
        removed = table.ordered_keys()[:1900]
        for key in removed:
            del source.rows[key]
        table.apply(removed=removed)
        await pilot.pause()
        assert renders == 2 and bar.window_virtual_size == 102


@settings(max_examples=400, deadline=None)
@given(
    height=st.integers(3, 80),
    window=st.integers(1, 80),
    virtuals=st.tuples(st.integers(2, 200_000), st.integers(2, 200_000)),
    where=st.floats(0, 1),
)
def test_the_same_thumb_is_the_same_drawing(
    height: int, window: int, virtuals: tuple[int, int], where: float
) -> None:
    """What the scrollbar shortcut relies on: two row counts whose thumbs are equal are
    drawn identically by Textual's scrollbar."""
    from textual.scrollbar import ScrollBarRender

    from ccmon.ui.widgets.table_scroll import thumb

    def drawn(virtual: int) -> list[Any]:  # as ScrollBar._render_bar asks for it
        shown = window if window < virtual else 0
        return list(ScrollBarRender.render_bar(height, virtual, shown, position).segments)

    position = int(where * max(0, min(virtuals) - window) * 8) / 8
    first, second = virtuals
    if thumb(height, first, window, position) == thumb(height, second, window, position):
        assert drawn(first) == drawn(second)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.tuples(st.integers(-5, 60), st.integers(0, 8)), max_size=20),
    st.integers(0, 40),
    st.integers(0, 30),
)
def test_row_regions_cover_exactly_the_changed_lines_in_view(spans, top, page) -> None:
    """One region per run of touching lines; together exactly the lines of the rows
    that are both changed and in view (under the header line)."""
    spans = [(start, start + length) for start, length in spans]
    regions = row_regions(spans, (top, page), 100)
    lines = [y for region in regions for y in range(region.y, region.bottom)]
    wanted = {
        row - top + 1
        for start, stop in spans
        for row in range(start, stop)
        if top <= row < top + page
    }
    assert sorted(lines) == sorted(wanted) and len(lines) == len(set(lines))
    assert all(region.x == 0 and region.width == 100 and region.height for region in regions)
    assert all(a.bottom < b.y for a, b in pairwise(regions))
