"""The simulated workspace: dispatcher, lifecycle, history, determinism, performance."""

from __future__ import annotations

import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from ccmon.sim import (
    ACTIVE_STATUSES,
    STATUSES,
    TERMINAL_STATUSES,
    ManualClock,
    SimConfig,
    Simulator,
    build_simulator,
)
from ccmon.sim.records import PRIORITIES, RunRecord

T0 = datetime(2026, 3, 4, 14, 0, tzinfo=UTC)


def make(**kw: Any) -> tuple[Simulator, ManualClock]:
    clock = ManualClock(T0)
    return build_simulator(SimConfig(**kw), clock), clock


def inputs_for(sim: Simulator, workflow_id: str) -> dict[str, Any]:
    """Valid run_input_variables for a workflow (examples from its input schema)."""
    wf = sim.workspace.workflow(workflow_id)
    assert wf is not None
    out = {k: p["example"] for k, p in wf.input_schema["properties"].items()}
    if wf.vault_alias:
        out[wf.vault_alias] = wf.credentials[0].permissioned_user_id
    return out


def step(sim: Simulator, clock: ManualClock, seconds: float, every: float = 5.0) -> None:
    """Advance the clock in small steps, letting the workspace catch up each time."""
    remaining = seconds
    while remaining > 0:
        dt = min(every, remaining)
        clock.advance(dt)
        sim.workspace.advance()
        remaining -= dt


# -- dispatcher --------------------------------------------------------------------------


def test_strict_priority_dispatch_never_takes_low_while_higher_is_ready() -> None:
    sim, clock = make(workers=2, arrival_per_min=30.0, seed=3)
    engine = sim.workspace.engine
    dispatched: list[tuple[str, dict[str, int]]] = []
    original = engine._start

    def spy(run: RunRecord, t: float) -> None:
        dispatched.append((run.priority, {p: engine.eligible_waiting(p) for p in PRIORITIES}))
        original(run, t)

    engine._start = spy  # type: ignore[method-assign]
    step(sim, clock, 2 * 3600, every=30)
    assert len(dispatched) > 200
    for prio, waiting in dispatched:
        higher = PRIORITIES[: PRIORITIES.index(prio)]
        assert all(waiting[p] == 0 for p in higher), (prio, waiting)
    # the queues really built up: LOW runs were waiting while others were dispatched
    assert any(w["LOW"] > 5 for _, w in dispatched)


def test_low_priority_waits_longest_under_load() -> None:
    sim, clock = make(workers=3, arrival_per_min=12.0, seed=5)
    step(sim, clock, 3 * 3600, every=60)
    waits: dict[str, list[float]] = {p: [] for p in PRIORITIES}
    for run in sim.workspace.all_runs():
        if run.start is not None:
            waits[run.priority].append(run.start - run.created)
    mean = {p: sum(v) / len(v) for p, v in waits.items()}
    assert mean["HIGH"] < mean["MEDIUM"] < mean["LOW"]
    assert mean["LOW"] > 4 * mean["HIGH"]


def test_workers_are_never_exceeded_by_live_dispatch() -> None:
    sim, clock = make(workers=4, arrival_per_min=20.0)
    for _ in range(200):
        step(sim, clock, 15)
        running = sim.workspace.counts()["execution.start"]
        assert running <= 4


# -- lifecycle ---------------------------------------------------------------------------


def test_every_status_occurs_within_a_few_simulated_hours() -> None:
    sim, clock = make(seed=1)
    seen: set[str] = set()
    for _ in range(4 * 240):  # 4 h in 15 s steps
        step(sim, clock, 15)
        seen.update(r.status for r in sim.workspace.engine.active.values())
    seen.update(s for s, n in sim.workspace.counts().items() if n)
    assert seen == set(STATUSES)


def test_counts_add_up_and_match_the_list() -> None:
    sim, clock = make(history=3000, seed=2)
    step(sim, clock, 1800, every=30)
    counts = sim.workspace.counts()
    runs = sim.workspace.all_runs()
    assert sum(counts.values()) == len(runs)
    assert Counter(r.status for r in runs) == Counter({k: v for k, v in counts.items() if v})
    rows = sim.workspace.list_runs(start_time=T0 - timedelta(hours=25), limit=10000)
    assert Counter(r["status"] for r in rows) == Counter({k: v for k, v in counts.items() if v})


