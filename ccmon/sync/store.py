"""The run store: applies what the poller fetched and says what changed."""

from __future__ import annotations

from bisect import bisect_left, insort
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from ccmon.api.client import InvalidRow
from ccmon.api.models import (
    ACTIVE_STATUSES,
    Priority,
    RunDetail,
    RunSummary,
    Status,
    Workflow,
    WorkflowSummary,
)
from ccmon.sync.records import SUMMARY_FIELDS, ChangeSet, PrioritySource, RunRecord
from ccmon.sync.tally import Tally


class PriorityLookup:
    """Where a run's priority comes from, in order: a ``priority`` field in the API
    response, ccmon's journal of runs it started, a per-workflow default (by workflow
    id or name) from the configuration; otherwise unknown."""

    def __init__(
        self,
        journal: Callable[[str], Priority | None] | None = None,
        defaults: Mapping[str, Priority] | None = None,
    ) -> None:
        self._journal = journal
        self._defaults = {k.casefold(): v for k, v in (defaults or {}).items()}

    def resolve(
        self, summary: RunSummary, workflow_name: str | None
    ) -> tuple[Priority | None, PrioritySource | None]:
        if summary.priority is not None:
            return summary.priority, "api"
        if self._journal is not None and (found := self._journal(summary.session_id)):
            return found, "journal"
        for key in (summary.workflow_id, workflow_name):
            if key and (found := self._defaults.get(key.casefold())):
                return found, "config"
        return None, None


@dataclass
class WorkflowInfo:
    id: str
    name: str | None = None
    nodes: dict[str, str] = field(default_factory=dict)  # node id -> display name
    definition: Workflow | None = None


