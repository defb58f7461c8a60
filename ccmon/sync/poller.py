"""The poller: what to ask the API, and when.

A first load pages through the window. Each steady tick then costs a few small
requests, whatever the history: runs newer than the newest one seen, a change probe
over the older ones (:mod:`ccmon.sync.probe`), the list rows of runs it saw end, and a
capped number of run details from one queue. A full resync every few minutes catches
anything missed. Ticks never overlap: the next one is scheduled when the current one
ends.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from ccmon.api import errors
from ccmon.api.client import CloudCruiseClient, InvalidRow
from ccmon.api.models import ACTIVE_STATUSES, RunDetail, RunSummary, Workflow
from ccmon.sync import probe
from ccmon.sync.details import DetailQueue, Tier, fetch_batch
from ccmon.sync.health_text import known_ids
from ccmon.sync.records import ChangeSet, Health
from ccmon.sync.store import RunStore

log = logging.getLogger("ccmon.sync")
Listener = Callable[[ChangeSet, Health], None]


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass
class SyncConfig:
    interval: float = 2.0
    window: timedelta = timedelta(hours=24)
    page_size: int = 1000
    # New runs are asked from the newest created_at seen (inclusive), less this overlap
    # for a run that becomes visible a little after a newer one (commit lag, far below a
    # second). A later one is still found: the probe returns it when its status is in
    # its segment's filter, and the full resync in any case.
    overlap: timedelta = timedelta(seconds=1)
    probe_segments: int = 3  # created_at segments of the change probe
    settle: probe.SettlePolicy = field(default_factory=probe.SettlePolicy)  # rows of ended runs
    resync_every: timedelta = timedelta(minutes=5)
    workflows_every: timedelta = timedelta(minutes=10)
    detail_concurrency: int = 4
    details_per_tick: int = 8
    backfill_per_tick: int = 2  # details of older runs (failures, visible rows) per tick
    backfill_failures: bool = True
    min_interval: float = 0.5
    max_interval: float = 300.0
    unfocused_factor: float = 5.0  # poll this much slower while the terminal is unfocused
    idle_after: int = 15  # quiet ticks before polling slows down
    idle_factor: float = 3.0  # how much slower, while nothing changes
    slowest: float = 30.0  # never slower than this, whatever the reason


class Poller:
    def __init__(
        self,
        client: CloudCruiseClient,
        store: RunStore,
        config: SyncConfig | None = None,
        *,
        now: Callable[[], datetime] = utcnow,
        listener: Listener | None = None,
        reload_journal: Callable[[], list[str]] | None = None,
    ) -> None:
        self.client = client
        self.store = store
        self.config = config or SyncConfig()
        self.now = now
        self.listener = listener
        self.reload_journal = reload_journal
        self.health = Health(interval=self.config.interval)
        self.details = DetailQueue()
        self.split_statuses = False  # set when the API ignores the `statuses` filter
        self._probed_at: datetime | None = None  # the last probe (or full load) that worked
        self._ending: dict[str, tuple[datetime, int]] = {}  # row due: id -> (created, tick)
        self._active_times: list[datetime] = []  # created_at of the active runs probed
        self.ticks = 0
        self._last_full: datetime | None = None
        self._last_workflows: datetime | None = None
        self._wake = asyncio.Event()
        self._stopped = False
        self.unfocused = False
        self.quiet_ticks = 0

    # --- control -------------------------------------------------------------------

    @property
    def interval(self) -> float:
        return self.config.interval

    def set_interval(self, seconds: float) -> float:
        seconds = min(self.config.max_interval, max(self.config.min_interval, seconds))
        self.config.interval = self.health.interval = seconds
        self._update_pace()
        return seconds

    def set_unfocused(self, unfocused: bool) -> None:
        """The terminal lost (or got back) focus: poll slower meanwhile."""
        if unfocused != self.unfocused:
            self.unfocused = unfocused
            self._update_pace()
            if not unfocused:
                self._wake.set()  # back in front: fresh data now

    def _update_pace(self) -> None:
        """How much slower than the interval we poll, and why (for the header)."""
        config, health = self.config, self.health
        factor, why = 1.0, None
        if self.unfocused:
            factor, why = config.unfocused_factor, "unfocused"
        elif self.quiet_ticks >= config.idle_after:
            factor, why = config.idle_factor, "idle"
        pace = min(max(config.interval, config.slowest), config.interval * factor)
        if why is None or pace <= config.interval:
            health.slowed, health.effective_interval = None, None
        else:
            health.slowed, health.effective_interval = f"{why}: every {pace:g}s", pace

    def pause(self) -> None:
        self.health.paused = True

    def resume(self) -> None:
        self.health.paused = False
        self._wake.set()

    def refresh_now(self) -> None:
        self.quiet_ticks = 0
        self._update_pace()
        self._wake.set()

    def stop(self) -> None:
        self._stopped = True
        self._wake.set()

    def want_details(self, session_ids: Iterable[str], tier: Tier = Tier.VISIBLE) -> None:
        """Ask for details of runs the user can see (fetched in the next ticks)."""
        for sid in session_ids:
            record = self.store.get(sid)
            if record is not None and record.detail is None:
                self.details.want(sid, tier)

    async def run(self) -> None:
        """Poll until :meth:`stop`; never raises for API trouble."""
        while not self._stopped:
            if not self.health.paused:
                await self.tick()
            await self._wait(self._next_delay())

    async def _wait(self, seconds: float) -> None:
        self._wake.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout=seconds)

    def _next_delay(self) -> float:
        if self.health.paused:
            return 3600.0
        pace = self.health.effective_interval or self.config.interval
        return max(pace, self.health.rate_limit_wait(self.now()))

    # --- one tick ------------------------------------------------------------------

    async def tick(self) -> ChangeSet:
        """One poll. Errors are recorded in :attr:`health`, never raised."""
        now = self.now()
        self.health.last_attempt = now
        changes, aged = ChangeSet(), ChangeSet()
        try:
            first = not self.store.loaded
            if self._full_due(now):  # runs and names at once: the first screen comes sooner
                # (the runs first: their page takes the API longest to prepare)
                rows, names = await asyncio.gather(
                    self._full_load(now), self._refresh_workflows(now)
                )
                changes.merge(rows)
                changes.merge(names)
            else:
                changes.merge(await self._refresh_workflows(now))
                changes.merge(await self._steady(now))
            if self.reload_journal is not None and (started := self.reload_journal()):
                changes.merge(self.store.refresh_priorities(started))
            if not first:  # the first screen does not wait for details
                changes.merge(await self._fetch_details())
            aged = self.store.prune(now - self.config.window)
        except errors.RateLimited as exc:
            self._failed(exc, now)
            self.health.state = "rate_limited"
            self.health.rate_limited_until = self.now() + timedelta(seconds=exc.retry_after)
        except errors.CloudCruiseError as exc:
            self._failed(exc, now)
        except Exception as exc:  # a bug must not stop the monitor: report it and go on
            log.exception("poll failed")
            self._failed(exc, now, f"internal error: {type(exc).__name__}: {exc}")
        else:
            self.health.state = "ok"
            self.health.last_success = self.now()
            self.health.consecutive_failures = 0
            self.health.last_error = None
            self.health.rate_limited_until = None
        self.health.invalid_rows = len(self.store.invalid)
        self.health.invalid_ids = known_ids(self.store.invalid)
        # runs ageing out of the window go every few polls: that is not activity
        self.quiet_ticks = 0 if changes.activity else self.quiet_ticks + 1
        changes.merge(aged)
        self._update_pace()
        self.ticks += 1
        if self.listener is not None:
            self.listener(changes, self.health)
        return changes

    def _failed(self, exc: Exception, now: datetime, message: str | None = None) -> None:
        self.health.consecutive_failures += 1
        self.health.last_error = message or str(exc)
        self.health.state = "error" if isinstance(exc, errors.AuthError) else "retrying"
        log.warning("poll failed: %s", self.health.last_error)

    def _full_due(self, now: datetime) -> bool:
        return (
            not self.store.loaded
            or self._last_full is None
            or now - self._last_full >= self.config.resync_every
        )

    async def _full_load(self, now: datetime) -> ChangeSet:
        window_start = now - self.config.window
        rows, invalid = await self._pages(start_time=window_start)
        first = not self.store.loaded
        changes = self.store.apply_rows(
            rows,
            invalid=invalid,
            complete=lambda rec: rec.created_at is None or rec.created_at >= window_start,
        )
        self._last_full = self._probed_at = now
        self._ending.clear()
        if first and self.config.backfill_failures:
            hour_ago = now - timedelta(hours=1)
            failed = sorted(
                (
                    r
                    for r in rows
                    if r.status == "execution.failed" and (r.created_at or now) >= hour_ago
                ),
                key=lambda r: r.created_at or now,
                reverse=True,
            )
            for row in failed:
                self.details.want(row.session_id, Tier.BACKFILL)
        return changes

    async def _steady(self, now: datetime) -> ChangeSet:
        window_start = now - self.config.window
        newest = self.store.newest_created_at()
        since = max(window_start, newest - self.config.overlap) if newest else window_start
        new_rows, invalid = await self._pages(start_time=since)
        changes = self.store.apply_rows(new_rows, invalid=invalid)
        if not self.split_statuses and await self._probe(window_start, since, now, changes):
            args = (self._ending, self._active_times, self.ticks, self.config.settle)
            changes.merge(await probe.settle(self._pages, self.store, *args))
        else:  # the way without the probe: every active run, then the ones that left
            before_active = self.store.active_ids()
            active_rows, bad = await self._active_rows(window_start)
            changes.merge(self.store.apply_rows(active_rows, invalid=bad))
            still = {r.session_id for r in [*active_rows, *new_rows] if r.status in ACTIVE_STATUSES}
            departed = sorted(sid for sid in before_active - still if sid in self.store.runs)
            if departed:
                changes.merge(await self._settle(departed))
        for sid, fields in changes.changed.items():
            if "status" in fields and (record := self.store.get(sid)) is not None:
                self.details.status_changed(record)
        return changes

    async def _probe(
        self, window_start: datetime, since: datetime, now: datetime, changes: ChangeSet
    ) -> bool:
        """Ask the runs created before ``since`` what changed (see :mod:`probe`). False
        when the probe cannot be used: an active run without created_at, or the API
        turned out to ignore ``statuses`` (then the probe's rows are applied as they are)."""
        active, undated = self.store.active_by_created(window_start, since)
        if undated:
            return False
        self._active_times = [created for created, _, _ in active]
        count, most = self.store.count_created, self.config.probe_segments
        plan = probe.plan(
            active, count, window_start, since, ending=self._ending, max_segments=most
        )
        started = probe.midpoint(self._probed_at, now)
        ended = await probe.ask(self._pages, self.store, plan, started, changes)
        if ended is None:
            log.info("the API ignored `statuses`; asking per status")
            self.split_statuses = True
            return False
        for sid in ended:  # over, with a terminal status still unknown: rows next
            record = self.store.get(sid)
            if record is not None and record.created_at is not None:
                self._ending[sid] = (record.created_at, self.ticks)
                self.details.want(sid, Tier.FINISHED)
        self._probed_at = now
        return True

    async def _pages(self, **filters: object) -> tuple[list[RunSummary], list[InvalidRow]]:
        page = await self.client.collect_runs(page_size=self.config.page_size, **filters)
        return page.rows, page.invalid

    async def _active_rows(self, since: datetime) -> tuple[list[RunSummary], list[InvalidRow]]:
        """The active runs: one request with ``statuses``; if the API turns out to ignore
        that filter (an [I] in the reference), one request per status from then on."""
        if not self.split_statuses:
            rows, invalid = await self._pages(start_time=since, statuses=ACTIVE_STATUSES)
            if all(r.status in ACTIVE_STATUSES for r in rows):
                return rows, invalid
            log.info("the API ignored `statuses`; asking per status")
            self.split_statuses = True
        rows, invalid = [], []
        for status in ACTIVE_STATUSES:
            some, bad = await self._pages(start_time=since, status=status)
            rows.extend(r for r in some if r.status == status)
            invalid.extend(bad)
        return rows, invalid

    async def _settle(self, departed: list[str]) -> ChangeSet:
        """Runs that left the active set: fetch their list rows (for the end time) by
        asking for the narrow created_at spans they sit in, then their details."""
        changes = ChangeSet()
        times = sorted(
            (self.store.runs[sid].created_at, sid)
            for sid in departed
            if self.store.runs[sid].created_at is not None
        )
        wanted = set(departed)
        for start, end in probe.spans([t for t, _ in times], gap=timedelta(seconds=60)):
            rows, invalid = await self._pages(start_time=start, end_time=end + timedelta(seconds=1))
            mine = [r for r in rows if r.session_id in wanted]
            changes.merge(self.store.apply_rows(mine, invalid=invalid))
        for sid in departed:  # no row says how it ended: its detail will
            record = self.store.get(sid)
            if record is not None and not record.status.terminal:
                self.details.want(sid, Tier.FINISHED)
        return changes

    async def _fetch_details(self) -> ChangeSet:
        batch = self.details.take(self.config.details_per_tick, self.config.backfill_per_tick)
        if not batch:
            return ChangeSet()
        concurrency = self.config.detail_concurrency
        return await fetch_batch(
            batch, self.client.get_run, self.details, self.store, self.now, concurrency
        )

    async def _refresh_workflows(self, now: datetime) -> ChangeSet:
        last = self._last_workflows
        if last is not None and now - last < self.config.workflows_every:
            return ChangeSet()
        try:
            workflows = await self.client.list_workflows()
        except errors.RateLimited:
            raise
        except errors.CloudCruiseError as exc:
            log.info("workflow names unavailable: %s", exc)
            return ChangeSet()
        self._last_workflows = now
        return self.store.set_workflows(workflows)

    # --- on demand -----------------------------------------------------------------

    async def fetch_queued_details(self) -> ChangeSet:
        """Fetch one batch of the queued details now (one-shot users: ``ccmon snapshot``)."""
        return await self._fetch_details()

    async def fetch_detail(self, session_id: str) -> RunDetail:
        """Fetch one run now (the open detail pane); the store is updated too."""
        detail = await self.client.get_run(session_id)
        changes = self.store.apply_detail(detail, self.now())
        if changes and self.listener is not None:
            self.listener(changes, self.health)
        return detail

    async def fetch_workflow(self, workflow_id: str) -> Workflow:
        info = self.store.workflows.get(workflow_id)
        if info is not None and info.definition is not None:
            return info.definition
        workflow = await self.client.get_workflow(workflow_id)
        self.store.set_workflow_definition(workflow)
        return workflow
