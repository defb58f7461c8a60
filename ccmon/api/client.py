"""An async client for the CloudCruise REST API.

The transport comes from outside (``httpx.AsyncClient``), so the same code talks to the
real API, to ``ccmon sim`` over a socket and to the in-process simulator. Every method
returns pydantic models from :mod:`ccmon.api.models` or raises a typed error from
:mod:`ccmon.api.errors`; the API key only ever travels in the ``cc-key`` header.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any, Protocol, TypeVar
from urllib.parse import quote, urlencode

import httpx
from pydantic import BaseModel, ValidationError

from ccmon import __version__
from ccmon.api import errors
from ccmon.api.models import (
    DebugSnapshot,
    InterruptResponse,
    Priority,
    RunDetail,
    RunSummary,
    StartRunRequest,
    StartRunResponse,
    Workflow,
    WorkflowSummary,
)
from ccmon.api.wire import (
    ApiKey,
    InvalidRow,
    RetryPolicy,
    RunPage,
    decode_array,
    describe,
    error_for,
    excerpt,
    iso,
    model_from,
    page_from,
)

__all__ = ["ApiKey", "CloudCruiseClient", "InvalidRow", "PriorityJournal", "RetryPolicy", "RunPage"]

log = logging.getLogger("ccmon.api")

DEFAULT_BASE_URL = "https://api.cloudcruise.com"
ENV_API_KEY = "CLOUDCRUISE_API_KEY"
ENV_BASE_URL = "CLOUDCRUISE_BASE_URL"
MAX_LIMIT = 10_000
_OURS = frozenset({"cc-key", "user-agent"})  # headers the client sets on every request
M = TypeVar("M", bound=BaseModel)


class PriorityJournal(Protocol):
    """Where the client records the priority of runs it starts (see ccmon.sync.journal)."""

    def record(self, session_id: str, priority: Priority, workflow_id: str | None) -> None: ...


class CloudCruiseClient:
    """Typed access to the endpoints ccmon uses.

    >>> async with httpx.AsyncClient(base_url=...) as http:
    ...     client = CloudCruiseClient(http, api_key="sk_...")
    ...     runs = await client.list_runs(status="execution.queued")
    """

    def __init__(
        self,
        http: httpx.AsyncClient,
        api_key: str | ApiKey,
        *,
        timeout: float = 10.0,
        retry: RetryPolicy | None = None,
        read_only: bool = False,
        journal: PriorityJournal | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        rng: random.Random | None = None,
    ) -> None:
        self._http = http
        self._key = api_key if isinstance(api_key, ApiKey) else ApiKey(api_key)
        self.timeout = timeout
        self.retry = retry or RetryPolicy()
        self.read_only = read_only
        self.journal = journal
        self._sleep = sleep
        self._rng = rng or random.Random()
        self.requests_sent = 0
        self.bytes_received = 0

    def __repr__(self) -> str:
        return f"CloudCruiseClient(base_url={str(self._http.base_url)!r}, key=********)"

    @property
    def host(self) -> str:
        return self._http.base_url.host or str(self._http.base_url)

    # --- transport -----------------------------------------------------------------

    async def _send(
        self,
        method: str,
        path: str,
        *,
        params: Sequence[tuple[str, str]] | None = None,
        body: Any = None,
        retry: bool = True,
    ) -> httpx.Response:
        """A response under 400 (after retries), its body read; the caller parses it."""
        attempt = 0
        while True:
            try:
                return await self._send_once(method, path, params=params, body=body)
            except errors.CloudCruiseError as exc:
                # A mutation is only repeated when the API said it did not process it.
                can_retry = retry or isinstance(exc, errors.RateLimited)
                if not (exc.retryable and can_retry) or attempt + 1 >= self.retry.attempts:
                    raise
                wait = self.retry.delay(attempt, exc, self._rng)
                log.info("%s %s: %s; retry in %.1f s", method, path, exc, wait)
                attempt += 1
                await self._sleep(wait)

    async def _send_once(
        self,
        method: str,
        path: str,
        *,
        params: Sequence[tuple[str, str]] | None,
        body: Any,
    ) -> httpx.Response:
        self.requests_sent += 1
        try:
            async with asyncio.timeout(self.timeout):
                response = await self._http.send(self._build(method, path, params, body))
        except (TimeoutError, httpx.TimeoutException):
            raise errors.Timeout(path, self.timeout) from None
        except httpx.ConnectError as exc:
            raise errors.ConnectionFailed(self.host, excerpt(str(exc)) or "refused") from None
        except (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError) as exc:
            raise errors.ConnectionFailed(
                self.host, "connection dropped: " + (excerpt(str(exc)) or "no response")
            ) from None
        except httpx.TransportError as exc:
            raise errors.ConnectionFailed(
                self.host, excerpt(str(exc)) or type(exc).__name__
            ) from None
        self.bytes_received += len(response.content)
        log.debug(
            "%s %s -> %s (%d bytes)", method, path, response.status_code, len(response.content)
        )
        if response.status_code >= 400:
            raise error_for(response, path)
        return response

    def _headers(self) -> dict[str, str]:
        return {"cc-key": self._key.reveal(), "User-Agent": f"ccmon/{__version__}"}

    def _build(
        self, method: str, path: str, params: Sequence[tuple[str, str]] | None, body: Any
    ) -> httpx.Request:
        """The request ``AsyncClient.build_request`` builds (the client's headers under
        ours, the base URL's path before ``path``, the query, our timeout), without its
        general merging: that is a third of httpx's cost per request. A client that holds
        cookies or default params gets httpx's own. The key is never a local (crash reports
        print locals)."""
        http = self._http
        root = str(http.base_url)
        if http.cookies or http.params or http.base_url.query or http.base_url.fragment:
            return http.build_request(
                method,
                path,
                params=list(params or ()),
                json=body,
                headers=self._headers(),
                timeout=self.timeout,
            )
        # the base URL's path ends in "/" (httpx sees to it), but a bare host prints without
        url = root + ("" if root.endswith("/") else "/") + path.lstrip("/")
        return httpx.Request(
            method,
            url + "?" + urlencode(params) if params else url,
            headers=[
                *((k, v) for k, v in http.headers.multi_items() if k.lower() not in _OURS),
                *self._headers().items(),
            ],
            json=body,
            extensions={"timeout": httpx.Timeout(self.timeout).as_dict()},
        )

    async def _get_model(
        self, path: str, model: type[M], params: Sequence[tuple[str, str]] = ()
    ) -> M:
        return model_from(model, await self._send("GET", path, params=params), path)

    # --- runs ----------------------------------------------------------------------

    async def list_runs(
        self,
        *,
        start_time: datetime | None = None,
        end_time: datetime | None = None,
        workflow_id: str | None = None,
        workflow_ids: Iterable[str] = (),
        status: str | None = None,
        statuses: Iterable[str] = (),
        credential_id: str | None = None,
        credential_ids: Iterable[str] = (),
        limit: int | None = None,
        cursor: datetime | None = None,
    ) -> RunPage:
        """One page of ``GET /runs``. Rows that do not match the model are listed in
        ``invalid`` with their id when known; the rest of the page is kept."""
        params: list[tuple[str, str]] = []
        for name, moment in (
            ("start_time", start_time),
            ("end_time", end_time),
            ("cursor", cursor),
        ):
            if moment is not None:
                params.append((name, iso(moment)))
        for name, plural, one, many in (
            ("workflow_id", "workflow_ids", workflow_id, workflow_ids),
            ("status", "statuses", status, statuses),
            ("credential_id", "credential_ids", credential_id, credential_ids),
        ):
            if one:
                params.append((name, one))
            params.extend((plural, value) for value in many)
        if limit is not None:
            if not 1 <= limit <= MAX_LIMIT:
                raise ValueError(f"limit must be 1..{MAX_LIMIT}, not {limit}")
            params.append(("limit", str(limit)))
        return page_from(await self._send("GET", "/runs", params=params))

    async def iter_pages(self, *, page_size: int = 1000, **filters: Any) -> AsyncIterator[RunPage]:
        """Every page of runs that match ``filters``, newest first, paging by ``created_at``.

        The cursor returns rows *strictly before* it, so rows sharing the oldest
        ``created_at`` of a full page would be skipped by the naive next cursor. We ask
        again from just after that time and drop the rows already seen there; a full page
        made only of such rows doubles the page size, up to the API's 10,000.
        """
        cursor: datetime | None = filters.pop("cursor", None)
        boundary: datetime | None = None
        boundary_ids: set[str] = set()
        size = page_size
        while True:
            page = await self.list_runs(limit=size, cursor=cursor, **filters)
            fresh = [row for row in page.rows if row.session_id not in boundary_ids]
            yield RunPage(fresh, page.invalid, page.raw_count, page.oldest_created_at)
            oldest = page.oldest_created_at
            if page.raw_count < size or oldest is None:
                return
            at_oldest = {row.session_id for row in page.rows if row.created_at == oldest}
            if oldest != boundary:
                boundary, boundary_ids = oldest, at_oldest
            elif fresh:
                boundary_ids |= at_oldest
            elif size < MAX_LIMIT:
                size = min(MAX_LIMIT, size * 2)
                continue
            else:
                log.warning("more than %d runs share created_at %s", MAX_LIMIT, oldest)
                cursor, boundary, boundary_ids = oldest, None, set()
                continue
            cursor = oldest + timedelta(microseconds=1)

    async def iter_runs(
        self, *, page_size: int = 1000, **filters: Any
    ) -> AsyncIterator[RunSummary]:
        """Every valid run that matches ``filters`` (see :meth:`iter_pages`)."""
        async for page in self.iter_pages(page_size=page_size, **filters):
            for row in page.rows:
                yield row

    async def collect_runs(self, *, page_size: int = 1000, **filters: Any) -> RunPage:
        """All pages at once: every valid row, every unreadable one."""
        result = RunPage(rows=[])
        async for page in self.iter_pages(page_size=page_size, **filters):
            result.rows.extend(page.rows)
            result.invalid.extend(page.invalid)
            result.raw_count += page.raw_count
        return result

    async def get_run(self, session_id: str) -> RunDetail:
        return await self._get_model(f"/run/{_seg(session_id)}", RunDetail)

    async def get_debug_snapshots(self, session_id: str, node_id: str) -> DebugSnapshot:
        path = f"/run/{_seg(session_id)}/debug-snapshots/{_seg(node_id)}"
        return await self._get_model(path, DebugSnapshot)

    async def start_run(
        self,
        workflow_id: str,
        input_variables: dict[str, Any] | None = None,
        *,
        priority: Priority | str = Priority.LOW,
        dry_run: bool = False,
        debug: bool = False,
    ) -> str:
        """``POST /run``; returns the new session_id and journals its priority."""
        if self.read_only:
            raise errors.ReadOnlyError("starting a run")
        prio = Priority.parse(priority)
        if prio is None:
            raise ValueError(f"priority must be HIGH, MEDIUM or LOW, not {priority!r}")
        request = StartRunRequest(
            workflow_id=workflow_id,
            run_input_variables=input_variables or {},
            priority=prio,
            dry_run={"enabled": True} if dry_run else None,
            debug=debug or None,
        )
        response = await self._send("POST", "/run", body=request.to_json(), retry=False)
        session_id = model_from(StartRunResponse, response, "/run").session_id
        if self.journal is not None:
            self.journal.record(session_id, prio, workflow_id)
        return session_id

    async def interrupt_run(self, session_id: str) -> InterruptResponse:
        if self.read_only:
            raise errors.ReadOnlyError("interrupting a run")
        path = f"/run/{_seg(session_id)}/interrupt"
        return model_from(InterruptResponse, await self._send("POST", path, retry=False), path)

    # --- workflows -----------------------------------------------------------------

    async def list_workflows(self) -> list[WorkflowSummary]:
        payload = decode_array(await self._send("GET", "/workflows"), "/workflows")
        found: list[WorkflowSummary] = []
        for item in payload:
            try:
                found.append(WorkflowSummary.model_validate(item))
            except ValidationError as exc:
                log.warning("skipping unreadable workflow: %s", describe(exc))
        return found

    async def get_workflow(self, workflow_id: str) -> Workflow:
        return await self._get_model(f"/workflows/{_seg(workflow_id)}", Workflow)


def _seg(value: str) -> str:
    """A path segment, quoted so that an id can never change the path."""
    return quote(value, safe="")
