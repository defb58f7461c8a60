"""``ccmon snapshot``: poll once, print the queue and the counts, exit.

The first load goes through the same client, store and poller as the monitor (no UI):
one :meth:`Poller.tick` pages through the window and fetches the details of the newest
failed runs. The result is a document with a stable schema (``ccmon.snapshot/1``,
README "Snapshot JSON"), which the table, the CSV and ``--fail-on`` all read.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx

from ccmon.api.client import CloudCruiseClient, RetryPolicy
from ccmon.api.models import Priority, Status
from ccmon.config import Settings, require_key
from ccmon.query import Query
from ccmon.sync.journal import Journal, default_journal_path
from ccmon.sync.metrics import PRIORITY_ORDER, Metrics
from ccmon.sync.poller import Poller, SyncConfig, utcnow
from ccmon.sync.records import Health, RunRecord
from ccmon.sync.store import PriorityLookup, RunStore

SCHEMA = "ccmon.snapshot/1"
STATUS_LABELS: dict[str, str] = {
    "execution.queued": "queued",
    "execution.start": "running",
    "execution.paused": "paused",
    "execution.requeued": "requeued",
    "execution.success": "success",
    "execution.failed": "failed",
    "execution.stopped": "stopped",
}
RUN_FIELDS = (
    "session_id",
    "status",
    "priority",
    "priority_source",
    "workflow_id",
    "workflow_name",
    "created_at",
    "execution_start",
    "execution_end",
    "queue_wait_s",
    "run_time_s",
    "dry_run",
    "errors",
    "recovered",
)


def status_label(status: Status) -> str:
    """``failed`` for ``execution.failed``, ``running`` for ``execution.start``; an unknown
    status keeps its own name."""
    return STATUS_LABELS.get(status, status.short)


def priority_label(priority: Priority | None) -> str:
    return priority.value if priority is not None else "unknown"


def iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def seconds(delta: Any) -> float | None:
    return None if delta is None else round(delta.total_seconds(), 1)


# --- polling ----------------------------------------------------------------------------


@dataclass
class Polled:
    store: RunStore
    health: Health
    now: datetime


def open_journal() -> Journal | None:
    """The priority journal, read-only in spirit: only if it already exists."""
    path = default_journal_path()
    if not path.exists():
        return None
    try:
        return Journal(path)
    except (OSError, sqlite3.Error):
        return None


async def poll_once(
    settings: Settings,
    http: httpx.AsyncClient,
    *,
    journal: Journal | None = None,
    details: int = 100,
    now: Callable[[], datetime] = utcnow,
) -> Polled:
    """One first load of the window through the real client, store and poller."""
    client = CloudCruiseClient(
        http,
        require_key(settings),
        read_only=True,
        retry=RetryPolicy(attempts=3, base=0.5, cap=5.0),
    )
    lookup = PriorityLookup(journal.get if journal else None, settings.priority_defaults)
    store = RunStore(lookup)
    config = SyncConfig(
        interval=settings.interval,
        window=settings.window,
        details_per_tick=max(0, details),
        backfill_per_tick=max(0, details),
        backfill_failures=details > 0,
    )
    poller = Poller(client, store, config, now=now)
    await poller.tick()
    if details and poller.health.state == "ok":
        await poller.fetch_queued_details()
    return Polled(store, poller.health, now())


# --- the document -----------------------------------------------------------------------


def queue_order(record: RunRecord) -> tuple[int, int, float]:
    """Running first, then waiting in dispatch order, then finished runs, newest first."""
    created = record.created_at.timestamp() if record.created_at else 0.0
    if record.status == "execution.start":
        start = record.summary.execution_start
        return 0, 0, start.timestamp() if start else created
    if record.waiting:
        rank = record.priority.rank if record.priority is not None else 3
        return 1, rank, created
    if not record.status.terminal:
        return 2, 0, created
    return 3, 0, -created


def select(store: RunStore, query: Query) -> list[RunRecord]:
    found = [
        record
        for record in store.runs.values()
        if not query or query.matches(record, store.workflow_name(record.summary.workflow_id))
    ]
    return sorted(found, key=queue_order)


def queue_metrics(records: list[RunRecord], now: datetime) -> Metrics:
    """The queue figures of the selected runs only (the filter applies to every figure):
    waiting and running per priority, the oldest wait, the last dispatch (for starvation)."""
    m = Metrics(now=now, total=len(records))
    for record in records:
        prio, created = record.priority, record.created_at
        m.by_status[record.status.short] += 1
        if record.waiting:
            m.waiting[prio] += 1
            if created is not None and (
                prio not in m.oldest_waiting or created < m.oldest_waiting[prio]
            ):
                m.oldest_waiting[prio] = created
        elif record.status == "execution.start":
            m.running[prio] += 1
        start = record.summary.execution_start
        if start is not None and (prio not in m.last_dispatch or start > m.last_dispatch[prio]):
            m.last_dispatch[prio] = start
    return m


def run_row(record: RunRecord, store: RunStore, now: datetime) -> dict[str, Any]:
    summary = record.summary
    return {
        "session_id": record.session_id,
        "status": str(summary.status),
        "priority": record.priority.value if record.priority is not None else None,
        "priority_source": record.priority_source,
        "workflow_id": summary.workflow_id,
        "workflow_name": store.workflow_name(summary.workflow_id),
        "created_at": iso(summary.created_at),
        "execution_start": iso(summary.execution_start),
        "execution_end": iso(summary.execution_end),
        "queue_wait_s": seconds(record.queue_wait(now)),
        "run_time_s": seconds(record.run_time(now)),
        "dry_run": summary.dry_run,
        "errors": record.error_count,
        "recovered": record.recovered_count,
    }


def document(polled: Polled, settings: Settings, query: Query | None = None) -> dict[str, Any]:
    """The snapshot as a plain dict with the ``ccmon.snapshot/1`` schema."""
    query = query or Query()
    now = polled.now
    records = select(polled.store, query)
    metrics = queue_metrics(records, now)
    counts: dict[str, int] = dict.fromkeys(STATUS_LABELS.values(), 0)
    for record in records:
        label = status_label(record.status)
        counts[label] = counts.get(label, 0) + 1
    queue: dict[str, dict[str, Any]] = {}
    for prio in PRIORITY_ORDER:
        queue[priority_label(prio)] = {
            "waiting": metrics.waiting[prio],
            "running": metrics.running[prio],
            "oldest_wait_s": seconds(metrics.oldest_wait(prio)),
            "starving": metrics.starving(prio, settings.starvation),
        }
    health = polled.health
    return {
        "schema": SCHEMA,
        "generated_at": iso(now),
        "source": {"host": settings.host, "profile": settings.profile},
        "window_hours": round(settings.window.total_seconds() / 3600, 3),
        "filter": query.text or None,
        "counts": counts,
        "queue": queue,
        "runs": [run_row(record, polled.store, now) for record in records],
        "health": {
            "ok": health.state == "ok",
            "error": health.last_error,
            "invalid_rows": health.invalid_rows,
        },
    }
