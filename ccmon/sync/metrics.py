"""Figures derived from the store: counts, waits, throughput, failure groups.

One pass over the runs per call; the UI asks once per tick, not per frame.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from ccmon.api.models import Priority, RunError
from ccmon.sync.records import RunRecord
from ccmon.sync.store import RunStore

PRIORITY_ORDER: tuple[Priority | None, ...] = (Priority.HIGH, Priority.MEDIUM, Priority.LOW, None)
PENDING = "(detail pending)"


@dataclass(frozen=True)
class Fingerprint:
    """What makes two failures the same problem."""

    category: str
    sub_type: str
    action: str
    workflow_id: str

    def label(self, workflow_name: str | None) -> str:
        parts = [self.category]
        if self.sub_type:
            parts.append(self.sub_type)
        if self.action:
            parts.append(self.action)
        parts.append(workflow_name or self.workflow_id or "?")
        return " · ".join(parts)


@dataclass
class FailureGroup:
    fingerprint: Fingerprint
    session_ids: list[str] = field(default_factory=list)
    last_seen: datetime | None = None

    @property
    def count(self) -> int:
        return len(self.session_ids)


@dataclass
class Metrics:
    now: datetime
    total: int = 0
    by_status: Counter[str] = field(default_factory=Counter)
    waiting: Counter[Priority | None] = field(default_factory=Counter)
    running: Counter[Priority | None] = field(default_factory=Counter)
    oldest_waiting: dict[Priority | None, datetime] = field(default_factory=dict)
    last_dispatch: dict[Priority | None, datetime] = field(default_factory=dict)
    wait_p50: timedelta | None = None
    wait_p95: timedelta | None = None
    run_p50: timedelta | None = None
    run_p95: timedelta | None = None
    throughput: list[int] = field(default_factory=lambda: [0] * 60)
    success_rate: float | None = None
    failures_by_category: Counter[str] = field(default_factory=Counter)
    failures_last_hour: Counter[str] = field(default_factory=Counter)
    groups: list[FailureGroup] = field(default_factory=list)

    def oldest_wait(
        self, priority: Priority | None, now: datetime | None = None
    ) -> timedelta | None:
        created = self.oldest_waiting.get(priority)
        return None if created is None else (now or self.now) - created

    def starving(
        self, priority: Priority | None, threshold: timedelta, now: datetime | None = None
    ) -> bool:
        """Waited past ``threshold`` while a higher priority was dispatched meanwhile."""
        wait = self.oldest_wait(priority, now)
        if wait is None or wait < threshold or priority is None or priority is Priority.HIGH:
            return False
        since = self.oldest_waiting[priority]
        return any(
            (dispatched := self.last_dispatch.get(higher)) is not None and dispatched > since
            for higher in PRIORITY_ORDER[: priority.rank]
        )

    @property
    def per_minute(self) -> float:
        return sum(self.throughput) / 60


def failing_error(record: RunRecord) -> RunError | None:
    """The error that failed a run: its last unrecovered one (else its last one)."""
    if record.detail is None or not record.detail.error_list:
        return None
    errors = record.detail.error_list
    unrecovered = [e for e in errors if not record.detail.is_recovered(e)]
    return (unrecovered or errors)[-1]


def fingerprint(record: RunRecord) -> Fingerprint:
    error = failing_error(record)
    workflow = record.summary.workflow_id or ""
    if error is None:
        return Fingerprint(PENDING if record.detail is None else "(no error)", "", "", workflow)
    return Fingerprint(
        error.llm_error_category or "(unclassified)",
        error.llm_error_sub_type or "",
        error.action_display_name or error.action_type or "",
        workflow,
    )


def _percentile(values: list[float], q: float) -> timedelta | None:
    if not values:
        return None
    values.sort()
    index = min(len(values) - 1, max(0, round(q * (len(values) - 1))))
    return timedelta(seconds=values[index])


def compute(store: RunStore, now: datetime) -> Metrics:
    m = Metrics(now=now, total=len(store.runs))
    waits: list[float] = []
    runs: list[float] = []
    hour_ago = now - timedelta(hours=1)
    groups: dict[Fingerprint, FailureGroup] = {}
    finished = Counter[str]()
    for record in store.runs.values():
        summary = record.summary
        status = summary.status
        m.by_status[status.short] += 1
        prio = record.priority
        if record.waiting:
            m.waiting[prio] += 1
            created = summary.created_at
            if created is not None and (
                prio not in m.oldest_waiting or created < m.oldest_waiting[prio]
            ):
                m.oldest_waiting[prio] = created
        elif status == "execution.start":
            m.running[prio] += 1
        start = summary.execution_start
        if start is not None:
            if prio not in m.last_dispatch or start > m.last_dispatch[prio]:
                m.last_dispatch[prio] = start
            if summary.created_at is not None:
                waits.append(max(0.0, (start - summary.created_at).total_seconds()))
            if summary.execution_end is not None:
                runs.append(max(0.0, (summary.execution_end - start).total_seconds()))
        end = summary.execution_end
        if status.terminal:
            finished[status.short] += 1
            if end is not None and end >= hour_ago:
                minute = min(59, int((end - hour_ago).total_seconds() // 60))
                m.throughput[minute] += 1
        if status == "execution.failed":
            fp = fingerprint(record)
            m.failures_by_category[fp.category] += 1
            when = end or summary.created_at
            if when is not None and when >= hour_ago:
                m.failures_last_hour[fp.category] += 1
            group = groups.setdefault(fp, FailureGroup(fp))
            group.session_ids.append(record.session_id)
            if when is not None and (group.last_seen is None or when > group.last_seen):
                group.last_seen = when
    m.wait_p50, m.wait_p95 = _percentile(waits, 0.5), _percentile(waits, 0.95)
    m.run_p50, m.run_p95 = _percentile(runs, 0.5), _percentile(runs, 0.95)
    done = sum(finished.values())
    m.success_rate = finished["success"] / done if done else None
    epoch = datetime.min.replace(tzinfo=now.tzinfo)
    m.groups = sorted(groups.values(), key=lambda g: (g.last_seen or epoch, g.count), reverse=True)
    return m
