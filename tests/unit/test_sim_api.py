"""The simulator's HTTP API against the reference: shapes, paging, validation, auth."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from ccmon.sim import HOSTILE_STRINGS, ManualClock, SimConfig, Simulator, build_simulator

T0 = datetime(2026, 3, 4, 14, 0, tzinfo=UTC)
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"

ROW_KEYS = {
    "session_id",
    "status",
    "created_at",
    "workflow_id",
    "workspace_id",
    "execution_start",
    "execution_end",
    "dry_run",
}
DETAIL_KEYS = {
    "session_id",
    "status",
    "workflow_id",
    "input_variables",
    "vault_entries",
    "encrypted_variables",
    "session_retries",
    "data",
    "video_urls",
    "file_urls",
    "screenshot_urls",
    "errors",
    "was_recovered",
    "recovered_error_ids",
}
ERROR_KEYS = {
    "prompt",
    "message",
    "error_id",
    "full_url",
    "llm_model",
    "created_at",
    "error_code",
    "action_type",
    "action_display_name",
    "original_error",
    "llm_error_category",
    "llm_error_sub_type",
    "llm_error_description",
    "node_id",
}
SHOT_KEYS = {
    "signed_screenshot_url",
    "node_display_name",
    "timestamp",
    "signed_screenshot_url_expires",
    "error_screenshot",
}
VIDEO_KEYS = {
    "timestamp",
    "session_id",
    "signed_screen_recording_url",
    "signed_screen_recording_url_expires",
}
FILE_KEYS = {"signed_file_url", "file_name", "timestamp", "signed_file_url_expires", "metadata"}
SNAPSHOT_KEYS = {"session_id", "node_id", "page_snapshot_url", "screenshots"}
SNAPSHOT_SHOT_KEYS = SHOT_KEYS | {"screenshot_id", "node_id"}
VAULT_KEYS = {"user_id", "user_alias", "domain", "user_name", "password"}
SUMMARY_KEYS = {
    "id",
    "name",
    "description",
    "created_at",
    "updated_at",
    "workspace_id",
    "created_by",
    "enable_popup_handling",
    "enable_xpath_recovery",
    "enable_error_code_generation",
    "enable_service_unavailable_recovery",
    "enable_action_timing_recovery",
}
ROW_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
DETAIL_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3}Z|\.\d{6}\+00:00)$")
FASTIFY = {"statusCode", "error", "message"}


def make(**kw: Any) -> tuple[Simulator, ManualClock]:
    clock = ManualClock(T0)
    kw.setdefault("seed", 7)
    return build_simulator(SimConfig(**kw), clock), clock


def keys_anywhere(obj: Any) -> Iterator[str]:
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield k
            yield from keys_anywhere(v)
    elif isinstance(obj, list):
        for v in obj:
            yield from keys_anywhere(v)


def inputs_for(sim: Simulator, workflow_id: str) -> dict[str, Any]:
    wf = sim.workspace.workflow(workflow_id)
    assert wf is not None
    out = {k: p["example"] for k, p in wf.input_schema["properties"].items()}
    if wf.vault_alias:
        out[wf.vault_alias] = wf.credentials[0].permissioned_user_id
    return out


def assert_fastify(r: httpx.Response, status: int) -> dict[str, Any]:
    assert r.status_code == status, r.text
    body = r.json()
    assert set(body) >= FASTIFY
    assert body["statusCode"] == status
    return body


@pytest.fixture
async def busy() -> tuple[Simulator, ManualClock, list[dict[str, Any]]]:
    """A workspace with history and live traffic, and a sample of details of every kind."""
    sim, clock = make(history=1500, seed=7)
    clock.advance(900)
    details: list[dict[str, Any]] = []
    async with sim.client() as c:
        rows = (await c.get("/runs", params={"limit": 10000})).json()
        for row in rows[:400]:
            details.append((await c.get(f"/run/{row['session_id']}")).json())
    return sim, clock, details


# -- shapes ------------------------------------------------------------------------------


async def test_runs_rows_have_exactly_the_documented_keys(busy: Any) -> None:
    sim, _, _ = busy
    async with sim.client() as c:
        r = await c.get("/runs", params={"limit": 10000})
    assert r.status_code == 200
    rows = r.json()
    assert isinstance(rows, list) and len(rows) > 1000
    statuses = set()
    for row in rows:
        assert set(row) == ROW_KEYS
        assert ROW_TIME.match(row["created_at"])
        for k in ("execution_start", "execution_end"):
            assert row[k] is None or ROW_TIME.match(row[k])
        assert isinstance(row["dry_run"], bool)
        statuses.add(row["status"])
    assert len(statuses) >= 5
    created = [row["created_at"] for row in rows]
    assert created == sorted(created, reverse=True)  # newest first


async def test_details_have_exactly_the_documented_keys(busy: Any) -> None:
    _, _, details = busy
    seen_errors = seen_files = seen_videos = seen_recovered = 0
    for d in details:
        assert set(d) == DETAIL_KEYS
        for e in d["errors"] or []:
            assert set(e) == ERROR_KEYS
            assert DETAIL_TIME.match(e["created_at"])
            seen_errors += 1
        for s in d["screenshot_urls"]:
            assert set(s) == SHOT_KEYS
            assert DETAIL_TIME.match(s["timestamp"])
        for f in d["file_urls"]:
            assert set(f) == FILE_KEYS
            seen_files += 1
        for v in d["video_urls"]:
            assert set(v) == VIDEO_KEYS
            assert DETAIL_TIME.match(v["timestamp"])
            seen_videos += 1
        for entry in d["vault_entries"].values():
            assert set(entry) == VAULT_KEYS
            assert entry["password"] == "<encrypted>"
        ids = {e["error_id"] for e in d["errors"] or []}
        assert set(d["recovered_error_ids"]) <= ids
        assert d["was_recovered"] == bool(d["recovered_error_ids"])
        seen_recovered += bool(d["recovered_error_ids"])
        if d["status"] in ("execution.queued", "execution.paused"):
            assert d["errors"] is None and d["vault_entries"] == {}
        if d["status"] == "execution.success":
            assert d["data"]
            assert not [e for e in d["errors"] if e["error_id"] not in d["recovered_error_ids"]]
        if d["status"] == "execution.failed":
            assert d["errors"] and d["errors"][-1]["error_id"] not in d["recovered_error_ids"]
    assert seen_errors and seen_files and seen_videos and seen_recovered


async def test_no_priority_field_anywhere(busy: Any) -> None:
    sim, _, details = busy
    async with sim.client() as c:
        bodies = [(await c.get("/runs")).json(), (await c.get("/workflows")).json()]
        for wf in bodies[1]:
            bodies.append((await c.get(f"/workflows/{wf['id']}")).json())
    bodies.extend(details)
    for body in bodies:
        assert "priority" not in set(keys_anywhere(body))


def test_fixture_key_sets_match_the_simulator() -> None:
    if not FIXTURES.is_dir():
        pytest.skip("API fixtures not available")
    rows = json.loads((FIXTURES / "runs_list.json").read_text())
    assert all(set(r) == ROW_KEYS for r in rows)
    for name in ("success", "failed_recovered", "queued"):
        d = json.loads((FIXTURES / f"run_detail_{name}.json").read_text())
        assert set(d) == DETAIL_KEYS
        for e in d["errors"] or []:
            assert set(e) == ERROR_KEYS
        assert all(set(s) == SHOT_KEYS for s in d["screenshot_urls"])
        assert all(set(f) == FILE_KEYS for f in d["file_urls"])
        assert all(set(v) == VIDEO_KEYS for v in d["video_urls"])
        assert all(set(v) == VAULT_KEYS for v in d["vault_entries"].values())
    snap = json.loads((FIXTURES / "debug_snapshot.json").read_text())
    assert set(snap) == SNAPSHOT_KEYS
    assert all(set(s) == SNAPSHOT_SHOT_KEYS for s in snap["screenshots"])


async def test_workflows_summary_and_definition() -> None:
    sim, _ = make()
    async with sim.client() as c:
        summaries = (await c.get("/workflows")).json()
        assert len(summaries) == 8
        for s in summaries:
            assert set(s) == SUMMARY_KEYS
            full = (await c.get(f"/workflows/{s['id']}")).json()
            assert {k: full[k] for k in SUMMARY_KEYS} == s
            nodes = full["nodes"]
            assert nodes[0]["action"] == "START" and nodes[-1]["action"] == "END"
            ids = {n["id"] for n in nodes}
            for n in nodes:
                assert set(n) == {"id", "name", "action", "parameters"}
            for src, edge in full["edges"].items():
                assert src in ids and set(edge.values()) <= ids
            assert {"version_number", "version_id", "input_schema", "vault_schema"} <= set(full)
        assert_fastify(await c.get("/workflows/not-a-workflow"), 404)


async def test_error_nodes_and_screenshot_names_come_from_the_workflow(busy: Any) -> None:
    sim, _, details = busy
    for d in details:
        wf = sim.workspace.workflow(d["workflow_id"])
        names = {n.name for n in wf.nodes}
        ids = {n.id for n in wf.nodes}
        for e in d["errors"] or []:
            assert e["node_id"] in ids and e["action_display_name"] in names
        for s in d["screenshot_urls"]:
            assert s["node_display_name"] in names


# -- paging and filters ------------------------------------------------------------------


async def test_cursor_returns_rows_strictly_before() -> None:
    sim, _ = make(history=3000, arrival_per_min=0)
    async with sim.client() as c:
        first = (await c.get("/runs", params={"limit": 100})).json()
        cursor = first[-1]["created_at"]
        second = (await c.get("/runs", params={"limit": 100, "cursor": cursor})).json()
    assert len(first) == len(second) == 100
    assert all(r["created_at"] < cursor for r in second)
    everything = sim.workspace.list_runs(limit=10000)
    same_second = [r for r in everything if r["created_at"] == cursor]
    assert not {r["session_id"] for r in same_second} & {r["session_id"] for r in second}


async def test_paging_through_the_window_in_order() -> None:
    sim, _ = make(history=2500, arrival_per_min=0, seed=3)
    seen: list[dict[str, Any]] = []
    async with sim.client() as c:
        params: dict[str, Any] = {"limit": 500}
        while True:
            page = (await c.get("/runs", params=params)).json()
            seen.extend(page)
            if len(page) < 500:
                break
            params["cursor"] = page[-1]["created_at"]
    everything = sim.workspace.list_runs(limit=10000)
    assert [r["created_at"] for r in seen] == sorted((r["created_at"] for r in seen), reverse=True)
    assert len({r["session_id"] for r in seen}) == len(seen)
    assert len(seen) <= len(everything)


@pytest.mark.parametrize(
    ("params", "fragment"),
    [
        ({"limit": "0"}, "limit must be >= 1"),
        ({"limit": "10001"}, "limit must be <= 10000"),
        ({"limit": "abc"}, "limit must be integer"),
        ({"limit": "-5"}, "limit must be >= 1"),
        ({"start_time": "yesterday"}, "start_time must match format"),
        ({"start_time": "2026-03-01"}, "start_time must match format"),
        ({"start_time": "2026-03-01T00:00:00"}, "start_time must match format"),
        ({"start_time": "2026-01-31T00:00:00Z"}, "older than 31 days"),
        ({"end_time": "2026-03-04T15:00:00Z"}, "future"),
        (
            {"start_time": "2026-03-03T00:00:00Z", "end_time": "2026-03-02T00:00:00Z"},
            "start_time",
        ),
        ({"cursor": "not-a-date"}, "cursor must match format"),
        ({"status": "execution.archived"}, "status must be equal to one of the allowed"),
        ({"statuses": "execution.queued,bogus"}, "statuses/1 must be equal"),
        ({"workflow_id": "abc"}, 'workflow_id must match format "uuid"'),
    ],
)
async def test_bad_queries_are_400_in_fastify_shape(params: dict[str, str], fragment: str) -> None:
    sim, _ = make()
    async with sim.client() as c:
        body = assert_fastify(await c.get("/runs", params=params), 400)
    assert body["error"] == "Bad Request"
    assert fragment in body["message"]


async def test_limit_bounds_and_lookback_edges_are_accepted() -> None:
    sim, _ = make(history=200, max_lookback=timedelta(days=31))
    ok = [
        {"limit": "1"},
        {"limit": "10000"},
        {"start_time": (T0 - timedelta(days=30)).isoformat()},
        {"start_time": "2026-02-01T14:00:00+00:00"},
        {"end_time": "2026-03-04T14:00:00Z"},
    ]
    async with sim.client() as c:
        for params in ok:
            r = await c.get("/runs", params=params)
            assert r.status_code == 200, (params, r.text)
        assert len((await c.get("/runs", params={"limit": 1})).json()) == 1


async def test_default_window_is_24_hours() -> None:
    sim, _ = make(history=2000, history_window=timedelta(hours=48), arrival_per_min=0)
    async with sim.client() as c:
        rows = (await c.get("/runs", params={"limit": 10000})).json()
        older = (
            await c.get(
                "/runs",
                params={"limit": 10000, "start_time": (T0 - timedelta(hours=48)).isoformat()},
            )
        ).json()
    cutoff = (T0 - timedelta(hours=24)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert rows and all(r["created_at"] >= cutoff for r in rows)
    assert len(older) > len(rows) + 500


async def test_array_filters_accept_repeated_keys_and_commas() -> None:
    sim, _ = make(history=1500, arrival_per_min=0)
    wf = sim.workspace.workflow_ids
    async with sim.client() as c:
        by_repeat = (
            await c.get("/runs", params=[("workflow_ids", wf[0]), ("workflow_ids", wf[1])])
        ).json()
        by_comma = (await c.get("/runs", params={"workflow_ids": f"{wf[0]},{wf[1]}"})).json()
        single = (await c.get("/runs", params={"workflow_id": wf[0]})).json()
        statuses = (
            await c.get(
                "/runs",
                params=[("statuses", "execution.failed"), ("statuses", "execution.stopped")],
            )
        ).json()
        status_comma = (
            await c.get("/runs", params={"statuses": "execution.failed,execution.stopped"})
        ).json()
        one_status = (await c.get("/runs", params={"status": "execution.failed"})).json()
    assert by_repeat == by_comma and by_repeat
    assert {r["workflow_id"] for r in by_repeat} == {wf[0], wf[1]}
    assert {r["workflow_id"] for r in single} == {wf[0]}
    assert statuses == status_comma
    assert {r["status"] for r in statuses} == {"execution.failed", "execution.stopped"}
    assert {r["status"] for r in one_status} == {"execution.failed"}


async def test_credential_filter_over_http() -> None:
    sim, _ = make(history=1500, arrival_per_min=0)
    cred = sim.workspace.credential_ids[0]
    async with sim.client() as c:
        rows = (await c.get("/runs", params={"credential_id": cred})).json()
        both = (
            await c.get(
                "/runs", params={"credential_ids": f"{cred},{sim.workspace.credential_ids[1]}"}
            )
        ).json()
    assert rows and len(both) > len(rows)
    for row in rows[:50]:
        rec = sim.workspace.record(row["session_id"])
        assert rec is not None and cred in rec.credential_ids()


# -- auth and errors ---------------------------------------------------------------------


async def test_missing_or_wrong_key_is_401() -> None:
    sim, _ = make()
    for key in (None, "wrong-key"):
        async with sim.client(api_key=key) as c:
            for path in ("/runs", "/workflows", "/run/abc"):
                body = assert_fastify(await c.get(path), 401)
                assert body == {
                    "statusCode": 401,
                    "error": "Unauthorized",
                    "message": "Invalid API key",
                }


async def test_other_keys_can_be_configured() -> None:
    sim, _ = make(api_keys=frozenset({"sk_one", "sk_two"}))
    async with sim.client(api_key="sk_two") as c:
        assert (await c.get("/runs")).status_code == 200
    async with sim.client() as c:  # demo-key is not accepted any more
        assert (await c.get("/runs")).status_code == 401


async def test_unknown_run_route_and_method_are_404() -> None:
    sim, _ = make()
    async with sim.client() as c:
        assert assert_fastify(await c.get("/run/nope"), 404)["message"] == "Run not found"
        assert (
            "Route GET:/nothing not found"
            in assert_fastify(await c.get("/nothing"), 404)["message"]
        )
        assert_fastify(await c.delete("/runs"), 404)
        assert_fastify(await c.post("/run/nope/interrupt"), 404)


# -- start and interrupt -----------------------------------------------------------------


async def test_post_run_then_get_shows_it_queued_then_finished() -> None:
    sim, clock = make(arrival_per_min=0)
    wf = sim.workspace.workflow_ids[4]
    async with sim.client() as c:
        body = {
            "workflow_id": wf,
            "run_input_variables": inputs_for(sim, wf),
            "dry_run": {"enabled": True},
            "priority": "HIGH",
            "webhook": {"metadata": {"ticket": "OPS-1"}},
            "debug": True,
        }
        r = await c.post("/run", json=body)
        assert r.status_code == 200 and set(r.json()) == {"session_id"}
        sid = r.json()["session_id"]
        d = (await c.get(f"/run/{sid}")).json()
        assert d["status"] in ("execution.queued", "execution.paused")
        assert d["errors"] is None and d["input_variables"] == body["run_input_variables"]
        row = (await c.get("/runs", params={"limit": 1})).json()[0]
        assert row["session_id"] == sid and row["dry_run"] is True
        assert row["execution_start"] is None
        for _ in range(60):
            clock.advance(30)
            d = (await c.get(f"/run/{sid}")).json()
            if d["status"] in ("execution.success", "execution.failed", "execution.stopped"):
                break
        assert d["status"] in ("execution.success", "execution.failed", "execution.stopped")
        row = (await c.get("/runs", params={"limit": 1})).json()[0]
        assert row["execution_start"] and row["execution_end"]


async def test_post_run_validation() -> None:
    sim, _ = make()
    wf = sim.workspace.workflow_ids[0]
    good = inputs_for(sim, wf)
    async with sim.client() as c:
        body = assert_fastify(await c.post("/run", json={"workflow_id": wf}), 400)
        assert "run_input_variables" in body["message"]
        assert isinstance(body["run_input_variables_errors"], list)
        body = assert_fastify(
            await c.post("/run", json={"workflow_id": wf, "run_input_variables": {"USER": "x"}}),
            400,
        )
        assert {e["field"] for e in body["run_input_variables_errors"]} >= {"member_id"}
        bad_priority = {"workflow_id": wf, "run_input_variables": good, "priority": "URGENT"}
        assert "priority" in assert_fastify(await c.post("/run", json=bad_priority), 400)["message"]
        assert_fastify(
            await c.post(
                "/run", json={"workflow_id": wf, "run_input_variables": good, "dry_run": True}
            ),
            400,
        )
        unknown = {"workflow_id": "6f1d2c3b-4a5e-4b7c-9d8e-1a2b3c4d5e6f", "run_input_variables": {}}
        assert_fastify(await c.post("/run", json=unknown), 404)
        assert_fastify(await c.post("/run", content=b"{not json"), 400)
        pooled = dict(good, USER=sim.workspace.credential_ids[:2])
        r = await c.post("/run", json={"workflow_id": wf, "run_input_variables": pooled})
        assert r.status_code == 200
        # priority is accepted and recorded, but never returned
        rec = sim.workspace.record(r.json()["session_id"])
        assert rec is not None and rec.priority == "LOW"


async def test_interrupt_stops_a_queued_run() -> None:
    sim, clock = make(arrival_per_min=0, workers=1)
    wf = sim.workspace.workflow_ids[1]
    async with sim.client() as c:
        blocker = (
            await c.post(
                "/run", json={"workflow_id": wf, "run_input_variables": inputs_for(sim, wf)}
            )
        ).json()["session_id"]
        clock.advance(5)
        waiting = (
            await c.post(
                "/run", json={"workflow_id": wf, "run_input_variables": inputs_for(sim, wf)}
            )
        ).json()["session_id"]
        clock.advance(5)
        r = await c.post(f"/run/{waiting}/interrupt")
        assert r.status_code == 200
        assert r.json() == {"success": True, "message": "Run interrupt triggered"}
        d = (await c.get(f"/run/{waiting}")).json()
        assert d["status"] == "execution.stopped" and d["errors"] is None
        r = await c.post(f"/run/{blocker}/interrupt")
        assert r.status_code == 200
        assert (await c.get(f"/run/{blocker}")).json()["status"] == "execution.stopped"
        rows = {r["session_id"]: r for r in (await c.get("/runs")).json()}
        assert rows[waiting]["execution_start"] is None
        assert rows[blocker]["execution_end"] is not None


# -- debug snapshots ---------------------------------------------------------------------


async def test_debug_snapshots() -> None:
    sim, _ = make(history=1500, arrival_per_min=0)
    ws = sim.workspace
    runs = ws.all_runs()
    failed = next(r for r in runs if r.debug and r.status == "execution.failed")
    plain = next(r for r in runs if not r.debug and r.status == "execution.success")
    wf = ws.workflow(failed.workflow_id)
    other = next(w for w in ws.catalog.workflows if w.id != failed.workflow_id)
    async with sim.client() as c:
        start = (await c.get(f"/run/{failed.session_id}/debug-snapshots/{wf.nodes[1].id}")).json()
        assert set(start) == SNAPSHOT_KEYS
        assert start["page_snapshot_url"].startswith("https://storage.example.com/")
        end = (await c.get(f"/run/{failed.session_id}/debug-snapshots/{wf.nodes[-1].id}")).json()
        assert end["page_snapshot_url"] is None and end["screenshots"] == []
        detail = (await c.get(f"/run/{failed.session_id}")).json()
        err_node = detail["errors"][-1]["node_id"]
        at_error = (await c.get(f"/run/{failed.session_id}/debug-snapshots/{err_node}")).json()
        assert at_error["page_snapshot_url"]
        assert any(s["error_screenshot"] for s in at_error["screenshots"])
        for s in at_error["screenshots"]:
            assert set(s) == SNAPSHOT_SHOT_KEYS and s["node_id"] == err_node
        plain_node = sim.workspace.workflow(plain.workflow_id).nodes[1].id
        r = await c.get(f"/run/{plain.session_id}/debug-snapshots/{plain_node}")
        assert_fastify(r, 404)
        assert_fastify(
            await c.get(f"/run/{failed.session_id}/debug-snapshots/{other.nodes[1].id}"), 404
        )
        assert_fastify(await c.get(f"/run/nope/debug-snapshots/{wf.nodes[1].id}"), 404)


# -- content -----------------------------------------------------------------------------


async def test_old_history_shows_expired_links() -> None:
    sim, _ = make(history=2000, history_window=timedelta(days=20), arrival_per_min=0)
    old = next(
        r
        for r in sim.workspace.all_runs()
        if r.status == "execution.success" and T0.timestamp() - r.created > 10 * 86400
    )
    async with sim.client() as c:
        d = (await c.get(f"/run/{old.session_id}")).json()
    expiries = [v["signed_screen_recording_url_expires"] for v in d["video_urls"]] + [
        s["signed_screenshot_url_expires"] for s in d["screenshot_urls"]
    ]
    assert expiries
    for e in expiries:
        assert datetime.fromisoformat(e.replace("Z", "+00:00")) < T0


async def test_hostile_mode_puts_hostile_text_in_responses() -> None:
    sim, clock = make(history=800, hostile=True)
    clock.advance(60)
    texts: list[str] = []
    async with sim.client() as c:
        wfs = (await c.get("/workflows")).json()
        texts.extend(w["name"] for w in wfs)
        rows = (await c.get("/runs")).json()
        for row in rows[:300]:
            r = await c.get(f"/run/{row['session_id']}")
            d = json.loads(r.text)  # still valid JSON
            for e in d["errors"] or []:
                texts += [e["message"], e["original_error"], e["action_display_name"]]
            texts += [f["file_name"] for f in d["file_urls"]]
            texts += [v for v in d["data"].values() if isinstance(v, str)]
    blob = "\n".join(texts)
    hits = {h for h in HOSTILE_STRINGS if h.strip() and h in blob}
    assert len(hits) >= 8
    assert any(len(t) >= 5000 for t in texts)
    assert any("\x1b" in t for t in texts) and any("[" in t and "[/" in t for t in texts)


async def test_requests_reflect_clock_moves() -> None:
    sim, clock = make(arrival_per_min=30.0)
    async with sim.client() as c:
        before = (await c.get("/runs")).json()
        clock.advance(600)
        after = (await c.get("/runs")).json()
    assert len(after) > len(before)
