"""``ccmon demo``: the monitor over an in-process simulator, with live traffic.

The traffic is made the way a real user would make it: by starting runs through
ccmon's own client (``POST /run`` with a priority), so the priority journal is the
real path. History runs that ccmon did not start get per-workflow defaults, as a
real configuration would give them.
"""

from __future__ import annotations

import asyncio
import logging
import random
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ccmon.api.client import ApiKey, CloudCruiseClient, RetryPolicy
from ccmon.api.errors import CloudCruiseError
from ccmon.api.models import Priority, Workflow
from ccmon.config import Settings
from ccmon.sim import Fault, SimConfig, Simulator, build_simulator
from ccmon.sim.clock import Clock
from ccmon.sync.journal import Journal

if TYPE_CHECKING:
    from ccmon.ui.context import Monitor

log = logging.getLogger("ccmon.demo")
DEMO_KEY = "demo-key"
PRIORITY_MIX = ((Priority.HIGH, 0.2), (Priority.MEDIUM, 0.35), (Priority.LOW, 0.45))


@dataclass
class Traffic:
    """Starts runs at about ``per_minute`` with bursts, through the given client."""

    client: CloudCruiseClient
    credentials: list[str]
    per_minute: float = 10.0
    seed: int = 1
    sleep: Callable[[float], Any] = asyncio.sleep

    async def run(self) -> None:
        rng = random.Random(self.seed)
        workflows: list[Workflow] = []
        while not workflows:
            try:
                summaries = await self.client.list_workflows()
                workflows = [await self.client.get_workflow(w.id) for w in summaries]
            except CloudCruiseError as exc:
                log.info("demo traffic waiting for workflows: %s", exc)
                await self.sleep(2.0)
        while True:
            burst = rng.random() < 0.05
            for _ in range(rng.randint(4, 10) if burst else 1):
                await self.start_one(rng, rng.choice(workflows))
            await self.sleep(rng.expovariate(self.per_minute / 60.0))

    async def start_one(self, rng: random.Random, workflow: Workflow) -> None:
        priority = rng.choices([p for p, _ in PRIORITY_MIX], [w for _, w in PRIORITY_MIX])[0]
        try:
            await self.client.start_run(
                workflow.id,
                self.inputs(rng, workflow),
                priority=priority,
                dry_run=rng.random() < 0.07,
                debug=rng.random() < 0.15,
            )
        except CloudCruiseError as exc:
            log.info("demo traffic: %s", exc)

    def inputs(self, rng: random.Random, workflow: Workflow) -> dict[str, Any]:
        return sample_inputs(rng, workflow, self.credentials)


def sample_inputs(rng: random.Random, workflow: Workflow, credentials: list[str]) -> dict[str, Any]:
    """Plausible run inputs for a workflow: its input schema's fields and a credential
    (sometimes a pool) for each alias in its vault schema."""
    values: dict[str, Any] = {}
    props = (workflow.input_schema or {}).get("properties", {})
    for name, spec in props.items():
        kind = spec.get("type") if isinstance(spec, dict) else None
        if kind in ("integer", "number"):
            values[name] = rng.randint(1, 999)
        elif kind == "boolean":
            values[name] = rng.random() < 0.5
        else:
            values[name] = f"{name.upper()[:3]}-{rng.randint(100000, 999999)}"
    for alias in workflow.vault_schema or {}:
        if credentials:
            pool = rng.sample(credentials, k=min(len(credentials), rng.choice((1, 1, 2))))
            values[alias] = pool[0] if len(pool) == 1 else pool
    return values


def demo_journal() -> Journal:
    """A fresh journal per demo, so the demo never touches a real one."""
    folder = Path(tempfile.mkdtemp(prefix="ccmon-demo-"))
    return Journal(folder / "journal.sqlite3")


def demo_retry() -> RetryPolicy:
    return RetryPolicy(attempts=2, base=0.25, cap=5.0)


@dataclass
class Demo:
    sim: Simulator
    monitor: Monitor
    traffic: Traffic


def build_demo(
    settings: Settings,
    *,
    seed: int = 1,
    history: int = 3000,
    workers: int = 6,
    rate: float = 10.0,
    hostile: bool = False,
    faults: list[Fault] | None = None,
    clock: Clock | None = None,
    journal: Journal | None = None,
) -> Demo:
    """A simulator and a monitor over it, with traffic started through ccmon's client.

    With a ``ManualClock`` the whole demo is deterministic (screenshots, tests)."""
    from ccmon.ui.context import Monitor

    sim = build_simulator(
        SimConfig(
            seed=seed, history=history, workers=workers, arrival_per_min=0.0, hostile=hostile
        ),
        clock=clock,
        faults=faults,
    )
    settings.base_url = "http://sim.local"
    settings.api_key, settings.key_source = ApiKey(DEMO_KEY), "demo"
    if not settings.priority_defaults:
        settings.priority_defaults = demo_priorities(sim.workspace.list_workflows())
    journal = journal or demo_journal()
    monitor = Monitor.build(
        settings,
        sim.client(),
        journal,
        retry=demo_retry(),
        label="demo workspace",
        now=sim.clock.now,
    )
    traffic = Traffic(
        CloudCruiseClient(sim.client(), DEMO_KEY, journal=journal),
        sim.workspace.credential_ids,
        per_minute=rate,
        seed=seed,
    )
    monitor.background.append(traffic.run)
    return Demo(sim, monitor, traffic)


def demo_priorities(workflows: list[dict[str, Any]]) -> dict[str, Priority]:
    """Per-workflow defaults for the history runs ccmon did not start, by name; the
    last workflow gets none, so the demo also shows what an unknown priority looks like."""
    cycle = (Priority.HIGH, Priority.MEDIUM, Priority.LOW, Priority.MEDIUM, Priority.LOW)
    names = [str(w.get("name")) for w in workflows if w.get("name")]
    return {name: cycle[i % len(cycle)] for i, name in enumerate(names[:-1])}
