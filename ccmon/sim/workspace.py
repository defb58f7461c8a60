"""The simulated CloudCruise workspace: the public, JSON-producing face of the engine."""

from __future__ import annotations

import copy
import math
from bisect import bisect_left, bisect_right
from collections import Counter, OrderedDict
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from .catalog import Catalog, Workflow, build_catalog
from .clock import Clock
from .config import SimConfig
from .detail import render_detail, render_snapshot
from .engine import Engine
from .history import load_history
from .hostile import Texter
from .records import ACTIVE_STATUSES, PRIORITIES, STATUSES, RunRecord
from .timefmt import iso_s, to_epoch
from .timeline import Timeline, build_timeline

__all__ = ["Workspace"]

_When = datetime | float | int | None
_CACHE = 4096


class Workspace:
    def __init__(self, config: SimConfig, clock: Clock) -> None:
        self.config = config
        self.clock = clock
        self.texter = Texter(config.hostile)
        self.catalog: Catalog = build_catalog(config.seed, self.texter)
        self.engine = Engine(
            self.catalog,
            config.seed,
            config.workers,
            config.arrival_per_min,
            clock.now().timestamp(),
        )
        load_history(self.engine, config.history, config.history_window.total_seconds())
        self.engine.begin()
        self._timelines: OrderedDict[int, Timeline] = OrderedDict()

    # -- identity ------------------------------------------------------------------------

    @property
    def workspace_id(self) -> str:
        return self.catalog.workspace_id

    @property
    def workflow_ids(self) -> list[str]:
        return [w.id for w in self.catalog.workflows]

    @property
    def credential_ids(self) -> list[str]:
        return [c.permissioned_user_id for c in self.catalog.credentials]

    @property
    def now(self) -> float:
        """The workspace's own time (epoch seconds); it never goes backwards."""
        return self.engine.t

    # -- time and actions ----------------------------------------------------------------

    def advance(self) -> None:
        """Process every event due up to clock.now()."""
        self.engine.run_until(self.clock.now().timestamp())

    def start_run(
        self,
        workflow_id: str,
        run_input_variables: dict[str, Any],
        priority: str = "LOW",
        dry_run: bool = False,
        debug: bool = False,
    ) -> str:
        """Queue a run like POST /run (inputs are taken as given); returns its session_id."""
        wf = self.catalog.by_id.get(workflow_id)
        if wf is None:
            raise LookupError(f"unknown workflow {workflow_id!r}")
        if priority not in PRIORITIES:
            raise ValueError(f"priority must be one of {', '.join(PRIORITIES)}")
        self.advance()
        run = self.engine.create(
            self.engine.t,
            workflow=wf,
            priority=priority,
            dry_run=dry_run,
            debug=debug,
            inputs=dict(run_input_variables),
        )
        return run.session_id

    def interrupt(self, session_id: str) -> bool:
        """Stop a run (or clear it from the queue). False if the run is unknown."""
        self.advance()
        run = self.engine.by_id.get(session_id)
        if run is None:
            return False
        self.engine.interrupt(run, self.engine.t)
        return True

    # -- queries -------------------------------------------------------------------------

    def list_runs(
        self,
        *,
        start_time: _When = None,
        end_time: _When = None,
        workflow_ids: Iterable[str] | None = None,
        statuses: Iterable[str] | None = None,
        credential_ids: Iterable[str] | None = None,
        limit: int = 1000,
        cursor: _When = None,
        workflow_id: str | None = None,
        status: str | None = None,
        credential_id: str | None = None,
    ) -> list[dict[str, Any]]:
        """GET /runs rows, newest first (no validation: the HTTP layer does that).

        The singular filters are merged with the plural ones (a union, as the API does).
        """
        self.advance()
        workflow_ids = _merge(workflow_ids, workflow_id)
        statuses = _merge(statuses, status)
        credential_ids = _merge(credential_ids, credential_id)
        eng = self.engine
        lo_t = eng.t - 86400.0 if start_time is None else to_epoch(start_time)
        first = math.ceil(lo_t)  # created_at >= start_time
        last: float = math.inf  # created_at <= last ...
        if end_time is not None:
            last = to_epoch(end_time)
        below = math.inf if cursor is None else to_epoch(cursor)  # ... and < cursor
        wf = set(workflow_ids) if workflow_ids else None
        st = set(statuses) if statuses else None
        cr = set(credential_ids) if credential_ids else None
        out: list[dict[str, Any]] = []
        if st is not None and st <= ACTIVE_STATUSES:
            cands = sorted(
                (
                    r
                    for r in eng.active.values()
                    if r.status in st and first <= r.created <= last and r.created < below
                ),
                key=lambda r: r.seq,
                reverse=True,
            )
            for run in cands:
                if self._match(run, wf, cr):
                    out.append(self._row(run))
                    if len(out) >= limit:
                        break
            return out
        created = eng.created
        lo = bisect_left(created, first)
        hi = len(created)
        if last != math.inf:
            hi = bisect_right(created, math.floor(last))
        if below != math.inf:
            hi = min(hi, bisect_left(created, below))
        runs = eng.runs
        for i in range(hi - 1, lo - 1, -1):
            run = runs[i]
            if st is not None and run.status not in st:
                continue
            if self._match(run, wf, cr):
                out.append(self._row(run))
                if len(out) >= limit:
                    break
        return out

    def get_run(self, session_id: str) -> dict[str, Any] | None:
        self.advance()
        run = self.engine.by_id.get(session_id)
        if run is None:
            return None
        wf = self.catalog.by_id[run.workflow_id]
        return copy.deepcopy(
            render_detail(
                run,
                wf,
                self._timeline(run, wf),
                self.catalog,
                self.engine.t,
                self.config.file_url_ttl.total_seconds(),
            )
        )

    def debug_snapshot(self, session_id: str, node_id: str) -> dict[str, Any] | None:
        """The debug-snapshot body, or None (unknown run, run without debug, foreign node)."""
        self.advance()
        run = self.engine.by_id.get(session_id)
        if run is None or not run.debug:
            return None
        wf = self.catalog.by_id[run.workflow_id]
        if not any(n.id == node_id for n in wf.nodes):
            return None
        return copy.deepcopy(
            render_snapshot(
                run,
                wf,
                self._timeline(run, wf),
                self.catalog,
                node_id,
                self.engine.t,
                self.config.snapshot_ttl.total_seconds(),
            )
        )

    def list_workflows(self) -> list[dict[str, Any]]:
        self.advance()
        return copy.deepcopy([w.summary() for w in self.catalog.workflows])

    def get_workflow(self, workflow_id: str) -> dict[str, Any] | None:
        self.advance()
        wf = self.catalog.by_id.get(workflow_id)
        return None if wf is None else copy.deepcopy(wf.definition())

    def workflow(self, workflow_id: str) -> Workflow | None:
        return self.catalog.by_id.get(workflow_id)

    # -- introspection for tests ---------------------------------------------------------

    def all_runs(self) -> list[RunRecord]:
        """Every run's compact record, oldest first (has .priority, .status, ...)."""
        return list(self.engine.runs)

    def record(self, session_id: str) -> RunRecord | None:
        return self.engine.by_id.get(session_id)

    def counts(self) -> dict[str, int]:
        """Number of runs per status (all seven statuses present, zero if none)."""
        c = Counter(r.status for r in self.engine.runs)
        return {s: c.get(s, 0) for s in STATUSES}

    def queue_lengths(self) -> dict[str, int]:
        return self.engine.queue_lengths()

    # -- helpers -------------------------------------------------------------------------

    @staticmethod
    def _match(run: RunRecord, wf: set[str] | None, cr: set[str] | None) -> bool:
        if wf is not None and run.workflow_id not in wf:
            return False
        if cr is not None:
            c = run.cred
            if c is None:
                return False
            if isinstance(c, str):
                return c in cr
            return any(x in cr for x in c)
        return True

    def _row(self, run: RunRecord) -> dict[str, Any]:
        start = run.start
        return {
            "session_id": run.session_id,
            "status": run.status,
            "created_at": iso_s(run.created),
            "workflow_id": run.workflow_id,
            "workspace_id": self.catalog.workspace_id,
            "execution_start": None if start is None else iso_s(start),
            "execution_end": None if run.end is None else iso_s(run.end),
            "dry_run": run.dry_run,
        }

    def _timeline(self, run: RunRecord, wf: Workflow) -> Timeline:
        if not run.terminal:
            return build_timeline(run, wf, self.texter)
        cache = self._timelines
        tl = cache.get(run.seq)
        if tl is None:
            tl = cache[run.seq] = build_timeline(run, wf, self.texter)
            if len(cache) > _CACHE:
                cache.popitem(last=False)
        else:
            cache.move_to_end(run.seq)
        return tl


def _merge(many: Iterable[str] | None, one: str | None) -> list[str] | None:
    if one is None:
        return None if many is None else list(many)
    return [*(many or ()), one]
