"""Running totals behind the metrics, kept up to date run by run.

The store tells the tally about every record before and after it changes, so the
figures of a 100,000-run window cost what changed, not what is stored. What a record
contributed is remembered, so taking it back is exact.
"""

from __future__ import annotations

from bisect import bisect_left, insort
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ccmon.api.models import Priority, RunError
from ccmon.sync.records import RunRecord

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


@dataclass(frozen=True, slots=True)
class Share:
    """What one record adds to the totals."""

    status: str
    wait: float | None
    run: float | None
    end: float | None
    failure: tuple[Fingerprint, float | None] | None
    queue: tuple[bool, Priority | None, datetime | None] | None  # (waiting?, priority, created)


def share_of(record: RunRecord) -> Share:
    s = record.summary
    start, end, created = s.execution_start, s.execution_end, s.created_at
    wait = max(0.0, (start - created).total_seconds()) if start and created else None
    run = max(0.0, (end - start).total_seconds()) if start and end else None
    terminal = s.status.terminal
    failure = None
    if s.status == "execution.failed":
        when = end or created
        failure = (fingerprint(record), when.timestamp() if when else None)
    queue = None
    if record.waiting:
        queue = (True, record.priority, created)
    elif s.status == "execution.start":
        queue = (False, record.priority, None)
    return Share(
        s.status.short,
        wait,
        run,
        end.timestamp() if terminal and end else None,
        failure,
        queue,
    )


def _drop(values: list[Any], value: Any) -> None:
    index = bisect_left(values, value)
    if index < len(values) and values[index] == value:
        del values[index]


class Tally:
    def __init__(self) -> None:
        self.by_status: Counter[str] = Counter()
        self.waits: list[float] = []
        self.runs: list[float] = []
        self.ends: list[float] = []
        self.failures: dict[str, tuple[Fingerprint, float | None]] = {}
        self.groups: dict[Fingerprint, set[str]] = {}
        self.last_dispatch: dict[Priority | None, datetime] = {}
        # Per failure group: the sorted failure times, and its members sorted (on demand).
        self.group_times: dict[Fingerprint, list[float]] = {}
        self._sorted_members: dict[Fingerprint, list[str]] = {}
        # Active runs by priority: waiting (with their sorted created_at) and running.
        self.waiting: Counter[Priority | None] = Counter()
        self.running: Counter[Priority | None] = Counter()
        self.waiting_created: dict[Priority | None, list[datetime]] = {}
        self._shares: dict[str, Share] = {}

    def add(self, record: RunRecord) -> None:
        sid = record.session_id
        self.discard(sid)
        share = share_of(record)
        self._shares[sid] = share
        self.by_status[share.status] += 1
        if share.wait is not None:
            insort(self.waits, share.wait)
        if share.run is not None:
            insort(self.runs, share.run)
        if share.end is not None:
            insort(self.ends, share.end)
        if share.failure is not None:
            fp, when = share.failure
            self.failures[sid] = share.failure
            self.groups.setdefault(fp, set()).add(sid)
            self._sorted_members.pop(fp, None)
            if when is not None:
                insort(self.group_times.setdefault(fp, []), when)
        if share.queue is not None:
            waiting, prio, created = share.queue
            if not waiting:
                self.running[prio] += 1
            else:
                self.waiting[prio] += 1
                if created is not None:
                    insort(self.waiting_created.setdefault(prio, []), created)
        start = record.summary.execution_start
        prio = record.priority
        if start is not None and (
            prio not in self.last_dispatch or start > self.last_dispatch[prio]
        ):
            self.last_dispatch[prio] = start

    def discard(self, session_id: str) -> None:
        share = self._shares.pop(session_id, None)
        if share is None:
            return
        self.by_status[share.status] -= 1
        if not self.by_status[share.status]:
            del self.by_status[share.status]
        if share.wait is not None:
            _drop(self.waits, share.wait)
        if share.run is not None:
            _drop(self.runs, share.run)
        if share.end is not None:
            _drop(self.ends, share.end)
        if share.failure is not None:
            fp, when = share.failure
            self.failures.pop(session_id, None)
            self._sorted_members.pop(fp, None)
            members = self.groups.get(fp)
            if members is not None:
                members.discard(session_id)
                if not members:
                    del self.groups[fp]
            times = self.group_times.get(fp)
            if when is not None and times is not None:
                _drop(times, when)
                if not times:
                    del self.group_times[fp]
        if share.queue is not None:
            waiting, prio, created = share.queue
            _decrement(self.waiting if waiting else self.running, prio)
            if waiting and created is not None:
                listed = self.waiting_created.get(prio)
                if listed is not None:
                    _drop(listed, created)
                    if not listed:
                        del self.waiting_created[prio]

    def sorted_members(self, fp: Fingerprint) -> list[str]:
        """The group's session ids, sorted (kept until the group changes)."""
        listed = self._sorted_members.get(fp)
        if listed is None:
            listed = self._sorted_members[fp] = sorted(self.groups.get(fp, ()))
        return listed


def _decrement(counter: Counter[Priority | None], key: Priority | None) -> None:
    counter[key] -= 1
    if counter[key] <= 0:
        del counter[key]
