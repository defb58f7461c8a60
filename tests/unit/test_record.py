"""The recorder and the replay source, without a UI: sim -> Poller.tick -> SQLite -> store."""

from __future__ import annotations

import sqlite3
import zlib
from datetime import timedelta
from pathlib import Path

import pytest

from ccmon.api.client import CloudCruiseClient, RetryPolicy
from ccmon.record import Recorder, ReplayError, ReplaySource
from ccmon.sync.poller import Poller, SyncConfig
from ccmon.sync.store import RunStore
from tests.conftest import make_sim


async def _record(path: Path, ticks: int, **recorder: object) -> tuple[list[dict], RunStore]:
    sim = make_sim(history=200, arrival_per_min=30.0, hostile=True)
    rec = Recorder(path, **recorder)  # type: ignore[arg-type]
    states: list[dict] = []
    async with sim.client() as http:
        client = CloudCruiseClient(http, "demo-key", retry=RetryPolicy(attempts=1))
        store = RunStore()
        poller = Poller(client, store, SyncConfig(), now=sim.clock.now)
        poller.listener = lambda c, h: rec.record(c, h, store, sim.clock.now())
        for _ in range(ticks):
            await poller.tick()
            states.append({sid: str(r.status) for sid, r in store.runs.items()})
            sim.clock.advance(5)
    rec.close()
    return states, store


async def test_replay_reproduces_every_tick(tmp_path: Path) -> None:
    path = tmp_path / "run.rec"
    states, store = await _record(path, 6)
    source = ReplaySource(path)
    assert len(source.ticks) == 6
    for index in (0, 1, 2, 5, 3, 0, 4):  # forward, jumps back and forth
        source.seek(index)
        assert {s: str(r.status) for s, r in source.store.runs.items()} == states[index]
    source.seek(5)
    for sid, record in store.runs.items():
        replayed = source.store.runs[sid]
        assert replayed.priority == record.priority
        assert replayed.error_count == record.error_count
        assert replayed.recovered_count == record.recovered_count
        assert source.store.workflow_name(record.summary.workflow_id) == store.workflow_name(
            record.summary.workflow_id
        )


async def test_no_secrets_in_the_recording(tmp_path: Path) -> None:
    path = tmp_path / "run.rec"
    _, store = await _record(path, 3)
    blobs = b"".join(
        zlib.decompress(row[0])
        for row in sqlite3.connect(path).execute("SELECT payload FROM ticks")
    ).decode()
    secrets = [
        str(v)
        for r in store.runs.values()
        if r.detail
        for v in [*(r.detail.input_variables or {}).values(), *(r.detail.vault_entries or {})]
    ]
    assert "http" not in blobs and "signed" not in blobs
    assert not [s for s in secrets if len(s) > 6 and s in blobs]


async def test_retention_drops_old_ticks_back_to_a_keyframe(tmp_path: Path) -> None:
    path = tmp_path / "run.rec"
    await _record(path, 12, retention=timedelta(seconds=20), keyframe_every=timedelta(seconds=10))
    source = ReplaySource(path)
    span = source.ticks[-1].at - source.ticks[0].at
    assert len(source.ticks) < 12 and span <= timedelta(seconds=30)
    assert source.ticks[0].keyframe
    source.seek(len(source.ticks) - 1)
    assert source.store.runs


def test_not_a_recording(tmp_path: Path) -> None:
    with pytest.raises(ReplayError):
        ReplaySource(tmp_path / "missing.rec")
    bad = tmp_path / "bad.rec"
    bad.write_text("hello")
    with pytest.raises(ReplayError):
        ReplaySource(bad)
