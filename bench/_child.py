"""Child processes of bench/run.py, each measuring one thing in a fresh interpreter.

    python bench/_child.py bare                       # a bare Textual app: start, paint, exit
    python bench/_child.py bare-libs                  # the same, loading httpx and pydantic first
    python bench/_child.py ccmon URL RUNS             # ccmon: start, load RUNS runs, paint, exit
    python bench/_child.py idle URL RUNS SECONDS SETTLE  # ccmon left alone: CPU share, RSS
    python bench/_child.py bare-idle SECONDS          # a bare Textual app left alone

The last line printed is JSON. The API key is passed in the environment, never argv.
Start-up children report ``painted_at``: the wall-clock time of the first frame that
shows what they were asked to show.
"""

from __future__ import annotations

import asyncio
import json
import resource
import sys
import time
from typing import Any


def rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def import_libraries() -> None:
    """What any app of the design card (Textual, httpx, pydantic) loads before it can
    show API data, and nothing of ccmon: httpx as ccmon imports it (without its
    command-line tool, see ``ccmon/api/_httpx.py``), an ``AsyncClient`` (httpcore; for
    ``http://``, so no CA bundle, as ccmon's) and what its first request imports
    (anyio's asyncio backend), and one validated pydantic model (its validator:
    pydantic's plugin lookup)."""
    import ssl

    sys.modules["httpx._main"] = None  # type: ignore[assignment]
    import httpx

    del sys.modules["httpx._main"]
    import anyio._backends._asyncio  # noqa: F401
    from pydantic import BaseModel

    class Row(BaseModel):
        session_id: str

    httpx.AsyncClient(verify=ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT))
    Row.model_validate_json('{"session_id": "a"}')


def bare(idle_seconds: float = 0.0) -> dict[str, Any]:
    from textual.app import App, ComposeResult
    from textual.widgets import Footer, Static

    result: dict[str, Any] = {}

    class Bare(App[None]):
        def compose(self) -> ComposeResult:
            yield Static("hello")
            yield Footer()

        def on_mount(self) -> None:
            if idle_seconds:
                self.set_timer(3.0, self.measure)
            else:
                self.call_after_refresh(self.painted)

        def painted(self) -> None:
            result["painted_at"] = time.time()
            self.exit()

        async def measure(self) -> None:
            start_cpu, start = cpu_seconds(), time.monotonic()
            await asyncio.sleep(idle_seconds)
            result["cpu_pct"] = 100 * (cpu_seconds() - start_cpu) / (time.monotonic() - start)
            result["rss_mb"] = rss_mb()
            self.exit()

    Bare().run(headless=True, size=(160, 50))
    return result


def ccmon(url: str, runs: int, idle_seconds: float = 0.0, settle: float = 0.0) -> dict[str, Any]:
    import gc
    import os
    import tempfile

    gc.disable()  # as `ccmon.launch` does; the app turns it back on after its first poll
    # the order of `ccmon.cli.run_monitor`: TLS context in a thread while the UI imports
    from ccmon.api.http import make_http, tls_in_background

    tls = tls_in_background(url)
    from ccmon.api.client import ApiKey
    from ccmon.config import Settings
    from ccmon.sync.journal import Journal
    from ccmon.ui.app import CcmonApp
    from ccmon.ui.context import Monitor
    from ccmon.ui.widgets.table import RunTable

    settings = Settings(base_url=url, api_key=ApiKey(os.environ["CCMON_BENCH_KEY"]))
    scratch = tempfile.TemporaryDirectory(prefix="ccmon-bench-")  # gone when this returns
    journal = Journal(os.path.join(scratch.name, "j.sqlite3"))
    monitor = Monitor.build(settings, make_http(url, 30, tls), journal)
    monitor.poller.config.page_size = 10_000
    result: dict[str, Any] = {}
    app = CcmonApp(monitor)

    def loaded() -> bool:
        """The window is loaded (a run or two of the history may have aged out of it)
        and the table shows it."""
        table = app.screen.query(RunTable)
        count = len(monitor.store)
        return count >= 0.99 * runs and bool(table) and table.first().row_count == count

    def painted() -> None:
        result["painted_at"] = time.time()
        app.exit()

    async def watch() -> None:
        while not loaded():
            await asyncio.sleep(0.005)
        await asyncio.sleep(0)  # the frame that shows them
        if not idle_seconds:
            app.call_after_refresh(painted)
            return
        # settle (up to `settle` seconds): the details ccmon wants (visible rows, recent
        # failures) are fetched, the toasts are gone, and the last runs of the history
        # have finished (nothing changed for a while: the poller says it is idle); then
        # there is nothing to do but poll
        began = time.monotonic()
        poller = monitor.poller
        while (len(poller.details) or not poller.health.slowed) and (
            time.monotonic() - began < settle
        ):
            await asyncio.sleep(0.25)
        await asyncio.sleep(min(5.0, settle))
        result["settle_s"] = time.monotonic() - began
        result["details_pending"] = len(poller.details)
        result["pace"] = poller.health.slowed or f"every {poller.interval:g}s"
        result["rss_loaded_mb"] = rss_mb()
        start_cpu, start = cpu_seconds(), time.monotonic()
        requests = monitor.client.requests_sent
        await asyncio.sleep(idle_seconds)
        elapsed = time.monotonic() - start
        result["cpu_pct"] = 100 * (cpu_seconds() - start_cpu) / elapsed
        result["requests_per_min"] = 60 * (monitor.client.requests_sent - requests) / elapsed
        result["rss_mb"] = rss_mb()
        app.exit()

    app.call_later(lambda: app.run_worker(watch(), exit_on_error=True))
    app.run(headless=True, size=(160, 50))
    result["runs"] = len(monitor.store)
    return result


def main(argv: list[str]) -> None:
    mode = argv[0]
    if mode == "bare":
        out = bare()
    elif mode == "bare-libs":
        import_libraries()
        out = bare()
    elif mode == "bare-idle":
        out = bare(float(argv[1]))
    elif mode == "ccmon":
        out = ccmon(argv[1], int(argv[2]))
    elif mode == "idle":
        out = ccmon(argv[1], int(argv[2]), float(argv[3]), float(argv[4]))
    else:
        raise SystemExit(f"unknown mode {mode!r}")
    print(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv[1:])
