"""Fastify-shaped error bodies and JSON responses."""

from __future__ import annotations

import json
from typing import Any

from starlette.responses import Response

__all__ = ["REASONS", "ApiError", "fastify_body", "json_response"]

REASONS: dict[int, str] = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}


class ApiError(Exception):
    """Raised by handlers; rendered as `{"statusCode", "error", "message", ...extra}`."""

    def __init__(self, status: int, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.extra = extra


def fastify_body(status: int, message: str, **extra: Any) -> dict[str, Any]:
    return {
        "statusCode": status,
        "error": REASONS.get(status, "Error"),
        "message": message,
        **extra,
    }


def encode(body: Any) -> bytes:
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(
        encode(body),
        status_code=status,
        headers=headers,
        media_type="application/json; charset=utf-8",
    )
