"""The Starlette app: the CloudCruise API routes plus the /_sim admin routes."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from .faults import Fault
from .gate import Gate
from .query import parse_runs_query
from .responses import ApiError, fastify_body, json_response
from .validate import validate_start_body

if TYPE_CHECKING:
    from .simulator import Simulator

__all__ = ["create_app"]


def create_app(sim: Simulator) -> Starlette:
    cfg = sim.config

    async def list_runs(request: Request) -> Response:
        ws = sim.workspace
        ws.advance()
        q = parse_runs_query(request.query_params, ws.now, cfg.max_lookback.total_seconds())
        rows = ws.list_runs(
            start_time=q.start_time,
            end_time=q.end_time,
            workflow_ids=q.workflow_ids,
            statuses=q.statuses,
            credential_ids=q.credential_ids,
            limit=q.limit,
            cursor=q.cursor,
        )
        return json_response(rows)

    async def get_run(request: Request) -> Response:
        detail = sim.workspace.get_run(request.path_params["session_id"])
        if detail is None:
            raise ApiError(404, "Run not found")
        return json_response(detail)

    async def debug_snapshot(request: Request) -> Response:
        sid, node = request.path_params["session_id"], request.path_params["node_id"]
        body = sim.workspace.debug_snapshot(sid, node)
        if body is None:
            if sim.workspace.record(sid) is None:
                raise ApiError(404, "Run not found")
            raise ApiError(404, "Debug snapshot not found")
        return json_response(body)

    async def start_run(request: Request) -> Response:
        body = await _json_body(request)
        req = validate_start_body(body, sim.workspace)
        sid = sim.workspace.start_run(
            req.workflow_id, req.inputs, priority=req.priority, dry_run=req.dry_run, debug=req.debug
        )
        return json_response({"session_id": sid})

    async def interrupt(request: Request) -> Response:
        if not sim.workspace.interrupt(request.path_params["session_id"]):
            raise ApiError(404, "Run not found")
        return json_response({"success": True, "message": "Run interrupt triggered"})

    async def list_workflows(request: Request) -> Response:
        return json_response(sim.workspace.list_workflows())

    async def get_workflow(request: Request) -> Response:
        wf = sim.workspace.get_workflow(request.path_params["workflow_id"])
        if wf is None:
            raise ApiError(404, "Workflow not found")
        return json_response(wf)

    async def faults_admin(request: Request) -> Response:
        if request.method == "DELETE":
            sim.faults.clear()
        elif request.method == "POST":
            body = await _json_body(request)
            items = body if isinstance(body, list) else [body]
            try:
                faults = [Fault.from_json(item) for item in items]
            except ValueError as exc:
                raise ApiError(400, str(exc)) from None
            sim.faults.replace(faults)
        return json_response(sim.faults.to_json())

    async def api_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, ApiError)
        return json_response(fastify_body(exc.status, exc.message, **exc.extra), exc.status)

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        if exc.status_code in (404, 405):  # Fastify answers 404 for a wrong method too
            msg = f"Route {request.method}:{request.url.path} not found"
            return json_response(fastify_body(404, msg), 404)
        return json_response(fastify_body(exc.status_code, str(exc.detail)), exc.status_code)

    routes = [
        Route("/runs", list_runs, methods=["GET"]),
        Route("/run", start_run, methods=["POST"]),
        Route("/run/{session_id}", get_run, methods=["GET"]),
        Route("/run/{session_id}/interrupt", interrupt, methods=["POST"]),
        Route("/run/{session_id}/debug-snapshots/{node_id}", debug_snapshot, methods=["GET"]),
        Route("/workflows", list_workflows, methods=["GET"]),
        Route("/workflows/{workflow_id}", get_workflow, methods=["GET"]),
        Route("/_sim/faults", faults_admin, methods=["GET", "POST", "DELETE"]),
    ]
    app = Starlette(
        routes=routes,
        middleware=[Middleware(Gate, sim=sim)],
        exception_handlers={ApiError: api_error, HTTPException: http_error},
    )
    app.router.redirect_slashes = False
    return app


async def _json_body(request: Request) -> Any:
    raw = await request.body()
    if not raw.strip():
        raise ApiError(400, "body must be object")
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ApiError(
            400, f"Body is not valid JSON but content-type is set to 'application/json': {exc}"
        ) from None