def test_terminal_runs_never_change() -> None:
    sim, clock = make(history=400, seed=4)
    ws = sim.workspace
    frozen: dict[str, tuple[dict[str, Any], dict[str, Any] | None]] = {}
    for _ in range(60):
        step(sim, clock, 20)
        for row in ws.list_runs(start_time=T0 - timedelta(hours=25), limit=10000):
            sid = row["session_id"]
            if row["status"] in TERMINAL_STATUSES and sid not in frozen:
                frozen[sid] = (row, ws.get_run(sid))
    clock.advance(3600)
    ws.advance()
    current = {
        r["session_id"]: r for r in ws.list_runs(start_time=T0 - timedelta(hours=25), limit=10000)
    }
    assert len(frozen) > 400
    for sid, (row, detail) in frozen.items():
        assert current[sid] == row
        assert ws.get_run(sid) == detail
        assert ws.interrupt(sid) is True  # a no-op on a finished run
        assert ws.get_run(sid) == detail


def test_outcome_mix_is_roughly_as_documented() -> None:
    sim, _ = make(history=20000, seed=9, arrival_per_min=0)
    counts = sim.workspace.counts()
    done = sum(counts[s] for s in TERMINAL_STATUSES)
    assert 0.70 < counts["execution.success"] / done < 0.82
    assert 0.14 < counts["execution.failed"] / done < 0.23
    assert 0.02 < counts["execution.stopped"] / done < 0.09
    runs = sim.workspace.all_runs()
    requeued = sum(1 for r in runs if r.retries) / len(runs)
    assert 0.04 < requeued < 0.12
    durations = [
        r.end - r.start
        for r in runs
        if r.end and r.start and not r.retries and r.status != "execution.stopped"
    ]
    assert min(durations) >= 4
    assert max(durations) <= 240
    assert 20 < sum(durations) / len(durations) < 45
    assert any(r.dry_run for r in runs) and any(r.debug for r in runs)
    assert {r.priority for r in runs} == set(PRIORITIES)


def test_interrupt_queued_running_and_unknown() -> None:
    sim, clock = make(workers=1, arrival_per_min=0)
    ws = sim.workspace
    wf = ws.workflow_ids[0]
    first = ws.start_run(wf, inputs_for(sim, wf), priority="HIGH")
    step(sim, clock, 4, every=1)
    second = ws.start_run(wf, inputs_for(sim, wf))
    step(sim, clock, 4, every=1)
    assert ws.record(first).status == "execution.start"  # type: ignore[union-attr]
    assert ws.record(second).status in ("execution.queued", "execution.paused")  # type: ignore[union-attr]
    assert ws.interrupt(second)
    rec = ws.record(second)
    assert rec is not None and rec.status == "execution.stopped"
    assert rec.start is None and rec.end is None
    assert ws.get_run(second)["errors"] is None  # type: ignore[index]
    clock.advance(2)
    assert ws.interrupt(first)
    rec = ws.record(first)
    assert rec is not None and rec.status == "execution.stopped"
    assert rec.end == pytest.approx(ws.now)
    assert ws.counts()["execution.start"] == 0
    assert ws.interrupt("00000000-0000-4000-8000-000000000000") is False


def test_requeued_runs_keep_execution_start_and_count_retries() -> None:
    sim, clock = make(seed=11)
    seen_requeued = []
    for _ in range(720):
        step(sim, clock, 10)
        for r in sim.workspace.engine.active.values():
            if r.status == "execution.requeued":
                seen_requeued.append(r.session_id)
                row = next(
                    x
                    for x in sim.workspace.list_runs(statuses=["execution.requeued"])
                    if x["session_id"] == r.session_id
                )
                assert row["execution_start"] is not None and row["execution_end"] is None
                detail = sim.workspace.get_run(r.session_id)
                assert detail is not None and detail["session_retries"] == r.retries >= 1
                errors = detail["errors"]
                assert any(e["llm_error_category"] == "SERVICE_UNAVAILABLE" for e in errors)
        if len(seen_requeued) > 3:
            break
    assert seen_requeued


def test_paused_runs_have_no_execution_start_and_resume() -> None:
    sim, clock = make(seed=1)
    paused: set[str] = set()
    for _ in range(4 * 240):
        step(sim, clock, 15)
        for row in sim.workspace.list_runs(statuses=["execution.paused"]):
            assert row["execution_start"] is None
            paused.add(row["session_id"])
    assert paused
    step(sim, clock, 3600, every=60)
    for sid in paused:
        rec = sim.workspace.record(sid)
        assert rec is not None and rec.status != "execution.paused"


