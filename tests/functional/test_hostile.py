"""Hostile strings on every surface: the queue table and header, the detail pane (all
tabs, and the full output data), toasts, the failures view, the wallboard, the help,
and what is copied.

The data is the simulator's `hostile=True` output: seed 5 names a workflow
"[@click=app.quit]quit[/]Invoice PDF download…", seed 1 names one with an OSC 52
clipboard write ("\\x1b]52;c;aGk=\\x07"). On each surface the exported screen (SVG) and
the widgets' text hold no raw ESC, CSI or BEL, markup shows literally, and clicking on
it never quits.
"""

from __future__ import annotations

import html
import io
from pathlib import Path
from typing import Any

import httpx
import pytest
from rich.cells import cell_len
from rich.console import Console
from textual.content import Content
from textual.pilot import Pilot
from textual.widgets import Input, OptionList, Static
from textual.widgets._toast import Toast

from ccmon.api.client import ApiKey, RetryPolicy
from ccmon.config import Settings
from ccmon.sim import Simulator
from ccmon.sim.records import FAILED, SUCCESS
from ccmon.sync.journal import Journal
from ccmon.ui.app import CcmonApp
from ccmon.ui.context import Monitor
from ccmon.ui.screens.detail import DetailScreen
from ccmon.ui.screens.detail_modals import DataScreen
from ccmon.ui.screens.detail_render import artifact_links
from ccmon.ui.screens.failures import FailuresScreen
from ccmon.ui.screens.help import HelpScreen
from ccmon.ui.screens.main import MainScreen
from ccmon.ui.screens.wallboard import WallboardScreen
from ccmon.ui.text import clean, is_web_url
from ccmon.ui.widgets.detail_panes import LinkList
from ccmon.ui.widgets.status_line import StatusLine
from ccmon.ui.widgets.table import RunTable
from tests.conftest import make_sim
from tests.functional.harness import Harness, make_harness

RAW = ("\x1b", "\x07", "\x9b", "\x00")  # escape, bell, 8-bit CSI, NUL: never to the terminal
# seed -> (what marks its hostile workflow name, how that shows on screen)
SEEDS = {
    5: ("[@click=app.quit]", "[@click=app.quit]quit[/]Invoice PDF download"),
    1: ("\x1b]52;c;aGk=\x07", "␛]52;c;aGk=␇Payer eligibility check"),
}
SIZE = (200, 60)


# --- reading the screen ------------------------------------------------------------------


def plain(renderable: object) -> str:
    if isinstance(renderable, Content):
        return renderable.plain
    if isinstance(renderable, str):
        return renderable
    console = Console(width=400, file=io.StringIO(), record=True, color_system=None)
    console.print(renderable)
    return console.export_text()


def svg_text(app: CcmonApp) -> str:
    """The exported screen, as text (XML entities and non-breaking spaces undone)."""
    svg = app.export_screenshot()
    for char in RAW:
        assert char not in svg, f"{char!r} in the exported screen"
    return html.unescape(svg).replace("\xa0", " ")


def widget_texts(app: CcmonApp) -> str:
    """Everything the current screen's widgets hold, hidden tabs included."""
    screen = app.screen
    parts = [plain(widget.render()) for widget in screen.query(Static)]
    for listing in screen.query(OptionList):
        parts.extend(plain(option.prompt) for option in listing.options)
    for table in screen.query(RunTable):
        parts.extend(
            "".join(seg.text for seg in table.render_line(y)) for y in range(table.size.height)
        )
    text = "\n".join(parts)
    for char in RAW:
        assert char not in text, f"{char!r} in a widget of {type(screen).__name__}"
    return text


def inert(app: CcmonApp) -> str:
    """Check the screen and the widgets; return what is shown (SVG text + widget text)."""
    return svg_text(app) + "\n" + widget_texts(app)


def hostile_workflow(h: Harness, seed: int) -> tuple[str, str]:
    marker = SEEDS[seed][0]
    for wf in h.sim.workspace.list_workflows():
        if marker in (wf.get("name") or ""):
            return wf["id"], wf["name"]
    raise LookupError(f"seed {seed} has no workflow marked {marker!r}")


