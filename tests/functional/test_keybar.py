"""The key bar: the screen's keys on one line, and a click on one presses it."""

from __future__ import annotations

from pathlib import Path

from ccmon.ui.screens.failures import FailuresScreen
from ccmon.ui.screens.main import MainScreen
from ccmon.ui.widgets.keybar import KeyBar
from tests.functional.harness import make_harness


async def test_a_click_on_a_hint_presses_its_key(tmp_path: Path) -> None:
    h = make_harness(tmp_path)
    async with h.app.run_test(size=(120, 30)) as pilot:
        await h.tick(0)
        await pilot.pause()
        bar = h.app.screen.query_one(KeyBar)
        line = str(bar.render())
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
