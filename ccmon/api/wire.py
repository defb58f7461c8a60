"""The wire between the client and the API: the key, retries, pages, errors.

Pure functions and small types the client builds on; no I/O here.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel, TypeAdapter, ValidationError

from ccmon.api import errors
from ccmon.api.models import ErrorBody, RunSummary

M = TypeVar("M", bound=BaseModel)


class ApiKey:
    """The API key, kept out of every repr, str and log line."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        value = value.strip()
        if not value:
            raise ValueError("the API key is empty")
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "ApiKey('********')"

    __str__ = __repr__


@dataclass(frozen=True)
class RetryPolicy:
    """Backoff with full jitter for retryable errors; a 429 waits at least Retry-After."""

    attempts: int = 3
    base: float = 0.5
    cap: float = 30.0

    def delay(self, attempt: int, error: errors.CloudCruiseError, rng: random.Random) -> float:
        backoff = min(self.cap, self.base * 2**attempt) * (0.5 + rng.random() / 2)
        if isinstance(error, errors.RateLimited):
            return max(error.retry_after, backoff)
        return backoff


@dataclass
class InvalidRow:
    """A row of a page that did not match the model: it costs that row, not the page."""

    session_id: str | None
    reason: str


@dataclass
class RunPage:
    rows: list[RunSummary]
    invalid: list[InvalidRow] = field(default_factory=list)
    raw_count: int = 0
    oldest_created_at: datetime | None = None


def iso(moment: datetime) -> str:
    """ISO-8601 in UTC with a Z, as the API writes it (a naive time is taken as UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def excerpt(text: str, limit: int = 80) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def describe(exc: ValidationError) -> str:
    first = exc.errors()[0]
    where = ".".join(str(p) for p in first.get("loc", ())) or "body"
    return f"field {where}: {first.get('msg', 'invalid')}"


def error_for(response: httpx.Response, path: str) -> errors.CloudCruiseError:
    status = response.status_code
    try:
        body = ErrorBody.model_validate(response.json())
    except (ValueError, ValidationError):
        body = ErrorBody()
    detail = excerpt(body.message or body.error or f"HTTP {status}: {response.reason_phrase}")
    if status in (401, 403):
        return errors.AuthError(status, path, "" if status == 401 else detail)
    if status == 404:
        return errors.NotFound(path, detail)
    if status == 429:
        return errors.RateLimited(
            retry_after(response, body),
            path=path,
            limit=body.limit or _int(response.headers.get("X-RateLimit-Limit")),
            remaining=body.remaining,
            reset=response.headers.get("X-RateLimit-Reset"),
        )
    if status >= 500:
        return errors.ServerError(status, path, detail)
    return errors.BadRequest(status, path, detail, body=body)


def decode(response: httpx.Response, path: str) -> Any:
    """The response's JSON, or a PayloadError that quotes it."""
    try:
        return json.loads(response.content)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise errors.PayloadError(
            path, f"malformed JSON ({exc.__class__.__name__})", excerpt(response.text)
        ) from None


def decode_array(response: httpx.Response, path: str) -> list[Any]:
    """The response's JSON, which must be an array."""
    payload = decode(response, path)
    if not isinstance(payload, list):
        raise errors.PayloadError(path, "expected a JSON array", excerpt(str(payload)))
    return payload


def model_from(model: type[M], response: httpx.Response, path: str) -> M:
    """One model straight from the response's JSON text. Anything it does not read
    (malformed JSON, a missing field) is read again the slow way for the error to say."""
    try:
        return model.model_validate_json(response.content)
    except ValidationError:
        return validate(model, decode(response, path), path)


@cache
def _page_adapter() -> TypeAdapter[list[RunSummary]]:
    return TypeAdapter(list[RunSummary])


def page_from(response: httpx.Response, path: str = "/runs") -> RunPage:
    """A page of runs straight from the response's JSON text, all rows at once. A page
    with any row that does not fit is read again row by row: the rest of it is kept."""
    try:
        rows = _page_adapter().validate_json(response.content)
    except ValidationError:
        return parse_page(decode_array(response, path))
    return _page(rows, [], len(rows))


def validate(model: type[M], payload: Any, path: str) -> M:
    try:
        return model.model_validate(payload)
    except ValidationError as exc:
        raise errors.PayloadError(path, describe(exc), excerpt(str(payload))) from None


def parse_page(payload: list[Any]) -> RunPage:
    rows: list[RunSummary] = []
    invalid: list[InvalidRow] = []
    for item in payload:
        try:
            rows.append(RunSummary.model_validate(item))
        except ValidationError as exc:
            sid = item.get("session_id") if isinstance(item, dict) else None
            invalid.append(InvalidRow(sid if isinstance(sid, str) else None, describe(exc)))
    return _page(rows, invalid, len(payload))


def _page(rows: list[RunSummary], invalid: list[InvalidRow], raw_count: int) -> RunPage:
    dated = [row.created_at for row in rows if row.created_at is not None]
    return RunPage(rows, invalid, raw_count, min(dated, default=None))


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def retry_after(response: httpx.Response, body: ErrorBody) -> float:
    """Seconds to wait: Retry-After, else retryAfterSeconds, else X-RateLimit-Reset read
    defensively (a small number is a delta, a large one an epoch), else 1."""
    header = response.headers.get("Retry-After")
    for candidate in (header, body.retryAfterSeconds):
        try:
            if candidate is not None and float(candidate) >= 0:
                return max(1.0, float(candidate))
        except ValueError:
            continue
    reset = _int(response.headers.get("X-RateLimit-Reset"))
    if reset is not None:
        if reset > 1_000_000_000:
            reset = int(reset - datetime.now().timestamp())
        if 0 <= reset < 3600:
            return max(1.0, float(reset))
    return 1.0
