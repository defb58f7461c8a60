"""Record every poll to SQLite, and play a recording back through the same store.

One row per poll in ``ticks``: the time, the health (state, last error with URLs
removed), and a zlib-compressed JSON payload with the list rows of the runs that
changed and the fields the UI shows (status, times, dry run, priority and its source,
workflow id, retries, and per error only its id, category, sub-type, action and
whether it was recovered). Never stored: input variables, vault entries, output
data, messages, URLs. A *keyframe* tick holds every run; one is written on the first
poll and then every ``keyframe_every``, so a replay can start or jump from there.

Retention: after each tick, ticks older than ``retention`` are deleted back to the
newest keyframe before the cut, so what is kept always replays from a keyframe.
"""

from __future__ import annotations

import json
import re
import sqlite3
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from ccmon.api.models import Priority, RunDetail, RunError, RunSummary, WorkflowSummary
from ccmon.sync.records import ChangeSet, Health, PrioritySource, RunRecord
from ccmon.sync.store import PriorityLookup, RunStore

SCHEMA = "ccmon.record/1"
DDL = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS ticks (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at REAL NOT NULL,            -- unix time of the poll
    state TEXT NOT NULL,         -- Health.state
    last_error TEXT,             -- Health.last_error, URLs removed
    keyframe INTEGER NOT NULL,   -- 1: the payload holds every run
    runs INTEGER NOT NULL,       -- rows in the payload
    payload BLOB NOT NULL        -- zlib(JSON): runs, removed, workflows
);
CREATE INDEX IF NOT EXISTS ticks_at ON ticks (at);
"""
_URL = re.compile(r"\b\w+://\S+")


def _ts(moment: datetime | None) -> float | None:
    return None if moment is None else moment.timestamp()


def _dt(value: float | None) -> datetime | None:
    return None if value is None else datetime.fromtimestamp(value, UTC)


def encode_run(record: RunRecord) -> list[Any]:
    """The fields a UI needs, positionally: compact and free of secrets."""
    s, detail = record.summary, record.detail
    errors = None
    if detail is not None:
        errors = [
            [
                e.error_id,
                e.llm_error_category,
                e.llm_error_sub_type,
                e.action_display_name or e.action_type,
                detail.is_recovered(e),
            ]
            for e in detail.error_list
        ]
    return [
        s.session_id,
        str(s.status),
        _ts(s.created_at),
        s.workflow_id,
        _ts(s.execution_start),
        _ts(s.execution_end),
        s.dry_run,
        record.priority.value if record.priority else None,
        record.priority_source,
        None if detail is None else detail.session_retries,
        errors,
    ]


class Recorder:
    """Append one tick per poll; ``record`` never raises (a failure is kept in ``error``)."""

    def __init__(
        self,
        path: str | Path,
        *,
        retention: timedelta = timedelta(hours=24),
        keyframe_every: timedelta | None = None,
        meta: dict[str, str] | None = None,
    ) -> None:
        self.path = Path(path).expanduser()
        self.retention = retention
        self.keyframe_every = keyframe_every or min(timedelta(hours=1), retention / 4)
        self.error: str | None = None
        self._last_keyframe: datetime | None = None
        self._names: dict[str, str | None] = {}
        self.db = sqlite3.connect(self.path)
        self.db.executescript(DDL)
        values = {"schema": SCHEMA, **(meta or {})}
        self.db.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", values.items())
        self.db.commit()

    def record(self, changes: ChangeSet, health: Health, store: RunStore, at: datetime) -> None:
        try:
            self._record(changes, health, store, at)
        except (sqlite3.Error, OSError, ValueError) as exc:
            self.error = f"recording to {self.path} failed: {exc}"

    def _record(self, changes: ChangeSet, health: Health, store: RunStore, at: datetime) -> None:
        key = (
            changes.first_load
            or self._last_keyframe is None
            or at - self._last_keyframe >= self.keyframe_every
        )
        names = {wid: info.name for wid, info in store.workflows.items()}
        if key:
            ids: list[str] = list(store.runs)
            removed: list[str] = []
            workflows = names
            self._last_keyframe = at
        else:
            ids = [s for s in (*changes.added, *changes.changed) if s in store.runs]
            removed = list(changes.removed)
            workflows = {w: n for w, n in names.items() if self._names.get(w, "\0") != n}
        self._names = names
        payload = {
            "runs": [encode_run(store.runs[sid]) for sid in ids],
            "removed": removed,
            "workflows": workflows,
        }
        blob = zlib.compress(json.dumps(payload, separators=(",", ":")).encode(), 6)
        error = _URL.sub("<url>", health.last_error) if health.last_error else None
        self.db.execute(
            "INSERT INTO ticks (at, state, last_error, keyframe, runs, payload)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (at.timestamp(), health.state, error, int(key), len(ids), blob),
        )
        cut = (at - self.retention).timestamp()
        row = self.db.execute(
            "SELECT max(id) FROM ticks WHERE keyframe = 1 AND at <= ?", (cut,)
        ).fetchone()
        if row and row[0] is not None:
            self.db.execute("DELETE FROM ticks WHERE id < ?", (row[0],))
        self.db.commit()

    def close(self) -> None:
        self.db.close()


# --- replay ----------------------------------------------------------------------------


class RecordedPriorities(PriorityLookup):
    """Priorities as they were recorded, with where they came from."""

    def __init__(self) -> None:
        super().__init__()
        self.known: dict[str, tuple[Priority | None, PrioritySource | None]] = {}

    def resolve(
        self, summary: RunSummary, workflow_name: str | None
    ) -> tuple[Priority | None, PrioritySource | None]:
        return self.known.get(summary.session_id, (None, None))


@dataclass(frozen=True)
class Tick:
    id: int
    at: datetime
    keyframe: bool
    state: str
    last_error: str | None


class ReplayError(Exception):
    pass


class ReplaySource:
    """A recording played into a :class:`RunStore`: step, step back, seek to a time."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path).expanduser()
        if not self.path.is_file():
            raise ReplayError(f"no recording at {self.path}")
        try:
            self.db = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True)
            meta = dict(self.db.execute("SELECT key, value FROM meta").fetchall())
            rows = self.db.execute(
                "SELECT id, at, keyframe, state, last_error FROM ticks ORDER BY id"
            ).fetchall()
        except sqlite3.Error as exc:
            raise ReplayError(f"{self.path} is not a ccmon recording: {exc}") from None
        if meta.get("schema") != SCHEMA:
            raise ReplayError(f"{self.path} is not a {SCHEMA} recording")
        self.meta = meta
        self.ticks = [Tick(i, _dt(at), bool(k), s, e) for i, at, k, s, e in rows]  # type: ignore[arg-type]
        if not self.ticks:
            raise ReplayError(f"{self.path} holds no ticks")
        first_key = next((n for n, t in enumerate(self.ticks) if t.keyframe), None)
        if first_key is None:
            raise ReplayError(f"{self.path} holds no keyframe to start from")
        self.ticks = self.ticks[first_key:]
        self.priorities = RecordedPriorities()
        self.store = RunStore(self.priorities)
        self.health = Health(interval=float(meta.get("interval", 2.0)))
        self.position = -1
        self.label = meta.get("label", "recording")
        self.host = meta.get("host", "")

    # --- where ---------------------------------------------------------------------

    def now(self) -> datetime:
        return self.ticks[max(0, self.position)].at

    @property
    def at_end(self) -> bool:
        return self.position >= len(self.ticks) - 1

    def index_at(self, moment: datetime) -> int:
        """The last tick at or before ``moment`` (the first one if none is)."""
        found = 0
        for n, tick in enumerate(self.ticks):
            if tick.at > moment:
                break
            found = n
        return found

    # --- moving --------------------------------------------------------------------

    def step(self, delta: int = 1) -> ChangeSet:
        return self.seek(self.position + delta)

    def seek(self, index: int) -> ChangeSet:
        """Show the state after tick ``index``: the next one applies on top, any other
        rebuilds from the nearest keyframe at or before it."""
        index = max(0, min(index, len(self.ticks) - 1))
        if index == self.position:
            return ChangeSet()
        if index == self.position + 1:
            return self._apply(index)
        start = max(n for n in range(index + 1) if self.ticks[n].keyframe)
        changes = self.store.remove(list(self.store.runs))
        for n in range(start, index + 1):
            changes.merge(self._apply(n))
        changes.first_load = True  # a jump: redraw the table, announce nothing
        changes.new_failures.clear()
        return changes

    def _payload(self, tick: Tick) -> dict[str, Any]:
        row = self.db.execute("SELECT payload FROM ticks WHERE id = ?", (tick.id,)).fetchone()
        return json.loads(zlib.decompress(row[0]))

    def _apply(self, index: int) -> ChangeSet:
        tick = self.ticks[index]
        payload = self._payload(tick)
        changes = ChangeSet()
        names = payload.get("workflows") or {}
        changes.merge(
            self.store.set_workflows(WorkflowSummary(id=w, name=n) for w, n in names.items())
        )
        runs = payload.get("runs") or []
        keep = {run[0] for run in runs}
        gone = list(payload.get("removed") or [])
        if tick.keyframe:
            gone += [sid for sid in self.store.runs if sid not in keep]
        changes.merge(self.store.remove(gone))
        summaries = []
        for run in runs:
            sid, status, created, wf, start, end, dry, prio, source = run[:9]
            self.priorities.known[sid] = (Priority.parse(prio), source)
            summaries.append(
                RunSummary(
                    session_id=sid,
                    status=status,
                    created_at=_dt(created),
                    workflow_id=wf,
                    execution_start=_dt(start),
                    execution_end=_dt(end),
                    dry_run=dry,
                )
            )
        changes.merge(self.store.apply_rows(summaries))
        changes.merge(self.store.refresh_priorities(keep))
        for run in runs:
            if run[10] is not None:
                changes.merge(self.store.apply_detail(_detail(run), tick.at))
        self._health(tick)
        self.position = index
        return changes

    def _health(self, tick: Tick) -> None:
        health = self.health
        health.state = tick.state  # type: ignore[assignment]
        health.last_attempt = tick.at
        health.last_error = tick.last_error
        if tick.state == "ok":
            health.last_success, health.consecutive_failures = tick.at, 0
        else:
            health.consecutive_failures += 1
        health.invalid_rows = 0

    # --- the detail pane's API --------------------------------------------------------

    def serve(self, request: httpx.Request) -> httpx.Response:
        """A tiny read-only API over the replayed store, for the detail screen."""
        parts = request.url.path.strip("/").split("/")
        if len(parts) == 2 and parts[0] == "run":
            record = self.store.get(parts[1])
            if record is not None and record.detail is not None:
                return httpx.Response(200, json=record.detail.model_dump(mode="json"))
            return _missing("recorded: no detail")
        if parts[0] == "workflows":
            return _missing("recorded: no workflow definition")
        return _missing("recorded: not available in a replay")


def _missing(message: str) -> httpx.Response:
    return httpx.Response(404, json={"statusCode": 404, "error": "Not Found", "message": message})


def _detail(run: list[Any]) -> RunDetail:
    errors = [
        RunError(
            error_id=eid,
            llm_error_category=cat,
            llm_error_sub_type=sub,
            action_display_name=action,
        )
        for eid, cat, sub, action, _ in run[10]
    ]
    recovered = [e[0] for e in run[10] if e[4] and e[0]]
    return RunDetail(
        session_id=run[0],
        status=run[1],
        workflow_id=run[3],
        session_retries=run[9],
        errors=errors,
        recovered_error_ids=recovered,
    )
