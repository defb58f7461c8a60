"""The change probe: which created_at segments to ask about, and with which statuses.

A run's status falls in one of five classes: Q (queued), S (start), P (paused),
R (requeued) and T (terminal: success, failed, stopped). An active run may move to any
other class; a terminal one never moves. A ``GET /runs`` over a created_at segment with
a ``statuses`` set X made of every class but one, E, therefore tells every change of the
runs known in that segment: a run now in X comes back with its whole row, and a known
run that was in X and does not come back must now be in E.

The known runs, oldest first, are cut into at most a few contiguous segments and each
segment gets the E (T, S or Q) that makes the fewest rows come back: recent runs are
mostly running (exclude S), older ones mostly over (exclude T). The plan is made from
the store alone: the active runs (an index) and the count of runs between two times (a
bisection), so runs long over cost nothing per tick. The planning is pure; :func:`ask`
and :func:`settle` send the requests it plans.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Awaitable, Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import pairwise
from typing import Any

from ccmon.api.client import InvalidRow
from ccmon.api.models import KNOWN_STATUSES, TERMINAL_STATUSES, RunSummary
from ccmon.sync.records import ChangeSet, RunRecord
from ccmon.sync.store import RunStore

QUEUED, START = "execution.queued", "execution.start"
CLASS_OF: dict[str, str] = {
    QUEUED: "Q",
    START: "S",
    "execution.paused": "P",
    "execution.requeued": "R",
    **{status: "T" for status in TERMINAL_STATUSES},
}
EXCLUDABLE = ("T", "S", "Q")  # P and R are too rare to be worth leaving out
TICK = timedelta(microseconds=1)  # just after a created_at: the API's times are precise to it
TERMINAL = tuple(s for s in KNOWN_STATUSES if s in TERMINAL_STATUSES)
_MAX_GROUPS = 256  # plan over at most this many blocks of runs (CPU stays flat)


def statuses_for(excluded: str) -> tuple[str, ...]:
    """The ``statuses`` filter X that leaves out the class ``excluded``."""
    return tuple(s for s in KNOWN_STATUSES if CLASS_OF[s] != excluded)


@dataclass
class Segment:
    """Runs created in ``[start, end)`` asked with every status but class ``excluded``."""

    start: datetime
    end: datetime
    excluded: str
    members: list[tuple[str, str]] = field(default_factory=list)  # (session_id, class)
    cost: int = 0  # rows expected back

    @property
    def statuses(self) -> tuple[str, ...]:
        return statuses_for(self.excluded)

    def ignored(self, rows: Iterable[RunSummary]) -> bool:
        """Did the API ignore ``statuses`` (a row of a known status outside X)?"""
        allowed = self.statuses
        return any(row.status.known and row.status not in allowed for row in rows)

    def absent(self, rows: Iterable[RunSummary], invalid: Iterable[InvalidRow]) -> list[str]:
        """Known runs that were in X and did not come back: now in class ``excluded``.
        None when a row without a readable id came back (it may be any run's)."""
        returned = {row.session_id for row in rows}
        for bad in invalid:
            if not bad.session_id:
                return []
            returned.add(bad.session_id)
        return [
            sid
            for sid, cls in self.members
            if cls not in (self.excluded, "U", "T") and sid not in returned
        ]


@dataclass
class _Group:
    """Tracked runs sharing one created_at (or a block of neighbours), with the runs
    not tracked (over, or ending) that sit among them."""

    first: datetime
    last: datetime
    counts: dict[str, int] = field(default_factory=dict)
    members: list[tuple[str, str]] = field(default_factory=list)
    over: int = 0  # the other known runs in the group: over (or of an unknown status)

    def cost(self, excluded: str) -> int:
        """Rows back if the group's segment leaves out class ``excluded``."""
        rows = len(self.members) - self.counts.get(excluded, 0)
        return rows if excluded == "T" else rows + self.over


def plan(
    active: Sequence[tuple[datetime, str, str]],
    count: Callable[[datetime, datetime], int],
    start: datetime,
    end: datetime,
    *,
    ending: Collection[str] = (),
    max_segments: int = 3,
) -> list[Segment]:
    """Segments partitioning ``[start, end)`` and their excluded classes.

    ``active``: (created_at, session_id, status) of the active runs in the range,
    oldest first; ``count(a, b)``: known runs created in ``[a, b)``; ``ending``: runs
    known to have ended whose rows are still due (counted as terminal).
    """
    if end <= start:
        return []
    groups = _groups(active, count, ending)
    if not groups:
        return [Segment(start, end, "T")]
    gaps = [count(start, groups[0].first)]
    gaps += [count(a.last + TICK, b.first) for a, b in pairwise(groups)]
    gaps.append(count(groups[-1].last + TICK, end))
    choice = _best(groups, gaps, max_segments)
    return _segments(groups, choice, start, end, gaps)


def _groups(
    active: Sequence[tuple[datetime, str, str]],
    count: Callable[[datetime, datetime], int],
    ending: Collection[str],
) -> list[_Group]:
    groups: list[_Group] = []
    group: _Group | None = None
    for created, sid, status in active:
        # "U": a status the reference does not list; such a run is never inferred from
        cls = "T" if sid in ending else CLASS_OF.get(status, "U")
        if group is None or group.last != created:
            group = _Group(created, created)
            groups.append(group)
        counts = group.counts
        counts[cls] = counts.get(cls, 0) + 1
        group.members.append((sid, cls))
    for group in groups:
        group.over = count(group.first, group.last + TICK) - len(group.members)
    while len(groups) > _MAX_GROUPS:  # coarser blocks: the terminal runs between go inside
        merged = []
        for a, b in zip(groups[::2], groups[1::2], strict=False):
            joined = _Group(a.first, b.last, members=a.members + b.members)
            for cls in {*a.counts, *b.counts}:
                joined.counts[cls] = a.counts.get(cls, 0) + b.counts.get(cls, 0)
            joined.over = count(a.first, b.last + TICK) - len(joined.members)
            merged.append(joined)
        if len(groups) % 2:
            merged.append(groups[-1])
        groups = merged
    return groups


def _best(groups: list[_Group], gaps: list[int], max_segments: int) -> list[str]:
    """The excluded class per group, fewest rows, at most ``max_segments`` runs of the
    same class (a dynamic programme: state = segments used, class of the last one).
    The terminal runs in a gap between segments go to the side that excludes T."""

    inf = float("inf")
    classes = range(len(EXCLUDABLE))
    pays = [e != "T" for e in EXCLUDABLE]  # does a segment excluding e pay for a gap?
    # moves[e]: (p, gap paid) for each class p != e a segment excluding e may follow
    moves = [
        [(p, "T" not in (EXCLUDABLE[p], EXCLUDABLE[e])) for p in classes if p != e] for e in classes
    ]
    costs = [[group.cost(e) for e in EXCLUDABLE] for group in groups]
    # best[k][e]: cost of groups[:j+1] in k+1 segments, the last one excluding e
    best = [[inf] * len(EXCLUDABLE) for _ in range(max_segments)]
    for e in classes:
        best[0][e] = costs[0][e] + (gaps[0] if pays[e] else 0)
    back: list[list[list[tuple[int, int]]]] = [[]]
    for j in range(1, len(groups)):
        gap, here_costs = gaps[j], costs[j]
        now: list[list[float]] = []
        step: list[list[tuple[int, int]]] = []
        before: list[float] | None = None  # best[k - 1]
        for k, row in enumerate(best):
            values: list[float] = []
            origins: list[tuple[int, int]] = []
            for e in classes:
                here = here_costs[e]
                value, origin = row[e] + (gap if pays[e] else 0) + here, (k, e)
                if before is not None:
                    for p, paid in moves[e]:
                        moved = before[p] + (gap if paid else 0) + here
                        if moved < value:
                            value, origin = moved, (k - 1, p)
                values.append(value)
                origins.append(origin)
            now.append(values)
            step.append(origins)
            before = row
        best = now
        back.append(step)
    last = len(groups) - 1
    _, k, name = min(
        (best[k][e] + (gaps[-1] if pays[e] else 0), k, EXCLUDABLE[e])
        for k in range(max_segments)
        for e in classes
    )
    e = EXCLUDABLE.index(name)
    choice = [name]
    for j in range(last, 0, -1):
        k, e = back[j][k][e]
        choice.append(EXCLUDABLE[e])
    choice.reverse()
    return choice


def _segments(
    groups: list[_Group], choice: list[str], start: datetime, end: datetime, gaps: list[int]
) -> list[Segment]:
    """Cut ``[start, end)`` where the excluded class changes; the terminal runs between
    two groups go to the side that leaves out T (to the left when neither does)."""
    segments = [Segment(start, end, choice[0])]
    for j, group in enumerate(groups):
        seg = segments[-1]
        gap_to = seg
        if choice[j] != seg.excluded:
            cut = groups[j - 1].last + TICK if choice[j] == "T" else group.first
            seg.end = cut
            segments.append(Segment(cut, end, choice[j]))
            if choice[j] == "T":
                gap_to = segments[-1]
            seg = segments[-1]
        if gap_to.excluded != "T":
            gap_to.cost += gaps[j]
        seg.members.extend(group.members)
        seg.cost += group.cost(seg.excluded)
    if segments[-1].excluded != "T":
        segments[-1].cost += gaps[-1]
    return segments


def spans(times: Sequence[datetime], gap: timedelta) -> list[tuple[datetime, datetime]]:
    """Group sorted times into spans whose neighbours are less than ``gap`` apart."""
    out: list[tuple[datetime, datetime]] = []
    for moment in times:
        if out and moment - out[-1][1] < gap:
            out[-1] = (out[-1][0], moment)
        else:
            out.append((moment, moment))
    return out


def settle_spans(
    ending: Iterable[tuple[datetime, int]],
    count: Callable[[datetime, datetime], int],
    active: Sequence[datetime],
    tick: int,
    *,
    gap: timedelta,
    limit: int,
    wait: int,
    ratio: float,
) -> list[tuple[datetime, datetime]]:
    """Which created_at spans to ask (``statuses`` = terminal) for the rows of the runs
    seen ending, at this ``tick``.

    ``ending``: (created_at, tick it was seen ending) per run; ``count(a, b)``: known
    runs created in ``[a, b)``; ``active``: sorted created_at of the active ones (a
    request returns the others). Runs less than ``gap`` apart share a span. At most
    ``limit`` spans: first those with a run waiting ``wait`` ticks or more (longest
    waiting first), then those returning at most ``ratio`` rows per run due, best first.
    The others wait: more of their neighbours end meanwhile, so their request becomes
    cheaper per run."""
    groups: list[list[Any]] = []  # [first, last, runs, oldest tick]
    for created, seen in sorted(ending):
        if groups and created - groups[-1][1] < gap:
            groups[-1][1:] = [created, groups[-1][2] + 1, min(groups[-1][3], seen)]
        else:
            groups.append([created, created, 1, seen])
    ranked: list[tuple[int, float, datetime, datetime]] = []
    for first, last, runs, oldest in groups:
        end = last + TICK
        rows = count(first, end) - bisect_left(active, end) + bisect_left(active, first)
        per_run = max(runs, rows) / runs
        if tick - oldest >= wait:
            ranked.append((0, oldest, first, last))
        elif per_run <= ratio:
            ranked.append((1, per_run, first, last))
    ranked.sort()
    return [(first, last) for _, _, first, last in ranked[:limit]]


Pages = Callable[..., Awaitable[tuple[list[RunSummary], list[InvalidRow]]]]


async def ask(
    pages: Pages, store: RunStore, segments: list[Segment], started: datetime, changes: ChangeSet
) -> list[str] | None:
    """Send the probe: apply the rows, then what the missing runs must have become
    (running since about ``started``, or queued). Returns the runs seen ending, whose
    terminal status is still unknown; None if the API ignored ``statuses``."""
    inferred: dict[str, tuple[str, datetime | None]] = {}
    ended: list[str] = []
    for seg in segments:
        rows, invalid = await pages(start_time=seg.start, cursor=seg.end, statuses=seg.statuses)
        changes.merge(store.apply_rows(rows, invalid=invalid))
        if seg.ignored(rows):
            return None
        for sid in seg.absent(rows, invalid):
            if seg.excluded == "T":
                ended.append(sid)
            else:
                inferred[sid] = (START, started) if seg.excluded == "S" else (QUEUED, None)
    changes.merge(store.infer_status(inferred))
    return ended


@dataclass
class SettlePolicy:
    """How the rows of runs seen ending are fetched (see :func:`settle_spans`)."""

    gap: timedelta = timedelta(seconds=2)  # runs closer than this share a request
    limit: int = 3  # requests a tick
    wait: int = 8  # ticks a run may wait for a denser request ...
    ratio: float = 3.0  # ... unless its request returns at most this many rows a run


async def settle(
    pages: Pages,
    store: RunStore,
    ending: dict[str, tuple[datetime, int]],
    active: Sequence[datetime],
    tick: int,
    policy: SettlePolicy,
) -> ChangeSet:
    """Fetch the rows of runs seen ending (``ending``: id -> (created_at, tick seen)) in
    the spans :func:`settle_spans` picks; a run whose span was asked is done with."""
    changes = ChangeSet()
    for sid in [s for s in ending if (r := store.get(s)) is None or _has_final_row(r)]:
        del ending[sid]  # its row came with another request (or it is gone)
    due = ending.values()
    for first, last in settle_spans(due, store.count_created, active, tick, **vars(policy)):
        rows, invalid = await pages(start_time=first, cursor=last + TICK, statuses=TERMINAL)
        changes.merge(store.apply_rows(rows, invalid=invalid))
        for sid in [s for s, (at, _) in ending.items() if first <= at <= last]:
            del ending[sid]  # found, or its detail (queued when it ended) will tell
    return changes


def _has_final_row(record: RunRecord) -> bool:
    """A terminal status with an end time: the run's final list row is in (a status
    told by its detail alone comes without the end time)."""
    return record.status.terminal and record.summary.execution_end is not None


def midpoint(since: datetime | None, now: datetime) -> datetime:
    """When a run seen not running at ``since`` and running at ``now`` most likely
    started (the estimate stands until its row comes)."""
    return now if since is None or since >= now else since + (now - since) / 2
