"""How ccmon starts: garbage collection is off until the first poll is on screen.

Start-up makes objects that live as long as the process; ``ccmon.launch`` turns the
collector off so that it does not scan them again and again while they are made.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path

import pytest

from ccmon import cli, launch
from tests.functional.harness import make_harness


@pytest.fixture
def collector() -> Iterator[None]:
    """Whatever a test does to the collector is undone."""
    try:
        yield
    finally:
        gc.unfreeze()
        gc.enable()


def test_the_entry_point_starts_with_collection_off(
    collector: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[bool] = []
    monkeypatch.setattr(cli, "main", lambda: seen.append(gc.isenabled()) or 0)
    assert launch.main() == 0
    assert seen == [False]


async def test_the_monitor_collects_again_after_its_first_poll(
    collector: None, tmp_path: Path
) -> None:
    h = make_harness(tmp_path)
    gc.disable()
    async with h.app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert not gc.isenabled()  # the screen is up, the data is not
        await h.tick(0)
        await pilot.pause()
        assert not gc.isenabled()  # the first poll is painted first
        await pilot.pause(0.7)
        assert gc.isenabled()
        assert gc.get_freeze_count() > 0  # start-up's objects are never scanned again


def test_other_commands_collect_from_the_start(
    collector: None, capsys: pytest.CaptureFixture[str]
) -> None:
    gc.disable()
    assert cli.main(["completion", "bash"]) == 0
    assert gc.isenabled()
    assert "ccmon" in capsys.readouterr().out


def test_an_app_started_with_collection_on_changes_nothing(collector: None) -> None:
    assert gc.isenabled()
    before = gc.get_freeze_count()
    from ccmon.ui.app import CcmonApp

    CcmonApp.start_collecting()
    assert gc.isenabled() and gc.get_freeze_count() == before
