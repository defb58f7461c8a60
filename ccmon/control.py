"""``ccmon start`` and ``ccmon interrupt``: run control from the command line.

Both go through :class:`CloudCruiseClient`, so read-only mode refuses them before any
request is sent, and a run started here has its priority written to the journal
(:class:`ccmon.sync.journal.Journal`), where every ccmon finds it.
"""

from __future__ import annotations

import argparse
import asyncio
import difflib
import json
import sqlite3
import sys
from typing import Any

import httpx

from ccmon import exits
from ccmon.api import errors
from ccmon.api.client import CloudCruiseClient, RetryPolicy
from ccmon.api.http import make_http
from ccmon.api.models import Priority, Workflow, WorkflowSummary
from ccmon.config import Settings, load_settings, require_key
from ccmon.report import clean
from ccmon.sync.journal import Journal, default_journal_path


def refuse_if_read_only(settings: Settings, action: str) -> None:
    """Refuse before any request, and say where read-only mode came from."""
    if settings.read_only:
        raise exits.CommandError(
            f"read-only mode ({settings.source('read_only')}): {action} is disabled"
        )


def client_for(
    settings: Settings, http: httpx.AsyncClient, journal: Journal | None
) -> CloudCruiseClient:
    return CloudCruiseClient(
        http,
        require_key(settings),
        read_only=settings.read_only,
        journal=journal,
        retry=RetryPolicy(attempts=3, base=0.5, cap=5.0),
    )


# --- the workflow -----------------------------------------------------------------------


def pick_workflow(ref: str, workflows: list[WorkflowSummary]) -> WorkflowSummary | None:
    """By id, then by exact name, then by name ignoring case; ambiguous names refused."""
    for wf in workflows:
        if wf.id == ref:
            return wf
    for same in (
        [wf for wf in workflows if wf.name == ref],
        [wf for wf in workflows if (wf.name or "").casefold() == ref.casefold()],
    ):
        if len(same) == 1:
            return same[0]
        if len(same) > 1:
            ids = ", ".join(wf.id for wf in same)
            raise exits.CommandError(f"{len(same)} workflows are named {ref!r}: use an id ({ids})")
    return None


async def find_workflow(client: CloudCruiseClient, ref: str) -> Workflow:
    workflows = await client.list_workflows()
    found = pick_workflow(ref, workflows)
    try:
        return await client.get_workflow(found.id if found else ref)
    except errors.NotFound:
        names = [wf.name for wf in workflows if wf.name]
        close = difflib.get_close_matches(ref, names, n=3, cutoff=0.5)
        hint = (
            "did you mean " + " or ".join(repr(name) for name in close) + "?"
            if close
            else f"{len(workflows)} workflows, e.g. " + ", ".join(repr(n) for n in names[:3])
        )
        raise exits.CommandError(
            clean(f"unknown workflow {ref!r}: not the id or the name of a workflow ({hint})")
        ) from None


# --- inputs -----------------------------------------------------------------------------


def parse_inputs(items: list[str], workflow: Workflow) -> dict[str, Any]:
    """``KEY=VALUE`` (typed by the workflow's input schema) and ``KEY:=JSON``."""
    props = (workflow.input_schema or {}).get("properties", {})
    found: dict[str, Any] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.rstrip(":"):
            raise exits.CommandError(f"bad --input {item!r}: use KEY=VALUE or KEY:=JSON")
        if key.endswith(":"):
            key = key[:-1]
            try:
                found[key] = json.loads(value)
            except json.JSONDecodeError as exc:
                raise exits.CommandError(f"bad --input {item!r}: not JSON ({exc.msg})") from None
            continue
        spec = props.get(key)
        kind = spec.get("type") if isinstance(spec, dict) else None
        found[key] = _typed(key, value, kind)
    return found


def _typed(key: str, value: str, kind: object) -> Any:
    try:
        if kind == "integer":
            return int(value)
        if kind == "number":
            return float(value)
        if kind == "boolean":
            if value.lower() in ("true", "false"):
                return value.lower() == "true"
            raise ValueError
        if kind in ("array", "object"):
            return json.loads(value)
    except ValueError:
        raise exits.CommandError(f"bad --input {key}={value!r}: {key} takes a {kind}") from None
    return value


# --- the commands -----------------------------------------------------------------------


def open_journal() -> Journal | None:
    try:
        return Journal()
    except (OSError, sqlite3.Error) as exc:
        path = default_journal_path()
        print(
            f"ccmon: warning: cannot open the priority journal {path} ({exc}): "
            "the run's priority will show as unknown",
            file=sys.stderr,
        )
        return None


async def _start(args: argparse.Namespace, settings: Settings) -> tuple[str, Workflow, Priority]:
    journal = open_journal()
    try:
        async with make_http(settings.base_url, 15.0) as http:
            client = client_for(settings, http, journal)
            workflow = await find_workflow(client, args.workflow)
            inputs = parse_inputs(args.input or [], workflow)
            priority = Priority.parse(args.priority) or settings.priority_defaults.get(
                workflow.id, settings.priority_defaults.get(workflow.name or "", Priority.LOW)
            )
            session_id = await client.start_run(
                workflow.id, inputs, priority=priority, dry_run=args.dry_run, debug=args.debug
            )
            return session_id, workflow, priority
    finally:
        if journal is not None:
            journal.close()


def run_start(args: argparse.Namespace) -> int:
    settings = load_settings(None, args)
    refuse_if_read_only(settings, "starting a run")
    require_key(settings)
    session_id, workflow, priority = asyncio.run(_start(args, settings))
    print(session_id)
    if sys.stderr.isatty():
        name = workflow.name or workflow.id
        print(f"ccmon: started {name!r} at {priority.value} on {settings.host}", file=sys.stderr)
    return exits.OK


async def _interrupt(settings: Settings, session_id: str) -> tuple[bool, str]:
    async with make_http(settings.base_url, 15.0) as http:
        response = await client_for(settings, http, None).interrupt_run(session_id)
    return response.success is not False, response.message or "interrupt requested"


def run_interrupt(args: argparse.Namespace) -> int:
    settings = load_settings(None, args)
    refuse_if_read_only(settings, "interrupting a run")
    require_key(settings)
    ok, message = asyncio.run(_interrupt(settings, args.session_id))
    if not ok:
        raise exits.CommandError(clean(f"{args.session_id}: {message}"), exits.API_ERROR)
    print(clean(f"{args.session_id}: {message}"))
    return exits.OK
