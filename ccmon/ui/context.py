"""What the UI is given: the settings and the sync engine behind it."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import httpx

from ccmon.api.client import CloudCruiseClient, RetryPolicy
from ccmon.config import Settings
from ccmon.sync.journal import Journal
from ccmon.sync.poller import Poller, SyncConfig, utcnow
from ccmon.sync.store import PriorityLookup, RunStore


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

    @classmethod
    def build(
        cls,
        settings: Settings,
        http: httpx.AsyncClient,
        journal: Journal,
        *,
        retry: RetryPolicy | None = None,
        label: str = "",
        now: Callable[[], datetime] = utcnow,
    ) -> Monitor:
        """The client, store and poller for ``settings`` over ``http``."""
        if settings.api_key is None:
            raise ValueError("settings.api_key is required")
        client = CloudCruiseClient(
            http,
            settings.api_key,
            read_only=settings.read_only,
            journal=journal,
            retry=retry or RetryPolicy(attempts=2),
        )
        store = RunStore(PriorityLookup(journal.get, settings.priority_defaults))
        poller = Poller(
            client,
            store,
            SyncConfig(interval=settings.interval, window=settings.window),
            now=now,
            reload_journal=journal.reload,
        )
        return cls(settings, client, store, poller, now=now, label=label)
