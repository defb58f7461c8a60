"""The screens' clock: a screen wakes when what it shows can next read otherwise, not
every second (Pilot, over the simulator with a driven clock)."""

from __future__ import annotations

from pathlib import Path

from textual.pilot import Pilot
from textual.screen import Screen

from ccmon.ui import text as fmt
from ccmon.ui.screens.main import MainScreen
from ccmon.ui.screens.wallboard import WallboardScreen
from ccmon.ui.widgets.status_line import StatusLine
from ccmon.ui.widgets.table import RunTable
from tests.functional.harness import Harness, make_harness


def header(screen: MainScreen | WallboardScreen) -> str:
    return str(screen.query_one(StatusLine).content)


async def after_first_poll(h: Harness, pilot: Pilot[None]) -> Screen[None]:
    await h.tick(0)
    await pilot.pause()
    return h.app.screen


async def test_a_still_screen_sleeps_until_an_age_steps_or_the_data_turns_stale(
    tmp_path: Path,
) -> None:
    h = make_harness(tmp_path, arrival_per_min=0.0)
    h.sim.clock.advance(900)  # the history's last runs have finished
    async with h.app.run_test(size=(120, 30)) as pilot:
        screen = await after_first_poll(h, pilot)
        assert isinstance(screen, MainScreen)
        health = h.monitor.poller.health
        assert health.last_success is not None and not health.stale(h.sim.clock.now())
        # the header says when the data came: it holds still between polls
        assert f"updated {fmt.clock(health.last_success)}" in header(screen)
        assert "ago" not in header(screen)
        # every run in view is over (their ages step by the minute, and are drawn
        # together at most every 10 s): the next change is the data turning stale,
        # three missed polls from now, if no poll comes
        stale_at = health.stale_at()
        assert stale_at is not None
        until_stale = (stale_at - h.sim.clock.now()).total_seconds()
        assert until_stale == 7
        assert screen.clock.delay is not None and abs(screen.clock.delay - until_stale) < 0.1
        # polling slowed to every 6 s (nothing changes): stale in 19 s; the ages in
        # view step before that, and are drawn together, at most every 10 s
        health.effective_interval = 6.0
        screen.on_second()
        assert screen.clock.delay is not None and 10 <= screen.clock.delay < 19
        # no poll comes: the header says the data is stale, and counts every second
        stale_at = health.stale_at()
        assert stale_at is not None
        h.sim.clock.advance((stale_at - h.sim.clock.now()).total_seconds() + 1)
        screen.on_second()
        assert "STALE" in header(screen)
        assert screen.clock.delay is not None and screen.clock.delay <= 1


async def test_runs_in_view_that_wait_or_run_wake_it_every_second(tmp_path: Path) -> None:
    h = make_harness(tmp_path)  # runs arrive and run
    async with h.app.run_test(size=(120, 30)) as pilot:
        screen = await after_first_poll(h, pilot)
        assert isinstance(screen, MainScreen)
        table = screen.query_one(RunTable)
        store = h.monitor.store
        assert not store.runs[table.keys_in_view()[0]].status.terminal
        assert screen.clock.delay is not None and screen.clock.delay <= 1
        woken: list[int] = []
        on_second = screen.on_second
        screen.clock._tick = lambda: (woken.append(1), on_second())[1]
        await pilot.pause(1.5)
        assert woken, "the clock woke the screen within the second"
        # scrolled to the oldest runs, all over: it sleeps; back to the head of the
        # queue: the repaint sets it to every second again
        await pilot.press("end")
        await pilot.pause()
        assert all(store.runs[k].status.terminal for k in table.keys_in_view())
        screen.on_second()
        assert screen.clock.delay is not None and screen.clock.delay > 1
        await pilot.press("home")
        await pilot.pause()
        await pilot.pause()
        assert screen.clock.delay is not None and screen.clock.delay <= 1


async def test_the_wallboard_header_wakes_only_to_turn_stale(tmp_path: Path) -> None:
    h = make_harness(tmp_path, wallboard=True)
    async with h.app.run_test(size=(160, 50)) as pilot:
        screen = await after_first_poll(h, pilot)
        assert isinstance(screen, WallboardScreen)
        health = h.monitor.poller.health
        stale_at = health.stale_at()
        assert stale_at is not None
        wait = (stale_at - h.sim.clock.now()).total_seconds()
        assert screen.clock.delay is not None and abs(screen.clock.delay - wait) < 0.1
        h.sim.clock.advance(wait + 1)
        screen.refresh_header()
        assert "STALE" in header(screen)
        assert screen.clock.delay is not None and screen.clock.delay <= 1
