"""Shared fixtures: a deterministic simulator, a client and a sync engine over it."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from ccmon.api.client import CloudCruiseClient, RetryPolicy
from ccmon.sim import ManualClock, SimConfig, Simulator, build_simulator
from ccmon.sync.poller import Poller, SyncConfig
from ccmon.sync.store import RunStore

FIXTURES = Path(__file__).parent / "fixtures"
SHARED_FIXTURES = Path(__file__).resolve().parents[2] / "shared" / "api" / "fixtures"
T0 = datetime(2026, 3, 4, 14, 0, tzinfo=UTC)


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


class DrivenSleep:
    """A sleep that moves the simulator's clock instead of waiting."""

    def __init__(self, clock: ManualClock) -> None:
        self.clock = clock
        self.calls: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)
        self.clock.advance(seconds)


def make_sim(**config: Any) -> Simulator:
    config.setdefault("seed", 7)
    return build_simulator(SimConfig(**config), clock=ManualClock(T0))


@pytest.fixture
def sim() -> Simulator:
    return make_sim(history=400, arrival_per_min=20.0)


@pytest.fixture
async def client(sim: Simulator) -> AsyncIterator[CloudCruiseClient]:
    async with sim.client() as http:
        yield CloudCruiseClient(
            http,
            "demo-key",
            retry=RetryPolicy(attempts=3, base=0.01),
            sleep=DrivenSleep(sim.clock),  # type: ignore[arg-type]
        )


@pytest.fixture
def poller(sim: Simulator, client: CloudCruiseClient) -> Poller:
    return Poller(client, RunStore(), SyncConfig(), now=sim.clock.now)
