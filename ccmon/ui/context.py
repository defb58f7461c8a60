"""What the UI is given: the settings and the sync engine behind it."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ccmon.api.client import CloudCruiseClient
from ccmon.config import Settings
from ccmon.sync.poller import Poller, utcnow
from ccmon.sync.store import RunStore


@dataclass
class Monitor:
    """Everything a screen may use. Widgets read the store and call the poller or
    the client; they never see raw JSON."""

    settings: Settings
    client: CloudCruiseClient
    store: RunStore
    poller: Poller
    now: Callable[[], datetime] = utcnow
    # Background jobs that live as long as the app (the demo's traffic generator).
    background: list[Callable[[], Coroutine[Any, Any, None]]] = field(default_factory=list)
    label: str = ""  # profile or workspace name for the header

    @property
    def read_only(self) -> bool:
        return self.settings.read_only or self.client.read_only
