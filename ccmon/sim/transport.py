"""In-process HTTP transport over the simulator app, with socket-like failure modes."""

from __future__ import annotations

import asyncio

import httpx
from starlette.types import ASGIApp

from .faults import ConnectionDropped

__all__ = ["SimTransport"]


class SimTransport(httpx.ASGITransport):
    """httpx.ASGITransport that fails the way a real connection would.

    - the "drop" fault raises httpx.RemoteProtocolError("Server disconnected without
      sending a response."), as httpx does when a server closes the socket;
    - the request's read timeout (httpx.Timeout) is enforced over the whole exchange, so a
      "timeout" fault that stalls longer than the client's read timeout raises
      httpx.ReadTimeout (plain ASGITransport ignores timeouts).
    """

    def __init__(
        self, app: ASGIApp, client: tuple[str, int] = ("127.0.0.1", 123), root_path: str = ""
    ) -> None:
        super().__init__(app=app, raise_app_exceptions=True, root_path=root_path, client=client)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        timeouts = request.extensions.get("timeout") or {}
        read = timeouts.get("read")
        try:
            if read is None:
                return await super().handle_async_request(request)
            return await asyncio.wait_for(super().handle_async_request(request), read)
        except ConnectionDropped as exc:
            raise httpx.RemoteProtocolError(
                "Server disconnected without sending a response.", request=request
            ) from exc
        except TimeoutError as exc:
            raise httpx.ReadTimeout("timed out", request=request) from exc
