"""The figures read off the tally's running totals equal those of a walk over the
store (the way they used to be computed), whatever happened to the runs."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from ccmon.api.models import (
    KNOWN_STATUSES,
    Priority,
    RunDetail,
    RunError,
    RunSummary,
    WorkflowSummary,
)
from ccmon.sync import metrics
from ccmon.sync.store import PriorityLookup, RunStore

T = datetime(2026, 3, 4, 14, 0, tzinfo=UTC)
PRIOS = [Priority.HIGH, Priority.MEDIUM, Priority.LOW, None]


def walked(store: RunStore, now: datetime) -> dict[str, Any]:
    """Queues and failure groups by walking the active runs and every failure."""
    tally = store.tally
    waiting: Counter[Priority | None] = Counter()
    running: Counter[Priority | None] = Counter()
    oldest: dict[Priority | None, datetime] = {}
    for sid in store.active_ids():
        record = store.runs[sid]
        prio = record.priority
        if record.waiting:
            waiting[prio] += 1
            created = record.created_at
            if created is not None and (prio not in oldest or created < oldest[prio]):
                oldest[prio] = created
        elif record.status == "execution.start":
            running[prio] += 1
    hour_ago = (now - timedelta(hours=1)).timestamp()
    by_category: Counter[str] = Counter()
    last_hour: Counter[str] = Counter()
    groups = []
    for fp, members in tally.groups.items():
        failed = [store.runs[sid] for sid in members]
        assert all(r.status == "execution.failed" for r in failed)
        times = [t for sid in members if (t := tally.failures[sid][1]) is not None]
        last = max(times, default=None)
        by_category[fp.category] += len(members)
        last_hour[fp.category] += sum(1 for t in times if t >= hour_ago)
        if not last_hour[fp.category]:
            del last_hour[fp.category]
        seen = datetime.fromtimestamp(last, tz=now.tzinfo) if last is not None else None
        groups.append((fp, sorted(members), seen))
    epoch = datetime.min.replace(tzinfo=now.tzinfo)
    groups.sort(key=lambda g: (g[2] or epoch, len(g[1])), reverse=True)
    return {
        "waiting": waiting,
        "running": running,
        "oldest": oldest,
        "by_category": list(by_category.items()),
        "last_hour": list(last_hour.items()),
        "groups": groups,
    }


def figures(store: RunStore, now: datetime) -> dict[str, Any]:
    m = metrics.compute(store, now)
    lean = metrics.compute(store, now, groups=False)  # the summary's: counts, no members
    assert lean.groups == [] and replace(lean, groups=m.groups) == m
    return {
        "waiting": m.waiting,
        "running": m.running,
        "oldest": m.oldest_waiting,
        "by_category": list(m.failures_by_category.items()),
        "last_hour": list(m.failures_last_hour.items()),
        "groups": [(g.fingerprint, g.session_ids, g.last_seen) for g in m.groups],
    }


def random_row(rng: random.Random, sid: str) -> RunSummary:
    created = None if rng.random() < 0.05 else T + timedelta(minutes=rng.randint(0, 120))
    start = None if rng.random() < 0.4 else T + timedelta(minutes=rng.randint(0, 130))
    end = None if rng.random() < 0.4 else T + timedelta(minutes=rng.randint(0, 140))
    return RunSummary(
        session_id=sid,
        status=rng.choice(KNOWN_STATUSES),
        created_at=created,
        workflow_id=rng.choice(["wf1", "wf2", "wf3"]),
        execution_start=start,
        execution_end=end,
        priority=rng.choice([None, None, None, *PRIOS]),
    )


def random_detail(rng: random.Random, sid: str) -> RunDetail:
    errors = [
        RunError(error_id=f"e{i}", llm_error_category=rng.choice(["net", "auth", None]))
        for i in range(rng.randint(0, 2))
    ]
    return RunDetail(
        session_id=sid,
        status=rng.choice(KNOWN_STATUSES),
        errors=errors,
        recovered_error_ids=["e0"] if rng.random() < 0.3 else None,
        priority=rng.choice([None, None, *PRIOS]),
    )


def test_tally_figures_match_a_walk() -> None:
    for seed in range(25):
        rng = random.Random(seed)
        journal: dict[str, Priority] = {}
        lookup = PriorityLookup(journal.get, {"wf1": Priority.LOW, "build": Priority.HIGH})
        store = RunStore(lookup)
        ids = [f"r{i:02d}" for i in range(50)]
        for _ in range(100):
            op = rng.random()
            if op < 0.45:
                store.apply_rows([random_row(rng, rng.choice(ids)) for _ in range(5)])
            elif op < 0.6:
                store.infer_status({rng.choice(ids): (rng.choice(KNOWN_STATUSES[:4]), T)})
            elif op < 0.75 and store.runs:
                store.apply_detail(random_detail(rng, rng.choice(sorted(store.runs))), T)
            elif op < 0.82:
                journal[rng.choice(ids)] = rng.choice(PRIOS[:3])  # type: ignore[assignment]
                store.refresh_priorities()
            elif op < 0.88:
                name = rng.choice(["build", "deploy", None])
                store.set_workflows([WorkflowSummary(id="wf2", name=name)])
            elif op < 0.94:
                store.remove(rng.sample(ids, 2))
            else:
                store.prune(T + timedelta(minutes=rng.randint(0, 30)))
            now = T + timedelta(minutes=rng.randint(60, 200))
            assert figures(store, now) == walked(store, now)
