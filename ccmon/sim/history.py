"""Pre-filled history: N runs spread over a window before the start time.

History runs are laid out directly (no dispatcher): each gets a plausible queue wait by
priority, its planned attempts, backoffs and outcome. Runs still in flight at the start time
are handed over to the live engine (running ones occupy workers, waiting ones join the queue).
"""

from __future__ import annotations

import math
import random

from .engine import CANCEL, END, READY, Engine
from .planner import new_run
from .records import FAILED, REQUEUED, STARTED, STOPPED, SUCCESS, RunRecord
from .util import derive_seed

__all__ = ["load_history"]

_WAIT_MEAN = {"HIGH": 4.0, "MEDIUM": 15.0, "LOW": 60.0}
_STARVED = {"HIGH": (0.0, 1.0), "MEDIUM": (0.01, 300.0), "LOW": (0.04, 900.0)}
_START, _REQUEUE, _FINAL, _CANCEL = range(4)


def _wait(rng: random.Random, priority: str) -> float:
    p, mean = _STARVED[priority]
    if rng.random() < p:
        return rng.expovariate(1.0 / mean)
    return rng.expovariate(1.0 / _WAIT_MEAN[priority])


def load_history(engine: Engine, n: int, window: float) -> None:
    """Create `n` runs with created_at uniformly spread over [t0 - window, t0)."""
    if n <= 0:
        return
    t0 = engine.t
    rng = random.Random(derive_seed(engine.seed, "history", n))
    times = sorted(t0 - window + rng.random() * window for _ in range(n))
    seed, catalog = engine.seed, engine.catalog
    base = engine.next_seq
    for i, t in enumerate(times):
        run = new_run(catalog, seed, base + i, t)
        _lay_out(engine, run, t, t0, rng)


def _lay_out(engine: Engine, run: RunRecord, t: float, t0: float, rng: random.Random) -> None:
    plan = run.plan
    keys = (run.workflow_id, *run.credential_ids())
    ready = t + plan.accept
    paused_until = engine.schedule.paused_until(keys, ready)
    if paused_until is not None:
        ready = paused_until
    readies = [ready]
    events: list[tuple[float, int, int]] = []
    last = len(plan.durations) - 1
    for i, dur in enumerate(plan.durations):
        s = readies[i] + _wait(rng, run.priority)
        events.append((s, _START, i))
        e = s + dur
        if i < last:
            events.append((e, _REQUEUE, i))
            readies.append(e + plan.backoffs[i])
        else:
            events.append((e, _FINAL, i))
    cancel_at = math.inf if plan.cancel_after is None else t + plan.cancel_after
    if cancel_at < math.inf:
        events.append((cancel_at, _CANCEL, 0))
        events.sort()
    for when, kind, _ in events:
        if when > t0:
            break
        if kind == _START:
            run.starts.append(when)
            run.status = STARTED
        elif kind == _REQUEUE:
            run.status = REQUEUED
            run.retries += 1
        elif kind == _FINAL:
            run.status, run.end = plan.final, when
            break
        else:
            run.status = STOPPED
            run.end = when if run.starts else None
            break
    engine.register(run)
    if run.status in (SUCCESS, FAILED, STOPPED):
        return
    # still in flight at t0: continue under the live engine
    if run.status == STARTED:
        attempt = len(run.starts) - 1
        engine.running[run.seq] = run
        engine.push(run.starts[-1] + plan.durations[attempt], END, (run, attempt))
    else:
        nxt = readies[run.retries] if run.status == REQUEUED else readies[0]
        if nxt > t0:
            engine.push(nxt, READY, run)
        else:
            engine.enqueue(run, nxt)
    if cancel_at < math.inf:
        engine.push(cancel_at, CANCEL, run)
