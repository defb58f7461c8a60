"""The snapshot document, its table and CSV, and ``--fail-on`` conditions, over the
in-process simulator (no subprocess: the command line is in tests/functional/test_cli.py)."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any

import pytest
from rich.cells import cell_len

from ccmon.api.client import ApiKey
from ccmon.api.models import Priority
from ccmon.conditions import Condition, figures, held, parse_duration
from ccmon.config import Settings
from ccmon.query import Query
from ccmon.report import table, to_csv
from ccmon.sim import ManualClock
from ccmon.snapshot import RUN_FIELDS, SCHEMA, Polled, document, poll_once
from tests.conftest import make_sim


async def polled(hostile: bool = False, **config: Any) -> tuple[Polled, Settings]:
    sim = make_sim(history=300, arrival_per_min=40.0, hostile=hostile, **config)
    assert isinstance(sim.clock, ManualClock)
    sim.clock.advance(600)  # arrivals above what the workers drain: a queue forms
    names = [str(w["name"]) for w in sim.workspace.list_workflows()]
    settings = Settings(
        api_key=ApiKey("demo-key"),
        base_url="http://sim.local",
        profile="test",
        priority_defaults={names[0]: Priority.HIGH, names[1]: Priority.LOW},
    )
    async with sim.client() as http:
        result = await poll_once(settings, http, details=50, now=sim.clock.now)
    return result, settings


async def test_document_schema_and_consistency() -> None:
    result, settings = await polled()
    doc = document(result, settings)
    assert doc["schema"] == SCHEMA
    assert doc["source"] == {"host": "sim.local", "profile": "test"}
    assert doc["health"]["ok"] is True and doc["health"]["error"] is None
    assert doc["generated_at"].endswith("Z")
    runs = doc["runs"]
    assert runs and all(list(run) == list(RUN_FIELDS) for run in runs)
    assert sum(doc["counts"].values()) == len(runs) == len(result.store)
    assert list(doc["counts"])[:7] == [
        "queued",
        "running",
        "paused",
        "requeued",
        "success",
        "failed",
        "stopped",
    ]
    assert set(doc["queue"]) == {"HIGH", "MEDIUM", "LOW", "unknown"}
    waiting = ("execution.queued", "execution.paused", "execution.requeued")
    for prio, entry in doc["queue"].items():
        mine = [r for r in runs if (r["priority"] or "unknown") == prio]
        assert entry["waiting"] == sum(r["status"] in waiting for r in mine)
        assert entry["running"] == sum(r["status"] == "execution.start" for r in mine)
        # the oldest wait counts from created_at, also for a requeued run
        waits = [r["queue_wait_s"] for r in mine if r["status"] == "execution.queued"]
        assert (entry["oldest_wait_s"] is None) == (entry["waiting"] == 0)
        assert not waits or entry["oldest_wait_s"] >= max(waits)
    assert sum(e["waiting"] for e in doc["queue"].values()) > 0
    assert {r["priority_source"] for r in runs} <= {"config", None}
    fetched = [r for r in runs if r["errors"] is not None]
    assert fetched and all(r["recovered"] is not None for r in fetched)
    # queue order: running, then waiting by priority, then the finished, newest first
    kinds = [
        0 if r["status"] == "execution.start" else 1 if r["status"] in waiting else 2 for r in runs
    ]
    assert kinds == sorted(kinds)


async def test_the_filter_applies_to_every_figure() -> None:
    result, settings = await polled()
    doc = document(result, settings, Query.parse("status:failed"))
    assert doc["filter"] == "status:failed"
    assert doc["counts"]["failed"] == len(doc["runs"]) > 0
    assert sum(doc["counts"].values()) == doc["counts"]["failed"]
    assert all(e["waiting"] == 0 for e in doc["queue"].values())


async def test_table_fits_80_columns_and_shows_no_control_characters() -> None:
    result, settings = await polled(hostile=True)
    text = table(document(result, settings), limit=0)
    lines = text.splitlines()
    assert max(cell_len(line) for line in lines) <= 80
    assert not any(ch in text for ch in "\x1b\x07\x00\r\x7f\u202e")
    assert lines[0].startswith("ccmon snapshot  sim.local  profile test")
    assert "PRIORITY  WAITING  RUNNING  OLDEST WAIT" in lines


async def test_csv_has_one_row_per_run() -> None:
    result, settings = await polled()
    doc = document(result, settings)
    rows = list(csv.reader(io.StringIO(to_csv(doc))))
    assert rows[0] == list(RUN_FIELDS)
    assert len(rows) == len(doc["runs"]) + 1
    assert rows[1][0] == doc["runs"][0]["session_id"]


def doc_with(**counts: int) -> dict[str, Any]:
    base = dict.fromkeys(("queued", "running", "paused", "requeued"), 0)
    base.update(success=8, failed=2, stopped=0)
    base.update(counts)
    entry: dict[str, Any] = {"waiting": 0, "running": 0, "oldest_wait_s": None, "starving": False}
    queue = {p: dict(entry) for p in ("HIGH", "MEDIUM", "LOW", "unknown")}
    queue["LOW"].update(waiting=3, oldest_wait_s=700.0, starving=True)
    queue["HIGH"].update(running=2, oldest_wait_s=None)
    runs = [{"errors": 3, "recovered": 2}, {"errors": None, "recovered": None}]
    return {"counts": base, "queue": queue, "runs": runs, "health": {"invalid_rows": 1}}


@pytest.mark.parametrize(
    ("text", "holds"),
    [
        ("failed>0", True),
        ("failed>2", False),
        ("failed>=2", True),
        ("queued>=20", False),
        ("wait.low>10m", True),
        ("wait.low>15m", False),
        ("wait.high>30s", False),
        ("wait>11m", True),
        ("waiting.low=3", True),
        ("running.high!=2", False),
        ("errors>2", True),
        ("errors>5", False),
        ("unrecovered>=1", True),
        ("starving>0", True),
        ("success_rate<90%", True),
        ("success_rate<80", False),
        ("total==10", True),
        ("done==10", True),
        ("invalid>0", True),
    ],
)
def test_conditions(text: str, holds: bool) -> None:
    assert Condition.parse(text).holds(figures(doc_with())) is holds


def test_held_explains_what_held() -> None:
    conditions = [Condition.parse("failed>0"), Condition.parse("wait.low>10m")]
    assert held(conditions, doc_with()) == [
        "failed>0 holds: failed is 2",
        "wait.low>10m holds: wait.low is 700s",
    ]
    assert held([Condition.parse("failed>5")], doc_with()) == []


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("nonsense", "use METRIC>VALUE"),
        ("fialed>0", "did you mean 'failed'"),
        ("failed>10m", "failed takes a number"),
        ("wait.low>soon", "takes a duration"),
    ],
)
def test_bad_conditions(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Condition.parse(text)


def test_durations() -> None:
    assert parse_duration("90s") == 90
    assert parse_duration("1h30m") == 5400
    assert parse_duration("2d") == 2 * 86400
    assert parse_duration("10") is None
    assert timedelta(seconds=Condition.parse("wait>45").value) == timedelta(seconds=45)
