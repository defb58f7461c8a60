"""The remaining keys of the main screen, and the command palette, through Pilot."""

from __future__ import annotations

from pathlib import Path

import pytest

from ccmon.ui.app import CcmonApp, screen_commands
from ccmon.ui.screens.main import MainScreen
from ccmon.ui.screens.wallboard import WallboardScreen
from ccmon.ui.widgets.table import RunTable
from tests.functional.harness import make_harness


async def test_copy_id_uses_the_clipboard(tmp_path: Path) -> None:
    h = make_harness(tmp_path)
    async with h.app.run_test(size=(120, 30)) as pilot:
        await h.tick(0)
        await pilot.pause()
        key = h.app.screen.query_one(RunTable).cursor_key
        await pilot.press("c")
        assert key and h.app.clipboard == key


async def test_follow_keeps_the_run_and_reports_its_end(tmp_path: Path) -> None:
    h = make_harness(tmp_path, arrival_per_min=30.0)
    async with h.app.run_test(size=(120, 30)) as pilot:
        h.sim.clock.advance(60)
        await h.tick(0)
        await pilot.pause()
        table = h.app.screen.query_one(RunTable)
        key = table.cursor_key
        assert key and h.monitor.store.runs[key].status.active
        await pilot.press("f")
        assert "following" in str(h.app.screen.query_one("#status-line").content)
        for _ in range(120):
            await h.tick(5)
            await pilot.pause()
            if h.monitor.store.runs[key].status.terminal:
                break
            assert table.cursor_key == key
        assert h.monitor.store.runs[key].status.terminal
        assert any("finished" in n.message for n in h.app._notifications)


async def test_interrupt_asks_then_stops_the_run(tmp_path: Path) -> None:
    h = make_harness(tmp_path)
    async with h.app.run_test(size=(120, 30)) as pilot:
        h.sim.clock.advance(60)
        await h.tick(0)
        await pilot.pause()
        key = h.app.screen.query_one(RunTable).cursor_key
        assert key and h.monitor.store.runs[key].status.active
        await pilot.press("x")
        await pilot.pause()
        assert type(h.app.screen).__name__ == "ConfirmScreen"
        await pilot.press("y")
        await pilot.pause()
        await h.tick()
        await pilot.pause()
        assert h.monitor.store.runs[key].status == "execution.stopped"


async def test_interrupt_is_refused_in_read_only_mode(tmp_path: Path) -> None:
    h = make_harness(tmp_path, settings={"read_only": True})
    async with h.app.run_test(size=(120, 30)) as pilot:
        h.sim.clock.advance(60)
        await h.tick(0)
        await pilot.pause()
        await pilot.press("x")
        await pilot.pause()
        assert isinstance(h.app.screen, MainScreen)
        assert any("read-only" in n.message for n in h.app._notifications)


async def test_wallboard_from_the_main_screen_and_back(tmp_path: Path) -> None:
    h = make_harness(tmp_path)
    async with h.app.run_test(size=(80, 24)) as pilot:
        await h.tick(0)
        await pilot.press("W")
        await pilot.pause()
        assert isinstance(h.app.screen, WallboardScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(h.app.screen, MainScreen)


async def test_every_key_is_a_palette_command(tmp_path: Path) -> None:
    h = make_harness(tmp_path)
    async with h.app.run_test(size=(120, 30)) as pilot:
        await h.tick(0)
        await pilot.pause()
        titles = {c.title for c in screen_commands(h.app, h.app.screen)}
        for title in ("Filter", "Sort", "Follow", "Failures", "Pause", "Refresh", "Help"):
            assert title in titles
        pause = next(c for c in screen_commands(h.app, h.app.screen) if c.title == "Pause")
        pause.callback()
        await pilot.pause()
        assert h.monitor.poller.health.paused


@pytest.mark.parametrize(
    ("env", "theme"),
    [
        ({"NO_COLOR": "1", "TERM": "xterm-256color"}, "ccmon-ansi"),
        ({"TERM": "linux"}, "ccmon-ansi"),
        ({"TERM": "xterm-256color"}, "ccmon-dark"),
        ({"TERM": "xterm", "COLORTERM": "truecolor"}, "ccmon-dark"),
    ],
)
async def test_theme_follows_the_terminal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, env: dict[str, str], theme: str
) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("COLORTERM", raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    h = make_harness(tmp_path, settings={"theme": None})
    app = CcmonApp(h.monitor, live=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.theme == theme


async def test_untouched_cursor_stays_at_the_head_of_the_queue(tmp_path: Path) -> None:
    h = make_harness(tmp_path, arrival_per_min=30.0)
    async with h.app.run_test(size=(120, 30)) as pilot:
        h.sim.clock.advance(60)
        await h.tick(0)
        await pilot.pause()
        table = h.app.screen.query_one(RunTable)
        first = table.cursor_key
        for _ in range(30):
            await h.tick(5)
        await pilot.pause()
        assert table.cursor_row == 0
        assert first is not None and h.monitor.store.runs[first].status.terminal
        assert table.cursor_key != first
        await pilot.press("down")
        key = table.cursor_key
        for _ in range(10):
            await h.tick(5)
        await pilot.pause()
        assert table.cursor_key == key, "after a key press the cursor keeps its run"


async def test_unfocused_terminal_polls_slower_and_says_so(tmp_path: Path) -> None:
    from textual import events

    h = make_harness(tmp_path)
    async with h.app.run_test(size=(160, 30)) as pilot:
        await h.tick(0)
        h.app.post_message(events.AppBlur())
        await pilot.pause()
        await h.tick()
        await pilot.pause()
        assert h.monitor.poller.health.slowed == "unfocused: every 10s"
        assert "unfocused: every 10s" in str(h.app.screen.query_one("#status-line").content)
        h.app.post_message(events.AppFocus())
        await pilot.pause()
        assert h.monitor.poller.health.slowed is None
