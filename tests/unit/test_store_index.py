"""The store's incremental indexes (active runs, created_at order) agree with a walk over
every run, whatever the order of rows, details, inferred statuses, removals and pruning."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from ccmon.api.models import ACTIVE_STATUSES, KNOWN_STATUSES, RunDetail, RunSummary, Status
from ccmon.sync.store import RunStore

T = datetime(2026, 3, 4, 14, 0, tzinfo=UTC)


def brute_active(
    store: RunStore, start: datetime, end: datetime
) -> tuple[list[tuple[datetime, str, Status]], bool]:
    found, undated = [], False
    for sid, record in store.runs.items():
        if record.status not in ACTIVE_STATUSES:
            continue
        created = record.created_at
        if created is None:
            undated = True
        elif start <= created < end:
            found.append((created, sid, record.status))
    found.sort()
    return found, undated


def random_row(rng: random.Random, sid: str) -> RunSummary:
    created = None if rng.random() < 0.03 else T + timedelta(seconds=rng.randint(0, 40))
    start = None if rng.random() < 0.5 else T + timedelta(seconds=rng.randint(0, 60))
    return RunSummary(
        session_id=sid,
        status=rng.choice([*KNOWN_STATUSES, "execution.weird"]),
        created_at=created,
        workflow_id=rng.choice(["wf1", "wf2", None]),
        execution_start=start,
        dry_run=rng.random() < 0.1,
    )


def check(store: RunStore, rng: random.Random) -> None:
    assert store.active_ids() == {
        sid for sid, r in store.runs.items() if r.status in ACTIVE_STATUSES
    }
    for _ in range(3):
        a, b = sorted(T + timedelta(seconds=rng.randint(-5, 45)) for _ in range(2))
        assert store.active_by_created(a, b) == brute_active(store, a, b)
    assert store.active_by_created(T - timedelta(days=1), T + timedelta(days=1)) == (
        brute_active(store, T - timedelta(days=1), T + timedelta(days=1))
    )
    dated = sorted(r.created_at for r in store.runs.values() if r.created_at is not None)
    assert store.newest_created_at() == (dated[-1] if dated else None)
    for _ in range(3):
        a, b = sorted(T + timedelta(seconds=rng.randint(-5, 45)) for _ in range(2))
        assert store.count_created(a, b) == sum(a <= c < b for c in dated)


def test_active_index_matches_a_full_walk() -> None:
    for seed in range(30):
        rng = random.Random(seed)
        store = RunStore()
        ids = [f"r{i}" for i in range(40)]
        for _ in range(120):
            op = rng.random()
            if op < 0.5:
                rows = [random_row(rng, rng.choice(ids)) for _ in range(rng.randint(1, 8))]
                store.apply_rows(rows)
            elif op < 0.65:
                inferred: dict[str, tuple[str, datetime | None]] = {
                    rng.choice(ids): (rng.choice(ACTIVE_STATUSES), None) for _ in range(3)
                }
                store.infer_status(inferred)
            elif op < 0.8 and store.runs:
                sid = rng.choice(sorted(store.runs))
                status = rng.choice(KNOWN_STATUSES)
                store.apply_detail(RunDetail(session_id=sid, status=status), T)
            elif op < 0.9:
                store.remove(rng.sample(ids, 3))
            else:
                start = T + timedelta(seconds=rng.randint(0, 10))
                dated = {s: r.created_at for s, r in store.runs.items() if r.created_at}
                older = {s for s, created in dated.items() if created < start}
                assert set(store.prune(start).removed) == older
                assert not older & set(store.runs)
            check(store, rng)


def test_an_unchanged_row_is_no_change_and_a_changed_one_is() -> None:
    store = RunStore()
    row = RunSummary(session_id="a", status="execution.start", created_at=T)
    store.apply_rows([row])
    same = RunSummary(session_id="a", status="execution.start", created_at=T)
    assert not store.apply_rows([same])
    assert store.runs["a"].version == 0
    moved = same.model_copy(update={"execution_start": T})
    assert store.apply_rows([moved]).changed == {"a": {"execution_start"}}
    other = moved.model_copy(update={"workspace_id": "w"})  # not a field shown: no change
    assert not store.apply_rows([other])
    assert store.runs["a"].summary is moved
