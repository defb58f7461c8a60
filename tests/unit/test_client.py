"""The client against the simulator, over real httpx calls (in-process ASGI transport)."""

from __future__ import annotations

import contextlib
import json
import random
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from ccmon.api import errors
from ccmon.api.client import ApiKey, CloudCruiseClient, RetryPolicy
from ccmon.api.models import Priority
from ccmon.api.wire import page_from, parse_page
from ccmon.demo import sample_inputs
from ccmon.sim import Fault, Simulator
from tests.conftest import DrivenSleep, make_sim


async def test_paging_25000_runs_returns_exactly_the_simulators_set() -> None:
    sim = make_sim(history=25_000, arrival_per_min=0.0)
    expected = {r.session_id for r in sim.workspace.all_runs()}
    since = sim.clock.now() - timedelta(hours=25)
    async with sim.client() as http:
        client = CloudCruiseClient(http, "demo-key")
        seen: list[str] = []
        async for row in client.iter_runs(page_size=500, start_time=since):
            seen.append(row.session_id)
    assert len(seen) == len(set(seen)), "a run was returned twice"
    assert set(seen) == expected, "a run was lost at a page boundary"
    times = [r.created_at for r in sim.workspace.all_runs()]
    assert len(times) > len(set(times)), "the history must contain shared created_at values"


async def test_paging_survives_a_page_made_of_one_timestamp() -> None:
    sim = make_sim(history=300, history_window=timedelta(minutes=3), arrival_per_min=0.0)
    since = sim.clock.now() - timedelta(hours=25)
    async with sim.client() as http:
        client = CloudCruiseClient(http, "demo-key")
        rows = [r async for r in client.iter_runs(page_size=2, start_time=since)]
    assert len({r.session_id for r in rows}) == len(rows)
    assert {r.session_id for r in rows} == {r.session_id for r in sim.workspace.all_runs()}


async def test_every_filter(client: CloudCruiseClient, sim: Simulator) -> None:
    runs = sim.workspace.all_runs()
    workflow = runs[0].workflow_id
    page = await client.list_runs(workflow_id=workflow)
    assert page.rows and all(r.workflow_id == workflow for r in page.rows)
    other = next(r.workflow_id for r in runs if r.workflow_id != workflow)
    page = await client.list_runs(workflow_ids=[workflow, other])
    assert {r.workflow_id for r in page.rows} == {workflow, other}
    page = await client.list_runs(status="execution.failed")
    assert page.rows and all(r.status == "execution.failed" for r in page.rows)
    page = await client.list_runs(statuses=["execution.success", "execution.stopped"])
    assert {r.status for r in page.rows} <= {"execution.success", "execution.stopped"}
    credential = sim.workspace.credential_ids[0]
    page = await client.list_runs(credential_id=credential)
    assert page.rows
    page2 = await client.list_runs(credential_ids=[credential])
    assert {r.session_id for r in page2.rows} == {r.session_id for r in page.rows}
    now = sim.clock.now()
    page = await client.list_runs(
        start_time=now - timedelta(hours=1), end_time=now - timedelta(minutes=30)
    )
    assert all(
        now - timedelta(hours=1) <= r.created_at <= now - timedelta(minutes=30)  # type: ignore[operator]
        for r in page.rows
    )
    page = await client.list_runs(limit=3)
    assert len(page.rows) == 3
    cursor = page.rows[-1].created_at
    older = await client.list_runs(limit=5, cursor=cursor)
    assert all(r.created_at < cursor for r in older.rows)  # type: ignore[operator]
    with pytest.raises(ValueError, match="limit"):
        await client.list_runs(limit=10_001)


async def test_detail_snapshots_and_workflows(client: CloudCruiseClient, sim: Simulator) -> None:
    failed = next(r for r in sim.workspace.all_runs() if r.status == "execution.failed")
    detail = await client.get_run(failed.session_id)
    assert detail.status == "execution.failed" and detail.error_list
    workflows = await client.list_workflows()
    assert len(workflows) >= 6 and all(w.name for w in workflows)
    workflow = await client.get_workflow(workflows[0].id)
    assert workflow.nodes and workflow.node_name(workflow.nodes[0].id) == workflow.nodes[0].name
    with pytest.raises(errors.NotFound):
        await client.get_run("00000000-0000-4000-8000-000000000000")


async def test_start_run_records_priority_and_interrupt(
    client: CloudCruiseClient, sim: Simulator
) -> None:
    recorded: list[tuple[str, Priority]] = []

    class Journal:
        def record(self, session_id: str, priority: Priority, workflow_id: str | None) -> None:
            recorded.append((session_id, priority))

    client.journal = Journal()
    workflow = await client.get_workflow((await client.list_workflows())[0].id)
    inputs = sample_inputs(random.Random(1), workflow, sim.workspace.credential_ids)
    sid = await client.start_run(workflow.id, inputs, priority="HIGH", debug=True)
    assert recorded == [(sid, Priority.HIGH)]
    detail = await client.get_run(sid)
    assert detail.status.active
    answer = await client.interrupt_run(sid)
    assert answer.success is True
    assert (await client.get_run(sid)).status == "execution.stopped"


