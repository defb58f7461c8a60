"""In-process figures: first load and steady ticks, ccmon against Textual's DataTable.

The simulator runs in this process with a driven clock (deterministic), so its own CPU
is measured apart (an ASGI wrapper) and taken out of ccmon's figures. Frames are really
rendered: the headless driver's output step is replaced by one that encodes the frame.
"""

from __future__ import annotations

import json
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from rich.console import RenderableType
from textual._compositor import CompositorUpdate
from textual.app import App, ComposeResult
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import DataTable

from ccmon.api.client import ApiKey, RetryPolicy
from ccmon.api.wire import parse_page
from ccmon.config import Settings
from ccmon.sim import ManualClock, SimConfig, build_simulator
from ccmon.sync.journal import Journal
from ccmon.sync.records import ChangeSet
from ccmon.ui import text as fmt
from ccmon.ui.app import CcmonApp
from ccmon.ui.context import Monitor
from ccmon.ui.rows import COLUMNS, RunRows
from ccmon.ui.widgets.table import RunTable

SIZE = (160, 50)
_SCRATCH = tempfile.TemporaryDirectory(prefix="ccmon-bench-")  # journals; removed at exit
T0 = datetime(2026, 3, 4, 14, 0, tzinfo=UTC)


def render_frames(app: App[Any], screen: Screen[Any], renderable: RenderableType | None) -> None:
    """Headless apps skip turning a frame into terminal output; count it, as a terminal would."""
    if isinstance(renderable, CompositorUpdate):
        renderable.render_segments(app.console)


class Ccmon(CcmonApp):
    def _display(self, screen: Screen[Any], renderable: RenderableType | None) -> None:
        render_frames(self, screen, renderable)


class Baseline(App[None]):
    def compose(self) -> ComposeResult:
        table: DataTable[Any] = DataTable(cursor_type="row")
        for column in COLUMNS:
            table.add_column(column.label, key=column.key)
        yield table

    def _display(self, screen: Screen[Any], renderable: RenderableType | None) -> None:
        render_frames(self, screen, renderable)


