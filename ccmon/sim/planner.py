"""Drawing a new run: who, what, and its whole future (the plan), from its own RNG."""

from __future__ import annotations

import math
import random
from typing import Any

from .catalog import Catalog, Workflow
from .content import credential_ref
from .records import FAILED, STOPPED, SUCCESS, Plan, RunRecord
from .util import Weighted, derive_seed, mix64, new_uuid

__all__ = ["PRIORITY_WEIGHTS", "new_run", "run_seed"]

PRIORITY_WEIGHTS: list[tuple[str, float]] = [("HIGH", 0.15), ("MEDIUM", 0.35), ("LOW", 0.50)]
_PRIORITY = Weighted(PRIORITY_WEIGHTS)
_OUTCOMES = Weighted([(SUCCESS, 0.775), (FAILED, 0.19), (STOPPED, 0.035)])
_REQUEUES = Weighted([(0, 0.92), (1, 0.06), (2, 0.015), (3, 0.005)])
_LOG_MEDIAN = math.log(21.0)
_SCALE = {
    "eligibility": 1.0,
    "claims": 1.0,
    "prior_auth": 1.5,
    "quote": 1.2,
    "invoice": 0.9,
    "timesheet": 1.3,
    "tracking": 0.6,
    "intake": 1.1,
}
MIN_DURATION, MAX_DURATION = 12.0, 240.0


_BASES: dict[int, int] = {}


def run_seed(seed: int, seq: int) -> int:
    base = _BASES.get(seed)
    if base is None:
        base = _BASES[seed] = derive_seed(seed, "run")
    return mix64(base, seq)


def _duration(rng: random.Random, wf: Workflow) -> float:
    """Full length of one clean attempt: mostly 15-60 s, sometimes up to 4 minutes."""
    if rng.random() < 0.04:
        return rng.uniform(90.0, MAX_DURATION)
    d = math.exp(rng.gauss(_LOG_MEDIAN, 0.5)) * _SCALE.get(wf.key, 1.0)
    return min(MAX_DURATION, max(MIN_DURATION, d))


def _plan(rng: random.Random, wf: Workflow) -> Plan:
    final = _OUTCOMES(rng)
    n_requeue = _REQUEUES(rng)
    durations: list[float] = []
    for _ in range(n_requeue):  # requeued attempts end early with SERVICE_UNAVAILABLE
        durations.append(max(4.0, _duration(rng, wf) * rng.uniform(0.2, 0.7)))
    last = _duration(rng, wf)
    if final == FAILED:
        last = max(5.0, last * rng.uniform(0.3, 0.95))
    elif final == STOPPED:
        last = max(4.0, last * rng.uniform(0.1, 0.6))
    durations.append(last)
    backoffs = tuple(30.0 * 2**i * rng.uniform(0.8, 1.6) for i in range(n_requeue))
    accept = rng.uniform(1.0, 3.0)
    cancel = rng.uniform(20.0, 400.0) if rng.random() < 0.012 else None  # a user stops it
    return Plan(final, tuple(durations), backoffs, accept, cancel)


def new_run(
    catalog: Catalog,
    seed: int,
    seq: int,
    t: float,
    *,
    workflow: Workflow | None = None,
    priority: str | None = None,
    dry_run: bool | None = None,
    debug: bool | None = None,
    inputs: dict[str, Any] | None = None,
) -> RunRecord:
    """Create run number `seq` at time `t`; unspecified attributes are drawn at random."""
    rs = run_seed(seed, seq)
    rng = random.Random(rs)
    session_id = new_uuid(rng)
    wf = workflow or catalog.pick(rng)
    prio = _PRIORITY(rng)
    prio = priority or prio
    dr = rng.random() < 0.06
    dbg = rng.random() < 0.10
    cred: str | tuple[str, ...] | None
    if inputs is not None:
        cred = credential_ref(wf, inputs)
    elif wf.vault_alias and wf.credentials:
        if len(wf.credentials) > 1 and rng.random() < 0.15:
            cred = tuple(c.permissioned_user_id for c in wf.credentials)
        else:
            cred = rng.choice(wf.credentials).permissioned_user_id
    else:
        cred = None
    plan = _plan(rng, wf)
    return RunRecord(
        seq=seq,
        seed=rs,
        session_id=session_id,
        workflow_id=wf.id,
        created=int(t),
        priority=prio,
        dry_run=dr if dry_run is None else dry_run,
        debug=dbg if debug is None else debug,
        cred=cred,
        plan=plan,
        inputs=inputs,
    )
