"""Figures derived from the store: counts, waits, throughput, failure groups.

Totals, queues and failure groups come from the store's running tally, so a call costs
the few groups and priorities, not what is stored.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from ccmon.api.models import Priority
from ccmon.sync.store import RunStore
from ccmon.sync.tally import PENDING, Fingerprint

PRIORITY_ORDER: tuple[Priority | None, ...] = (Priority.HIGH, Priority.MEDIUM, Priority.LOW, None)
__all__ = ["PENDING", "PRIORITY_ORDER", "FailureGroup", "Fingerprint", "Metrics", "compute"]


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


def _percentile(values: list[float], q: float) -> timedelta | None:
    """From an already sorted list."""
    if not values:
        return None
    index = min(len(values) - 1, max(0, round(q * (len(values) - 1))))
    return timedelta(seconds=values[index])


def compute(store: RunStore, now: datetime, *, groups: bool = True) -> Metrics:
    """The figures at ``now``, from the tally's running totals. ``groups=False`` leaves
    out the failure groups' member lists (the summary counts, it does not list)."""
    tally = store.tally
    m = Metrics(now=now, total=len(store.runs))
    m.by_status = Counter(tally.by_status)
    m.waiting, m.running = Counter(tally.waiting), Counter(tally.running)
    m.oldest_waiting = {prio: listed[0] for prio, listed in tally.waiting_created.items()}
    m.last_dispatch = dict(tally.last_dispatch)
    m.wait_p50, m.wait_p95 = _percentile(tally.waits, 0.5), _percentile(tally.waits, 0.95)
    m.run_p50, m.run_p95 = _percentile(tally.runs, 0.5), _percentile(tally.runs, 0.95)
    hour_ago = (now - timedelta(hours=1)).timestamp()
    edges = [hour_ago + 60 * minute for minute in range(61)]
    cuts = [bisect_left(tally.ends, edge) for edge in edges]
    m.throughput = [cuts[i + 1] - cuts[i] for i in range(60)]
    m.throughput[-1] += bisect_left(tally.ends, now.timestamp() + 1) - cuts[60]
    done = sum(tally.by_status.get(s, 0) for s in ("success", "failed", "stopped"))
    m.success_rate = tally.by_status.get("success", 0) / done if done else None
    found: list[FailureGroup] = []
    for fp, members in tally.groups.items():
        times = tally.group_times.get(fp, [])  # sorted
        last = times[-1] if times else None
        m.failures_by_category[fp.category] += len(members)
        m.failures_last_hour[fp.category] += len(times) - bisect_left(times, hour_ago)
        if not m.failures_last_hour[fp.category]:
            del m.failures_last_hour[fp.category]
        if groups:
            seen = datetime.fromtimestamp(last, tz=now.tzinfo) if last is not None else None
            found.append(FailureGroup(fp, list(tally.sorted_members(fp)), seen))
    epoch = datetime.min.replace(tzinfo=now.tzinfo)
    m.groups = sorted(found, key=lambda g: (g.last_seen or epoch, g.count), reverse=True)
    return m
