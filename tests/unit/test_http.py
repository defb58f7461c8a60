"""The API's HTTP client: TLS built in a thread, checking certificates as httpx does."""

from __future__ import annotations

import ssl
import subprocess
import sys

import httpx

from ccmon.api.http import make_http, tls_in_background


def test_the_background_context_is_httpx_default() -> None:
    ours = tls_in_background("https://api.example.invalid").result(timeout=30)
    theirs = httpx.create_ssl_context()
    assert ours.verify_mode is ssl.CERT_REQUIRED and ours.check_hostname
    assert ours.cert_store_stats() == theirs.cert_store_stats()
    assert ours.cert_store_stats()["x509_ca"] > 0


async def test_the_client_uses_it() -> None:
    tls = tls_in_background("https://api.example.invalid")
    async with make_http("https://api.example.invalid", 5.0, tls) as http:
        assert str(http.base_url) == "https://api.example.invalid"
        assert http.timeout.connect == 5.0
        pool = http._transport._pool  # type: ignore[attr-defined]
        assert pool._ssl_context is tls.result()


async def test_plain_http_trusts_no_certificate_authority() -> None:
    """``ccmon sim`` on loopback skips loading the CA bundle, but the context it gets
    still verifies: with no CA trusted, no TLS connection can succeed unchecked."""
    tls = tls_in_background("http://127.0.0.1:8080")
    assert tls.done()
    context = tls.result()
    assert context.verify_mode is ssl.CERT_REQUIRED and context.check_hostname
    assert context.cert_store_stats()["x509_ca"] == 0
    async with make_http("http://127.0.0.1:8080", 5.0) as http:
        pool = http._transport._pool  # type: ignore[attr-defined]
        assert pool._ssl_context.cert_store_stats()["x509_ca"] == 0


def test_httpx_comes_without_its_command_line_tool() -> None:
    """Importing ccmon's API leaves out httpx's CLI (click, pygments); httpx still has
    its stub ``main``, and ``httpx._main`` still imports when asked for."""
    script = (
        "import sys\n"
        "import ccmon.cli\n"
        "import httpx\n"
        "assert 'click' not in sys.modules and 'httpx._main' not in sys.modules\n"
        "assert callable(httpx.main)\n"
        "import httpx._main\n"
        "assert 'click' in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", script], check=True, timeout=60)
