"""The run detail screen, driven with the keyboard at 80x24.

Most tests run a real Monitor over the in-process simulator; a few use fixture
responses served by ``httpx.MockTransport`` to put crafted data (hostile strings,
non-http links) in front of the screen.
"""

from __future__ import annotations

import io
import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from rich.console import Console
from textual.app import App
from textual.content import Content
from textual.pilot import Pilot
from textual.widgets import OptionList, Static

from ccmon.api.client import CloudCruiseClient, RetryPolicy
from ccmon.api.models import Priority, RunDetail, RunSummary
from ccmon.config import Settings
from ccmon.sim import Fault, ManualClock, SimConfig, Simulator, build_simulator
from ccmon.sync.poller import Poller
from ccmon.sync.store import RunStore
from ccmon.ui.context import Monitor
from ccmon.ui.screens.confirm import ConfirmScreen
from ccmon.ui.screens.detail import NO_SNAPSHOT, REFUSE_LINK, DetailScreen
from ccmon.ui.screens.detail_modals import DataScreen
from ccmon.ui.screens.detail_render import artifact_links, credential_lines, masked_inputs
from ccmon.ui.text import clean
from ccmon.ui.widgets.detail_panes import LinkList, NodeList

STYLES = Path(__file__).parents[2] / "styles" / "detail.tcss"
FIXTURES = Path(__file__).parents[1] / "fixtures"
T0 = datetime(2026, 3, 4, 14, 0, tzinfo=UTC)
FIXED_NOW = datetime(2026, 3, 4, 14, 10, tzinfo=UTC)
FAILED_FIXTURE = "a6b7c8d9-e0f1-4a2b-9c4d-5e6f708192a3"
CREDENTIAL_UUID = "7d3c2b1a-0f9e-4d8c-b7a6-5f4e3d2c1b0a"


# --- harness -----------------------------------------------------------------------------


class Harness(App[None]):
    """A bare app with a Monitor; it records notifications for the tests."""

    CSS_PATH = [STYLES]

    def __init__(self, monitor: Monitor) -> None:
        super().__init__()
        self.monitor = monitor
        self.notes: list[tuple[str, str]] = []

    def notify(self, message: str, *, severity: str = "information", **kw: Any) -> None:  # type: ignore[override]
        self.notes.append((message, severity))
        super().notify(message, severity=severity, **kw)  # type: ignore[arg-type]

    def noted(self, fragment: str) -> bool:
        return any(fragment in message for message, _ in self.notes)


def plain(renderable: object, width: int = 400) -> str:
    if isinstance(renderable, Content):
        return renderable.plain
    console = Console(width=width, file=io.StringIO(), record=True, color_system=None)
    console.print(renderable)
    return console.export_text()


def screen_text(app: App[Any]) -> str:
    """What the terminal shows right now."""
    width, height = app.size
    console = Console(width=width, height=height, file=io.StringIO(), record=True)
    console.print(app.screen._compositor.render_update(full=True))
    return console.export_text()


def held_text(screen: DetailScreen) -> str:
    """Everything the screen holds, in every tab (hidden ones too)."""
    parts = [plain(widget.content) for widget in screen.query(Static)]
    for listing in screen.query(OptionList):
        parts.extend(plain(option.prompt) for option in listing.options)
    return "\n".join(parts)


async def settle(pilot: Pilot[Any]) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def open_detail(pilot: Pilot[Any], session_id: str) -> DetailScreen:
    screen = DetailScreen(session_id)
    await pilot.app.push_screen(screen)
    await settle(pilot)
    return screen


@dataclass
class World:
    sim: Simulator
    client: CloudCruiseClient
    store: RunStore
    poller: Poller

    def monitor(self, **settings: Any) -> Monitor:
        return Monitor(
            settings=Settings(**settings),
            client=self.client,
            store=self.store,
            poller=self.poller,
            now=self.sim.clock.now,
        )

    async def find(self, want: Callable[[RunDetail], bool], debug: bool | None = None) -> str:
        for run in reversed(self.sim.workspace.all_runs()):
            if debug is not None and run.debug != debug:
                continue
            if want(await self.client.get_run(run.session_id)):
                return run.session_id
        raise LookupError("no such run in the simulated history")


