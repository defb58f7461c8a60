"""SVG snapshots of the run detail screen: a failed run with recovered errors.

Deterministic: the documented fixture responses (served by ``httpx.MockTransport``),
a fixed "now", no polling. Update with ``pytest --snapshot-update`` after a reviewed
change of the screen.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from textual.app import App
from textual.pilot import Pilot

from ccmon.api.client import CloudCruiseClient, RetryPolicy
from ccmon.api.models import RunSummary
from ccmon.config import Settings
from ccmon.sync.poller import Poller
from ccmon.sync.store import RunStore
from ccmon.ui.context import Monitor
from ccmon.ui.screens.detail import DetailScreen

ROOT = Path(__file__).parents[2]
FIXTURES = ROOT / "tests" / "fixtures"
FAILED = "a6b7c8d9-e0f1-4a2b-9c4d-5e6f708192a3"
WORKFLOW = {
    "id": "6f1d2c3b-4a5e-4b7c-9d8e-1a2b3c4d5e6f",
    "name": "Payer eligibility check",
    "nodes": [
        {"id": "4b5c6d7e-8f90-4a1b-9c2d-3e4f5a6b7c8d", "name": "Dismiss cookie banner"},
        {"id": "5c6d7e8f-9012-4b3c-8d4e-5f6a7b8c9d0e", "name": "Read search results table"},
        {"id": "6d7e8f90-1a2b-4c5d-9e6f-7a8b9c0d1e2f", "name": "Submit eligibility search"},
    ],
    "edges": {},
}


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


def handler(request: httpx.Request) -> httpx.Response:
    if request.url.path.startswith("/workflows/"):
        return httpx.Response(200, json=WORKFLOW)
    if request.url.path == f"/run/{FAILED}":
        return httpx.Response(200, json=fixture("run_detail_failed_recovered.json"))
    return httpx.Response(404, json={"message": "not found"})


class SnapshotApp(App[None]):
    CSS_PATH = [ROOT / "styles" / "detail.tcss"]

    def __init__(self) -> None:
        super().__init__()
        now = datetime(2026, 3, 4, 14, 10, tzinfo=UTC)
        http = httpx.AsyncClient(transport=httpx.MockTransport(handler), base_url="https://api")
        client = CloudCruiseClient(http, "demo-key", retry=RetryPolicy(attempts=1))
        store = RunStore()
        store.apply_rows(RunSummary.model_validate(row) for row in fixture("runs_list.json"))
        poller = Poller(client, store, now=lambda: now)
        self.monitor = Monitor(
            settings=Settings(), client=client, store=store, poller=poller, now=lambda: now
        )

    def on_mount(self) -> None:
        self.push_screen(DetailScreen(FAILED))


async def show_errors(pilot: Pilot[Any]) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.press("2")
    await pilot.pause()


def test_failed_run_errors_80x24(snap_compare: Any) -> None:
    assert snap_compare(SnapshotApp(), terminal_size=(80, 24), run_before=show_errors)


def test_failed_run_errors_160x50(snap_compare: Any) -> None:
    assert snap_compare(SnapshotApp(), terminal_size=(160, 50), run_before=show_errors)