async def test_read_only_refuses_before_sending(sim: Simulator) -> None:
    async with sim.client() as http:
        client = CloudCruiseClient(http, "demo-key", read_only=True)
        with pytest.raises(errors.ReadOnlyError):
            await client.start_run("wf", {})
        with pytest.raises(errors.ReadOnlyError):
            await client.interrupt_run("x")
        assert client.requests_sent == 0


FAULT_ERRORS: list[tuple[str, type[errors.CloudCruiseError]]] = [
    ("500", errors.ServerError),
    ("502", errors.ServerError),
    ("503", errors.ServerError),
    ("429", errors.RateLimited),
    ("401", errors.AuthError),
    ("403", errors.AuthError),
    ("timeout", errors.Timeout),
    ("drop", errors.ConnectionFailed),
    ("truncate", errors.PayloadError),
]


@pytest.mark.parametrize(("kind", "error"), FAULT_ERRORS)
@pytest.mark.parametrize("route", ["runs", "run", "snapshots", "workflows"])
async def test_typed_error_for_every_fault(
    kind: str, error: type[errors.CloudCruiseError], route: str
) -> None:
    sim = make_sim(
        history=50,
        timeout_seconds=0.5,
        slow_seconds=0.01,
        api_keys=frozenset({"sk_canary_secret"}),
    )
    sim.faults.replace([Fault(route, kind)])
    debug_run = sim.workspace.start_run(
        sim.workspace.list_workflows()[0]["id"], {}, priority="HIGH", debug=True
    )
    node = sim.workspace.get_workflow(sim.workspace.list_workflows()[0]["id"])["nodes"][0]["id"]
    async with sim.client() as http:
        client = CloudCruiseClient(
            http, "sk_canary_secret", timeout=0.2, retry=RetryPolicy(attempts=1)
        )
        calls = {
            "runs": lambda: client.list_runs(),
            "run": lambda: client.get_run(debug_run),
            "snapshots": lambda: client.get_debug_snapshots(debug_run, node),
            "workflows": lambda: client.list_workflows(),
        }
        with pytest.raises(error) as caught:
            await calls[route]()
    message = str(caught.value)
    assert message and "\n" not in message
    assert "sk_canary_secret" not in message + repr(caught.value) + repr(client)


async def test_schema_drift_costs_rows_not_pages() -> None:
    sim = make_sim(history=200)
    async with sim.client() as http:
        client = CloudCruiseClient(http, "demo-key")
        for kind in ("types", "enum", "extra"):
            sim.faults.replace([Fault("runs", kind)])
            page = await client.list_runs()
            assert page.raw_count > 0
            assert len(page.rows) + len(page.invalid) == page.raw_count
            if kind != "types":
                assert not page.invalid
        sim.faults.replace([Fault("runs", "types")])
        page = await client.list_runs()
        assert page.invalid and page.rows
        assert any(bad.session_id for bad in page.invalid)


async def test_429_backoff_honours_retry_after_with_a_driven_clock() -> None:
    sim = make_sim(history=20)
    sim.faults.replace([Fault("runs", "429")])
    sleep = DrivenSleep(sim.clock)
    async with sim.client() as http:
        client = CloudCruiseClient(
            http,
            "demo-key",
            retry=RetryPolicy(attempts=3, base=0.01),
            sleep=sleep,  # type: ignore[arg-type]
        )
        with pytest.raises(errors.RateLimited) as caught:
            await client.list_runs()
    assert caught.value.retry_after >= 1
    assert len(sleep.calls) == 2 and all(s >= caught.value.retry_after for s in sleep.calls)


async def test_real_rate_limit_then_recovery() -> None:
    sim = make_sim(history=5)
    sleep = DrivenSleep(sim.clock)
    async with sim.client() as http:
        client = CloudCruiseClient(
            http,
            "demo-key",
            retry=RetryPolicy(attempts=1),
            sleep=sleep,  # type: ignore[arg-type]
        )
        with pytest.raises(errors.RateLimited) as caught:
            for _ in range(600):
                await client.list_workflows()
        assert caught.value.limit == 500
        sim.clock.advance(caught.value.retry_after)
        retrying = CloudCruiseClient(http, "demo-key", retry=RetryPolicy(attempts=3), sleep=sleep)  # type: ignore[arg-type]
        assert await retrying.list_workflows()


async def test_connection_refused_is_typed() -> None:
    async with httpx.AsyncClient(base_url="http://127.0.0.1:9") as http:
        client = CloudCruiseClient(http, "demo-key", retry=RetryPolicy(attempts=1))
        with pytest.raises(errors.ConnectionFailed, match="cannot reach"):
            await client.list_runs()


