"""The change probe's planning (pure) and the poller's odd cases over the simulator:
an API that ignores ``statuses``, unknown status values, runs without created_at."""

from __future__ import annotations

import json
from bisect import bisect_left
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from typing import Any
from urllib.parse import parse_qsl, urlencode

from ccmon.api.client import CloudCruiseClient, InvalidRow, RetryPolicy
from ccmon.api.models import ACTIVE_STATUSES, RunSummary
from ccmon.sync import probe
from ccmon.sync.poller import Poller, SyncConfig
from ccmon.sync.store import RunStore
from tests.conftest import make_sim

T = datetime(2026, 3, 4, 14, 0, tzinfo=UTC)
SHORT = {"Q": "execution.queued", "S": "execution.start", "R": "execution.requeued"}


def at(seconds: float) -> datetime:
    return T + timedelta(seconds=seconds)


def counter(times: list[datetime]):  # type: ignore[no-untyped-def]
    times = sorted(times)
    return lambda a, b: bisect_left(times, b) - bisect_left(times, a)


def layout(spec: str) -> tuple[list[tuple[datetime, str, str]], list[datetime]]:
    """One run a second: Q/S/R active, T over."""
    active, every = [], []
    for i, cls in enumerate(spec):
        every.append(at(i))
        if cls != "T":
            active.append((at(i), f"r{i}", SHORT[cls]))
    return active, every


def test_plan_partitions_the_range_and_picks_the_cheapest_exclusion() -> None:
    spec = "T" * 40 + "STSSTSRT" + "TT" + "SSSSSSSQSSSS"  # over, mixed, running
    active, every = layout(spec)
    segments = probe.plan(active, counter(every), at(-100), at(len(spec) + 5))
    assert segments[0].start == at(-100) and segments[-1].end == at(len(spec) + 5)
    for a, b in pairwise(segments):
        assert a.end == b.start
    assert segments[0].excluded == "T" and segments[-1].excluded == "S"
    assert len(segments) <= 3
    members = [sid for seg in segments for sid, _ in seg.members]
    assert sorted(members) == sorted(sid for _, sid, _ in active)
    # Expected rows: the actives not running in the S segment, every active in the T one.
    assert sum(seg.cost for seg in segments) <= 10


def test_plan_without_active_runs_is_one_cheap_segment() -> None:
    segments = probe.plan([], counter([at(i) for i in range(50)]), at(0), at(60))
    assert [(s.start, s.end, s.excluded, s.cost) for s in segments] == [(at(0), at(60), "T", 0)]
    assert probe.plan([], counter([]), at(5), at(5)) == []


def test_plan_uses_queued_exclusion_for_a_starved_queue() -> None:
    active, every = layout("Q" * 30 + "T" * 5 + "S" * 30)
    segments = probe.plan(active, counter(every), at(0), at(70))
    assert segments[0].excluded == "Q" and segments[-1].excluded == "S"
    assert sum(s.cost for s in segments) <= 5  # at most the terminal runs between come back


def test_plan_counts_runs_due_a_row_as_over_and_never_infers_them() -> None:
    active, every = layout("SSSS")
    segments = probe.plan(active, counter(every), at(0), at(4), ending={"r1"})
    members = [m for seg in segments for m in seg.members]
    assert ("r1", "T") in members
    row = RunSummary(session_id="r2", status="execution.success", created_at=at(2))
    for seg in segments:
        absent = seg.absent([row], [])
        assert "r1" not in absent and "r2" not in absent


def test_absent_and_ignored() -> None:
    seg = probe.Segment(at(0), at(10), "S", members=[("a", "S"), ("b", "Q"), ("c", "R")])
    assert set(seg.statuses) == {*probe.TERMINAL, "execution.queued", "execution.paused"} | {
        "execution.requeued"
    }
    back = RunSummary(session_id="c", status="execution.requeued", created_at=at(1))
    assert seg.absent([back], []) == ["b"]  # b is running now; a was and is
    assert seg.absent([back], [InvalidRow(session_id="b", reason="x")]) == []
    assert seg.absent([back], [InvalidRow(session_id=None, reason="x")]) == []
    assert not seg.ignored([back])
    assert seg.ignored([RunSummary(session_id="a", status="execution.start", created_at=at(1))])
    assert not seg.ignored([RunSummary(session_id="a", status="execution.new", created_at=at(1))])


def test_settle_spans_prefer_dense_spans_and_never_starve() -> None:
    every = [at(i) for i in range(100)]
    ending = [(at(10), 5), (at(11), 5), (at(50), 5), (at(80), 0)]
    spans = probe.settle_spans(
        ending, counter(every), [], 6, gap=timedelta(seconds=2), limit=2, wait=5, ratio=3
    )
    assert spans == [(at(80), at(80)), (at(10), at(11))]  # overdue first, then 1 row a run
    spans = probe.settle_spans(
        ending, counter(every), [], 6, gap=timedelta(seconds=2), limit=3, wait=10, ratio=0.5
    )
    assert spans == []  # nothing dense enough yet, nothing overdue: wait


def test_midpoint() -> None:
    assert probe.midpoint(None, at(10)) == at(10)
    assert probe.midpoint(at(0), at(10)) == at(5)