async def make_world(**config: Any) -> AsyncIterator[World]:
    sim = build_simulator(SimConfig(seed=7, history=300, **config), clock=ManualClock(T0))
    async with sim.client() as http:
        client = CloudCruiseClient(http, "demo-key", retry=RetryPolicy(attempts=1))
        store = RunStore()
        poller = Poller(client, store, now=sim.clock.now)
        await poller.tick()
        yield World(sim, client, store, poller)


@pytest.fixture
async def world() -> AsyncIterator[World]:
    async for found in make_world():
        yield found


def partly_recovered(detail: RunDetail) -> bool:
    return detail.status == "execution.failed" and 0 < detail.recovered_count < len(
        detail.error_list
    )


def with_artifacts(detail: RunDetail) -> bool:
    return detail.status == "execution.success" and bool(detail.video_urls and detail.file_urls)


# --- fixture-backed API for crafted data -------------------------------------------------


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


WORKFLOW = {
    "id": "6f1d2c3b-4a5e-4b7c-9d8e-1a2b3c4d5e6f",
    "name": "Eligibility check",
    "nodes": [
        {"id": "4b5c6d7e-8f90-4a1b-9c2d-3e4f5a6b7c8d", "name": "Dismiss cookie banner"},
        {"id": "6d7e8f90-1a2b-4c5d-9e6f-7a8b9c0d1e2f", "name": "Submit eligibility search"},
    ],
    "edges": {},
}


class FakeApi:
    """GET /run/{id}, GET /workflows/{id}, debug snapshots; ``fail`` answers with a status."""

    def __init__(self, *details: dict[str, Any]) -> None:
        self.details = {d["session_id"]: d for d in details}
        self.fail: int | None = None
        self.calls = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.calls += 1
        parts = request.url.path.strip("/").split("/")
        if self.fail is not None:
            return httpx.Response(self.fail, json={"message": "boom"})
        if parts[0] == "workflows":
            return httpx.Response(200, json=WORKFLOW)
        if "debug-snapshots" in parts:
            return httpx.Response(200, json=fixture("debug_snapshot.json"))
        if parts[0] == "run" and parts[1] in self.details:
            return httpx.Response(200, json=self.details[parts[1]])
        return httpx.Response(404, json={"message": "not found"})


def fake_monitor(api: FakeApi, *, in_store: bool = True, **settings: Any) -> Monitor:
    http = httpx.AsyncClient(transport=httpx.MockTransport(api), base_url="https://api.test")
    client = CloudCruiseClient(http, "demo-key", retry=RetryPolicy(attempts=1))
    store = RunStore()
    if in_store:
        store.apply_rows(RunSummary.model_validate(r) for r in fixture("runs_list.json"))
    poller = Poller(client, store, now=lambda: FIXED_NOW)
    return Monitor(
        settings=Settings(**settings),
        client=client,
        store=store,
        poller=poller,
        now=lambda: FIXED_NOW,
    )


# --- simulator-backed --------------------------------------------------------------------


async def test_failed_run_shows_errors_and_recovered_ones(world: World) -> None:
    sid = await world.find(partly_recovered)
    app = Harness(world.monitor())
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_detail(pilot, sid)
        await pilot.press("2")
        detail = screen.detail
        assert detail is not None
        shown = screen_text(app)
        summary = (
            f"was_recovered: yes · {detail.recovered_count} of {len(detail.error_list)} "
            f"errors recovered · session_retries: {detail.session_retries or 0}"
        )
        assert summary in shown
        assert "RECOVERED" in shown
        held = held_text(screen)
        assert held.count(" NOT RECOVERED ") == len(detail.error_list) - detail.recovered_count
        assert held.count(" RECOVERED ") - held.count(" NOT RECOVERED ") == detail.recovered_count
        assert len(screen.query(".error-block.-recovered")) == detail.recovered_count
        workflow = world.sim.workspace.workflow(detail.workflow_id or "")
        assert workflow is not None
        names = {node.id: node.name for node in workflow.nodes}
        for error in detail.error_list:
            assert error.family in held
            if error.node_id:
                assert names[error.node_id] in held  # the node's name, not only its id
        assert "token=" not in held


