"""SVG snapshots of every screen at 80x24 and 160x50, from the deterministic simulator.

Update after an intended visual change: ``pytest tests/snapshots --snapshot-update``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ccmon.ui.widgets.table import RunTable
from tests.functional.harness import Harness, make_harness


@pytest.fixture(autouse=True)
def no_flash(monkeypatch: pytest.MonkeyPatch) -> None:
    """Flashes last a real second: no place in a deterministic picture."""
    monkeypatch.setattr(RunTable, "FLASH_SECONDS", 0.0)


SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((160, 50), id="160x50")]


def loaded(h: Harness, *keys: str, ticks: int = 8):
    async def run_before(pilot) -> None:
        await h.tick(0)
        for _ in range(ticks):
            await h.tick(3)
        await pilot.pause()
        if keys:
            await pilot.press(*keys)
        await pilot.pause()
        h.app.clear_notifications()
        await pilot.pause()

    return run_before


@pytest.mark.parametrize("size", SIZES)
def test_main_screen(snap_compare, tmp_path: Path, size: tuple[int, int]) -> None:
    h = make_harness(tmp_path)
    assert snap_compare(h.app, terminal_size=size, run_before=loaded(h))


@pytest.mark.parametrize("size", SIZES)
def test_failures_view(snap_compare, tmp_path: Path, size: tuple[int, int]) -> None:
    h = make_harness(tmp_path)
    assert snap_compare(h.app, terminal_size=size, run_before=loaded(h, "F", ticks=20))


@pytest.mark.parametrize("size", SIZES)
def test_help(snap_compare, tmp_path: Path, size: tuple[int, int]) -> None:
    h = make_harness(tmp_path)
    assert snap_compare(h.app, terminal_size=size, run_before=loaded(h, "question_mark"))


@pytest.mark.parametrize("size", SIZES)
def test_wallboard(snap_compare, tmp_path: Path, size: tuple[int, int]) -> None:
    h = make_harness(tmp_path, wallboard=True)
    assert snap_compare(h.app, terminal_size=size, run_before=loaded(h))


@pytest.mark.parametrize("size", SIZES)
def test_main_screen_stale(snap_compare, tmp_path: Path, size: tuple[int, int]) -> None:
    from ccmon.sim import Fault

    h = make_harness(tmp_path)

    async def run_before(pilot) -> None:
        await h.tick(0)
        h.sim.faults.replace([Fault("all", "401")])
        for _ in range(4):
            await h.tick()
        await pilot.pause()
        h.app.clear_notifications()
        await pilot.pause()

    assert snap_compare(h.app, terminal_size=size, run_before=run_before)
