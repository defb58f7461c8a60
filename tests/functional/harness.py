"""A deterministic app over the in-process simulator: a fixed seed, a driven clock, and
a poller that ticks only when the test says so."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ccmon.api.client import ApiKey, RetryPolicy
from ccmon.config import Settings
from ccmon.sim import Simulator
from ccmon.sync.journal import Journal
from ccmon.ui.app import CcmonApp
from ccmon.ui.context import Monitor
from tests.conftest import make_sim


@dataclass
class Harness:
    sim: Simulator
    monitor: Monitor
    app: CcmonApp

    async def tick(self, seconds: float = 2.0) -> None:
        self.sim.clock.advance(seconds)
        await self.monitor.poller.tick()


def make_harness(
    tmp_path: Path,
    *,
    sim: Simulator | None = None,
    wallboard: bool = False,
    settings: dict[str, Any] | None = None,
    **sim_config: Any,
) -> Harness:
    sim_config.setdefault("history", 300)
    sim_config.setdefault("arrival_per_min", 20.0)
    sim = sim or make_sim(**sim_config)
    base = Settings(api_key=ApiKey("demo-key"), base_url="http://sim.local", theme="ccmon-dark")
    for key, value in (settings or {}).items():
        setattr(base, key, value)
    base.wallboard = wallboard
    base.read_only = base.read_only or wallboard
    monitor = Monitor.build(
        base,
        sim.client(),
        Journal(tmp_path / "journal.sqlite3"),
        retry=RetryPolicy(attempts=1),
        label="test workspace",
        now=sim.clock.now,
    )
    return Harness(sim, monitor, CcmonApp(monitor, live=False))