async def test_success_run_artifacts_are_redacted_and_copied(world: World) -> None:
    sid = await world.find(with_artifacts)
    app = Harness(world.monitor())
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_detail(pilot, sid)
        await pilot.press("3")
        links = artifact_links(screen.detail)
        assert {link.kind for link in links} >= {"recording", "file"}
        shown = screen_text(app)
        assert "recording" in shown and "expires in" in shown
        assert "token=" not in shown and "token=" not in held_text(screen)
        assert app.focused is screen.query_one("#artifact-list", LinkList)
        await pilot.press("down", "c")
        assert app.clipboard == links[1].url and "token=" in app.clipboard
        assert app.noted("copied link to clipboard (expires in ")


async def test_queued_run_is_interrupted_after_confirmation(world: World) -> None:
    workspace = world.sim.workspace
    sid = workspace.start_run(workspace.workflow_ids[0], {}, priority="HIGH")
    await world.poller.tick()
    app = Harness(world.monitor(interval=0.2))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_detail(pilot, sid)
        assert "queued" in screen_text(app)
        assert screen._timer is not None  # refreshing while active
        calls = world.client.requests_sent
        await pilot.pause(0.5)
        assert world.client.requests_sent > calls
        await pilot.press("x")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await settle(pilot)
        assert app.screen is screen
        record = workspace.record(sid)
        assert record is not None and record.status == "execution.stopped"
        assert screen.status == "execution.stopped"
        assert "stopped" in screen_text(app)
        assert screen._timer is None  # terminal: no more refreshes
        assert app.noted("interrupt sent")


async def test_interrupt_can_be_declined(world: World) -> None:
    workspace = world.sim.workspace
    sid = workspace.start_run(workspace.workflow_ids[0], {})
    await world.poller.tick()
    app = Harness(world.monitor())
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_detail(pilot, sid)
        await pilot.press("x", "n")
        await settle(pilot)
        assert app.screen is screen
        record = workspace.record(sid)
        assert record is not None and record.status == "execution.queued"


async def test_read_only_refuses_interrupt(world: World) -> None:
    workspace = world.sim.workspace
    sid = workspace.start_run(workspace.workflow_ids[0], {})
    await world.poller.tick()
    app = Harness(world.monitor(read_only=True))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_detail(pilot, sid)
        shown = {b.binding.action for b in screen.active_bindings.values() if b.binding.show}
        assert "interrupt" not in shown and "Interrupt" not in screen_text(app)
        await pilot.press("x")
        await settle(pilot)
        assert app.screen is screen
        assert app.noted("read-only mode")
        record = workspace.record(sid)
        assert record is not None and record.status == "execution.queued"


async def test_finished_run_refuses_interrupt(world: World) -> None:
    sid = await world.find(partly_recovered)
    app = Harness(world.monitor())
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_detail(pilot, sid)
        assert screen._timer is None
        await pilot.press("x")
        assert app.screen is screen
        assert app.noted("run already failed")


async def test_debug_snapshots_on_demand(world: World) -> None:
    sid = await world.find(lambda d: d.status == "execution.failed", debug=True)
    app = Harness(world.monitor())
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_detail(pilot, sid)
        await pilot.press("4")
        nodes = screen.query_one("#debug-nodes", NodeList)
        assert app.focused is nodes and len(nodes.nodes) > 2
        assert str(nodes.nodes[1].name) in screen_text(app)
        await pilot.press("down", "enter")  # the node after START was reached
        await settle(pilot)
        links = screen.query_one("#debug-links", LinkList)
        assert links.links and links.links[0].kind == "page snapshot"
        assert "token=" not in screen_text(app) and "token=" not in held_text(screen)
        await pilot.press("c")
        assert app.clipboard == links.links[0].url
        await pilot.press("end", "enter")  # END of a failed run: no page captured
        await settle(pilot)
        assert "End: no page snapshot captured" in screen_text(app)
        assert not screen.query_one("#debug-links", LinkList).display


async def test_snapshot_of_a_run_without_debug(world: World) -> None:
    sid = await world.find(lambda d: d.status == "execution.success", debug=False)
    app = Harness(world.monitor())
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_detail(pilot, sid)
        await pilot.press("4", "down", "enter")
        await settle(pilot)
        assert NO_SNAPSHOT in held_text(screen)