class RunStore:
    """All runs in the window, keyed by session_id."""

    def __init__(self, priorities: PriorityLookup | None = None) -> None:
        self.runs: dict[str, RunRecord] = {}
        self.workflows: dict[str, WorkflowInfo] = {}
        self.priorities = priorities or PriorityLookup()
        self.version = 0
        self.loaded = False
        self.invalid: dict[str, str] = {}  # session_id (or a placeholder) -> reason
        self.tally = Tally()
        # Indexes kept as runs come and go, so no tick walks the whole window.
        self._active: dict[str, datetime | None] = {}  # active run -> created_at indexed
        # The dated ones, oldest first: (created_at, session_id, status).
        self._active_sorted: list[tuple[datetime, str, Status]] = []
        self._active_undated: set[str] = set()
        # Every dated run as (created_at, session_id), sorted: counts by time, the
        # newest run, and pruning (the oldest are at the front). New ones wait in
        # _pending until the order is next read.
        self._created: list[tuple[datetime, str]] = []
        self._pending: list[tuple[datetime, str]] = []

    # --- lookups -------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self.runs)

    def get(self, session_id: str) -> RunRecord | None:
        return self.runs.get(session_id)

    def active_ids(self) -> set[str]:
        """Runs in a known non-terminal status (the ones the API's active query returns)."""
        return set(self._active)

    def newest_created_at(self) -> datetime | None:
        listed = self._sorted_created()
        return listed[-1][0] if listed else None

    def active_by_created(
        self, start: datetime, end: datetime
    ) -> tuple[list[tuple[datetime, str, Status]], bool]:
        """Active runs created in ``[start, end)``, oldest first, and whether an active
        run has no created_at (no created_at range can cover it)."""
        listed = self._active_sorted
        found = listed[bisect_left(listed, (start,)) : bisect_left(listed, (end,))]
        return found, bool(self._active_undated)

    def count_created(self, start: datetime, end: datetime) -> int:
        """How many stored runs were created in ``[start, end)`` (two bisections)."""
        listed = self._sorted_created()
        return max(0, bisect_left(listed, (end,)) - bisect_left(listed, (start,)))

    def _sorted_created(self) -> list[tuple[datetime, str]]:
        """The order, with the pending runs merged in. Pages come newest first, so
        inserting each run in place made a first load quadratic, and sorting the whole
        order after every page cost a steady poll at 100k runs 8 ms: the new runs are
        sorted alone and usually all go after the last one."""
        listed, pending = self._created, self._pending
        if pending:
            pending.sort()
            if not listed or pending[0] > listed[-1]:
                listed.extend(pending)
            elif len(pending) <= 64:
                for entry in pending:
                    insort(listed, entry)
            else:
                listed.extend(pending)
                listed.sort()
            pending.clear()
        return listed

    def _add_created(self, created: datetime, sid: str) -> None:
        self._pending.append((created, sid))

    def _remove_created(self, created: datetime, sid: str) -> None:
        listed, entry = self._sorted_created(), (created, sid)
        at = bisect_left(listed, entry)
        if at < len(listed) and listed[at] == entry:
            del listed[at]

    # --- indexes -------------------------------------------------------------------

    def _index(self, record: RunRecord, new: bool = False) -> None:
        sid = record.session_id
        self.tally.add(record)
        created = record.created_at
        if record.status in ACTIVE_STATUSES:
            self._set_active(sid, created, record.status)
        else:
            self._unset_active(sid)
        if new and created is not None:
            self._add_created(created, sid)

    def _set_active(self, sid: str, created: datetime | None, status: Status) -> None:
        listed = self._active_sorted
        if sid in self._active:
            if self._active[sid] != created:
                self._unset_active(sid)
            elif created is None:
                return
            else:  # same place: only the status may have moved
                at = bisect_left(listed, (created, sid))
                listed[at] = (created, sid, status)
                return
        self._active[sid] = created
        if created is None:
            self._active_undated.add(sid)
        else:
            insort(listed, (created, sid, status))

    def _unset_active(self, sid: str) -> None:
        if sid not in self._active:
            return
        created = self._active.pop(sid)
        if created is None:
            self._active_undated.discard(sid)
            return
        listed = self._active_sorted
        at = bisect_left(listed, (created, sid))
        if at < len(listed) and listed[at][:2] == (created, sid):
            del listed[at]

    def _drop(self, session_id: str, *, dated: bool = True) -> bool:
        """Forget a run (``dated=False``: its created_at entry is already gone)."""
        record = self.runs.pop(session_id, None)
        if record is None:
            return False
        self.tally.discard(session_id)
        self._unset_active(session_id)
        if dated and record.created_at is not None:
            self._remove_created(record.created_at, session_id)
        return True

    def workflow_name(self, workflow_id: str | None) -> str | None:
        info = self.workflows.get(workflow_id or "")
        return info.name if info else None

    # --- applying ------------------------------------------------------------------

    def apply_rows(
        self,
        rows: Iterable[RunSummary],
        *,
        invalid: Iterable[InvalidRow] = (),
        complete: Callable[[RunRecord], bool] | None = None,
    ) -> ChangeSet:
        """Merge list rows. With ``complete``, the rows are the whole truth for every
        stored run for which it returns True: such runs that are missing are removed."""
        changes = ChangeSet(first_load=not self.loaded)
        invalid = list(invalid)
        # An unreadable row costs its update, not its run: the last good row stays.
        seen: set[str] = {bad.session_id for bad in invalid if bad.session_id}
        merge = self._merge_row
        if complete is None:
            for row in rows:
                merge(row, changes)
        else:
            for row in rows:
                seen.add(row.session_id)
                merge(row, changes)
            # A row whose id is unreadable may be any run's: then remove none this time.
            sure = all(bad.session_id for bad in invalid)
            gone = [s for s, rec in self.runs.items() if sure and s not in seen and complete(rec)]
            for sid in gone:
                self._drop(sid)
                changes.remove(sid)
            self.invalid.clear()  # a full pass saw every row: only its unreadable ones count
        for bad in invalid:
            self.invalid[bad.session_id or f"?{len(self.invalid)}"] = bad.reason
            changes.invalid.append(bad)
        self.loaded = True
        if changes:
            self.version += 1
        return changes

    def _merge_row(self, row: RunSummary, changes: ChangeSet) -> None:
        sid = row.session_id
        self.invalid.pop(sid, None)
        record = self.runs.get(sid)
        if record is None:
            record = RunRecord(summary=row)
            self._resolve_priority(record)
            self.runs[sid] = record
            self._index(record, new=True)
            changes.add(sid)
            if self.loaded and row.status == "execution.failed":
                changes.failed(sid)
            return
        old = record.summary
        if old.__dict__ == row.__dict__:  # the usual case: nothing moved
            record.start_estimated = False  # a real row: its execution_start is the truth
            return
        if old.status.terminal and not row.status.terminal:
            return  # a terminal run never changes; an older view must not undo it
        record.start_estimated = False
        moved = {name for name in SUMMARY_FIELDS if getattr(old, name) != getattr(row, name)}
        if row.priority != old.priority:
            moved.add("priority")
        if not moved:
            return
        record.summary = row
        if "priority" in moved:
            self._resolve_priority(record)
        if "created_at" in moved:
            if old.created_at is not None:
                self._remove_created(old.created_at, sid)
            if row.created_at is not None:
                self._add_created(row.created_at, sid)
        self._index(record)
        record.version += 1
        changes.touch(sid, moved)
        if "status" in moved and row.status == "execution.failed":
            changes.failed(sid)

    def apply_detail(self, detail: RunDetail, at: datetime) -> ChangeSet:
        """Merge one run's detail. Its status may be newer than the list row's."""
        changes = ChangeSet()
        record = self.runs.get(detail.session_id)
        if record is None:
            return changes
        moved: set[str] = set()
        before = record.detail
        if before is None or before != detail:
            moved.add("detail")
        if detail.status != record.status and not record.status.terminal:
            record.summary = record.summary.model_copy(update={"status": detail.status})
            moved.add("status")
            if detail.status == "execution.failed":
                changes.failed(detail.session_id)
        if detail.priority is not None and detail.priority != record.priority:
            record.summary = record.summary.model_copy(update={"priority": detail.priority})
            self._resolve_priority(record)
            moved.add("priority")
        record.detail, record.detail_at = detail, at
        if moved:
            self._index(record)
            record.version += 1
            changes.touch(detail.session_id, moved)
            self.version += 1
        return changes

    def infer_status(self, inferred: Mapping[str, tuple[str, datetime | None]]) -> ChangeSet:
        """Statuses deduced without a row (a run missing from a query that would have
        returned it: see :mod:`ccmon.sync.probe`). A start time given with one is an
        estimate, used only while the run has none; the next real row replaces it."""
        changes = ChangeSet()
        for sid, (status, start) in inferred.items():
            record = self.runs.get(sid)
            if record is None or record.status.terminal or record.status == status:
                continue
            update: dict[str, object] = {"status": Status(status)}
            if start is not None and record.summary.execution_start is None:
                update["execution_start"] = start
                record.start_estimated = True
            record.summary = record.summary.model_copy(update=update)
            self._index(record)
            record.version += 1
            changes.touch(sid, set(update))
        if changes:
            self.version += 1
        return changes

    def remove(self, session_ids: Iterable[str], *, dated: bool = True) -> ChangeSet:
        """Forget runs (``dated=False``: their created_at entries are already gone)."""
        changes = ChangeSet()
        for sid in session_ids:
            if self._drop(sid, dated=dated):
                changes.remove(sid)
        if changes:
            self.version += 1
        return changes

    def prune(self, window_start: datetime) -> ChangeSet:
        """Drop runs created before the window: the front of the created_at order, cut
        off at once."""
        listed = self._sorted_created()
        cut = bisect_left(listed, (window_start,))
        old = listed[:cut]
        del listed[:cut]
        return self.remove((sid for _, sid in old), dated=False)

    def set_workflows(self, workflows: Iterable[WorkflowSummary]) -> ChangeSet:
        """New workflow names; rows whose name changed get a new version."""
        renamed: set[str] = set()
        for wf in workflows:
            info = self.workflows.setdefault(wf.id, WorkflowInfo(id=wf.id))
            if info.name != wf.name:
                info.name = wf.name
                renamed.add(wf.id)
        return self._touch_workflows(renamed)

    def set_workflow_definition(self, workflow: Workflow) -> None:
        info = self.workflows.setdefault(workflow.id, WorkflowInfo(id=workflow.id))
        info.definition = workflow
        info.name = workflow.name or info.name
        info.nodes = {node.id: node.name or node.id for node in workflow.nodes}

    def refresh_priorities(self, session_ids: Iterable[str] | None = None) -> ChangeSet:
        """Re-resolve priorities of these runs (all of them when None), after the
        journal or the defaults changed."""
        changes = ChangeSet()
        targets = self.runs if session_ids is None else session_ids
        for sid in targets:
            record = self.runs.get(sid)
            if record is not None and self._resolve_priority(record):
                self._index(record)
                record.version += 1
                changes.touch(sid, {"priority"})
        if changes:
            self.version += 1
        return changes

    def _touch_workflows(self, workflow_ids: set[str]) -> ChangeSet:
        changes = ChangeSet()
        if not workflow_ids:
            return changes
        for sid, record in self.runs.items():
            if record.summary.workflow_id in workflow_ids:
                if self._resolve_priority(record):
                    self._index(record)
                record.version += 1
                changes.touch(sid, {"workflow"})
        self.version += 1
        return changes

    def _resolve_priority(self, record: RunRecord) -> bool:
        name = self.workflow_name(record.summary.workflow_id)
        found = self.priorities.resolve(record.summary, name)
        if found == (record.priority, record.priority_source):
            return False
        record.priority, record.priority_source = found
        return True
