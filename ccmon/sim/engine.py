"""The discrete-event core: arrivals, a strict-priority dispatcher, attempts, requeues, pauses.

All times are float epoch seconds on the simulation clock. Events are processed in
(time, insertion order), so the same seed and the same clock moves give the same history.
"""

from __future__ import annotations

import heapq
import itertools
import random
from collections import Counter
from typing import Any

from .catalog import Catalog, Workflow
from .pauses import BUCKET, PauseSchedule, Window
from .planner import new_run
from .records import PAUSED, PRIORITIES, QUEUED, REQUEUED, STARTED, STOPPED, RunRecord
from .util import Weighted, derive_seed

__all__ = ["Engine"]

ARRIVAL, BURST, READY, END, CANCEL, PAUSE_ON, PAUSE_OFF, NEXT_BUCKET = range(8)
WAITING = frozenset({QUEUED, PAUSED, REQUEUED})
BURST_PROBABILITY = 1 / 100  # per autonomous arrival
_BURST_PRIORITY = Weighted([("HIGH", 0.25), ("MEDIUM", 0.25), ("LOW", 0.5)])


class Engine:
    def __init__(
        self, catalog: Catalog, seed: int, workers: int, arrival_per_min: float, t0: float
    ) -> None:
        self.catalog = catalog
        self.seed = seed
        self.workers = workers
        self.rate = arrival_per_min / 60.0
        self.t = t0
        self.schedule = PauseSchedule(
            seed,
            [w.id for w in catalog.workflows],
            [c.permissioned_user_id for c in catalog.credentials],
        )
        self.runs: list[RunRecord] = []  # ordered by (created, seq)
        self.created: list[int] = []  # parallel to runs, for bisect
        self.by_id: dict[str, RunRecord] = {}
        self.active: dict[int, RunRecord] = {}  # non-terminal runs by seq
        self.running: dict[int, RunRecord] = {}
        self.next_seq = 0
        self._heap: list[tuple[float, int, int, Any]] = []
        self._order = itertools.count()
        self._queues: dict[str, list[tuple[float, int, RunRecord]]] = {p: [] for p in PRIORITIES}
        self._held: list[RunRecord] = []  # popped while paused; re-queued when the pause ends
        self._paused: Counter[str] = Counter()
        self._arrivals = random.Random(derive_seed(seed, "arrivals"))
        self._handlers = {
            ARRIVAL: self._on_arrival,
            BURST: self._on_burst,
            READY: self._on_ready,
            END: self._on_end,
            CANCEL: self._on_cancel,
            PAUSE_ON: self._on_pause_on,
            PAUSE_OFF: self._on_pause_off,
            NEXT_BUCKET: self._on_bucket,
        }

    # -- setup ---------------------------------------------------------------------------

    def begin(self) -> None:
        """Start the live processes at self.t (after any history was loaded)."""
        bucket = int(self.t // BUCKET)
        for w in self.schedule.windows(bucket):
            if w.end > self.t:
                self.push(max(w.start, self.t), PAUSE_ON, w)
        self.push((bucket + 1) * BUCKET, NEXT_BUCKET, bucket + 1)
        if self.rate > 0:
            self.push(self.t + self._arrivals.expovariate(self.rate), ARRIVAL, None)
        self.dispatch(self.t)

    def push(self, t: float, kind: int, obj: Any) -> None:
        heapq.heappush(self._heap, (t, next(self._order), kind, obj))

    def enqueue(self, run: RunRecord, qkey: float) -> None:
        run.qkey = qkey
        heapq.heappush(self._queues[run.priority], (qkey, run.seq, run))

    def register(self, run: RunRecord) -> None:
        """Add a run (in created order) to the indexes; active runs also to the active set."""
        self.runs.append(run)
        self.created.append(run.created)
        self.by_id[run.session_id] = run
        self.next_seq = max(self.next_seq, run.seq + 1)
        if not run.terminal:
            self.active[run.seq] = run

    # -- time ----------------------------------------------------------------------------

    def run_until(self, now: float) -> None:
        heap = self._heap
        while heap and heap[0][0] <= now:
            t, _, kind, obj = heapq.heappop(heap)
            self.t = max(self.t, t)
            self._handlers[kind](obj, self.t)
        self.t = max(self.t, now)

    # -- runs ----------------------------------------------------------------------------

    def create(
        self,
        t: float,
        *,
        workflow: Workflow | None = None,
        priority: str | None = None,
        dry_run: bool | None = None,
        debug: bool | None = None,
        inputs: dict[str, Any] | None = None,
    ) -> RunRecord:
        run = new_run(
            self.catalog,
            self.seed,
            self.next_seq,
            t,
            workflow=workflow,
            priority=priority,
            dry_run=dry_run,
            debug=debug,
            inputs=inputs,
        )
        self.register(run)
        if self.is_paused(run):
            run.status = PAUSED
        self.push(t + run.plan.accept, READY, run)
        if run.plan.cancel_after is not None:
            self.push(t + run.plan.cancel_after, CANCEL, run)
        return run

    def is_paused(self, run: RunRecord) -> bool:
        if not self._paused:
            return False
        if run.workflow_id in self._paused:
            return True
        return any(c in self._paused for c in run.credential_ids())

    def interrupt(self, run: RunRecord, t: float) -> None:
        if run.terminal:
            return
        if run.status == STARTED:
            self.running.pop(run.seq, None)
            run.end = t
        else:  # cleared from the queue; a requeued run had started before
            run.end = t if run.starts else None
        run.status = STOPPED
        self.active.pop(run.seq, None)
        self.dispatch(t)

    def dispatch(self, t: float) -> None:
        while len(self.running) < self.workers:
            run = self._pop_eligible()
            if run is None:
                return
            self._start(run, t)

    def queue_lengths(self) -> dict[str, int]:
        """Runs waiting for a worker per priority (for tests and diagnostics)."""
        return {p: sum(1 for _, _, r in q if r.status in WAITING) for p, q in self._queues.items()}

    def eligible_waiting(self, priority: str) -> int:
        """Runs of `priority` in the dispatch queue that a free worker could take now."""
        return sum(
            1 for _, _, r in self._queues[priority] if r.status in WAITING and not self.is_paused(r)
        )

    def _pop_eligible(self) -> RunRecord | None:
        for prio in PRIORITIES:
            q = self._queues[prio]
            while q:
                run = heapq.heappop(q)[2]
                if run.status not in WAITING:
                    continue  # interrupted while queued
                if self.is_paused(run):
                    self._held.append(run)
                    continue
                return run
        return None

    def _start(self, run: RunRecord, t: float) -> None:
        attempt = len(run.starts)
        run.starts.append(t)
        run.status = STARTED
        self.running[run.seq] = run
        self.push(t + run.plan.durations[attempt], END, (run, attempt))

    # -- event handlers ------------------------------------------------------------------

    def _on_arrival(self, _: None, t: float) -> None:
        rng = self._arrivals
        self.create(t)
        if rng.random() < BURST_PROBABILITY:
            wf = self.catalog.pick(rng)
            prio = _BURST_PRIORITY(rng)
            spread = rng.uniform(10.0, 60.0)
            for _ in range(rng.randint(12, 40)):
                self.push(t + rng.uniform(0.0, spread), BURST, (wf, prio))
        self.push(t + rng.expovariate(self.rate), ARRIVAL, None)

    def _on_burst(self, obj: tuple[Workflow, str], t: float) -> None:
        self.create(t, workflow=obj[0], priority=obj[1])

    def _on_ready(self, run: RunRecord, t: float) -> None:
        if run.status not in WAITING:
            return
        self.enqueue(run, t)
        self.dispatch(t)

    def _on_end(self, obj: tuple[RunRecord, int], t: float) -> None:
        run, attempt = obj
        if run.status != STARTED or len(run.starts) != attempt + 1:
            return  # interrupted meanwhile
        self.running.pop(run.seq, None)
        plan = run.plan
        if attempt < len(plan.durations) - 1:
            run.status = REQUEUED
            run.retries += 1
            self.push(t + plan.backoffs[attempt], READY, run)
        else:
            run.status = plan.final
            run.end = t
            self.active.pop(run.seq, None)
        self.dispatch(t)

    def _on_cancel(self, run: RunRecord, t: float) -> None:
        self.interrupt(run, t)

    def _on_pause_on(self, w: Window, t: float) -> None:
        self._paused[w.key] += 1
        self.push(w.end, PAUSE_OFF, w)
        for run in self.active.values():
            if run.status == QUEUED and self.is_paused(run):
                run.status = PAUSED

    def _on_pause_off(self, w: Window, t: float) -> None:
        self._paused[w.key] -= 1
        if self._paused[w.key] <= 0:
            del self._paused[w.key]
        for run in self.active.values():
            if run.status == PAUSED and not self.is_paused(run):
                run.status = QUEUED
        held, self._held = self._held, []
        for run in held:
            if run.status not in WAITING:
                continue
            if self.is_paused(run):
                self._held.append(run)
            else:
                heapq.heappush(self._queues[run.priority], (run.qkey, run.seq, run))
        self.dispatch(t)

    def _on_bucket(self, bucket: int, t: float) -> None:
        for w in self.schedule.windows(bucket):
            self.push(w.start, PAUSE_ON, w)
        self.push((bucket + 1) * BUCKET, NEXT_BUCKET, bucket + 1)
