"""Run details: one queue of requests, most urgent first, without duplicates, and the
fetching of one batch from it into the store."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from enum import IntEnum

from ccmon.api import errors
from ccmon.api.models import RunDetail
from ccmon.sync.records import ChangeSet, RunRecord
from ccmon.sync.store import RunStore

log = logging.getLogger("ccmon.sync")


class Tier(IntEnum):
    """Why a detail is wanted; lower is more urgent."""

    FINISHED = 0  # just left the active set: its errors and artifacts are final
    CHANGED = 1  # an active run changed status (requeued: its retries moved)
    VISIBLE = 2  # on screen without a detail yet
    RETRY = 3  # failed before (a fault): asked again before any backfill
    BACKFILL = 4  # failures of the last hour, for the failures view and the wallboard


class DetailQueue:
    def __init__(self) -> None:
        self._tiers: dict[Tier, dict[str, None]] = {tier: {} for tier in Tier}
        self._where: dict[str, Tier] = {}

    def want(self, session_id: str, tier: Tier) -> None:
        """Queue a run; a more urgent tier moves it up, a less urgent one is ignored."""
        current = self._where.get(session_id)
        if current is not None:
            if current <= tier:
                return
            del self._tiers[current][session_id]
        self._tiers[tier][session_id] = None
        self._where[session_id] = tier

    def status_changed(self, record: RunRecord) -> None:
        """A run's status changed. Its detail is wanted if it says something new: why a
        run failed, stopped or was requeued, or a newer version of a detail already
        shown. A success's or a start's detail waits until the run is on screen or
        opened; fetching every one crowded failures out of the queue under load."""
        status, sid = record.status, record.session_id
        if status.terminal:
            if status != "execution.success" or record.detail is not None:
                self.want(sid, Tier.FINISHED)
            else:  # queued when it was seen ending, to tell how: its row told first
                self.discard(sid)
        elif status == "execution.requeued" or record.detail is not None:
            self.want(sid, Tier.CHANGED)

    def retry_later(self, session_id: str) -> None:
        self.want(session_id, Tier.RETRY)

    def take(self, count: int, background: int | None = None) -> list[str]:
        """Up to ``count`` ids, most urgent first; at most ``background`` of them from
        the backfill and retry tiers, so history never crowds out what is happening."""
        taken: list[str] = []
        for tier in Tier:
            queue = self._tiers[tier]
            limit = count
            if background is not None and tier >= Tier.RETRY:
                limit = min(count, len(taken) + background)
                background = max(0, background - len(queue))
            while queue and len(taken) < limit:
                sid = next(iter(queue))
                del queue[sid]
                del self._where[sid]
                taken.append(sid)
        return taken

    def discard(self, session_id: str) -> None:
        tier = self._where.pop(session_id, None)
        if tier is not None:
            del self._tiers[tier][session_id]

    def __len__(self) -> int:
        return len(self._where)

    def __contains__(self, session_id: object) -> bool:
        return session_id in self._where


async def fetch_batch(
    batch: list[str],
    get_run: Callable[[str], Awaitable[RunDetail]],
    queue: DetailQueue,
    store: RunStore,
    now: Callable[[], datetime],
    concurrency: int,
) -> ChangeSet:
    """Fetch the details of ``batch`` (at most ``concurrency`` at once) into the store. A
    run the API no longer knows is dropped; a rate-limited one goes back to the front of
    the queue (then the 429 is raised), any other failure is retried later."""
    changes = ChangeSet()
    limit = asyncio.Semaphore(concurrency)

    async def one(sid: str) -> RunDetail | Exception:
        async with limit:
            try:
                return await get_run(sid)
            except errors.CloudCruiseError as exc:
                return exc

    results = await asyncio.gather(*(one(sid) for sid in batch))
    limited: errors.RateLimited | None = None
    for sid, result in zip(batch, results, strict=True):
        if isinstance(result, RunDetail):
            changes.merge(store.apply_detail(result, now()))
        elif isinstance(result, errors.NotFound):
            changes.merge(store.remove([sid]))
        elif isinstance(result, errors.RateLimited):
            queue.want(sid, Tier.FINISHED)  # every limited one, not the first only
            limited = result
        else:
            log.info("detail of %s failed: %s", sid, result)
            queue.retry_later(sid)
    if limited is not None:
        raise limited
    return changes
