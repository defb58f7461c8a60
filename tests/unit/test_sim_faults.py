"""Fault injection, the /_sim admin routes, rate limits and the in-process transport."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from ccmon.sim import Fault, ManualClock, SimConfig, Simulator, build_simulator
from ccmon.sim.ratelimit import RateLimiter

T0 = datetime(2026, 3, 4, 14, 0, tzinfo=UTC)
ROUTES = ("runs", "run", "snapshots", "workflows")
KNOWN_STATUSES = {
    "execution.queued",
    "execution.start",
    "execution.failed",
    "execution.success",
    "execution.paused",
    "execution.stopped",
    "execution.requeued",
}
RATE_HEADERS = ("x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset")


def make(faults: list[Fault] | None = None, **kw: Any) -> tuple[Simulator, ManualClock]:
    clock = ManualClock(T0)
    kw.setdefault("seed", 5)
    kw.setdefault("history", 600)
    kw.setdefault("timeout_seconds", 0.05)
    kw.setdefault("slow_seconds", 0.05)
    return build_simulator(SimConfig(**kw), clock, faults), clock


def paths(sim: Simulator) -> dict[str, list[str]]:
    """Request paths per fault route (one debug run for the snapshot route)."""
    runs = sim.workspace.all_runs()
    run = next(r for r in reversed(runs) if r.status == "execution.failed")
    dbg = next(r for r in reversed(runs) if r.debug and r.status == "execution.success")
    node = sim.workspace.workflow(dbg.workflow_id).nodes[2].id  # type: ignore[union-attr]
    wf = sim.workspace.workflow_ids[0]
    return {
        "runs": ["/runs"],
        "run": [f"/run/{run.session_id}"],
        "snapshots": [f"/run/{dbg.session_id}/debug-snapshots/{node}"],
        "workflows": ["/workflows", f"/workflows/{wf}"],
    }


# -- status faults -----------------------------------------------------------------------


@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize(
    ("kind", "error"),
    [
        ("500", "Internal Server Error"),
        ("502", "Bad Gateway"),
        ("503", "Service Unavailable"),
        ("401", "Unauthorized"),
        ("403", "Forbidden"),
    ],
)
async def test_status_faults(route: str, kind: str, error: str) -> None:
    sim, _ = make([Fault(route, kind)])
    p = paths(sim)
    async with sim.client() as c:
        for path in p[route]:
            r = await c.get(path)
            assert r.status_code == int(kind)
            body = r.json()
            assert set(body) == {"statusCode", "error", "message"}
            assert body["statusCode"] == int(kind) and body["error"] == error
        for other, other_paths in p.items():  # other routes are unaffected
            if other != route:
                assert (await c.get(other_paths[0])).status_code == 200


@pytest.mark.parametrize("route", ROUTES)
async def test_429_fault_has_the_documented_body_and_headers(route: str) -> None:
    sim, _ = make([Fault(route, "429")])
    async with sim.client() as c:
        r = await c.get(paths(sim)[route][0])
    assert r.status_code == 429
    body = r.json()
    assert set(body) == {
        "statusCode",
        "error",
        "message",
        "limit",
        "remaining",
        "retryAfterSeconds",
    }
    assert body["error"] == "Too Many Requests" and body["message"] == "Too Many Requests"
    assert body["limit"] == 500 and body["remaining"] == 0 and body["retryAfterSeconds"] >= 1
    assert r.headers["retry-after"] == str(body["retryAfterSeconds"])
    assert all(h in r.headers for h in RATE_HEADERS)


# -- connection faults -------------------------------------------------------------------


@pytest.mark.parametrize("route", ROUTES)
async def test_drop_raises_remote_protocol_error(route: str) -> None:
    sim, _ = make([Fault(route, "drop")])
    async with sim.client() as c:
        for path in paths(sim)[route]:
            with pytest.raises(httpx.RemoteProtocolError, match="Server disconnected"):
                await c.get(path)


@pytest.mark.parametrize("route", ROUTES)
async def test_timeout_stalls_then_answers_or_times_out(route: str) -> None:
    sim, _ = make([Fault(route, "timeout")], timeout_seconds=0.3)
    path = paths(sim)[route][0]
    async with sim.client(timeout=0.05) as c:
        with pytest.raises(httpx.ReadTimeout):
            await c.get(path)
    async with sim.client(timeout=5.0) as c:
        started = time.perf_counter()
        r = await c.get(path)
        assert time.perf_counter() - started >= 0.3
        assert r.status_code == 200 and r.json()


@pytest.mark.parametrize("route", ROUTES)
async def test_slow_answers_normally_after_a_delay(route: str) -> None:
    sim, _ = make([Fault(route, "slow")], slow_seconds=0.1)
    async with sim.client() as c:
        started = time.perf_counter()
        r = await c.get(paths(sim)[route][0])
    assert time.perf_counter() - started >= 0.1
    assert r.status_code == 200 and r.json()


# -- body faults -------------------------------------------------------------------------


@pytest.mark.parametrize("route", ROUTES)
async def test_truncate_returns_half_a_json_body(route: str) -> None:
    sim, _ = make()
    async with sim.client() as c:
        path = paths(sim)[route][0]
        full = (await c.get(path)).content
        sim.faults.replace([Fault(route, "truncate")])
        r = await c.get(path)
    assert r.status_code == 200
    assert r.headers["content-length"] == str(len(r.content))
    assert r.content == full[: len(full) // 2]
    with pytest.raises(json.JSONDecodeError):
        json.loads(r.content)


def _type_problems(route: str, body: Any) -> list[str]:
    """Fields whose JSON type differs from the reference."""
    problems: list[str] = []

    def check(obj: dict[str, Any], key: str, *types: type) -> None:
        if key in obj and not isinstance(obj[key], types):
            problems.append(f"{key}={obj[key]!r}")

    rows = body if isinstance(body, list) else [body]
    for row in rows:
        if route == "runs":
            for k in ("session_id", "status", "workflow_id"):
                check(row, k, str)
            for k in ("created_at", "execution_start", "execution_end"):
                check(row, k, str, type(None))
            check(row, "dry_run", bool, type(None))
        elif route == "run":
            check(row, "session_retries", int, type(None))
            check(row, "errors", list, type(None))
            for k in ("data", "input_variables"):
                check(row, k, dict)
            for k in ("video_urls", "recovered_error_ids", "screenshot_urls"):
                check(row, k, list)
            check(row, "was_recovered", bool)
            check(row, "status", str)
            for s in row.get("screenshot_urls") or []:
                if isinstance(s, dict):
                    check(s, "error_screenshot", bool)
        elif route == "snapshots":
            check(row, "screenshots", list)
            check(row, "page_snapshot_url", str, type(None))
        else:
            check(row, "name", str)
            check(row, "created_at", str)
            check(row, "enable_popup_handling", bool)
            check(row, "nodes", list)
            check(row, "version_number", int)
    return problems


@pytest.mark.parametrize("route", ROUTES)
async def test_types_fault_breaks_field_types(route: str) -> None:
    sim, _ = make([Fault(route, "types")])
    async with sim.client() as c:
        for path in paths(sim)[route]:
            r = await c.get(path)
            assert r.status_code == 200
            assert _type_problems(route, r.json()), path
    sim.faults.clear()
    async with sim.client() as c:
        for path in paths(sim)[route]:
            assert not _type_problems(route, (await c.get(path)).json())


async def test_enum_fault_introduces_unknown_values() -> None:
    sim, _ = make([Fault("runs", "enum"), Fault("run", "enum"), Fault("workflows", "enum")])
    p = paths(sim)
    async with sim.client() as c:
        rows = (await c.get("/runs")).json()
        assert {r["status"] for r in rows} - KNOWN_STATUSES
        detail = (await c.get(p["run"][0])).json()
        assert detail["status"] not in KNOWN_STATUSES
        assert detail["errors"]
        assert {e["llm_error_category"] for e in detail["errors"]} <= {
            "QUANTUM_FLUX_ERROR",
            "CAPTCHA_GATE",
            "user error",
        }
        assert {e["llm_error_sub_type"] for e in detail["errors"]} == {"NEW_SUBTYPE_2027"}
        wf = (await c.get(p["workflows"][1])).json()
        assert {n["action"] for n in wf["nodes"]} <= {"DRAG_AND_DROP", "SOLVE_CAPTCHA"}


@pytest.mark.parametrize("route", ROUTES)
async def test_extra_fault_adds_unknown_fields_but_never_priority(route: str) -> None:
    sim, _ = make()
    async with sim.client() as c:
        path = paths(sim)[route][0]
        clean = (await c.get(path)).json()
        sim.faults.add(Fault(route, "extra"))
        extra = (await c.get(path)).json()
    first_clean = clean[0] if isinstance(clean, list) else clean
    first_extra = extra[0] if isinstance(extra, list) else extra
    assert set(first_extra) > set(first_clean)
    assert "priority" not in json.dumps(extra)


async def test_all_route_hits_every_api_route_including_posts() -> None:
    sim, _ = make([Fault("all", "503")])
    async with sim.client() as c:
        for route_paths in paths(sim).values():
            for path in route_paths:
                assert (await c.get(path)).status_code == 503
        r = await c.post("/run", json={"workflow_id": sim.workspace.workflow_ids[0]})
        assert r.status_code == 503
        assert (await c.get("/_sim/faults")).status_code == 200  # admin is never faulted


async def test_fault_rate_is_probabilistic_and_deterministic() -> None:
    async def pattern() -> list[int]:
        sim, _ = make([Fault("runs", "500", 0.3)])
        async with sim.client() as c:
            return [(await c.get("/runs")).status_code for _ in range(200)]

    a, b = await pattern(), await pattern()
    assert a == b
    assert 30 < a.count(500) < 90
    assert set(a) == {200, 500}


# -- admin -------------------------------------------------------------------------------


async def test_admin_faults_endpoints() -> None:
    sim, _ = make()
    async with sim.client(api_key=None) as admin, sim.client() as c:
        assert (await admin.get("/_sim/faults")).json() == []
        r = await admin.post(
            "/_sim/faults",
            json=[{"route": "runs", "kind": "500"}, {"route": "all", "kind": "slow", "rate": 0.5}],
        )
        assert r.status_code == 200
        assert r.json() == [
            {"route": "runs", "kind": "500", "rate": 1.0},
            {"route": "all", "kind": "slow", "rate": 0.5},
        ]
        assert (await c.get("/runs")).status_code == 500
        assert len(sim.faults) == 2
        bad = await admin.post("/_sim/faults", json=[{"route": "runs", "kind": "teapot"}])
        assert bad.status_code == 400 and "teapot" in bad.json()["message"]
        assert len(sim.faults) == 2  # unchanged after a bad request
        r = await admin.delete("/_sim/faults")
        assert r.status_code == 200 and r.json() == []
        assert (await c.get("/runs")).status_code == 200


def test_fault_parse() -> None:
    assert Fault.parse("runs:500") == Fault("runs", "500", 1.0)
    assert Fault.parse("all:timeout:0.1") == Fault("all", "timeout", 0.1)
    assert Fault.parse(" Workflows:EXTRA:1 ") == Fault("workflows", "extra", 1.0)
    for spec, fragment in [
        ("runs", "expected ROUTE:KIND"),
        ("runs:500:0.5:x", "expected ROUTE:KIND"),
        ("nowhere:500", "unknown fault route"),
        ("runs:418", "unknown fault kind"),
        ("runs:500:often", "not a number"),
        ("runs:500:1.5", "between 0 and 1"),
        ("runs:500:-0.1", "between 0 and 1"),
        ("", "expected ROUTE:KIND"),
    ]:
        with pytest.raises(ValueError, match=fragment):
            Fault.parse(spec)


# -- rate limits -------------------------------------------------------------------------


async def test_rate_limit_501st_request_in_one_second_is_429_and_recovers() -> None:
    sim, clock = make(history=0, arrival_per_min=0)
    async with sim.client() as c:
        for i in range(500):
            r = await c.get("/workflows")
            assert r.status_code == 200, i
        assert r.headers["x-ratelimit-limit"] == "500"
        assert r.headers["x-ratelimit-remaining"] == "0"
        r = await c.get("/workflows")
        assert r.status_code == 429
        assert r.json() == {
            "statusCode": 429,
            "error": "Too Many Requests",
            "message": "Too Many Requests",
            "limit": 500,
            "remaining": 0,
            "retryAfterSeconds": 1,
        }
        assert r.headers["retry-after"] == "1"
        assert r.headers["x-ratelimit-limit"] == "500"
        assert r.headers["x-ratelimit-remaining"] == "0"
        assert "x-ratelimit-reset" in r.headers
        clock.advance(1.0)
        r = await c.get("/workflows")
        assert r.status_code == 200
        assert r.headers["x-ratelimit-remaining"] == "499"


async def test_unauthenticated_requests_are_limited_per_ip() -> None:
    sim, _ = make(history=0, arrival_per_min=0)
    async with sim.client(api_key="bad") as c, sim.client() as good:
        for _ in range(500):
            assert (await c.get("/runs")).status_code == 401
        assert (await c.get("/runs")).status_code == 429
        assert (await good.get("/runs")).status_code == 200  # the key has its own budget


def test_rate_limiter_longer_windows() -> None:
    rl = RateLimiter()
    t = 1000.0
    for burst in range(2):  # 1,000 requests in 15 s: 500 per second, two seconds
        for _ in range(500):
            assert rl.hit("k", t + burst).allowed
    v = rl.hit("k", t + 2)
    assert not v.allowed and v.limit == 1000 and v.remaining == 0
    assert v.retry_after == 13  # the first second's requests leave the 15 s window at t+15
    assert v.headers()["Retry-After"] == "13"
    assert rl.hit("k", t + 15.5).allowed
    rl = RateLimiter()
    for second in range(0, 60, 15):  # 2,000 in 60 s: 500 every 15 s
        for _ in range(500):
            assert rl.hit("k", t + second).allowed
    v = rl.hit("k", t + 50)
    assert not v.allowed and v.limit == 2000 and v.retry_after == 10
    ok = rl.hit("other", t + 50)
    assert ok.allowed and ok.limit == 500 and ok.remaining == 499


async def test_successful_responses_carry_rate_headers() -> None:
    sim, _ = make()
    async with sim.client() as c:
        for path_list in paths(sim).values():
            r = await c.get(path_list[0])
            assert all(h in r.headers for h in RATE_HEADERS)
            assert "retry-after" not in r.headers
