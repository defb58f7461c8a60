"""The queue table's rows: cells, versions and sort values drawn from the store."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from rich.text import Text

from ccmon.sync.records import RunRecord
from ccmon.sync.store import RunStore
from ccmon.ui import text as fmt
from ccmon.ui.widgets.table import Column

COLUMNS: tuple[Column, ...] = (
    Column("status", "Status", 10),
    Column("prio", "Prio", 6),
    Column("workflow", "Workflow", 24, flex=True, min_width=10),
    Column("id", "Session", 8),
    Column("age", "Age", 6, align="right"),
    Column("wait", "Wait", 7, align="right"),
    Column("duration", "Ran", 7, align="right"),
    Column("retries", "Rt", 2, align="right"),
    Column("errors", "Errors", 7, align="right"),
    Column("dry", "Dry", 3),
)
_FIXED_CACHE = 4096  # rows whose time-independent cells are kept
_SECOND = timedelta(seconds=1)
STATUS_RANK = {
    "execution.start": 0,
    "execution.queued": 1,
    "execution.requeued": 2,
    "execution.paused": 3,
    "execution.failed": 4,
    "execution.stopped": 5,
    "execution.success": 6,
}


def compact_age(record: RunRecord, now: datetime) -> str:
    """Coarse on purpose: a finished run's age changes once a minute, not every second."""
    created = record.created_at
    if created is None:
        return ""
    seconds = int(max(0.0, (now - created).total_seconds()))
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m"
    if seconds < 48 * 3600:
        return f"{seconds // 3600}h{seconds % 3600 // 60:02d}"
    return f"{seconds // 86400}d"