async def test_fault_shows_one_line_and_keeps_data(world: World) -> None:
    sid = await world.find(with_artifacts)
    app = Harness(world.monitor())
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_detail(pilot, sid)
        world.sim.faults.replace([Fault("run", "500")])
        await pilot.press("r")
        await settle(pilot)
        error = screen.query_one(".detail-error", Static)
        assert error.display and error.size.height == 1
        message = plain(error.content).strip()
        assert "server error (500)" in message and "\n" not in message
        assert screen.has_class("-stale") and "(stale: data from 14:00:00)" in screen_text(app)
        assert sid in screen_text(app) and screen.detail is not None  # old data stays
        world.sim.faults.replace([])
        await pilot.press("r")
        await settle(pilot)
        assert not error.display and not screen.has_class("-stale")


async def test_escape_and_backspace_go_back(world: World) -> None:
    sid = await world.find(with_artifacts)
    app = Harness(world.monitor())
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_detail(pilot, sid)
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is not screen and not isinstance(app.screen, DetailScreen)
        screen = await open_detail(pilot, sid)
        await pilot.press("3", "backspace")
        await pilot.pause()
        assert not isinstance(app.screen, DetailScreen)


async def test_hostile_simulator_strings_stay_inert() -> None:
    async for world in make_world(hostile=True):
        sid = await world.find(lambda d: len(d.error_list) > 0)
        app = Harness(world.monitor())
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await open_detail(pilot, sid)
            for key in ("2", "3", "4", "1"):
                await pilot.press(key)
                assert "\x1b" not in screen_text(app)
            assert app.is_running and screen.detail is not None
            held = held_text(screen)
            assert "\x1b" not in held
            shown = [
                value
                for error in screen.detail.error_list
                for value in (error.message, error.original_error, error.llm_error_description)
            ]
            shown += [shot.node_display_name for shot in screen.detail.screenshot_urls or []]
            checked = 0
            for value in shown:
                if value and "\n" not in value and 0 < len(value.strip()) < 120:
                    assert clean(value) in held  # literally, control characters made visible
                    checked += 1
            assert checked > 3


# --- crafted data ------------------------------------------------------------------------


async def test_credentials_are_masked() -> None:
    api = FakeApi(fixture("run_detail_failed_recovered.json"))
    app = Harness(fake_monitor(api))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_detail(pilot, FAILED_FIXTURE)
        for text in (screen_text(app), held_text(screen)):
            assert "<encrypted>" not in text
            assert CREDENTIAL_UUID not in text
            assert "front-desk-1" in text  # the alias is fine
        assert "USER = ••••••" in held_text(screen)


def test_masking_helpers() -> None:
    detail = RunDetail.model_validate(fixture("run_detail_failed_recovered.json"))
    detail.encrypted_variables = []  # a vault reference must stay hidden anyway
    assert masked_inputs(detail)["USER"] == "••••••"
    line = "".join(t.plain for t in credential_lines(detail))
    assert "front-desk-1" in line and "portal.example-payer.com" in line
    assert CREDENTIAL_UUID not in line and "<encrypted>" not in line


def hostile_detail() -> dict[str, Any]:
    detail = fixture("run_detail_failed_recovered.json")
    detail["errors"][0]["message"] = "[bold red]x[/]"
    detail["errors"][1]["original_error"] = "[@click=app.quit]quit[/]"
    detail["errors"][2]["llm_error_description"] = "\x1b[31mred\x1b[0m"
    detail["screenshot_urls"][0]["node_display_name"] = "[link=https://evil.example]x[/link]"
    detail["vault_entries"]["USER"]["user_alias"] = "[b]alias[/b]"
    detail["screenshot_urls"][0]["signed_screenshot_url"] = "javascript:alert(1)"
    detail["screenshot_urls"][1]["signed_screenshot_url"] = "file:///etc/passwd"
    return detail


async def test_hostile_strings_show_literally() -> None:
    app = Harness(fake_monitor(FakeApi(hostile_detail())))
    async with app.run_test(size=(160, 50)) as pilot:
        await open_detail(pilot, FAILED_FIXTURE)
        assert "[b]alias[/b]" in screen_text(app)
        await pilot.press("2")
        shown = screen_text(app)
        for literal in ("[bold red]x[/]", "[@click=app.quit]quit[/]", "␛[31mred␛[0m"):
            assert literal in shown
        await pilot.press("3")
        assert "[link=https://evil.example]x[/link]" in screen_text(app)
        assert app.is_running