def test_the_key_never_shows() -> None:
    key = ApiKey("sk_live_supersecret")
    assert "supersecret" not in repr(key) + str(key) + f"{key}"
    with pytest.raises(ValueError):
        ApiKey("   ")


async def test_a_page_read_from_json_text_equals_the_page_read_row_by_row() -> None:
    """`page_from` validates the raw JSON in one pass; whatever it reads must be what the
    row-by-row reading of the decoded JSON gives, drifted pages included."""
    sim = make_sim(history=400)
    since = sim.clock.now() - timedelta(hours=25)
    params = {"limit": "1000", "start_time": since.isoformat().replace("+00:00", "Z")}
    async with sim.client() as http:
        for fault in (None, "extra", "enum", "types"):
            sim.faults.replace([Fault("runs", fault)] if fault else [])
            response = await http.get("/runs", params=params, headers={"cc-key": "demo-key"})
            fast, slow = page_from(response), parse_page(response.json())
            assert fast.rows == slow.rows and fast.rows
            assert [(bad.session_id, bad.reason) for bad in fast.invalid] == [
                (bad.session_id, bad.reason) for bad in slow.invalid
            ]
            assert (fast.raw_count, fast.oldest_created_at) == (
                slow.raw_count,
                slow.oldest_created_at,
            )


def test_times_from_json_text_read_as_from_decoded_json() -> None:
    """A time without an offset is UTC and a number is no time, on both paths."""
    body = (
        b'[{"session_id": "a", "status": "execution.queued", "created_at": "2026-03-04T14:00:00"},'
        b' {"session_id": "b", "status": "execution.queued", "created_at": 1772632800},'
        b' {"session_id": "c", "status": "execution.weird", "created_at": "2026-03-04T14:00:01Z",'
        b' "execution_start": null, "surprise": {"x": [1]}}]'
    )
    response = httpx.Response(200, content=body)
    page = page_from(response)
    assert [row.session_id for row in page.rows] == ["a", "c"]
    assert page.rows[0].created_at == datetime(2026, 3, 4, 14, tzinfo=UTC)
    assert page.rows == parse_page(response.json()).rows
    assert [bad.session_id for bad in page.invalid] == ["b"]
    assert "ISO-8601" in page.invalid[0].reason
    assert page.rows[1].model_extra == {"surprise": {"x": [1]}}
    with pytest.raises(errors.PayloadError, match="malformed JSON"):
        page_from(httpx.Response(200, content=b'[{"session_id": "a",'))
    with pytest.raises(errors.PayloadError, match="expected a JSON array"):
        page_from(httpx.Response(200, content=b'{"session_id": "a"}'))


async def test_requests_are_what_httpx_builds(sim: Simulator) -> None:
    """The client builds its requests without httpx's general merging; on the wire they
    are what ``AsyncClient.build_request`` makes of the same call: URL and query, headers
    (httpx's defaults under ours), JSON body, timeout. A client with cookies gets httpx's."""
    sent: list[httpx.Request] = []

    async def record(request: httpx.Request) -> None:
        sent.append(request)

    since = datetime(2026, 3, 4, 13, 0, 0, 500000, tzinfo=UTC)
    odd = "wf a/b&c=d?é"
    started = {"workflow_id": "wf-1", "run_input_variables": {"name": "ü"}, "priority": "HIGH"}
    for base_url in ("http://sim.local", "http://sim.local/api/v1"):
        async with sim.client(base_url=base_url) as http:
            http.event_hooks["request"].append(record)
            client = CloudCruiseClient(http, "demo-key", timeout=4.0)
            listed = [("start_time", "2026-03-04T13:00:00.500000Z"), ("workflow_ids", odd)]
            calls = [
                (client.list_runs(start_time=since, workflow_ids=[odd]), "/runs", listed, None),
                (client.get_run("a b/../c"), "/run/a%20b%2F..%2Fc", [], None),
                (client.start_run("wf-1", {"name": "ü"}, priority="HIGH"), "/run", [], started),
                (client.get_run("x"), "/run/x", [], None),
            ]
            for number, (call, path, params, body) in enumerate(calls):
                if number == 3:
                    http.cookies.set("lb", "sticky")  # from here on httpx merges the request
                with contextlib.suppress(errors.CloudCruiseError):
                    await call  # answered or not, the request went out
                ours = sent[-1]
                expected = http.build_request(
                    "POST" if body else "GET",
                    path,
                    params=params,
                    json=body,
                    headers=client._headers(),
                    timeout=4.0,
                )
                assert (ours.method, ours.url) == (expected.method, expected.url)
                assert ours.headers.multi_items() == expected.headers.multi_items()
                assert ours.extensions == expected.extensions
                assert json.loads(ours.content or "null") == json.loads(expected.content or "null")
