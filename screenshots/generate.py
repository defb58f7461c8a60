"""Make the README's screenshots (SVG) from the deterministic demo.

    python screenshots/generate.py

A fixed seed and a driven clock: the same pictures every time, and the same screens a
new user sees in ``ccmon demo``. Runs are started through ccmon's own client, so the
priorities come from the journal exactly as in the live demo.
"""

from __future__ import annotations

import asyncio
import random
from datetime import UTC, datetime
from pathlib import Path

from ccmon.config import Settings
from ccmon.demo import Demo, build_demo
from ccmon.sim import ManualClock
from ccmon.ui.app import CcmonApp
from ccmon.ui.widgets.table import RunTable

OUT = Path(__file__).resolve().parent
T0 = datetime(2026, 3, 4, 14, 0, tzinfo=UTC)
SHOTS: list[tuple[str, tuple[int, int], tuple[str, ...], bool]] = [
    ("main-160x50", (160, 50), (), False),
    ("main-80x24", (80, 24), (), False),
    ("detail-errors-100x34", (100, 34), ("6", "down", "enter", "2"), False),
    ("failures-120x30", (120, 30), ("F",), False),
    ("help-80x24", (80, 24), ("question_mark",), False),
    ("wallboard-160x50", (160, 50), (), True),
    ("wallboard-80x24", (80, 24), (), True),
]


async def warm_up(demo: Demo, minutes: float = 4.0) -> None:
    """First load, then a few minutes of traffic started through ccmon's client."""
    rng = random.Random(3)
    client = demo.traffic.client
    workflows = [await client.get_workflow(w.id) for w in await client.list_workflows()]
    await demo.monitor.poller.tick()
    for _ in range(int(minutes * 60 / 3)):
        for _ in range(rng.choice((0, 1, 1, 2))):
            await demo.traffic.start_one(rng, rng.choice(workflows))
        demo.sim.clock.advance(3)
        await demo.monitor.poller.tick()


async def shoot(name: str, size: tuple[int, int], keys: tuple[str, ...], wallboard: bool) -> Path:
    demo = build_demo(Settings(theme="ccmon-dark"), clock=ManualClock(T0), history=3000)
    app = CcmonApp(demo.monitor, wallboard=wallboard, live=False)
    async with app.run_test(size=size) as pilot:
        await warm_up(demo)
        await pilot.pause()
        if keys:
            await pilot.press(*keys)
            await demo.monitor.poller.tick()
        await pilot.pause(0.3)
        app.clear_notifications()
        await pilot.pause()
        return Path(app.save_screenshot(filename=f"{name}.svg", path=str(OUT)))


async def main() -> None:
    RunTable.FLASH_SECONDS = 0.0  # flashes last a real second; not in a still picture
    for name, size, keys, wallboard in SHOTS:
        print(await shoot(name, size, keys, wallboard))


if __name__ == "__main__":
    asyncio.run(main())
