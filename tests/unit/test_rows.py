"""The queue rows' time cells: when they can next read otherwise."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from ccmon.api.models import KNOWN_STATUSES, RunSummary
from ccmon.sync.store import RunStore
from ccmon.ui.rows import RunRows, next_change

T = datetime(2026, 3, 4, 14, 0, tzinfo=UTC)


def times(store: RunStore, sid: str, at: datetime) -> list[str]:
    rows = RunRows(store, lambda: at)
    return [cell.plain for cell in rows.row_cells(sid)[4:7]]  # age, wait, ran


@settings(max_examples=400, deadline=None)
@given(
    st.sampled_from(KNOWN_STATUSES),
    st.integers(0, 5 * 86400),  # how long ago it was created
    st.booleans(),
    st.integers(0, 999_999),
    st.floats(0.0, 1.0),
)
def test_time_cells_hold_until_next_change(status, ago, started, micros, where) -> None:
    now = T + timedelta(microseconds=micros)
    created = now - timedelta(seconds=ago)
    start = created + timedelta(seconds=min(ago, 30)) if started else None
    end = start + timedelta(seconds=5) if start and status != "execution.start" else None
    store = RunStore()
    row = RunSummary(
        session_id="s",
        status=status,
        created_at=created,
        execution_start=start,
        execution_end=end if status in ("execution.success", "execution.failed") else None,
    )
    store.apply_rows([row])
    record = store.runs["s"]
    until = next_change(record, now)
    assert until > now
    if not record.status.terminal:
        assert until == now + timedelta(seconds=1)
        return
    # a finished run's cells stay as they are up to the moment, and its age moves then
    inside = now + (until - now - timedelta(microseconds=1)) * where
    assert times(store, "s", inside) == times(store, "s", now)
    assert times(store, "s", until)[0] != times(store, "s", now)[0]


def test_rows_tick_by_the_second_only_while_a_run_waits_or_runs() -> None:
    store = RunStore()
    store.apply_rows(
        [
            RunSummary(session_id="over", status="execution.success", created_at=T),
            RunSummary(session_id="failed", status="execution.failed", created_at=T),
            RunSummary(session_id="waits", status="execution.queued", created_at=T),
        ]
    )
    rows = RunRows(store, lambda: T + timedelta(minutes=5))
    assert not rows.ticking(["over", "failed"])
    assert rows.ticking(["over", "waits"])
    assert not rows.ticking(["gone"])
