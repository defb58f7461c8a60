"""The HTTP client ccmon talks to the API with.

Building the TLS context (loading the CA bundle) takes tens of milliseconds; its C code
releases the GIL, so the monitor starts it in a thread first thing and imports the UI
meanwhile (:func:`tls_in_background`). The context is httpx's own default
(``httpx.create_ssl_context()``: certifi's bundle, or ``SSL_CERT_FILE`` /
``SSL_CERT_DIR``), so certificate checks are exactly those of ``httpx.AsyncClient()``.

A plain ``http://`` base URL (``ccmon sim`` on loopback) needs no CA bundle: its client
gets a context that trusts no one, so a TLS connection could never succeed unchecked.
"""

from __future__ import annotations

import ssl
import threading
from concurrent.futures import Future

import httpx

__all__ = ["make_http", "tls_in_background"]


def _context_for(base_url: str) -> ssl.SSLContext:
    if httpx.URL(base_url).scheme == "https":
        return httpx.create_ssl_context()
    return ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)  # verifies, and trusts no CA


def tls_in_background(base_url: str) -> Future[ssl.SSLContext]:
    """Start building the TLS context for ``base_url`` in a daemon thread."""
    future: Future[ssl.SSLContext] = Future()
    if httpx.URL(base_url).scheme != "https":
        future.set_result(_context_for(base_url))
        return future

    def build() -> None:
        try:
            future.set_result(_context_for(base_url))
        except BaseException as exc:  # handed to whoever waits for it
            future.set_exception(exc)

    threading.Thread(target=build, name="ccmon-tls", daemon=True).start()
    return future


def make_http(
    base_url: str, timeout: float, tls: Future[ssl.SSLContext] | None = None
) -> httpx.AsyncClient:
    """An ``httpx.AsyncClient`` for the API at ``base_url``, verifying certificates with
    the context from ``tls`` (built now if none was started)."""
    verify = tls.result() if tls is not None else _context_for(base_url)
    return httpx.AsyncClient(base_url=base_url, timeout=timeout, verify=verify)
