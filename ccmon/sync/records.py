"""What the sync layer hands to the UI: run records, change sets and health."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal

from ccmon.api.client import InvalidRow
from ccmon.api.models import Priority, RunDetail, RunSummary, Status

PrioritySource = Literal["api", "journal", "config"]
SUMMARY_FIELDS = (
    "status",
    "created_at",
    "workflow_id",
    "execution_start",
    "execution_end",
    "dry_run",
)


# Changes that are ccmon catching up, not runs moving: a detail fetched, a name learnt.
BOOKKEEPING = frozenset({"detail", "workflow", "priority"})


@dataclass(slots=True, eq=False)
class RunRecord:
    """One run as ccmon knows it: the list row, the detail once fetched, and the
    priority with where it came from. ``version`` bumps on every change."""

    summary: RunSummary
    detail: RunDetail | None = None
    priority: Priority | None = None
    priority_source: PrioritySource | None = None
    version: int = 0
    detail_at: datetime | None = None
    start_estimated: bool = False  # execution_start deduced, not read (until a row comes)

    @property
    def session_id(self) -> str:
        return self.summary.session_id

    @property
    def status(self) -> Status:
        return self.summary.status

    @property
    def created_at(self) -> datetime | None:
        return self.summary.created_at

    @property
    def error_count(self) -> int | None:
        return None if self.detail is None else len(self.detail.error_list)

    @property
    def recovered_count(self) -> int | None:
        return None if self.detail is None else self.detail.recovered_count

    @property
    def retries(self) -> int | None:
        return None if self.detail is None else (self.detail.session_retries or 0)

    def queue_wait(self, now: datetime) -> timedelta | None:
        """Created to execution start; still growing while the run waits."""
        created, start = self.summary.created_at, self.summary.execution_start
        if created is None:
            return None
        if start is not None:
            return max(timedelta(0), start - created)
        if self.status.terminal:
            return None
        return max(timedelta(0), now - created)

    def run_time(self, now: datetime) -> timedelta | None:
        """Execution start to end; still growing while the run runs."""
        start, end = self.summary.execution_start, self.summary.execution_end
        if start is None:
            return None
        if end is not None:
            return max(timedelta(0), end - start)
        if self.status == "execution.start":
            return max(timedelta(0), now - start)
        return None

    @property
    def waiting(self) -> bool:
        """Not yet dispatched: queued, paused or requeued."""
        return self.status in ("execution.queued", "execution.paused", "execution.requeued")


@dataclass
class ChangeSet:
    """What one poll changed. ``changed`` maps a session_id to the fields that moved.

    ``added`` and ``removed`` are ordered sets (dicts of ``None``), so merging the
    change sets of a tick costs what changed, never what is stored."""

    added: dict[str, None] = field(default_factory=dict)
    changed: dict[str, set[str]] = field(default_factory=dict)
    removed: dict[str, None] = field(default_factory=dict)
    invalid: list[InvalidRow] = field(default_factory=list)
    new_failures: dict[str, None] = field(default_factory=dict)
    first_load: bool = False

    def __bool__(self) -> bool:
        return bool(self.added or self.changed or self.removed or self.invalid)

    @property
    def activity(self) -> bool:
        """Did a run come, go or move? (A fetched detail or a new name is not activity.)"""
        return bool(
            self.added
            or self.removed
            or any(not fields <= BOOKKEEPING for fields in self.changed.values())
        )

    def add(self, session_id: str) -> None:
        if self.removed.pop(session_id, 0) is None:
            self.changed.setdefault(session_id, set()).add("status")
        else:
            self.added[session_id] = None

    def remove(self, session_id: str) -> None:
        self.changed.pop(session_id, None)
        self.new_failures.pop(session_id, None)
        if self.added.pop(session_id, 0) is not None:
            self.removed[session_id] = None

    def failed(self, session_id: str) -> None:
        self.new_failures[session_id] = None

    def touch(self, session_id: str, fields: set[str]) -> None:
        if session_id in self.added or not fields:
            return
        self.changed.setdefault(session_id, set()).update(fields)

    def merge(self, other: ChangeSet) -> None:
        if not self and not self.new_failures:
            self.added, self.changed, self.removed = other.added, other.changed, other.removed
        else:
            for sid in other.added:
                self.add(sid)
            for sid, fields in other.changed.items():
                self.touch(sid, fields)
            for sid in other.removed:
                self.remove(sid)
        self.invalid.extend(other.invalid)
        self.new_failures.update(other.new_failures)
        self.first_load = self.first_load or other.first_load


ConnectionState = Literal["connecting", "ok", "retrying", "error", "rate_limited"]


@dataclass
class Health:
    """How the link to the API is doing, for the header line."""

    interval: float
    state: ConnectionState = "connecting"
    last_success: datetime | None = None
    last_attempt: datetime | None = None
    consecutive_failures: int = 0
    last_error: str | None = None
    rate_limited_until: datetime | None = None
    invalid_rows: int = 0
    invalid_ids: tuple[str, ...] = ()  # session ids of the unreadable rows, when known
    paused: bool = False
    slowed: str | None = None  # why polling is slower than the interval, if it is
    effective_interval: float | None = None  # the slower pace, while slowed

    def age(self, now: datetime) -> timedelta | None:
        return None if self.last_success is None else now - self.last_success

    def stale_at(self) -> datetime | None:
        """When the data turns stale: three missed intervals (None: no data yet)."""
        if self.last_success is None:
            return None
        pace = max(self.interval, self.effective_interval or 0.0)
        return self.last_success + timedelta(seconds=3 * pace + 1)

    def stale(self, now: datetime) -> bool:
        stale_at = self.stale_at()
        return stale_at is None or now > stale_at

    def rate_limit_wait(self, now: datetime) -> float:
        if self.rate_limited_until is None:
            return 0.0
        return max(0.0, (self.rate_limited_until - now).total_seconds())
