"""The main screen through Textual's Pilot, over the simulator with a driven clock."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from ccmon.sim import Fault
from ccmon.ui.screens.failures import FailuresScreen
from ccmon.ui.screens.help import HelpScreen
from ccmon.ui.screens.main import MainScreen
from ccmon.ui.screens.wallboard import WallboardScreen
from ccmon.ui.widgets.status_line import StatusLine
from ccmon.ui.widgets.table import RunTable
from tests.functional.harness import make_harness


def header(app) -> str:
    return str(app.screen.query_one(StatusLine).content)


def screen_text(app) -> str:
    return app.export_screenshot()


async def test_first_load_fills_the_queue_and_header(tmp_path: Path) -> None:
    h = make_harness(tmp_path)
    async with h.app.run_test(size=(120, 40)) as pilot:
        await h.tick(0)
        await pilot.pause()
        table = h.app.screen.query_one(RunTable)
        assert table.row_count == len(h.monitor.store) > 100
        text = header(h.app)
        assert "live" in text and "updated" in text and "every 2s" in text
        first = h.monitor.store.runs[table.keys_in_view()[0]]
        assert first.status.active, "active runs lead the queue"
        assert "Workflow" in screen_text(h.app)


async def test_status_keys_and_filter_grammar(tmp_path: Path) -> None:
    h = make_harness(tmp_path)
    async with h.app.run_test(size=(120, 40)) as pilot:
        await h.tick(0)
        await pilot.pause()
        table = h.app.screen.query_one(RunTable)
        await pilot.press("6")
        failed = [r for r in h.monitor.store.runs.values() if r.status == "execution.failed"]
        assert table.row_count == len(failed) > 0
        await pilot.press("0")
        assert table.row_count == len(h.monitor.store)
        await pilot.press("slash")
        await pilot.press(*"status:success")
        await pilot.press("enter")
        ok = [r for r in h.monitor.store.runs.values() if r.status == "execution.success"]
        assert table.row_count == len(ok)
        assert "filter: status:success" in header(h.app)
        await pilot.press("escape")
        assert table.row_count == len(h.monitor.store)
        await pilot.press("slash")
        await pilot.press(*"status:nonsense", "enter")
        assert table.row_count == len(h.monitor.store)


async def test_sort_keeps_the_cursor_on_its_run(tmp_path: Path) -> None:
    h = make_harness(tmp_path)
    async with h.app.run_test(size=(120, 40)) as pilot:
        await h.tick(0)
        await pilot.pause()
        table = h.app.screen.query_one(RunTable)
        await pilot.press("down", "down", "down")
        key = table.cursor_key
        await pilot.press("s")
        assert table.sort_column == "status" and table.cursor_key == key
        await pilot.press("S")
        assert table.sort_reverse and table.cursor_key == key
        for _ in range(5):
            await h.tick()
            await pilot.pause()
            assert table.cursor_key == key


async def test_enter_opens_detail_and_escape_returns(tmp_path: Path) -> None:
    h = make_harness(tmp_path)
    async with h.app.run_test(size=(100, 30)) as pilot:
        await h.tick(0)
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert type(h.app.screen).__name__ == "DetailScreen"
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(h.app.screen, MainScreen)


async def test_failures_view_drills_down(tmp_path: Path) -> None:
    h = make_harness(tmp_path)
    async with h.app.run_test(size=(120, 40)) as pilot:
        await h.tick(0)
        for _ in range(20):
            await h.tick(3)  # details of the failures arrive in the next ticks
        await pilot.press("F")
        await pilot.pause()
        assert isinstance(h.app.screen, FailuresScreen)
        groups = h.app.screen.groups
        assert groups and sum(g.count for g in groups) == sum(
            1 for r in h.monitor.store.runs.values() if r.status == "execution.failed"
        )
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(h.app.screen, MainScreen)
        table = h.app.screen.query_one(RunTable)
        assert table.row_count == groups[0].count
        await pilot.press("escape")
        assert table.row_count == len(h.monitor.store)


async def test_help_lists_the_keys(tmp_path: Path) -> None:
    h = make_harness(tmp_path)
    async with h.app.run_test(size=(100, 40)) as pilot:
        await h.tick(0)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(h.app.screen, HelpScreen)
        text = screen_text(h.app)
        for words in ("Filter", "Pause", "Refresh", "Failures", "Quit", "Sort", "Select"):
            assert words in text
        await pilot.press("escape")
        assert isinstance(h.app.screen, MainScreen)


async def test_pause_interval_and_refresh(tmp_path: Path) -> None:
    h = make_harness(tmp_path)
    async with h.app.run_test(size=(120, 30)) as pilot:
        await h.tick(0)
        await pilot.press("p")
        await pilot.pause()
        assert h.monitor.poller.health.paused and "PAUSED" in header(h.app)
        await pilot.press("p", "plus")
        await pilot.pause()
        assert not h.monitor.poller.health.paused
        assert h.monitor.poller.interval == 3 and "every 3s" in header(h.app)
        await pilot.press("minus", "minus")
        assert h.monitor.poller.interval == 1


async def test_stale_data_stays_and_says_so(tmp_path: Path) -> None:
    h = make_harness(tmp_path)
    async with h.app.run_test(size=(120, 30)) as pilot:
        await h.tick(0)
        await pilot.pause()
        table = h.app.screen.query_one(RunTable)
        rows = table.row_count
        h.sim.faults.replace([Fault("all", "503")])
        for _ in range(4):
            await h.tick()
        await pilot.pause()
        text = header(h.app)
        assert "STALE" in text and "server error (503)" in text
        assert table.row_count == rows
        h.sim.faults.clear()
        await h.tick()
        await pilot.pause()
        assert "STALE" not in header(h.app)


async def test_new_failures_raise_a_toast(tmp_path: Path) -> None:
    h = make_harness(tmp_path, arrival_per_min=60.0)
    async with h.app.run_test(size=(120, 30)) as pilot:
        await h.tick(0)
        for _ in range(40):
            await h.tick(5)
            if h.app._notifications:
                break
        await pilot.pause()
        assert any("failed" in n.message for n in h.app._notifications)


async def test_wallboard_is_read_only_and_needs_q_twice(tmp_path: Path) -> None:
    h = make_harness(tmp_path, wallboard=True)
    async with h.app.run_test(size=(80, 24)) as pilot:
        await h.tick(0)
        await pilot.pause()
        assert isinstance(h.app.screen, WallboardScreen)
        assert h.monitor.read_only
        await pilot.press("escape", "x", "q")
        await pilot.pause()
        assert h.app.is_running and isinstance(h.app.screen, WallboardScreen)
        await pilot.press("q")
        await pilot.pause()
    assert not h.app.is_running


async def test_q_quits(tmp_path: Path) -> None:
    h = make_harness(tmp_path)
    async with h.app.run_test(size=(80, 24)) as pilot:
        await h.tick(0)
        await pilot.press("q")
        await pilot.pause()
    assert not h.app.is_running


async def test_hostile_names_show_literally(tmp_path: Path) -> None:
    h = make_harness(tmp_path, hostile=True, seed=5)  # seed 5 names a workflow with [@click]
    names = [w["name"] for w in h.sim.workspace.list_workflows()]
    assert any("[@click=app.quit]" in n for n in names)
    async with h.app.run_test(size=(200, 60)) as pilot:
        await h.tick(0)
        await pilot.pause()
        await pilot.press("slash", *"wf:invoice", "enter")
        await pilot.pause()
        table = h.app.screen.query_one(RunTable)
        assert table.row_count > 0
        line = "".join(seg.text for seg in table.render_line(1))
        assert "[@click=app.quit]quit[/]" in line, line
        assert h.app.is_running


async def test_still_rows_are_not_looked_at_until_their_age_can_move(tmp_path: Path) -> None:
    """Every run finished: the poll looked at the rows in view; the clock looks at them
    again only when one's age can have changed, or when the rows in view change."""
    h = make_harness(tmp_path, arrival_per_min=0.0)
    h.sim.clock.advance(900)  # the history's last runs have finished
    async with h.app.run_test(size=(120, 30)) as pilot:
        await h.tick(0)
        await pilot.pause()
        screen = h.app.screen
        assert isinstance(screen, MainScreen)
        table = screen.query_one(RunTable)
        assert all(h.monitor.store.runs[k].status.terminal for k in table.keys_in_view())
        looked: list[int] = []
        refresh_changed = table.refresh_changed
        table.refresh_changed = lambda: (looked.append(1), refresh_changed())[1]  # type: ignore[method-assign]
        screen.on_second()
        until = screen._still[2]  # (rows in view, looked at, still until)
        assert until > screen.rows.moment and not looked, "the poll has just looked at them"
        while h.sim.clock.now() + timedelta(seconds=1) < until:
            h.sim.clock.advance(1)
            screen.on_second()
        assert not looked, "nothing in view could move: the rows were not looked at"
        h.sim.clock.advance(1)
        screen.on_second()
        assert len(looked) == 1, "an age moved: the rows were looked at"
        await pilot.press("end")  # other rows in view: looked at, whatever the clock
        screen.on_second()
        assert len(looked) == 2