def test_store_counts_by_created_at_and_infers() -> None:
    store = RunStore()
    rows = [
        RunSummary(session_id=f"r{i}", status=s, created_at=at(i))
        for i, s in enumerate(["execution.success", "execution.queued", "execution.start"])
    ]
    store.apply_rows(reversed(rows))
    assert store.count_created(at(0), at(2)) == 2 and store.count_created(at(3), at(9)) == 0
    active, undated = store.active_by_created(at(0), at(5))
    assert [sid for _, sid, _ in active] == ["r1", "r2"] and not undated
    changes = store.infer_status({"r1": ("execution.start", at(1.5)), "r0": ("x", None)})
    assert changes.changed == {"r1": {"status", "execution_start"}}
    record = store.runs["r1"]
    assert record.start_estimated and record.summary.execution_start == at(1.5)
    store.apply_rows([RunSummary(session_id="r1", status="execution.start", created_at=at(1))])
    assert not store.runs["r1"].start_estimated  # the real row replaced the estimate
    store.remove(["r0"])
    assert store.count_created(at(0), at(9)) == 2


class Rewriting:
    """An ASGI wrapper around the simulator (which stays as it is): it can drop query
    parameters of GET /runs and rewrite the rows it returns, and logs the queries."""

    def __init__(self, app: Any, drop: tuple[str, ...] = (), rows: Any = None) -> None:
        self.app, self.drop, self.rows, self.queries = app, drop, rows, []

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["path"] != "/runs":
            return await self.app(scope, receive, send)
        query = parse_qsl(scope["query_string"].decode())
        self.queries.append(query)
        kept = [(k, v) for k, v in query if k not in self.drop]
        scope = {**scope, "query_string": urlencode(kept).encode()}
        if self.rows is None:
            return await self.app(scope, receive, send)
        parts: list[bytes] = []

        async def capture(message: Any) -> None:
            if message["type"] == "http.response.body":
                parts.append(message.get("body", b""))
                if message.get("more_body"):
                    return
                body = b"".join(parts)
                payload = json.loads(body)
                if isinstance(payload, list):
                    body = json.dumps([self.rows(row) for row in payload]).encode()
                await send({"type": "http.response.body", "body": body})
            else:
                headers = [(k, v) for k, v in message["headers"] if k.lower() != b"content-length"]
                await send({**message, "headers": headers})

        await self.app(scope, receive, capture)


async def run_ticks(
    wrap: Any, ticks: int = 20, **sim: Any
) -> tuple[Poller, dict[str, str], Rewriting]:
    simulator = make_sim(**({"history": 300, "arrival_per_min": 120.0, "workers": 20} | sim))
    proxy = wrap(simulator.app)
    simulator.app = proxy
    async with simulator.client() as http:
        client = CloudCruiseClient(http, "demo-key", retry=RetryPolicy(attempts=1))
        poller = Poller(client, RunStore(), SyncConfig(details_per_tick=0), now=simulator.clock.now)
        for _ in range(ticks):
            await poller.tick()
            assert poller.health.state == "ok", poller.health.last_error
            simulator.clock.advance(2)
        await poller.tick()
    since = simulator.clock.now() - timedelta(hours=24)
    truth = {
        r["session_id"]: r["status"]
        for r in simulator.workspace.list_runs(start_time=since, limit=10_000)
    }
    return poller, truth, proxy


async def test_an_api_that_ignores_statuses_falls_back_to_per_status_requests() -> None:
    poller, truth, proxy = await run_ticks(lambda app: Rewriting(app, drop=("statuses",)))
    assert poller.split_statuses
    assert any(("status", ACTIVE_STATUSES[0]) in q for q in proxy.queries)
    assert {sid: str(r.status) for sid, r in poller.store.runs.items()} == truth


async def test_unknown_status_values_do_not_crash_or_mislead() -> None:
    odd: set[str] = set()

    def rename(row: dict[str, Any]) -> dict[str, Any]:
        if row["session_id"][0] in "01" and row["status"] == "execution.start":
            odd.add(row["session_id"])
            return {**row, "status": "execution.thinking"}
        return row

    poller, truth, _ = await run_ticks(lambda app: Rewriting(app, rows=rename))
    assert odd and not poller.split_statuses
    for sid, record in poller.store.runs.items():
        if record.status == "execution.thinking":
            assert sid in odd
        else:
            assert record.status == truth[sid]


async def test_an_active_run_without_created_at_uses_the_full_active_query() -> None:
    undated: list[str] = []

    def blank(row: dict[str, Any]) -> dict[str, Any]:
        if not undated and row["status"] == "execution.queued":
            undated.append(row["session_id"])
        if row["session_id"] in undated:
            return {**row, "created_at": None}
        return row

    poller, truth, proxy = await run_ticks(lambda app: Rewriting(app, rows=blank))
    assert undated
    actives = [
        q
        for q in proxy.queries
        if sorted(v for k, v in q if k == "statuses") == sorted(ACTIVE_STATUSES)
    ]
    assert actives, "the full active query was not used"
    for sid, record in poller.store.runs.items():
        assert record.status == truth[sid]
