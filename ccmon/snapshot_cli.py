"""``ccmon snapshot``: the command around :mod:`ccmon.snapshot`.

Exit status: 0, or 3 when a ``--fail-on`` condition holds (each one that held is named
on standard error), 1 when the API could not be read, 2 for a usage error.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
from datetime import timedelta

from ccmon import exits
from ccmon.api.client import ApiKey, CloudCruiseClient
from ccmon.api.http import make_http
from ccmon.conditions import Condition, held
from ccmon.config import Settings, load_settings, require_key, settings_from
from ccmon.query import Query
from ccmon.report import table, to_csv
from ccmon.snapshot import Polled, document, open_journal, poll_once
from ccmon.sync.poller import utcnow


def parse_conditions(texts: list[str]) -> list[Condition]:
    try:
        return [Condition.parse(text) for text in texts]
    except ValueError as exc:
        raise exits.CommandError(str(exc)) from None


def parse_query(text: str | None) -> Query:
    try:
        return Query.parse(text or "")
    except ValueError as exc:
        raise exits.CommandError(f"bad --filter: {exc}") from None


async def _poll_live(settings: Settings, details: int) -> Polled:
    require_key(settings)
    journal = open_journal()
    try:
        async with make_http(settings.base_url, 15.0) as http:
            return await poll_once(settings, http, journal=journal, details=details)
    finally:
        if journal is not None:
            journal.close()


DEMO_MINUTES = 15
DEMO_RATE = 12.0  # runs a minute: a little more than six workers drain, so a queue forms


async def _poll_demo(args: argparse.Namespace, settings: Settings) -> Polled:
    """The same poll against an in-process simulator: no account, no network. The last
    quarter hour of traffic is started through ccmon's client first, as the demo does,
    so the queue has waiting runs and priorities from the journal."""
    from ccmon.demo import DEMO_KEY, Traffic, demo_journal, demo_priorities
    from ccmon.sim import ManualClock, SimConfig, build_simulator

    clock = ManualClock(utcnow() - timedelta(minutes=DEMO_MINUTES))
    config = SimConfig(
        seed=args.seed, history=args.history, workers=6, arrival_per_min=0.0, hostile=args.hostile
    )
    sim = build_simulator(config, clock=clock)
    settings.base_url, settings.profile = "http://sim.local", "demo"
    settings.api_key, settings.key_source = ApiKey(DEMO_KEY), "demo"
    settings.sources.update(base_url="demo", profile="demo")
    if not settings.priority_defaults:
        settings.priority_defaults = demo_priorities(sim.workspace.list_workflows())
    journal = demo_journal()
    rng = random.Random(args.seed)
    async with sim.client() as http:
        client = CloudCruiseClient(http, DEMO_KEY, journal=journal)
        traffic = Traffic(client, sim.workspace.credential_ids, DEMO_RATE, args.seed)
        workflows = [await client.get_workflow(w.id) for w in await client.list_workflows()]
        for _ in range(DEMO_MINUTES * 4):
            for _ in range(sum(rng.random() < DEMO_RATE / 40 for _ in range(10))):
                await traffic.start_one(rng, rng.choice(workflows))
            clock.advance(15)
        try:
            return await poll_once(
                settings, http, journal=journal, details=args.details, now=clock.now
            )
        finally:
            journal.close()


def run(args: argparse.Namespace) -> int:
    conditions = parse_conditions(getattr(args, "fail_on", None) or [])
    query = parse_query(getattr(args, "filter", None))
    if args.demo:
        settings = settings_from(args, use_config=False)
        polled = asyncio.run(_poll_demo(args, settings))
    else:
        settings = load_settings(None, args)
        polled = asyncio.run(_poll_live(settings, args.details))
    doc = document(polled, settings, query)
    if polled.store.loaded or args.format == "json":
        if args.format == "json":
            text = json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
        elif args.format == "csv":
            text = to_csv(doc)
        else:
            text = table(doc, limit=args.limit)
        sys.stdout.write(text)
        sys.stdout.flush()
    if not doc["health"]["ok"]:
        raise exits.CommandError(
            f"snapshot of {settings.host} failed: {doc['health']['error']}", exits.API_ERROR
        )
    reasons = held(conditions, doc)
    for reason in reasons:
        print(f"ccmon: --fail-on {reason}", file=sys.stderr)
    return exits.CONDITION if reasons else exits.OK
