"""Record a simulated workspace through the app, then replay it with Pilot."""

from __future__ import annotations

from pathlib import Path

from ccmon.record import Recorder, ReplaySource
from ccmon.ui.app import CcmonApp
from ccmon.ui.screens.detail import DetailScreen
from ccmon.ui.screens.failures import FailuresScreen
from ccmon.ui.screens.replay import ReplayScreen, replay_monitor
from ccmon.ui.widgets.status_line import StatusLine
from ccmon.ui.widgets.table import RunTable
from tests.functional.harness import make_harness


async def record_demo(tmp_path: Path, ticks: int = 5) -> tuple[Path, list[set[str]]]:
    path = tmp_path / "demo.rec"
    h = make_harness(tmp_path, history=150, arrival_per_min=40.0)
    h.app.recorder = Recorder(path, meta={"label": "test workspace", "host": "sim.local"})
    shown: list[set[str]] = []
    async with h.app.run_test(size=(120, 40)) as pilot:
        for _ in range(ticks):
            await h.tick(20)
            await pilot.pause()
            shown.append(set(h.monitor.store.runs))
    h.app.recorder.close()
    return path, shown


def header(app: CcmonApp) -> str:
    return str(app.screen.query_one(StatusLine).content)


def table_keys(app: CcmonApp) -> set[str]:
    return set(app.screen.query_one(RunTable).ordered_keys())


async def test_replay_steps_jumps_and_shares_the_ui(tmp_path: Path) -> None:
    path, shown = await record_demo(tmp_path)
    assert shown[0] != shown[-1]
    source = ReplaySource(path)
    app = CcmonApp(replay_monitor(source), replay=source, live=False)
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, ReplayScreen)
        assert table_keys(app) == shown[0]
        assert "REPLAY" in header(app) and "x1" in header(app) and "paused" in header(app)
        await pilot.press("full_stop", "full_stop")
        assert table_keys(app) == shown[2]
        assert "tick 3/5" in header(app)
        await pilot.press("comma")
        assert table_keys(app) == shown[1]
        await pilot.press("right_square_bracket", "right_square_bracket")
        assert "x4" in header(app)
        await pilot.press("left_square_bracket")
        assert "x2" in header(app)
        # jump to the last tick's time, then to the first one's
        for index in (4, 0):
            moment = source.ticks[index].at.astimezone()
            await pilot.press("g")
            await pilot.pause()
            await pilot.press(*f"{moment:%H:%M:%S}", "enter")
            await pilot.pause()
            assert table_keys(app) == shown[index], index
        await pilot.press("g")
        await pilot.pause()
        await pilot.press(*"nonsense", "enter")
        await pilot.pause()
        assert table_keys(app) == shown[0]
        await pilot.press("escape")
        # the filter, the failures view and the detail pane work on recorded data
        await pilot.press("6")
        failed = {s for s in shown[0] if source.store.runs[s].status == "execution.failed"}
        assert table_keys(app) == failed
        await pilot.press("slash", *"status:big", "enter")  # g types into the filter
        assert "filter: status:big" in header(app) or app.screen.query_one("#filter").value
        await pilot.press("escape", "0", "F")
        assert isinstance(app.screen, FailuresScreen)
        await pilot.press("escape")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, DetailScreen)
        await pilot.pause(0.2)
        await pilot.press("escape")
        # space plays: ticks advance on their own
        await pilot.press("space")
        assert "playing" in header(app)
        await pilot.press(*["right_square_bracket"] * 6)
        assert "x64" in header(app)
        for _ in range(100):
            await pilot.pause(0.05)
            if source.at_end:
                break
        await pilot.pause()
        assert source.at_end and table_keys(app) == shown[-1]