async def settle(pilot: Pilot[Any]) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def loaded(h: Harness, pilot: Pilot[Any], ticks: int = 2) -> None:
    h.app.animation_level = "none"
    h.monitor.poller.config.details_per_tick = 200
    await h.tick(0)
    for _ in range(ticks):
        await h.tick()
    await pilot.pause()


async def filter_to(h: Harness, pilot: Pilot[Any], text: str) -> RunTable:
    await pilot.press("slash")
    h.app.screen.query_one("#filter", Input).value = text
    await pilot.press("enter")
    await pilot.pause()
    return h.app.screen.query_one(RunTable)


async def open_run(h: Harness, pilot: Pilot[Any], sid: str) -> DetailScreen:
    table = await filter_to(h, pilot, f"id:{sid[:8]}")
    assert table.row_count == 1
    await pilot.press("enter")
    await settle(pilot)
    assert isinstance(h.app.screen, DetailScreen)
    return h.app.screen


def screen_lines(app: CcmonApp) -> list[str]:
    width, height = app.size
    console = Console(width=width, height=height, file=io.StringIO(), record=True)
    console.print(app.screen._compositor.render_update(full=True))
    return console.export_text().splitlines()


async def click_around(pilot: Pilot[Any], app: CcmonApp, *needles: str) -> int:
    """Click on every place the screen shows one of ``needles`` (its first, middle and
    last cell), and on a sparse grid; never on the footer, whose keys include Quit."""
    lines = screen_lines(app)[: app.size[1] - 1]
    spots: list[tuple[int, int]] = []
    for y, line in enumerate(lines):
        for needle in needles:
            start = line.find(needle)
            while start >= 0:
                x = cell_len(line[:start])
                spots += [(x + dx, y) for dx in {0, len(needle) // 2, len(needle) - 1}]
                start = line.find(needle, start + 1)
    width, height = app.size
    spots = spots[:24]
    spots += [
        (x, y) for y in range(1, height - 1, height // 4) for x in range(2, width, width // 5)
    ]
    for x, y in spots:
        await pilot.click(offset=(x, y))
        assert app.is_running, f"a click at ({x}, {y}) quit the app"
    return len(spots)


def hostile_runs(h: Harness, workflow_id: str, status: str) -> list[str]:
    return [
        run.session_id
        for run in reversed(h.sim.workspace.all_runs())
        if run.workflow_id == workflow_id
        and run.status == status
        and run.session_id in h.monitor.store.runs
    ]


# --- the surfaces --------------------------------------------------------------------------


@pytest.mark.parametrize("seed", sorted(SEEDS))
async def test_queue_table_and_header(tmp_path: Path, seed: int) -> None:
    h = make_harness(tmp_path, hostile=True, seed=seed)
    wf_id, _ = hostile_workflow(h, seed)
    async with h.app.run_test(size=SIZE) as pilot:
        await loaded(h, pilot)
        table = await filter_to(h, pilot, f"wf:{wf_id[:8]}")
        assert table.row_count > 0
        shown = inert(h.app)
        assert SEEDS[seed][1] in shown
        line = "".join(seg.text for seg in table.render_line(1))
        assert SEEDS[seed][1] in line, line
        await pilot.click(RunTable, offset=(40, 1))  # on the name itself
        await pilot.press("down", "up", "s", "S", "escape")
        assert h.app.is_running and isinstance(h.app.screen, MainScreen | DetailScreen)


@pytest.mark.parametrize("seed", sorted(SEEDS))
async def test_detail_pane_every_tab_and_the_output_data(tmp_path: Path, seed: int) -> None:
    h = make_harness(tmp_path, hostile=True, seed=seed)
    wf_id, name = hostile_workflow(h, seed)
    async with h.app.run_test(size=SIZE) as pilot:
        await loaded(h, pilot)
        failed = hostile_runs(h, wf_id, FAILED)
        assert failed
        screen = await open_run(h, pilot, failed[0])
        detail = screen.detail
        assert detail is not None and detail.error_list
        shown = ""
        for key in ("1", "2", "3", "4"):
            await pilot.press(key)
            await settle(pilot)
            shown += inert(h.app)
        assert clean(name)[:40] in shown  # the title, literally
        values = [
            value
            for error in detail.error_list
            for value in (error.message, error.original_error, error.llm_error_description)
        ]
        values += [shot.node_display_name for shot in detail.screenshot_urls or []]
        values += [item.file_name for item in detail.file_urls or []]
        checked = 0
        for value in values:
            if value and "\n" not in value and 0 < len(value.strip()) < 100:
                assert clean(value) in shown, value
                checked += 1
        assert checked >= 3
        workflow = screen.workflow
        assert workflow is not None
        for node in workflow.nodes:  # the Debug tab lists every node by its name
            if node.name and len(node.name) < 60:
                assert clean(node.name) in shown
        await pilot.press("1", "d")
        await pilot.pause()
        assert isinstance(h.app.screen, DataScreen)
        inert(h.app)
        await pilot.press("escape")
        assert await click_around(pilot, h.app, "[@click", "␛]52") > 20
        assert h.app.is_running


@pytest.mark.parametrize("seed", sorted(SEEDS))
async def test_failure_toasts_use_the_name_literally(tmp_path: Path, seed: int) -> None:
    h = make_harness(tmp_path, hostile=True, seed=seed, arrival_per_min=0.0)
    wf_id, name = hostile_workflow(h, seed)
    async with h.app.run_test(size=SIZE, notifications=True) as pilot:
        await loaded(h, pilot)
        toast: Toast | None = None
        for _ in range(150):
            h.sim.workspace.start_run(wf_id, {}, priority="HIGH")
            await h.tick(10)
            await pilot.pause()
            toasts = [t for t in h.app.screen.query(Toast) if "failed" in plain(t.render())]
            if toasts:
                toast = toasts[0]
                break
        assert toast is not None, "no run of the hostile workflow failed"
        note = next(n for n in h.app._notifications if n.title == "Run failed")
        assert not note.markup and clean(name, 60) in note.message
        assert clean(name, 60)[:30] in plain(toast.render())
        assert clean(name, 60)[:30] in inert(h.app)
        region = toast.region
        for dx in range(0, region.width, 2):  # every cell of the toast's text line
            if not toast.is_attached:
                break
            await pilot.click(offset=(region.x + dx, region.y + 2))
            assert h.app.is_running


async def test_a_worker_error_toast_shows_markup_literally(tmp_path: Path) -> None:
    h = make_harness(tmp_path, settings={"interval": 0.5})
    poller = h.monitor.poller
    real_run = poller.run
    calls: list[int] = []

    async def broken_once() -> None:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("[@click=app.quit]quit[/] \x1b]52;c;aGk=\x07")
        await real_run()

    poller.run = broken_once  # type: ignore[method-assign]
    app = CcmonApp(h.monitor, live=True)
    async with app.run_test(size=(120, 30), notifications=True) as pilot:
        toast: Toast | None = None
        for _ in range(60):
            await pilot.pause(0.05)
            toast = next(iter(app.screen.query(Toast)), None)
            if toast is not None:
                break
        assert toast is not None
        text = plain(toast.render())
        assert "[@click=app.quit]quit[/] ␛]52;c;aGk=␇" in text
        assert "[@click=app.quit]" in inert(app)
        region = toast.region
        for dx in range(0, region.width):
            if not toast.is_attached:
                break
            await pilot.click(offset=(region.x + dx, region.y + 1))
            assert app.is_running, "clicking the toast quit the app"
        poller.stop()


@pytest.mark.parametrize("seed", sorted(SEEDS))
async def test_failures_view_wallboard_and_help(tmp_path: Path, seed: int) -> None:
    h = make_harness(tmp_path, hostile=True, seed=seed)
    _, name = hostile_workflow(h, seed)
    async with h.app.run_test(size=SIZE) as pilot:
        await loaded(h, pilot, ticks=4)
        await pilot.press("F")
        await pilot.pause()
        assert isinstance(h.app.screen, FailuresScreen)
        assert clean(name, 40)[:30] in inert(h.app)
        await click_around(pilot, h.app, "[@click", "␛]52")  # a click on a group drills down
        while not isinstance(h.app.screen, MainScreen):
            await pilot.press("escape")
        await pilot.press("escape", "W")
        await pilot.pause()
        assert isinstance(h.app.screen, WallboardScreen)
        inert(h.app)
        await click_around(pilot, h.app)
        await pilot.press("escape", "question_mark")
        await pilot.pause()
        assert isinstance(h.app.screen, HelpScreen)
        assert "Keys" in inert(h.app)
        await pilot.press("escape")
        assert h.app.is_running


@pytest.mark.parametrize("seed", sorted(SEEDS))
async def test_copied_text_is_exactly_the_id_or_the_url(tmp_path: Path, seed: int) -> None:
    h = make_harness(tmp_path, hostile=True, seed=seed)
    wf_id, _ = hostile_workflow(h, seed)
    async with h.app.run_test(size=SIZE) as pilot:
        await loaded(h, pilot)
        table = await filter_to(h, pilot, f"wf:{wf_id[:8]}")
        await pilot.press("c")
        assert h.app.clipboard == table.cursor_key
        for sid in hostile_runs(h, wf_id, SUCCESS) + hostile_runs(h, wf_id, FAILED):
            record = h.monitor.store.runs[sid]
            if record.detail is not None and artifact_links(record.detail):
                break
        else:
            pytest.fail("no run of the hostile workflow has artifacts")
        await pilot.press("escape")
        screen = await open_run(h, pilot, sid)
        await pilot.press("3")
        await settle(pilot)
        inert(h.app)
        listing = screen.query_one("#artifact-list", LinkList)
        copied = 0
        for index, link in enumerate(listing.links):
            listing.highlighted = index
            await pilot.press("c")
            if link.url and is_web_url(link.url):
                assert h.app.clipboard == link.url
                assert not any(ord(ch) < 32 or ord(ch) == 127 for ch in h.app.clipboard)
                copied += 1
        assert copied


# --- error messages from the API -------------------------------------------------------------


class HostileErrors(httpx.AsyncBaseTransport):
    """The simulator, until ``message`` is set: then every answer is a 503 saying it."""

    def __init__(self, sim: Simulator) -> None:
        self.inner = sim.transport()
        self.message: str | None = None

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self.message is not None:
            body = {"statusCode": 503, "error": "Service Unavailable", "message": self.message}
            return httpx.Response(503, json=body)
        return await self.inner.handle_async_request(request)


async def test_api_error_messages_show_literally(tmp_path: Path) -> None:
    sim = make_sim(history=200, arrival_per_min=20.0)
    transport = HostileErrors(sim)
    http = httpx.AsyncClient(transport=transport, base_url="http://sim.local")
    settings = Settings(api_key=ApiKey("demo-key"), base_url="http://sim.local")
    monitor = Monitor.build(
        settings,
        http,
        Journal(tmp_path / "journal.sqlite3"),
        retry=RetryPolicy(attempts=1),
        label="test workspace",
        now=sim.clock.now,
    )
    h = Harness(sim, monitor, CcmonApp(monitor, live=False))
    async with h.app.run_test(size=(160, 40)) as pilot:
        await loaded(h, pilot)
        sid = next(s for s, r in monitor.store.runs.items() if r.status.terminal)
        screen = await open_run(h, pilot, sid)
        transport.message = "[@click=app.quit]quit[/] \x1b[2J\x1b]0;owned\x07 [bold]x[/]"
        await pilot.press("r")
        await settle(pilot)
        said = "[@click=app.quit]quit[/] ␛[2J␛]0;owned␇ [bold]x[/]"
        error = plain(screen.query_one("#detail-error", Static).render())
        assert said in error
        assert said in inert(h.app)
        await pilot.press("escape", "escape")
        for _ in range(4):
            await h.tick()
        await pilot.pause()
        header = plain(h.app.screen.query_one(StatusLine).render())
        assert "STALE" in header and said in header
        assert said in inert(h.app)
        assert await click_around(pilot, h.app, "[@click") > 20
        assert h.app.is_running