class TimedApp:
    """Wraps the simulator's ASGI app, adds up the CPU it spends and counts the list
    requests (``GET /runs``) apart from the others (run details, workflows)."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.cpu = 0.0
        self.lists = 0

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        self.lists += scope.get("path") == "/runs"
        start = time.process_time()
        try:
            await self.app(scope, receive, send)
        finally:
            self.cpu += time.process_time() - start


def make(runs: int, rate: float, workers: int) -> tuple[Any, TimedApp, Monitor]:
    sim = build_simulator(
        SimConfig(seed=1, history=runs, arrival_per_min=rate, workers=workers),
        clock=ManualClock(T0),
    )
    timed = TimedApp(sim.app)
    sim.app = timed  # type: ignore[assignment]
    settings = Settings(api_key=ApiKey("demo-key"), base_url="http://sim.local")
    monitor = Monitor.build(
        settings,
        sim.client(),
        Journal(tempfile.mkdtemp(dir=_SCRATCH.name) + "/j.sqlite3"),
        retry=RetryPolicy(attempts=1),
        now=sim.clock.now,
    )
    monitor.poller.config.page_size = 10_000
    return sim, timed, monitor


async def cpu_of(action: Callable[[], Awaitable[Any] | Any], pilot: Pilot[None]) -> float:
    start = time.process_time()
    result = action()
    if isinstance(result, Awaitable):
        await result
    await pilot.pause()
    return time.process_time() - start


async def idle_pause(pilot: Pilot[None]) -> float:
    samples = []
    for _ in range(5):
        start = time.process_time()
        await pilot.pause()
        samples.append(time.process_time() - start)
    return statistics.median(samples)


async def first_load(runs: int) -> dict[str, float]:
    """From the JSON of ``runs`` runs arriving to the sorted table on screen."""
    sim, _, monitor = make(runs, 0.0, 8)
    async with sim.client() as http:
        start = (sim.clock.now() - timedelta(hours=25)).isoformat().replace("+00:00", "Z")
        body = (await http.get("/runs", params={"limit": 10_000, "start_time": start})).content
    app = Ccmon(monitor, live=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()

        def ours() -> None:
            page = parse_page(json.loads(body))
            changes = monitor.store.apply_rows(page.rows, invalid=page.invalid)
            app._on_poll(changes, monitor.poller.health)

        wall = time.perf_counter()
        await cpu_of(ours, pilot)
        ours_s = time.perf_counter() - wall
        assert app.screen.query_one(RunTable).row_count == runs
    rows_source = RunRows(monitor.store, monitor.now)
    base = Baseline()
    async with base.run_test(size=SIZE) as pilot:
        await pilot.pause()
        table = base.query_one(DataTable)

        def theirs() -> None:
            json.loads(body)  # the same input: the runs' JSON
            keys = list(monitor.store.runs)
            table.add_rows([c.plain for c in rows_source.row_cells(k)] for k in keys)

        wall = time.perf_counter()
        await cpu_of(theirs, pilot)
        theirs_s = time.perf_counter() - wall
    return {"ccmon_s": ours_s, "datatable_s": theirs_s}


async def steady_ticks(
    runs: int, count: int, ui: bool = True, rate: float | None = None
) -> dict[str, float]:
    """Steady ticks; by default about 1% of the runs change per tick (``rate`` runs
    arriving per minute instead, for a workspace of ordinary activity)."""
    per_min = runs * 0.075 if rate is None else rate
    sim, timed, monitor = make(runs, per_min, max(8, int(per_min / 1.2)))
    client, poller = monitor.client, monitor.poller
    await poller.tick()
    full_bytes = client.bytes_received
    for _ in range(30):  # a minute: arrivals, starts and ends reach their steady rates
        sim.clock.advance(2)
        await poller.tick()
    out: dict[str, float] = {"bytes_full": float(full_bytes)}
    requests, received, changed = [], [], []
    if not ui:
        lists = []
        for _ in range(count):
            sim.clock.advance(2)
            r0, b0, l0 = client.requests_sent, client.bytes_received, timed.lists
            changes = await poller.tick()
            requests.append(client.requests_sent - r0)
            lists.append(timed.lists - l0)
            received.append(client.bytes_received - b0)
            changed.append(len(changes.added) + len(changes.changed))
        out["requests_per_tick"] = statistics.mean(requests)
        out["list_requests_per_tick"] = statistics.mean(lists)
        out["bytes_per_tick"] = statistics.median(received)
        return out
    app = Ccmon(monitor, live=False)
    recorded: list[ChangeSet] = []
    ours: list[float] = []
    async with app.run_test(size=SIZE) as pilot:
        app._on_poll(ChangeSet(first_load=True), poller.health)
        await pilot.pause()
        idle = await idle_pause(pilot)
        for _ in range(count):
            sim.clock.advance(2)
            r0, b0, sim0 = client.requests_sent, client.bytes_received, timed.cpu

            async def tick() -> None:
                recorded.append(await poller.tick())

            spent = await cpu_of(tick, pilot)
            ours.append(spent - (timed.cpu - sim0) - idle)
            requests.append(client.requests_sent - r0)
            received.append(client.bytes_received - b0)
            changed.append(len(recorded[-1].added) + len(recorded[-1].changed))
    theirs = await replay_on_datatable(monitor, recorded)
    out.update(
        ccmon_ms=1000 * statistics.median(ours),
        datatable_ms=1000 * statistics.median(theirs),
        requests_per_tick=statistics.median(requests),
        bytes_per_tick=statistics.median(received),
        changed=statistics.median(changed),
    )
    return out


async def replay_on_datatable(monitor: Monitor, ticks: list[ChangeSet]) -> list[float]:
    """The same change sets applied the usual way (as Dolphie does): ``remove_row`` for
    gone runs, ``add_row`` for new ones, ``update_cell`` for each cell of a changed run
    whose text changed, then ``sort`` so the table shows ccmon's order (running, then
    waiting by priority, then the rest newest first; the sort keys of changed runs are
    kept in a dict, as ccmon keeps them in its index)."""
    rows = RunRows(monitor.store, monitor.now)
    base = Baseline()
    spent: list[float] = []
    keys = [column.key for column in COLUMNS]
    session = keys.index("id")
    order: dict[str, Any] = {}

    def cells(key: str) -> list[str]:
        return [cell.plain for cell in rows.row_cells(key)]

    def sort_key(values: tuple[Any, ...]) -> Any:
        return order.get(values[session], (9,))

    async with base.run_test(size=SIZE) as pilot:
        table = base.query_one(DataTable)
        for key in monitor.store.runs:
            table.add_row(*cells(key), key=key)
            order[fmt.short_id(key)] = rows.sort_value(key, None)
        table.sort(key=sort_key)
        await pilot.pause()
        idle = await idle_pause(pilot)
        for changes in ticks:

            def apply(changes: ChangeSet = changes) -> None:
                for key in changes.removed:
                    if key in table.rows:
                        table.remove_row(key)
                for key in changes.added:
                    if key not in table.rows:
                        table.add_row(*cells(key), key=key)
                        order[fmt.short_id(key)] = rows.sort_value(key, None)
                for key in changes.changed:
                    if key in table.rows:
                        old = table.get_row(key)
                        for column, before, after in zip(keys, old, cells(key), strict=True):
                            if before != after:
                                table.update_cell(key, column, after)
                        order[fmt.short_id(key)] = rows.sort_value(key, None)
                table.sort(key=sort_key)

            spent.append(await cpu_of(apply, pilot) - idle)
    return spent
