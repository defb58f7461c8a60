"""The sync engine over the simulator: first load, steady ticks, change sets, health."""

from __future__ import annotations

import random
from datetime import timedelta
from pathlib import Path

from ccmon.api.client import CloudCruiseClient, RetryPolicy
from ccmon.api.models import ACTIVE_STATUSES, Priority
from ccmon.demo import sample_inputs
from ccmon.sim import Fault, Simulator
from ccmon.sync import metrics
from ccmon.sync.journal import Journal
from ccmon.sync.poller import Poller, SyncConfig
from ccmon.sync.store import PriorityLookup, RunStore
from tests.conftest import make_sim


def window_ids(sim: Simulator, hours: float = 24) -> dict[str, str]:
    since = sim.clock.now() - timedelta(hours=hours)
    return {
        row["session_id"]: row["status"]
        for row in sim.workspace.list_runs(start_time=since, limit=10_000)
    }


async def test_first_load_then_steady_ticks_track_the_simulator(
    sim: Simulator, poller: Poller
) -> None:
    changes = await poller.tick()
    assert changes.first_load and len(changes.added) == len(poller.store)
    assert {sid: r.status for sid, r in poller.store.runs.items()} == window_ids(sim)
    assert poller.health.state == "ok" and poller.health.last_success is not None
    for _ in range(30):
        sim.clock.advance(2)
        await poller.tick()
    expected = window_ids(sim)
    assert {sid: str(r.status) for sid, r in poller.store.runs.items()} == expected


async def test_steady_tick_costs_few_requests_whatever_the_history() -> None:
    counts = []
    for history in (500, 5_000):
        sim = make_sim(history=history, arrival_per_min=20.0)
        async with sim.client() as http:
            client = CloudCruiseClient(http, "demo-key")
            poller = Poller(client, RunStore(), SyncConfig(details_per_tick=0), now=sim.clock.now)
            await poller.tick()
            sim.clock.advance(2)
            await poller.tick()
            before = client.requests_sent
            sim.clock.advance(2)
            await poller.tick()
            counts.append(client.requests_sent - before)
    assert counts[0] <= 4 and counts[1] <= 4, counts


async def test_change_set_names_changed_fields_and_ended_runs_get_details(
    sim: Simulator, poller: Poller
) -> None:
    """Failed and stopped runs get their detail (why they ended); a success gets it
    when it is on screen or opened, not from the poll itself."""
    sim.clock.advance(120)  # let arrivals build a queue
    await poller.tick()
    active = {sid for sid, r in poller.store.runs.items() if r.status in ACTIVE_STATUSES}
    assert active
    finished: set[str] = set()
    for _ in range(60):
        sim.clock.advance(5)
        changes = await poller.tick()
        for sid, fields in changes.changed.items():
            assert fields, "a change names its fields"
            if "status" in fields and poller.store.runs[sid].status.terminal:
                finished.add(sid)
    assert finished, "some runs finished while we watched"
    unsuccessful = {s for s in finished if poller.store.runs[s].status != "execution.success"}
    assert unsuccessful and unsuccessful != finished
    with_detail = {sid for sid in finished if poller.store.runs[sid].detail is not None}
    assert len(with_detail & unsuccessful) >= len(unsuccessful) * 0.8
    successes = finished - unsuccessful
    # most successes wait; those whose end the probe learned from their detail have it
    assert len(with_detail & successes) <= len(successes) / 2
    success = next(iter(successes - with_detail))
    poller.want_details([success])  # now someone does
    await poller.tick()
    assert poller.store.runs[success].detail is not None
    ended = [poller.store.runs[sid] for sid in finished]
    assert all(
        r.summary.execution_end is not None for r in ended if r.status != "execution.stopped"
    )


async def test_new_failures_are_reported_once(sim: Simulator, poller: Poller) -> None:
    await poller.tick()
    seen: list[str] = []
    for _ in range(90):
        sim.clock.advance(5)
        seen.extend((await poller.tick()).new_failures)
    assert seen and len(seen) == len(set(seen))
    assert all(poller.store.runs[sid].status == "execution.failed" for sid in seen)


async def test_a_fault_keeps_the_data_and_marks_it_stale(sim: Simulator, poller: Poller) -> None:
    await poller.tick()
    count = len(poller.store)
    sim.faults.replace([Fault("all", "500")])
    for _ in range(4):
        sim.clock.advance(2)
        await poller.tick()
    assert len(poller.store) == count
    assert poller.health.state == "retrying" and poller.health.consecutive_failures == 4
    assert "server error (500)" in (poller.health.last_error or "")
    assert poller.health.stale(sim.clock.now())
    sim.faults.clear()
    sim.clock.advance(2)
    await poller.tick()
    assert poller.health.state == "ok" and not poller.health.stale(sim.clock.now())


async def test_rate_limit_sets_a_wait(sim: Simulator, poller: Poller) -> None:
    await poller.tick()
    sim.faults.replace([Fault("runs", "429")])
    sim.clock.advance(2)
    await poller.tick()
    assert poller.health.state == "rate_limited"
    assert poller.health.rate_limit_wait(sim.clock.now()) >= 1


