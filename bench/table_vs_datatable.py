"""First measurement: RunTable vs Textual's DataTable, headless at 160x50.

    PYTHONPATH=. python bench/table_vs_datatable.py [--rows 10000] [--changed 100]

Figures are CPU seconds (time.process_time) of this process:
- load: set_rows(keys) vs DataTable.add_rows(rows), then the first painted frame;
- tick: one update of `changed` random rows (RunTable.apply vs DataTable.update_cell per row)
  plus the frame it causes. "frame" is forced with Pilot.pause(), which waits for the app to
  go idle and then runs the screen update (compositor + terminal encoding, see _display
  below). The CPU cost of an idle pause is measured first and subtracted.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from time import process_time
from typing import Any

from rich.console import RenderableType
from rich.text import Text
from textual._compositor import CompositorUpdate
from textual.app import App, ComposeResult
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import DataTable

from ccmon.ui.widgets.table import Column, RunTable

SIZE = (160, 50)
STYLES = Path(__file__).parents[1] / "styles" / "table.tcss"
STATUSES = ("queued", "running", "completed", "failed", "cancelled")
STATUS_STYLE = {"failed": "red", "completed": "green", "running": "yellow"}

COLUMNS = [
    Column("id", "Run", 10),
    Column("status", "Status", 10),
    Column("workflow", "Workflow", 24, flex=True, min_width=10),
    Column("steps", "Steps", 6, align="right"),
    Column("duration", "Duration", 9, align="right"),
    Column("started", "Started", 19),
    Column("agent", "Agent", 12),
]


class Rows:
    """Fake run data and a RowSource over it."""

    def __init__(self, count: int, seed: int = 1) -> None:
        self.random = random.Random(seed)
        self.data: dict[str, dict[str, Any]] = {}
        self.versions: dict[str, int] = {}
        for i in range(count):
            key = f"run-{i:06d}"
            self.data[key] = {
                "id": key,
                "status": self.random.choice(STATUSES),
                "workflow": f"workflow {self.random.randrange(500)} / checkout flow",
                "steps": self.random.randrange(60),
                "duration": self.random.random() * 600,
                "started": f"2025-01-{1 + i // 86400 % 28:02d} {i // 3600 % 24:02d}:"
                f"{i // 60 % 60:02d}:{i % 60:02d}",
                "agent": f"agent-{i % 17}",
            }
            self.versions[key] = 0

    def touch(self, key: str) -> None:
        row = self.data[key]
        row["status"] = self.random.choice(STATUSES)
        row["steps"] += 1
        row["duration"] += 2.0
        self.versions[key] += 1

    def cell_texts(self, key: str) -> list[Text]:
        row = self.data[key]
        return [
            Text(row["id"]),
            Text(row["status"], style=STATUS_STYLE.get(row["status"], "")),
            Text(row["workflow"]),
            Text(str(row["steps"])),
            Text(f"{row['duration']:.1f}s"),
            Text(row["started"]),
            Text(row["agent"]),
        ]

    # RowSource
    def row_version(self, key: str) -> int:
        return self.versions[key]

    def row_cells(self, key: str) -> Sequence[Text]:
        return self.cell_texts(key)

    def sort_value(self, key: str, column: str | None) -> Any:
        if column is None:
            return self.data[key]["started"]
        return self.data[key][column]


class BenchApp(App[None]):
    """Headless apps skip turning the frame into terminal output; do it, to count it."""

    CSS_PATH = STYLES

    def __init__(self, widget_factory: Callable[[], Any]) -> None:
        super().__init__()
        self.widget_factory = widget_factory

    def compose(self) -> ComposeResult:
        yield self.widget_factory()

    def _display(self, screen: Screen[Any], renderable: RenderableType | None) -> None:
        if isinstance(renderable, CompositorUpdate):
            renderable.render_segments(self.console)


async def cpu(action: Callable[[], Any], pilot: Pilot[None], idle: float) -> tuple[float, float]:
    """(CPU of the call, CPU of call + the frame it causes, minus an idle pause)."""
    start = process_time()
    result = action()
    if isinstance(result, Awaitable):
        await result
    called = process_time()
    await pilot.pause()
    return called - start, process_time() - start - idle


async def idle_cost(pilot: Pilot[None]) -> float:
    samples = []
    for _ in range(7):
        start = process_time()
        await pilot.pause()
        samples.append(process_time() - start)
    return statistics.median(samples)


def median_pair(samples: list[tuple[float, float]]) -> tuple[float, float]:
    return statistics.median(s[0] for s in samples), statistics.median(s[1] for s in samples)


async def bench_run_table(count: int, changed: int, ticks: int) -> dict[str, Any]:
    rows = Rows(count)
    app = BenchApp(lambda: RunTable(COLUMNS, rows))
    out: dict[str, Any] = {}
    async with app.run_test(size=SIZE) as pilot:
        table = app.query_one(RunTable)
        table.focus()
        await pilot.pause()
        idle = await idle_cost(pilot)
        out["load"] = await cpu(lambda: table.set_rows(rows.data), pilot, idle)
        keys = list(rows.data)
        samples = []
        for _ in range(ticks):
            batch = rows.random.sample(keys, changed)
            for key in batch:
                rows.touch(key)
            samples.append(await cpu(lambda b=batch: table.apply(changed=b), pilot, idle))
        out["tick"] = median_pair(samples)
        table.sort_by("duration")
        await pilot.pause()
        samples = []
        for _ in range(ticks):  # sorted by a changing column: rows move on every tick
            batch = rows.random.sample(keys, changed)
            for key in batch:
                rows.touch(key)
            samples.append(await cpu(lambda b=batch: table.apply(changed=b), pilot, idle))
        out["tick_moving"] = median_pair(samples)
        samples = []
        for i in range(ticks):  # runs arrive and others are dropped
            new = [f"new-{i}-{j}" for j in range(changed // 10)]
            for key in new:
                rows.data[key] = dict(rows.data[keys[0]], id=key)
                rows.versions[key] = 0
            gone = [keys.pop() for _ in range(changed // 10)]
            samples.append(
                await cpu(lambda n=new, g=gone: table.apply(added=n, removed=g), pilot, idle)
            )
        out["tick_add_remove"] = median_pair(samples)
        samples = []
        for i in range(ticks):  # the row count changes: the virtual size (scrollbar) too
            new = [f"more-{i}-{j}" for j in range(changed // 10)]
            for key in new:
                rows.data[key] = dict(rows.data[keys[0]], id=key)
                rows.versions[key] = 0
            samples.append(await cpu(lambda n=new: table.apply(added=n), pilot, idle))
        out["tick_add"] = median_pair(samples)
        out["sort_by"] = await cpu(lambda: table.sort_by("workflow"), pilot, idle)
        out["reverse"] = await cpu(lambda: table.sort_by("workflow", True), pilot, idle)
        out["filter"] = await cpu(
            lambda: table.set_filter(lambda k: rows.data[k]["status"] == "failed"), pilot, idle
        )
    return out


async def bench_data_table(count: int, changed: int, ticks: int) -> dict[str, Any]:
    rows = Rows(count)
    app = BenchApp(lambda: DataTable(cursor_type="row"))
    out: dict[str, Any] = {}
    async with app.run_test(size=SIZE) as pilot:
        table: DataTable[Any] = app.query_one(DataTable)
        table.styles.height = "1fr"
        for column in COLUMNS:
            table.add_column(column.label, key=column.key, width=column.width)
        table.focus()
        await pilot.pause()
        idle = await idle_cost(pilot)

        def load() -> None:
            for key in rows.data:
                table.add_row(*rows.cell_texts(key), key=key)

        out["load"] = await cpu(load, pilot, idle)
        keys = list(rows.data)
        samples = []
        for _ in range(ticks):
            batch = rows.random.sample(keys, changed)

            def update(batch: list[str] = batch) -> None:
                for key in batch:
                    rows.touch(key)
                    table.update_cell(key, "status", rows.cell_texts(key)[1])

            samples.append(await cpu(update, pilot, idle))
        out["tick"] = median_pair(samples)
    return out


def ms(value: float) -> str:
    return f"{value * 1000:9.1f} ms"


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--changed", type=int, default=100)
    parser.add_argument("--ticks", type=int, default=7)
    parser.add_argument("--big", type=int, default=100_000, help="rows for set_rows only")
    args = parser.parse_args()

    ours = await bench_run_table(args.rows, args.changed, args.ticks)
    theirs = await bench_data_table(args.rows, args.changed, args.ticks)
    big = await bench_run_table(args.big, max(1, args.big // 100), 1) if args.big else None

    print(f"{args.rows:,} rows, {args.changed} changed per tick, {SIZE[0]}x{SIZE[1]}, CPU time")
    print(f"{'':34}{'call':>12}{'call+frame':>13}")
    for label, key in (("RunTable.set_rows", "load"),):
        print(f"{label:34}{ms(ours[key][0])}{ms(ours[key][1])}")
    print(f"{'DataTable.add_row x n':34}{ms(theirs['load'][0])}{ms(theirs['load'][1])}")
    print(f"{'RunTable.apply (tick)':34}{ms(ours['tick'][0])}{ms(ours['tick'][1])}")
    print(
        f"{'  sorted by a changing column':34}{ms(ours['tick_moving'][0])}"
        f"{ms(ours['tick_moving'][1])}"
    )
    print(
        f"{'  add + remove (n/10 each)':34}{ms(ours['tick_add_remove'][0])}"
        f"{ms(ours['tick_add_remove'][1])}"
    )
    print(
        f"{'  add n/10 (row count changes)':34}{ms(ours['tick_add'][0])}{ms(ours['tick_add'][1])}"
    )
    print(f"{'DataTable.update_cell x n (tick)':34}{ms(theirs['tick'][0])}{ms(theirs['tick'][1])}")
    for label, key in (
        ("RunTable.sort_by", "sort_by"),
        ("  reverse", "reverse"),
        ("RunTable.set_filter", "filter"),
    ):
        print(f"{label:34}{ms(ours[key][0])}{ms(ours[key][1])}")
    if big is not None:
        print(f"{f'RunTable.set_rows {args.big:,}':34}{ms(big['load'][0])}{ms(big['load'][1])}")
        print(
            f"{f'RunTable.apply {args.big // 100:,} of {args.big:,}':34}"
            f"{ms(big['tick'][0])}{ms(big['tick'][1])}"
        )
    print()
    print(
        f"load ratio (DataTable / RunTable, call+frame): "
        f"{theirs['load'][1] / max(ours['load'][1], 1e-9):.1f}x"
    )
    print(
        f"tick ratio (DataTable / RunTable, call+frame): "
        f"{theirs['tick'][1] / max(ours['tick'][1], 1e-9):.1f}x"
    )


if __name__ == "__main__":
    asyncio.run(main())
