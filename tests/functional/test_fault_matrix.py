"""Every fault the simulator injects, on every route ccmon calls, through the real app.

One parametrised test covers each cell (kind x route) with make_harness and Pilot. In
every cell the app keeps running, the last good data stays on screen (marked stale
where the data did go stale), the trouble is said in one line a person can act on,
and one interval after the fault clears everything is live again:

- ``runs``: the poller's list requests. The header says what is wrong and turns STALE
  after three missed intervals; the table gets ``-stale`` and keeps its
  rows. Damaged rows (types) cost only themselves: "N unreadable rows (ids …)".
- ``run``: the detail screen's fetch (its one-line error, ``-stale``, old data kept)
  and the poller's detail queue (a failed fetch is queued again).
- ``snapshots``: the Debug tab fetching a node's snapshot; the pane says what failed.
- ``workflows``: the poller's workflow list (names are kept) and the detail screen's
  workflow definition (the Debug tab says it is unavailable, and why).

Plus one extra cell: a 10,000-row page of ``/runs``.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from textual.content import Content
from textual.pilot import Pilot
from textual.widgets import Input, Static

from ccmon.api.client import CloudCruiseClient, RunPage
from ccmon.sim.faults import KINDS, Fault
from ccmon.sim.records import FAILED, SUCCESS
from ccmon.ui.screens.detail import DetailScreen
from ccmon.ui.screens.main import MainScreen
from ccmon.ui.widgets.detail_panes import NodeList
from ccmon.ui.widgets.status_line import StatusLine
from ccmon.ui.widgets.table import RunTable
from tests.functional.harness import Harness, make_harness

ROUTES = ("runs", "run", "snapshots", "workflows")
BIG_PAGE = "10000-rows"
# Small stalls so the matrix runs in seconds: "timeout" stalls longer than the client
# waits, "slow" answers well within it (with half a second to spare for a loaded box:
# 0.25 s once made a slow answer time out while the whole suite ran).
SIM = {"timeout_seconds": 1.2, "slow_seconds": 0.05, "history": 300}
CLIENT_TIMEOUT = 0.6
# What the person reads for each kind that fails a request.
SAYS = {
    "500": "server error (500)",
    "502": "server error (502)",
    "503": "server error (503)",
    "429": "rate limited: retrying in ",
    "401": "API key rejected (401): check CLOUDCRUISE_API_KEY",
    "403": "API key not allowed here (403): check CLOUDCRUISE_API_KEY",
    "timeout": f"timed out after {CLIENT_TIMEOUT:g} s on /",
    "drop": "cannot reach sim.local: connection dropped",
    "truncate": "invalid response from /",
    "types": "invalid response from /",
}
HARMLESS = frozenset({"enum", "extra", "slow"})  # the data is still readable
CELLS = [(kind, route) for route in ROUTES for kind in KINDS] + [(BIG_PAGE, "runs")]
RESULTS: dict[str, bool] = {}


def fails(kind: str, route: str) -> bool:
    """Does this fault cost the request (rather than some rows, or nothing)?"""
    return kind in SAYS and not (kind == "types" and route == "runs")


# --- reading the screen ------------------------------------------------------------------


def plain(renderable: object) -> str:
    if isinstance(renderable, Content):
        return renderable.plain
    console = Console(width=400, file=io.StringIO(), record=True, color_system=None)
    console.print(renderable)
    return console.export_text().rstrip("\n")


def text_of(screen: Any, selector: str) -> str:
    return plain(screen.query_one(selector, Static).content)


def main_screen(h: Harness) -> MainScreen:
    return next(s for s in h.app.screen_stack if isinstance(s, MainScreen))


def header(h: Harness) -> str:
    return plain(main_screen(h).query_one(StatusLine).content)


def assert_live(h: Harness) -> None:
    text = header(h)
    assert "● live" in text and "STALE" not in text, text
    assert not main_screen(h).table.has_class("-stale")


def assert_one_line(text: str, fragment: str) -> None:
    assert fragment in text, f"{fragment!r} not in {text!r}"
    assert "\n" not in text.strip(), text


async def settle(pilot: Pilot[Any]) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def warm_up(h: Harness, pilot: Pilot[Any]) -> None:
    h.monitor.client.timeout = CLIENT_TIMEOUT
    h.monitor.poller.config.details_per_tick = 100
    await h.tick(0)
    await h.tick()  # the failures' details (backfill) arrive
    await pilot.pause()
    assert_live(h)


def pick(h: Harness, status: str, debug: bool | None = None) -> str:
    for run in reversed(h.sim.workspace.all_runs()):
        if run.status != status or (debug is not None and run.debug != debug):
            continue
        if run.session_id in h.monitor.store.runs:
            return run.session_id
    raise LookupError(f"no {status} run in the store")


def without_detail(h: Harness, skip: str) -> str:
    for sid, record in h.monitor.store.runs.items():
        if sid != skip and record.detail is None and record.status.terminal:
            return sid
    raise LookupError("every run has its detail")


async def open_run(h: Harness, pilot: Pilot[Any], sid: str) -> DetailScreen:
    """The way a person gets there: filter by id, Enter on the row (typing the filter
    key by key costs ~0.1 s a key, so the text is put in the box at once)."""
    await pilot.press("slash")
    main_screen(h).query_one("#filter", Input).value = f"id:{sid[:8]}"
    await pilot.press("enter")
    assert main_screen(h).query_one(RunTable).row_count == 1
    await pilot.press("enter")
    await settle(pilot)
    screen = h.app.screen
    assert isinstance(screen, DetailScreen) and screen.session_id == sid
    return screen


# --- the cells -------------------------------------------------------------------------


async def runs_cell(h: Harness, pilot: Pilot[Any], kind: str) -> None:
    table = main_screen(h).query_one(RunTable)
    rows = table.row_count
    h.sim.faults.replace([Fault("runs", kind)])
    if kind in ("types", "enum", "extra"):
        h.monitor.poller.config.resync_every = timedelta(0)  # the whole window, damaged
    for step in range(4):  # 8 s: more than three 2 s intervals
        await h.tick()
        await pilot.pause()
        if step == 0 and fails(kind, "runs"):
            assert "STALE" not in header(h)  # one missed interval is not stale yet
    text = header(h)
    if fails(kind, "runs"):
        assert_one_line(text, SAYS[kind])
        assert "STALE" in text and main_screen(h).table.has_class("-stale"), text
        if kind != "429":
            assert "/runs" in text or kind in ("401", "403", "drop"), text
    else:
        assert_live(h)
    if kind == "types":
        health = h.monitor.poller.health
        assert health.invalid_rows > 0 and health.invalid_ids
        assert f"{health.invalid_rows} unreadable rows (id" in text
        assert health.invalid_ids[0][:8] in text  # the person can find it: id:1a2b3c4d
        kept = set(h.monitor.store.runs)
        assert set(health.invalid_ids) <= kept  # a bad row costs its update, not its run
    assert table.row_count >= rows  # the last good data stays
    await pilot.press("down", "down", "up", "s", "s")
    assert h.app.is_running


async def run_cell(h: Harness, pilot: Pilot[Any], kind: str) -> None:
    sid = pick(h, SUCCESS)
    screen = await open_run(h, pilot, sid)
    assert screen.detail is not None and screen.problem is None
    good = screen.detail
    other = without_detail(h, sid)
    h.sim.faults.replace([Fault("run", kind)])
    await pilot.press("r")
    await settle(pilot)
    h.monitor.poller.want_details([other])  # the poller's detail queue meets the fault too
    await h.tick()
    await pilot.pause()
    error = screen.query_one("#detail-error", Static)
    if fails(kind, "run"):
        assert error.display and error.size.height == 1
        assert_one_line(text_of(screen, "#detail-error"), SAYS[kind])
        assert screen.has_class("-stale")
        assert "(stale: data from" in text_of(screen, "#detail-title")
        assert screen.detail is good  # the last good data stays
        assert h.monitor.store.runs[other].detail is None and other in h.monitor.poller.details
        if kind == "429":
            assert "rate limited" in header(h)
    else:
        assert not error.display and screen.problem is None
        assert h.monitor.store.runs[other].detail is not None
    await pilot.press("2")
    assert h.app.is_running and h.app.screen is screen
    h.sim.faults.clear()
    await pilot.press("r")
    await settle(pilot)
    assert not error.display and not screen.has_class("-stale")
    for _ in range(10):  # the poller asks again for the details that failed (retries last)
        await h.tick()
        if h.monitor.store.runs[other].detail is not None:
            break
    assert h.monitor.store.runs[other].detail is not None


async def snapshots_cell(h: Harness, pilot: Pilot[Any], kind: str) -> None:
    screen = await open_run(h, pilot, pick(h, FAILED, debug=True))
    await pilot.press("4")
    await settle(pilot)
    assert screen.query_one("#debug-nodes", NodeList).nodes
    await pilot.press("down", "enter")  # the node after START was reached
    await settle(pilot)
    assert "page snapshot ·" in text_of(screen, "#debug-result")
    h.sim.faults.replace([Fault("snapshots", kind)])
    await pilot.press("enter")
    await settle(pilot)
    result = text_of(screen, "#debug-result")
    if fails(kind, "snapshots"):
        assert_one_line(result, SAYS[kind])
    else:
        assert "page snapshot ·" in result, result
    await pilot.press("down", "up")
    assert h.app.is_running and h.app.screen is screen
    h.sim.faults.clear()
    await pilot.press("enter")
    await settle(pilot)
    assert "page snapshot ·" in text_of(screen, "#debug-result")


async def workflows_cell(h: Harness, pilot: Pilot[Any], kind: str) -> None:
    store = h.monitor.store
    names = {wf: store.workflow_name(wf) for wf in store.workflows}
    assert names and all(names.values())
    h.monitor.poller.config.workflows_every = timedelta(0)  # every tick asks for the list
    h.sim.faults.replace([Fault("workflows", kind)])
    await h.tick()
    await pilot.pause()
    if kind == "429":
        assert_one_line(header(h), SAYS[kind])
    else:
        assert_live(h)  # workflow names are a nicety: the queue itself is fresh
    assert {wf: store.workflow_name(wf) for wf in names} == names  # names are kept
    screen = await open_run(h, pilot, pick(h, SUCCESS))
    await pilot.press("4")
    await settle(pilot)
    help_line = text_of(screen, "#debug-help")
    if fails(kind, "workflows"):
        assert_one_line(help_line, "workflow definition unavailable: " + SAYS[kind])
        assert not screen.query_one("#debug-nodes", NodeList).display
    else:
        assert "nodes · Enter" in help_line, help_line
    assert screen.detail is not None and screen.problem is None  # the run itself is fine
    h.sim.faults.clear()
    await pilot.press("r")
    await settle(pilot)
    assert "nodes · Enter" in text_of(screen, "#debug-help")


async def big_page_cell(h: Harness, pilot: Pilot[Any]) -> None:
    pages: list[int] = []
    client = h.monitor.client
    list_runs = client.list_runs

    async def counting(**kw: Any) -> RunPage:
        page = await list_runs(**kw)
        pages.append(page.raw_count)
        return page

    client.list_runs = counting  # type: ignore[method-assign]
    h.monitor.poller.config.page_size = 10_000
    await h.tick(0)
    await pilot.pause()
    assert max(pages) == 10_000  # one page of 10,000 rows
    table = main_screen(h).query_one(RunTable)
    assert table.row_count == len(h.monitor.store) == 10_000
    assert_live(h)
    await pilot.press("end", "home", "pagedown", "6", "0", "s", "S")
    await h.tick()
    await pilot.pause()
    assert table.row_count == 10_000 and h.app.is_running


# --- the matrix ------------------------------------------------------------------------


@pytest.fixture(scope="module", autouse=True)
def tally(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    passed = sum(RESULTS.values())
    line = f"fault matrix: {passed}/{len(CELLS)} cells passed ({len(RESULTS)} run)"
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if capture is None:
        print(line)
        return
    with capture.global_and_fixture_disabled():  # past pytest's capture, to the terminal
        print(f"\n{line}")


def test_the_matrix_has_every_cell() -> None:
    kinds = {kind for kind, _ in CELLS}
    assert kinds == {*KINDS, BIG_PAGE}
    assert {route for _, route in CELLS} == set(ROUTES)
    assert len(CELLS) == len(KINDS) * len(ROUTES) + 1 == len(set(CELLS))


@pytest.mark.parametrize(("kind", "route"), CELLS, ids=[f"{r}-{k}" for k, r in CELLS])
async def test_fault_cell(
    kind: str, route: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    cell = f"{route}-{kind}"
    RESULTS[cell] = False
    caplog.set_level(logging.INFO, logger="ccmon")
    if kind == BIG_PAGE:
        h = make_harness(
            tmp_path, history=10_000, history_window=timedelta(hours=1), arrival_per_min=0.0
        )
    else:
        h = make_harness(tmp_path, **SIM)
    assert isinstance(h.monitor.client, CloudCruiseClient)
    h.app.animation_level = "none"  # tab switches wait for their animation otherwise
    async with h.app.run_test(size=(160, 40)) as pilot:
        if kind == BIG_PAGE:
            await big_page_cell(h, pilot)
        else:
            await warm_up(h, pilot)
            cell_test = {
                "runs": runs_cell,
                "run": run_cell,
                "snapshots": snapshots_cell,
                "workflows": workflows_cell,
            }[route]
            await cell_test(h, pilot, kind)
            h.sim.faults.clear()
            await h.tick()  # one interval after the fault clears: live again
            await pilot.pause()
            assert_live(h)
        assert h.app.is_running
        notes = [n.message for n in h.app._notifications]
        assert not [n for n in notes if " failed: " in n], notes  # no worker died
    bugs = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert not bugs, bugs  # "internal error" paths log at ERROR
    RESULTS[cell] = True
