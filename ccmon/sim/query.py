"""Validation of GET /runs query parameters (Fastify/ajv-style messages)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from starlette.datastructures import QueryParams

from .records import STATUSES
from .responses import ApiError
from .timefmt import parse_datetime

__all__ = ["RunsQuery", "parse_runs_query"]

_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_INT = re.compile(r"^[+-]?\d+$")
DEFAULT_WINDOW = 86400.0
MAX_LIMIT = 10000


@dataclass(frozen=True, slots=True)
class RunsQuery:
    start_time: float
    end_time: float | None
    cursor: float | None
    workflow_ids: tuple[str, ...]
    statuses: tuple[str, ...]
    credential_ids: tuple[str, ...]
    limit: int


def _bad(message: str) -> ApiError:
    return ApiError(400, message)


def _single(q: QueryParams, name: str) -> str | None:
    values = q.getlist(name)
    if not values:
        return None
    if len(values) > 1:
        raise _bad(f"querystring/{name} must be string")
    return values[0]


def _many(q: QueryParams, name: str) -> list[str]:
    """Array params: a repeated key and comma-separated values are both accepted."""
    out: list[str] = []
    for v in q.getlist(name):
        out.extend(p.strip() for p in v.split(",") if p.strip())
    return out


def _date(q: QueryParams, name: str) -> float | None:
    raw = _single(q, name)
    if raw is None:
        return None
    t = parse_datetime(raw)
    if t is None:
        raise _bad(f'querystring/{name} must match format "date-time"')
    return t


def _check_each(
    name: str, values: Sequence[str], ok: re.Pattern[str] | tuple[str, ...], fmt: str
) -> None:
    for i, v in enumerate(values):
        good = v in ok if isinstance(ok, tuple) else bool(ok.match(v))
        if not good:
            where = f"querystring/{name}" if fmt.startswith("single") else f"querystring/{name}/{i}"
            if fmt.endswith("enum"):
                raise _bad(f"{where} must be equal to one of the allowed values")
            raise _bad(f'{where} must match format "uuid"')


def parse_runs_query(q: QueryParams, now: float, max_lookback: float) -> RunsQuery:
    """Validate the query against the documented rules; raises ApiError(400)."""
    limit_raw = _single(q, "limit")
    limit = 1000
    if limit_raw is not None:
        if not _INT.match(limit_raw.strip()):
            raise _bad("querystring/limit must be integer")
        limit = int(limit_raw)
        if limit < 1:
            raise _bad("querystring/limit must be >= 1")
        if limit > MAX_LIMIT:
            raise _bad(f"querystring/limit must be <= {MAX_LIMIT}")
    start = _date(q, "start_time")
    end = _date(q, "end_time")
    cursor = _date(q, "cursor")
    wf_one, st_one, cr_one = (_single(q, n) for n in ("workflow_id", "status", "credential_id"))
    if wf_one is not None:
        _check_each("workflow_id", [wf_one], _UUID, "single-uuid")
    if st_one is not None:
        _check_each("status", [st_one], STATUSES, "single-enum")
    wf_many, st_many = _many(q, "workflow_ids"), _many(q, "statuses")
    _check_each("workflow_ids", wf_many, _UUID, "array-uuid")
    _check_each("statuses", st_many, STATUSES, "array-enum")
    days = max_lookback / 86400.0
    span = f"{days:g} days" if days >= 1 else f"{max_lookback / 3600.0:g} hours"
    if start is None:
        start = now - DEFAULT_WINDOW
        if start < now - max_lookback:
            start = now - max_lookback
    elif start < now - max_lookback:
        raise _bad(f"start_time cannot be older than {span}")
    if end is not None:
        if end > now:
            raise _bad("end_time cannot be in the future")
        if end < start:
            raise _bad("end_time must be greater than or equal to start_time")
    credentials = ([cr_one] if cr_one else []) + _many(q, "credential_ids")
    return RunsQuery(
        start_time=start,
        end_time=end,
        cursor=cursor,
        workflow_ids=tuple(dict.fromkeys(([wf_one] if wf_one else []) + wf_many)),
        statuses=tuple(dict.fromkeys(([st_one] if st_one else []) + st_many)),
        credential_ids=tuple(dict.fromkeys(credentials)),
        limit=limit,
    )
