"""Switching profile from the command palette: a new monitor over another workspace."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from ccmon.api.client import RetryPolicy
from ccmon.config import Settings, load_settings
from ccmon.sync.journal import Journal
from ccmon.ui.app import CcmonApp
from ccmon.ui.context import Monitor
from ccmon.ui.widgets.status_line import StatusLine
from ccmon.ui.widgets.table import RunTable
from tests.conftest import make_sim

CONFIG = """
default_profile = "alpha"

[profiles.alpha]
base_url = "http://alpha.local"
api_key_env = "CC_TEST_KEY"

[profiles.beta]
base_url = "http://beta.local"
api_key_env = "CC_TEST_KEY"

[profiles.broken]
base_url = "http://broken.local"
api_key_env = "CC_TEST_UNSET_KEY"
"""


async def test_switch_profile_shows_the_other_workspace(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(CONFIG)
    monkeypatch.setenv("CCMON_CONFIG", str(config))
    monkeypatch.setenv("CC_TEST_KEY", "demo-key")
    monkeypatch.delenv("CLOUDCRUISE_API_KEY", raising=False)
    monkeypatch.delenv("CLOUDCRUISE_BASE_URL", raising=False)
    monkeypatch.delenv("CCMON_PROFILE", raising=False)
    sims = {
        "alpha.local": make_sim(seed=1, history=120),
        "beta.local": make_sim(seed=2, history=80),
    }
    built: list[Monitor] = []

    def factory(settings: Settings) -> Monitor:
        sim = sims[settings.host]
        monitor = Monitor.build(
            settings,
            sim.client(),
            Journal(tmp_path / f"{settings.profile}.sqlite3"),
            retry=RetryPolicy(attempts=1),
            label=settings.profile,
            now=sim.clock.now,
        )
        built.append(monitor)
        return monitor

    args = argparse.Namespace()
    app = CcmonApp(
        factory(load_settings(None, args)), live=False, args=args, monitor_factory=factory
    )
    async with app.run_test(size=(120, 40)) as pilot:
        await app.monitor.poller.tick()
        await pilot.pause()
        table = app.screen.query_one(RunTable)
        assert set(table.ordered_keys()) == set(built[0].store.runs)
        commands = {c.title: c for c in app.get_system_commands(app.screen)}
        assert "Switch profile: beta" in commands and "Switch profile: alpha" not in commands

        commands["Switch profile: broken"].callback()
        await pilot.pause()
        await app.workers.wait_for_complete()
        assert app.monitor is built[0]
        assert any("CC_TEST_UNSET_KEY" in str(n.message) for n in app._notifications)

        await pilot.press("6")  # a filter that the switch resets
        commands["Switch profile: beta"].callback()
        await pilot.pause()
        await app.workers.wait_for_complete()
        assert app.monitor is built[1] and built[0].poller._stopped
        await app.monitor.poller.tick()
        await pilot.pause()
        beta = set(built[1].store.runs)
        assert beta and not beta & set(built[0].store.runs)
        assert set(table.ordered_keys()) == beta
        assert "beta" in str(app.screen.query_one(StatusLine).content)
        assert any(
            "switched to profile beta (beta.local)" in str(n.message) for n in app._notifications
        )