async def test_auth_error_says_what_to_do(sim: Simulator) -> None:
    async with sim.client() as http:
        client = CloudCruiseClient(http, "wrong-key", retry=RetryPolicy(attempts=1))
        poller = Poller(client, RunStore(), now=sim.clock.now)
        await poller.tick()
    assert poller.health.state == "error"
    assert "API key rejected (401): check CLOUDCRUISE_API_KEY" in (poller.health.last_error or "")


async def test_priority_from_journal_then_config_then_unknown(
    sim: Simulator, tmp_path: Path
) -> None:
    journal = Journal(tmp_path / "journal.sqlite3")
    workflows = sim.workspace.list_workflows()
    defaults = {workflows[0]["name"]: Priority.MEDIUM}
    async with sim.client() as http:
        client = CloudCruiseClient(http, "demo-key", journal=journal)
        store = RunStore(PriorityLookup(journal.get, defaults))
        poller = Poller(client, store, now=sim.clock.now, reload_journal=journal.reload)
        await poller.tick()
        workflow = await client.get_workflow(workflows[1]["id"])
        inputs = sample_inputs(random.Random(2), workflow, sim.workspace.credential_ids)
        started = await client.start_run(workflow.id, inputs, priority=Priority.HIGH)
        sim.clock.advance(2)
        await poller.tick()
    record = store.runs[started]
    assert (record.priority, record.priority_source) == (Priority.HIGH, "journal")
    by_default = [r for r in store.runs.values() if r.summary.workflow_id == workflows[0]["id"]]
    assert by_default and all(r.priority_source == "config" for r in by_default)
    others = [
        r
        for r in store.runs.values()
        if r.summary.workflow_id not in (workflows[0]["id"],) and r.session_id != started
    ]
    assert all(r.priority is None for r in others)
    # another process reading the same journal file sees the priority too
    assert Journal(tmp_path / "journal.sqlite3").get(started) is Priority.HIGH


async def test_metrics_add_up(sim: Simulator, poller: Poller) -> None:
    await poller.tick()
    for _ in range(20):
        sim.clock.advance(3)
        await poller.tick()
    figures = metrics.compute(poller.store, sim.clock.now())
    assert sum(figures.by_status.values()) == len(poller.store) == figures.total
    assert figures.wait_p50 is not None and figures.wait_p95 is not None
    assert figures.wait_p50 <= figures.wait_p95
    assert figures.success_rate is not None and 0 < figures.success_rate < 1
    assert sum(g.count for g in figures.groups) == figures.by_status["failed"]
    assert sum(figures.throughput) > 0


async def test_polling_slows_when_idle_or_unfocused_and_says_so() -> None:
    sim = make_sim(history=200, arrival_per_min=0.0)
    sim.clock.advance(600)  # every run of the history has finished
    async with sim.client() as http:
        poller = Poller(CloudCruiseClient(http, "demo-key"), RunStore(), now=sim.clock.now)
        await poller.tick()
        for _ in range(20):
            sim.clock.advance(2)
            await poller.tick()
        assert poller.health.slowed == "idle: every 6s"
        assert poller._next_delay() == 6
        sim.clock.advance(5)
        assert not poller.health.stale(sim.clock.now()), "a slower pace is not staleness"
        poller.set_unfocused(True)
        assert poller.health.slowed == "unfocused: every 10s"
        poller.set_unfocused(False)
        poller.refresh_now()
        assert poller.health.slowed is None and poller._next_delay() == 2
        workflow = await poller.client.get_workflow(sim.workspace.list_workflows()[0]["id"])
        inputs = sample_inputs(random.Random(3), workflow, sim.workspace.credential_ids)
        for _ in range(16):
            sim.clock.advance(2)
            await poller.tick()
        assert poller.health.slowed == "idle: every 6s"
        await poller.client.start_run(workflow.id, inputs)
        sim.clock.advance(2)
        await poller.tick()
        assert poller.health.slowed is None, "activity brings the normal pace back"


async def test_runs_ageing_out_of_the_window_are_not_activity() -> None:
    """A quiet workspace whose oldest runs leave the window every few polls still slows
    down: ageing out is bookkeeping, not something happening."""
    sim = make_sim(history=600, history_window=timedelta(hours=1), arrival_per_min=0.0)
    sim.clock.advance(600)  # every run of the history has finished
    async with sim.client() as http:
        config = SyncConfig(window=timedelta(minutes=40))
        poller = Poller(CloudCruiseClient(http, "demo-key"), RunStore(), config, now=sim.clock.now)
        await poller.tick()
        loaded, aged = len(poller.store), 0
        for _ in range(20):
            sim.clock.advance(2)
            aged += len((await poller.tick()).removed)
        assert aged >= 3 and len(poller.store) == loaded - aged, "runs left the window"
        assert poller.health.slowed == "idle: every 6s"
