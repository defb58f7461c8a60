"""The change probe against the simulator: after every tick, the store says what a full
``GET /runs`` of the window says.

Each test drives the simulator's clock tick by tick at a high arrival rate and, after
each tick, reads the whole window straight from the simulator over HTTP and compares
every run: the status exactly, and the whole list row for runs whose start time is not
an estimate (an estimated start must lie within one interval of the real one). The
only runs allowed to lag are those the poller knows ended and whose rows are still due
(``_ending``); they must be settled within ``settle.wait`` ticks.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from ccmon.api.client import CloudCruiseClient, RetryPolicy
from ccmon.sim import Simulator
from ccmon.sync.poller import Poller, SyncConfig
from ccmon.sync.records import SUMMARY_FIELDS
from ccmon.sync.store import RunStore
from tests.conftest import make_sim

INTERVAL = 2.0


async def window(http: Any, now: datetime) -> dict[str, dict[str, Any]]:
    """The whole window as the API lists it (an independent, plain request)."""
    client = CloudCruiseClient(http, "demo-key", retry=RetryPolicy(attempts=1))
    page = await client.collect_runs(page_size=10_000, start_time=now - timedelta(hours=24))
    assert not page.invalid
    return {row.session_id: row.model_dump() for row in page.rows}


def compare(poller: Poller, truth: dict[str, dict[str, Any]], waits: dict[str, int]) -> int:
    """Assert the store matches ``truth``; returns how many estimated starts it holds."""
    store = poller.store
    assert set(store.runs) == set(truth), "the store lost or invented runs"
    estimated = 0
    for sid, record in store.runs.items():
        real = truth[sid]
        if sid in poller._ending:  # its detail may have told the final status already
            assert not record.status.terminal or record.status == real["status"]
            assert real["status"] in ("execution.success", "execution.failed", "execution.stopped")
            waits[sid] = waits.get(sid, 0) + 1
            assert waits[sid] <= poller.config.settle.wait + 2, f"{sid} never settled"
            continue
        assert record.status == real["status"], (sid, record.status, real["status"])
        summary = record.summary.model_dump()
        for name in SUMMARY_FIELDS:
            if name == "execution_start" and record.start_estimated:
                estimated += 1
                assert real["execution_start"] is not None
                off = abs((summary[name] - real["execution_start"]).total_seconds())
                assert off <= INTERVAL, (sid, summary[name], real["execution_start"])
                continue
            assert summary[name] == real[name], (sid, name, summary[name], real[name])
    return estimated


async def drive(
    sim: Simulator,
    ticks: int,
    *,
    config: SyncConfig | None = None,
    every_tick: Any = None,
) -> tuple[Poller, dict[str, int]]:
    stats = {"estimated": 0, "ended": 0, "segments": 0, "excluded_s": 0}
    config = config or SyncConfig(details_per_tick=0, interval=INTERVAL)
    async with sim.client() as http:
        client = CloudCruiseClient(http, "demo-key", retry=RetryPolicy(attempts=1))
        poller = Poller(client, RunStore(), config, now=sim.clock.now)
        await poller.tick()
        waits: dict[str, int] = {}
        for n in range(ticks):
            sim.clock.advance(INTERVAL)
            if every_tick is not None:
                await every_tick(n, client, poller)
            before = set(poller._ending)
            await poller.tick()
            assert poller.health.state == "ok", poller.health.last_error
            stats["ended"] += len(set(poller._ending) - before)
            stats["estimated"] += compare(poller, await window(http, sim.clock.now()), waits)
        return poller, stats


async def test_a_status_from_the_detail_still_waits_for_the_row() -> None:
    """With details fetched, a run seen ending may learn its final status from its detail
    before its list row comes; the row (its execution_end) must still be fetched."""
    sim = make_sim(history=2000, arrival_per_min=300.0, workers=200, seed=5)
    config = SyncConfig(interval=INTERVAL, resync_every=timedelta(hours=1))
    _, stats = await drive(sim, 40, config=config)
    assert stats["ended"] > 10, stats


async def test_every_tick_matches_the_api_at_a_high_arrival_rate() -> None:
    sim = make_sim(history=3000, arrival_per_min=600.0, workers=400, seed=11)
    seen_status: set[str] = set()

    async def watch(n: int, client: CloudCruiseClient, poller: Poller) -> None:
        seen_status.update(str(r.status) for r in poller.store.runs.values())

    config = SyncConfig(details_per_tick=0, interval=INTERVAL, resync_every=timedelta(hours=1))
    poller, stats = await drive(sim, 60, config=config, every_tick=watch)
    # The test is only worth something if the inferences were exercised.
    assert stats["ended"] > 50, stats  # runs seen ending (T left out), rows fetched later
    assert stats["estimated"] > 0, stats  # runs seen starting (S left out)
    assert {"execution.requeued", "execution.start", "execution.queued"} <= seen_status
    assert not poller.split_statuses


async def test_interrupts_pauses_and_starved_queues_are_tracked() -> None:
    """Few workers: low-priority runs wait a long time (strict priority); interrupts
    stop queued and running runs between ticks; pause windows park queued runs."""
    sim = make_sim(history=800, arrival_per_min=90.0, workers=6, seed=3)
    stopped: list[str] = []

    async def interrupt(n: int, client: CloudCruiseClient, poller: Poller) -> None:
        if n % 3:
            return
        live = sorted(
            (r for r in poller.store.runs.values() if not r.status.terminal),
            key=lambda r: (r.status, r.session_id),
        )
        for record in live[:: max(1, len(live) // 3)][:3]:
            await client.interrupt_run(record.session_id)
            stopped.append(record.session_id)

    config = SyncConfig(details_per_tick=0, interval=INTERVAL, resync_every=timedelta(hours=1))
    poller, _ = await drive(sim, 90, config=config, every_tick=interrupt)
    assert stopped
    statuses = [poller.store.runs[s].status for s in stopped if s in poller.store.runs]
    assert statuses and all(s == "execution.stopped" for s in statuses if s.terminal)
    waited = [
        r
        for r in poller.store.runs.values()
        if r.status == "execution.queued"
        and r.created_at is not None
        and sim.clock.now() - r.created_at > timedelta(minutes=1)
    ]
    assert waited, "no run stayed queued long: the starvation case was not exercised"


async def test_paused_runs_are_tracked() -> None:
    """A long stretch with pause windows: runs go queued -> paused -> queued."""
    sim = make_sim(history=200, arrival_per_min=60.0, workers=8, seed=1)
    paused: set[str] = set()

    async def watch(n: int, client: CloudCruiseClient, poller: Poller) -> None:
        if n % 10 == 0:  # jump ahead between some ticks: pause windows come and go
            sim.clock.advance(120)
        paused.update(s for s, r in poller.store.runs.items() if r.status == "execution.paused")

    await drive(sim, 120, every_tick=watch)
    if not paused:
        pytest.skip("no pause window in this stretch of the simulator")
