"""The simulator: a workspace, its Starlette app, faults and rate limits, wired together."""

from __future__ import annotations

from typing import Any

import httpx
from starlette.applications import Starlette

from .app import create_app
from .clock import Clock, SystemClock
from .config import SimConfig
from .faults import Fault, FaultSet
from .ratelimit import RateLimiter
from .transport import SimTransport
from .workspace import Workspace

__all__ = ["BASE_URL", "Simulator", "build_simulator"]

BASE_URL = "http://sim.local"


class Simulator:
    config: SimConfig
    clock: Clock
    workspace: Workspace
    faults: FaultSet
    limiter: RateLimiter
    app: Starlette

    def __init__(self, config: SimConfig, clock: Clock, faults: list[Fault] | None = None) -> None:
        self.config = config
        self.clock = clock
        self.workspace = Workspace(config, clock)
        self.faults = FaultSet(faults, seed=config.seed)
        self.limiter = RateLimiter()
        self.app = create_app(self)

    def transport(self) -> SimTransport:
        """An httpx transport that talks to this simulator in-process."""
        return SimTransport(self.app)

    def client(self, api_key: str | None = "demo-key", **kw: Any) -> httpx.AsyncClient:
        """An AsyncClient on http://sim.local with the cc-key header set (None: no key)."""
        headers = dict(kw.pop("headers", None) or {})
        if api_key is not None:
            headers.setdefault("cc-key", api_key)
        kw.setdefault("base_url", BASE_URL)
        kw.setdefault("transport", self.transport())
        return httpx.AsyncClient(headers=headers, **kw)


def build_simulator(
    config: SimConfig | None = None, clock: Clock | None = None, faults: list[Fault] | None = None
) -> Simulator:
    """A simulator with the given config (default SimConfig()) on the given clock (wall clock)."""
    return Simulator(config or SimConfig(), clock or SystemClock(), faults)
