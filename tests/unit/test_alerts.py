"""The alert engine over real metrics: a simulated workspace, the real poller."""

from __future__ import annotations

from datetime import timedelta

import pytest

from ccmon.alerts import AlertEngine, AlertRule, RuleError, parse_rules
from ccmon.api.client import CloudCruiseClient, RetryPolicy
from ccmon.sim import Fault
from ccmon.sync.metrics import compute
from ccmon.sync.poller import Poller, SyncConfig
from ccmon.sync.store import PriorityLookup, RunStore
from tests.conftest import make_sim


def test_parsing_rules_and_their_names() -> None:
    rules = parse_rules(
        [
            {"kind": "failure"},
            {"kind": "failure", "category": "authentication_error", "bell": True},
            {"kind": "queue_depth", "over": 50, "priority": "high"},
            {"kind": "oldest_wait", "priority": "LOW", "over": "10m"},
            {"kind": "unreachable", "for": "2m", "command": "notify-send 'cc mon'"},
        ]
    )
    assert [r.name for r in rules] == [
        "failure",
        "failure AUTHENTICATION_ERROR",
        "queue_depth HIGH > 50",
        "oldest_wait LOW > 10m",
        "unreachable 2m",
    ]
    assert rules[4].command == ("notify-send", "cc mon") and rules[4].wait == timedelta(minutes=2)
    for bad in (
        [{"kind": "nope"}],
        [{"kind": "queue_depth"}],
        [{"kind": "oldest_wait", "over": "soon"}],
        [{"kind": "failure", "colour": "red"}],
        [{"kind": "failure"}, {"kind": "failure"}],
        {"kind": "failure"},
    ):
        with pytest.raises(RuleError):
            parse_rules(bad)


async def test_engine_fires_once_per_episode_on_real_metrics() -> None:
    sim = make_sim(history=300, arrival_per_min=60.0, workers=2)
    rules = [
        AlertRule.parse({"kind": "failure"}),
        AlertRule.parse({"kind": "queue_depth", "over": 3}),
        AlertRule.parse({"kind": "oldest_wait", "over": "30s"}),
        AlertRule.parse({"kind": "unreachable", "for": "10s"}),
    ]
    engine = AlertEngine(rules)
    fired: list[str] = []
    async with sim.client() as http:
        client = CloudCruiseClient(http, "demo-key", retry=RetryPolicy(attempts=1))
        store = RunStore(PriorityLookup())
        poller = Poller(client, store, SyncConfig(), now=sim.clock.now)

        def listen(changes, health) -> None:
            now = sim.clock.now()
            fired.extend(a.rule for a in engine.evaluate(changes, health, compute(store, now), now))

        poller.listener = listen
        for _ in range(30):
            await poller.tick()
            sim.clock.advance(5)
        assert fired.count("queue_depth > 3") == 1, "a long busy queue fires once"
        assert "oldest_wait > 30s" in fired
        assert "failure" in fired
        assert "unreachable 10s" not in fired
        fired.clear()
        sim.faults.replace([Fault.parse("all:500")])
        for _ in range(5):
            await poller.tick()
            sim.clock.advance(5)
        assert fired == ["unreachable 10s"]
        engine.toggle("unreachable 10s")
        sim.faults.replace([])
        await poller.tick()  # clears
        sim.faults.replace([Fault.parse("all:500")])
        for _ in range(5):
            await poller.tick()
            sim.clock.advance(5)
        assert fired == ["unreachable 10s"], "muted: no second alert"
