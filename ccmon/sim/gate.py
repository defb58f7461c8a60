"""ASGI middleware in front of the API routes: faults, rate limits, authentication.

Order per API request: pick a fault (status faults answer at once, "drop" drops, "timeout"
and "slow" stall first) -> rate limit (per key, or per client IP without a valid key) ->
cc-key check -> the route, whose body the "truncate"/"types"/"enum"/"extra" faults damage.
Admin routes under /_sim/ skip all of this.
"""

from __future__ import annotations

import asyncio
import json
import re
from typing import TYPE_CHECKING, Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .faults import BODY_KINDS, STATUS_KINDS, ConnectionDropped
from .mutate import mutate
from .ratelimit import Verdict
from .responses import REASONS, encode, fastify_body

if TYPE_CHECKING:
    from .simulator import Simulator

__all__ = ["Gate", "classify"]

_ROUTES: list[tuple[frozenset[str], re.Pattern[str], str]] = [
    (frozenset({"GET", "HEAD"}), re.compile(r"^/runs/?$"), "runs"),
    (frozenset({"GET", "HEAD"}), re.compile(r"^/run/[^/]+/debug-snapshots/[^/]+$"), "snapshots"),
    (frozenset({"GET", "HEAD"}), re.compile(r"^/run/[^/]+$"), "run"),
    (frozenset({"GET", "HEAD"}), re.compile(r"^/workflows(/[^/]+)?$"), "workflows"),
    (frozenset({"POST"}), re.compile(r"^/run(/[^/]+/interrupt)?$"), "post"),
]


def classify(method: str, path: str) -> str | None:
    """The fault route name of an API request ("post" is only hit by "all" faults)."""
    for methods, pattern, name in _ROUTES:
        if method in methods and pattern.match(path):
            return name
    return None


def _header(scope: Scope, name: bytes) -> str | None:
    for k, v in scope.get("headers") or []:
        if k.lower() == name:
            return v.decode("latin-1")
    return None


def _raw_headers(headers: dict[str, str]) -> list[tuple[bytes, bytes]]:
    return [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()]


async def _send_json(send: Send, status: int, body: Any, headers: dict[str, str]) -> None:
    data = encode(body)
    raw = [
        (b"content-type", b"application/json; charset=utf-8"),
        (b"content-length", str(len(data)).encode()),
        *_raw_headers(headers),
    ]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": data, "more_body": False})


class Gate:
    def __init__(self, app: ASGIApp, sim: Simulator) -> None:
        self.app = app
        self.sim = sim

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or path == "/_sim" or path.startswith("/_sim/"):
            await self.app(scope, receive, send)
            return
        sim = self.sim
        route = classify(scope["method"], path)
        fault = sim.faults.pick(route)
        kind = fault.kind if fault is not None else None
        if kind == "drop":
            await send(
                {
                    "type": "http.response.start",
                    "status": 200,
                    "headers": [
                        (b"content-type", b"application/json"),
                        (b"content-length", b"4096"),
                    ],
                }
            )
            raise ConnectionDropped(f"{scope['method']} {path}")
        if kind in STATUS_KINDS:
            await self._status_fault(send, kind)
            return
        if kind == "timeout":
            await asyncio.sleep(sim.config.timeout_seconds)
        elif kind == "slow":
            await asyncio.sleep(sim.config.slow_seconds)
        key = _header(scope, b"cc-key")
        valid = key is not None and key in sim.config.api_keys
        client = scope.get("client") or ("unknown", 0)
        identity = f"key:{key}" if valid else f"ip:{client[0]}"
        verdict = sim.limiter.hit(identity, sim.clock.now().timestamp())
        if not verdict.allowed:
            await _send_json(send, 429, verdict.body(), verdict.headers())
            return
        if not valid:
            await _send_json(send, 401, fastify_body(401, "Invalid API key"), verdict.headers())
            return
        if kind in BODY_KINDS and route is not None:
            await self._damaged(scope, receive, send, kind, route, verdict)
            return
        extra = _raw_headers(verdict.headers())

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, receive, send_with_headers)

    async def _status_fault(self, send: Send, kind: str) -> None:
        status = int(kind)
        if status == 429:
            retry = self.sim.faults.rng.randint(1, 5)
            v = Verdict(False, 500, 0, retry, retry)
            await _send_json(send, 429, v.body(), v.headers())
            return
        message = "Invalid API key" if status == 401 else REASONS[status]
        await _send_json(send, status, fastify_body(status, message), {})

    async def _damaged(
        self, scope: Scope, receive: Receive, send: Send, kind: str, route: str, verdict: Verdict
    ) -> None:
        start: Message = {}
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await self.app(scope, receive, capture)
        body = b"".join(chunks)
        status = start.get("status", 500)
        if status == 200 and body:
            if kind == "truncate":
                body = body[: len(body) // 2]
            else:
                damaged = mutate(kind, route, json.loads(body), self.sim.faults.rng)
                body = encode(damaged)
        headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
        headers += [(b"content-length", str(len(body)).encode()), *_raw_headers(verdict.headers())]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body, "more_body": False})
