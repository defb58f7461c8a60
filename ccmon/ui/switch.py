"""Switching the configuration profile inside the app, without a restart.

The palette offers "Switch profile: NAME" for every profile of the configuration file
(not in the demo or a replay, which have none). Choosing one loads its settings, builds
a new monitor, stops the old poller and its HTTP client, and shows the new workspace
in the same screens. A configuration error is a toast and changes nothing.
"""

from __future__ import annotations

import argparse
import contextlib
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from textual.app import SystemCommand

from ccmon.api.http import make_http
from ccmon.config import ConfigError, Settings, list_profiles, load_settings, require_key
from ccmon.profiles import config_path
from ccmon.sync.journal import Journal
from ccmon.sync.records import ChangeSet
from ccmon.ui.context import Monitor
from ccmon.ui.messages import Update
from ccmon.ui.text import clean

if TYPE_CHECKING:
    from ccmon.ui.app import CcmonApp

MonitorFactory = Callable[[Settings], Monitor]


def default_factory(settings: Settings) -> Monitor:
    """A monitor over the real API: a new HTTP client and the default journal."""
    http = make_http(settings.base_url, 10.0)
    return Monitor.build(settings, http, Journal(), label=settings.profile)


def profile_commands(app: CcmonApp) -> Iterable[SystemCommand]:
    args = app.args
    if args is None:
        return
    try:
        names = list_profiles(config_path(getattr(args, "config", None))[0])
    except (OSError, ConfigError):
        return
    for name in names:
        if name == app.monitor.settings.profile:
            continue
        yield SystemCommand(
            f"Switch profile: {name}",
            "poll this profile's workspace instead, without a restart",
            lambda name=name: app.run_worker(switch_profile(app, name), group="switch"),
        )


async def switch_profile(app: CcmonApp, name: str) -> bool:
    """Swap the app over to profile ``name``; False (and a toast) if it cannot."""
    args = app.args or argparse.Namespace()
    try:
        settings = load_settings(name, args)
        require_key(settings)
        monitor = (app.monitor_factory or default_factory)(settings)
    except (ConfigError, ValueError) as exc:
        app.notify(clean(exc, 300), title="Profile not switched", severity="error", markup=False)
        return False
    old = app.monitor
    old.poller.stop()
    old.poller.listener = None
    app.workers.cancel_group(app, "sync")
    with contextlib.suppress(Exception):
        await old.client._http.aclose()
    app.monitor = monitor
    monitor.poller.listener = app._on_poll
    app.alerts.reset(settings.alerts)
    app.reset_main_screen()
    app.updates.publish(Update(ChangeSet(first_load=True), monitor.poller.health))
    if app.live:
        app._start_poller()
    app.notify(f"switched to profile {clean(name, 40)} ({clean(settings.host, 60)})", markup=False)
    return True