async def test_non_http_links_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    opened: list[str] = []

    def fake_open(url: str, new: int = 0) -> bool:
        opened.append(url)
        return True

    monkeypatch.setattr("webbrowser.open", fake_open)
    monkeypatch.setenv("DISPLAY", ":0")
    app = Harness(fake_monitor(FakeApi(hostile_detail())))
    async with app.run_test(size=(80, 24)) as pilot:
        await open_detail(pilot, FAILED_FIXTURE)
        await pilot.press("3", "c", "o", "down", "c", "o")
        await settle(pilot)
        assert app.clipboard == "" and opened == []
        refusals = [m for m, severity in app.notes if REFUSE_LINK in m and severity == "warning"]
        assert len(refusals) == 4
        assert screen_text(app).count("not an http(s) link, will not be opened") == 2


async def test_open_link_in_browser(monkeypatch: pytest.MonkeyPatch) -> None:
    opened: list[str] = []

    def fake_open(url: str, new: int = 0) -> bool:
        opened.append(url)
        return True

    monkeypatch.setattr("webbrowser.open", fake_open)
    monkeypatch.setenv("DISPLAY", ":0")
    app = Harness(fake_monitor(FakeApi(fixture("run_detail_success.json"))))
    async with app.run_test(size=(80, 24)) as pilot:
        await open_detail(pilot, "f5a6b7c8-d9e0-4f1a-8b3c-4d5e6f708192")
        await pilot.press("3", "o")
        await settle(pilot)
        assert opened == ["https://storage.example.com/recordings/f5a6b7c8.mp4?token=abc"]
        assert app.noted("opened the link in the browser")


async def test_output_data_preview_and_full_view() -> None:
    detail = fixture("run_detail_success.json")
    detail["data"] = {f"field_{i:02d}": i for i in range(40)}
    app = Harness(fake_monitor(FakeApi(detail)))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_detail(pilot, detail["session_id"])
        held = held_text(screen)
        assert '"field_17": 17' in held and '"field_30"' not in held
        assert "more lines: press d to see all" in held
        await pilot.press("d")
        assert isinstance(app.screen, DataScreen)
        assert '"field_39": 39' in plain(app.screen.query_one("#data-body", Static).content)
        await pilot.press("escape")
        assert app.screen is screen


async def test_tab_keys_and_footer() -> None:
    app = Harness(fake_monitor(FakeApi(fixture("run_detail_failed_recovered.json"))))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_detail(pilot, FAILED_FIXTURE)
        footer = screen_text(app).splitlines()[-1]
        assert "Back" in footer and "Tabs" in footer and "Data" in footer
        for key, tab in (("2", "errors"), ("3", "artifacts"), ("4", "debug"), ("1", "overview")):
            await pilot.press(key)
            assert screen.active_tab == tab
        await pilot.press("right", "right")
        assert screen.active_tab == "artifacts"
        assert "Copy" in screen_text(app).splitlines()[-1]
        await pilot.press("left")
        assert screen.active_tab == "errors"


async def test_priority_source_is_shown() -> None:
    monitor = fake_monitor(FakeApi(fixture("run_detail_failed_recovered.json")))
    record = monitor.store.get(FAILED_FIXTURE)
    assert record is not None
    record.priority, record.priority_source = Priority.HIGH, "journal"
    app = Harness(monitor)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_detail(pilot, FAILED_FIXTURE)
        assert "HIGH (started by ccmon)" in screen_text(app)


async def test_error_before_any_data_and_run_unknown_to_store() -> None:
    api = FakeApi(fixture("run_detail_failed_recovered.json"))
    api.fail = 503
    app = Harness(fake_monitor(api, in_store=False))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_detail(pilot, FAILED_FIXTURE)
        error = screen.query_one(".detail-error", Static)
        assert error.display and "server error (503)" in plain(error.content)
        assert FAILED_FIXTURE in screen_text(app)
        api.fail = None
        await pilot.press("r")
        await settle(pilot)
        assert not error.display and screen.detail is not None
        assert "failed" in screen_text(app) and "Eligibility check" in screen_text(app)