def test_credential_filter_matches_single_and_pooled_references() -> None:
    sim, _ = make(history=3000, arrival_per_min=0)
    ws = sim.workspace
    runs = ws.all_runs()
    pooled = next(r for r in runs if isinstance(r.cred, tuple))
    cid = pooled.cred[1]  # type: ignore[index]
    rows = ws.list_runs(credential_ids=[cid], limit=10000)
    expected = {r.session_id for r in runs if cid in r.credential_ids()}
    assert {r["session_id"] for r in rows} == expected
    assert pooled.session_id in expected


# -- determinism -------------------------------------------------------------------------


def _script(sim: Simulator, clock: ManualClock) -> list[Any]:
    ws = sim.workspace
    out: list[Any] = []
    wf = ws.workflow_ids[2]
    for i in range(30):
        step(sim, clock, 40)
        if i % 5 == 0:
            out.append(ws.start_run(wf, inputs_for(sim, wf), priority=PRIORITIES[i % 3]))
        if i % 7 == 3:
            active = sorted(ws.engine.active.values(), key=lambda r: r.seq)
            if active:
                ws.interrupt(active[0].session_id)
        rows = ws.list_runs(limit=10000)
        out.append(rows)
        out.extend(ws.get_run(r["session_id"]) for r in rows[:5])
    return out


def test_same_seed_and_clock_moves_give_identical_responses() -> None:
    a = _script(*make(history=500, seed=21, hostile=True))
    b = _script(*make(history=500, seed=21, hostile=True))
    assert a == b
    c = _script(*make(history=500, seed=22, hostile=True))
    assert a != c


def test_history_does_not_depend_on_polling() -> None:
    sim_a, clock_a = make(history=300, seed=8)
    sim_b, clock_b = make(history=300, seed=8)
    step(sim_a, clock_a, 1200, every=1)  # polled every second
    clock_b.advance(1200)  # polled once
    sim_b.workspace.advance()
    assert sim_a.workspace.list_runs(limit=10000) == sim_b.workspace.list_runs(limit=10000)


# -- history and performance -------------------------------------------------------------


def test_history_is_spread_over_the_window_and_mostly_terminal() -> None:
    sim, _ = make(history=5000, history_window=timedelta(hours=48), arrival_per_min=0)
    runs = sim.workspace.all_runs()
    assert len(runs) == 5000
    now = T0.timestamp()
    assert min(r.created for r in runs) >= now - 48 * 3600
    assert max(r.created for r in runs) <= now
    active = [r for r in runs if r.status in ACTIVE_STATUSES]
    assert all(now - r.created < 3 * 3600 for r in active)
    assert len(active) < 200
    # default list window is 24 h, so roughly half the history is visible by default
    rows = sim.workspace.list_runs(limit=10000)
    assert 2000 < len(rows) < 3000


def test_history_100k_builds_fast_and_active_queries_are_cheap() -> None:
    started = time.perf_counter()
    sim, clock = make(history=100_000)
    build = time.perf_counter() - started
    assert build < 8.0, f"building 100k runs of history took {build:.1f}s"
    ws = sim.workspace
    assert len(ws.all_runs()) == 100_000
    clock.advance(30)
    started = time.perf_counter()
    for status in ("execution.queued", "execution.start", "execution.requeued"):
        for _ in range(20):
            ws.list_runs(statuses=[status])
    per_query = (time.perf_counter() - started) / 60
    assert per_query < 0.01, f"active-status query took {per_query * 1000:.1f} ms"
    started = time.perf_counter()
    page = ws.list_runs(limit=10000)
    assert len(page) == 10000
    assert time.perf_counter() - started < 1.0


# -- clocks ------------------------------------------------------------------------------


def test_manual_clock_and_a_jump_backwards() -> None:
    from ccmon.sim import SystemClock

    assert SystemClock().now().tzinfo is not None
    sim, clock = make(arrival_per_min=0)
    assert clock.now() == T0
    assert clock.advance(90) == T0 + timedelta(seconds=90)
    with pytest.raises(ValueError):
        clock.advance(-1)
    ws = sim.workspace
    ws.advance()
    clock.set(T0 - timedelta(hours=1))  # the workspace never goes back in time
    wf = ws.workflow_ids[0]
    sid = ws.start_run(wf, inputs_for(sim, wf))
    rec = ws.record(sid)
    assert rec is not None and rec.created == int((T0 + timedelta(seconds=90)).timestamp())
    assert ws.list_runs(limit=1)[0]["session_id"] == sid
    clock.set(datetime(2026, 3, 4, 16, 0))  # naive datetimes are taken as UTC
    assert clock.now().tzinfo is not None
