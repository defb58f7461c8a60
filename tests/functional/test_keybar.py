"""The key bar: the screen's keys on one line; a click on one presses it, the mouse over
one shows its tooltip."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from textual.pilot import Pilot

from ccmon.ui.screens.failures import FailuresScreen
from ccmon.ui.screens.main import MainScreen
from ccmon.ui.widgets.keybar import KeyBar
from tests.functional.harness import Harness, make_harness


@asynccontextmanager
async def key_bar(tmp_path: Path) -> AsyncIterator[tuple[Harness, Pilot[None], KeyBar, str]]:
    """The main screen after the first poll: its key bar and the bar's text."""
    h = make_harness(tmp_path)
    async with h.app.run_test(size=(120, 30)) as pilot:
        await h.tick(0)
        await pilot.pause()
        bar = h.app.screen.query_one(KeyBar)
        yield h, pilot, bar, str(bar.render())


async def test_a_click_on_a_hint_presses_its_key(tmp_path: Path) -> None:
    async with key_bar(tmp_path) as (h, pilot, _bar, line):
        assert "Failures" in line and "palette" in line  # the palette's key, on the right
        x = line.index("Failures")
        await pilot.click(KeyBar, offset=(x, 0))
        await pilot.pause()
        assert isinstance(h.app.screen, FailuresScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(h.app.screen, MainScreen)
        await pilot.click(KeyBar, offset=(line.index("▏") - 1, 0))  # between hints and palette
        await pilot.pause()
        assert isinstance(h.app.screen, MainScreen)


async def test_the_mouse_over_a_hint_shows_its_tooltip(tmp_path: Path) -> None:
    async with key_bar(tmp_path) as (_h, pilot, bar, line):
        await pilot.hover(KeyBar, offset=(line.index("Failures"), 0))
        assert bar.tooltip == "Failures"
        await pilot.hover(KeyBar, offset=(line.index("▏") - 1, 0))  # between hints
        assert bar.tooltip is None
        await pilot.hover(KeyBar, offset=(len(line) - 2, 0))  # the palette, on the right
        assert bar.tooltip == "Open the command palette"  # its binding's own tooltip