def next_change(record: RunRecord, now: datetime) -> datetime:
    """The first moment after ``now`` at which the row's time cells may read otherwise:
    the next second while the run waits or runs; for a finished run (its wait and run
    time are final) the next step of its age."""
    created = record.created_at
    if not record.status.terminal:
        return now + _SECOND
    if created is None:
        return datetime.max.replace(tzinfo=now.tzinfo)
    seconds = int(max(0.0, (now - created).total_seconds()))
    step = 1 if seconds < 60 else 60 if seconds < 48 * 3600 else 86400
    return created + timedelta(seconds=(seconds // step + 1) * step)


def _ts(moment: datetime | None) -> float:
    return moment.timestamp() if moment is not None else 0.0


class RunRows:
    """A :class:`~ccmon.ui.widgets.table.RowSource` over a :class:`RunStore`."""

    def __init__(self, store: RunStore, now: Callable[[], datetime]) -> None:
        self.store = store
        self.now = now
        self._moment = now()
        # session_id -> (record, its version, workflow name, cells that do not age)
        self._fixed: dict[str, tuple[RunRecord, int, str | None, tuple[Text, ...]]] = {}
        # this moment's time cells of the rows asked about (the visible ones): a repaint
        # asks for a row's version, then for its cells
        self._times_now: dict[str, tuple[RunRecord, int, tuple[str, str, str]]] = {}

    def tick(self) -> None:
        """Take the time once per refresh so every row of a frame agrees."""
        self._moment = self.now()
        self._times_now.clear()

    @property
    def moment(self) -> datetime:
        """The time every row of the current frame is drawn at."""
        return self._moment

    def still_until(self, keys: Iterable[str]) -> datetime:
        """Until when none of these rows' time cells can change (the earliest
        :func:`next_change`; at once if a row is gone)."""
        now, runs = self._moment, self.store.runs
        until = datetime.max.replace(tzinfo=now.tzinfo)
        for key in keys:
            record = runs.get(key)
            if record is None:
                return now
            until = min(until, next_change(record, now))
        return until

    def ticking(self, keys: Iterable[str]) -> bool:
        """Does a row among these count by the second (its run waits or runs)?"""
        runs = self.store.runs
        return any(
            (record := runs.get(key)) is not None and not record.status.terminal for key in keys
        )

    def _times(self, record: RunRecord) -> tuple[str, str, str]:
        known = self._times_now.get(record.session_id)
        if known is not None and known[0] is record and known[1] == record.version:
            return known[2]
        now = self._moment
        times = (
            compact_age(record, now),
            fmt.duration(record.queue_wait(now)),
            fmt.duration(record.run_time(now)),
        )
        if len(self._times_now) >= _FIXED_CACHE:
            self._times_now.clear()
        self._times_now[record.session_id] = (record, record.version, times)
        return times

    def row_version(self, key: str) -> int:
        record = self.store.runs.get(key)
        if record is None:
            return -1
        return hash((record.version, self._times(record)))

    def workflow_label(self, record: RunRecord) -> str:
        workflow_id = record.summary.workflow_id
        return self._label(workflow_id, self.store.workflow_name(workflow_id))

    @staticmethod
    def _label(workflow_id: str | None, name: str | None) -> str:
        if name:
            return fmt.clean(name, 80)
        return f"wf:{fmt.clean(workflow_id[:8])}" if workflow_id else "—"

    def row_cells(self, key: str) -> Sequence[Text]:
        record = self.store.runs.get(key)
        if record is None:
            return [Text("")] * len(COLUMNS)
        age, wait, ran = self._times(record)
        status, prio, workflow, short, retries, errors, dry = self._fixed_cells(key, record)
        return [
            status,
            prio,
            workflow,
            short,
            Text(age),
            Text(wait, style="yellow" if record.waiting else ""),
            Text(ran),
            retries,
            errors,
            dry,
        ]

    def _fixed_cells(self, key: str, record: RunRecord) -> tuple[Text, ...]:
        """The cells that do not change with time, built once per version of a row
        (callers only read them: the table fits a copy)."""
        workflow_id = record.summary.workflow_id
        name = self.store.workflow_name(workflow_id)
        known = self._fixed.get(key)
        if known is not None and known[0] is record and known[1:3] == (record.version, name):
            return known[3]
        errors = record.error_count
        if errors is None:
            error_cell = Text("·", style="dim")
        elif errors == 0:
            error_cell = Text("0", style="dim")
        else:
            recovered = record.recovered_count or 0
            error_cell = Text(str(errors), style="red" if recovered < errors else "yellow")
            if recovered:
                error_cell.append(f" ({recovered}r)", style="green")
        retries = record.retries
        cells = (
            fmt.status_text(record.status),
            fmt.priority_text(record.priority),
            Text(self._label(workflow_id, name)),
            Text(fmt.short_id(record.session_id), style="dim"),
            Text("" if retries is None else str(retries), style="yellow" if retries else "dim"),
            error_cell,
            Text("dry" if record.summary.dry_run else "", style="magenta"),
        )
        if known is None and len(self._fixed) >= _FIXED_CACHE:
            del self._fixed[next(iter(self._fixed))]  # the oldest entry
        self._fixed[key] = (record, record.version, name, cells)
        return cells

    def sort_value(self, key: str, column: str | None) -> Any:
        record = self.store.runs.get(key)
        if record is None:
            return None
        now = self._moment
        created = _ts(record.created_at)
        if column is None:
            status = record.status
            if status == "execution.start":
                group = 0
            elif record.waiting:
                group = 1
            else:
                return (2, 0, -created)
            rank = record.priority.rank if record.priority is not None else 3
            return (group, rank, created)
        if column == "status":
            return (STATUS_RANK.get(record.status, 7), -created)
        if column == "prio":
            return record.priority.rank if record.priority is not None else None
        if column == "workflow":
            return self.workflow_label(record).casefold()
        if column == "id":
            return record.session_id
        if column == "age":
            return -created if record.created_at else None
        if column == "wait":
            wait = record.queue_wait(now)
            return wait.total_seconds() if wait is not None else None
        if column == "duration":
            ran = record.run_time(now)
            return ran.total_seconds() if ran is not None else None
        if column == "retries":
            return record.retries
        if column == "errors":
            return record.error_count
        if column == "dry":
            return bool(record.summary.dry_run)
        return None
