"""The script-facing command line, as a user runs it: ``python -m ccmon ...`` in a
subprocess against ``ccmon sim`` on a loopback port, checked with a plain HTTP client."""

from __future__ import annotations

import csv
import io
import json
import os
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
KEY = "sk_test_xyz"
WORKFLOW = "Shipment tracking sync"  # inputs: tracking_number, carrier; no credential
INPUTS = ["--input", "tracking_number=1Z999AA10123456784", "--input", "carrier=UPS"]
LABELS = {
    "execution.queued": "queued",
    "execution.start": "running",
    "execution.paused": "paused",
    "execution.requeued": "requeued",
    "execution.success": "success",
    "execution.failed": "failed",
    "execution.stopped": "stopped",
}
ACTIVE = ("execution.queued", "execution.start", "execution.paused", "execution.requeued")
SUBCOMMANDS = ("demo", "sim", "snapshot", "start", "interrupt", "config", "completion")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("home")


@pytest.fixture(scope="module")
def env(home: Path) -> dict[str, str]:
    """A clean environment: no key or profile of the developer's, a private data folder
    (the priority journal) and config folder."""
    base = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("CLOUDCRUISE_", "CCMON_", "XDG_")) and k != "NO_COLOR"
    }
    base.update(
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
        XDG_DATA_HOME=str(home / "data"),
        XDG_CONFIG_HOME=str(home / "config"),
        CCMON_CONFIG=str(home / "config" / "ccmon" / "config.toml"),
    )
    return base


@pytest.fixture(scope="module")
def sim(env: dict[str, str]) -> Iterator[str]:
    port = free_port()
    command = [sys.executable, "-m", "ccmon", "sim", "--port", str(port), "--history", "500"]
    command += ["--key", KEY, "--rate", "0", "--history-hours", "20", "--seed", "5"]
    proc = subprocess.Popen(
        command, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            if proc.poll() is not None:
                pytest.fail(f"ccmon sim exited: {proc.stderr.read() if proc.stderr else ''}")
            try:
                httpx.get(f"{url}/workflows", timeout=0.5)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    pytest.fail("ccmon sim did not answer within 20 s")
                time.sleep(0.1)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


@pytest.fixture(scope="module")
def live(env: dict[str, str], sim: str) -> dict[str, str]:
    return dict(env, CLOUDCRUISE_BASE_URL=sim, CLOUDCRUISE_API_KEY=KEY)


def ccmon(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "-m", "ccmon", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "Traceback" not in result.stderr, result.stderr
    return result


def one_line_error(result: subprocess.CompletedProcess[str], code: int) -> str:
    assert result.returncode == code, (result.returncode, result.stdout, result.stderr)
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("ccmon"), result.stderr
    return result.stderr


def direct_runs(url: str) -> list[dict[str, Any]]:
    since = (datetime.now(UTC) - timedelta(hours=24)).isoformat()
    response = httpx.get(
        f"{url}/runs",
        params={"limit": 10000, "start_time": since},
        headers={"cc-key": KEY},
        timeout=10,
    )
    response.raise_for_status()
    rows: list[dict[str, Any]] = response.json()
    return rows


def snapshot_json(live: dict[str, str], *args: str) -> dict[str, Any]:
    result = ccmon("snapshot", "--json", *args, env=live)
    assert result.returncode == 0, result.stderr
    doc: dict[str, Any] = json.loads(result.stdout)
    return doc


# --- snapshot ---------------------------------------------------------------------------


def test_snapshot_json_matches_the_api(live: dict[str, str], sim: str) -> None:
    doc = snapshot_json(live)
    after = {row["session_id"]: row["status"] for row in direct_runs(sim)}
    assert doc["schema"] == "ccmon.snapshot/1"
    assert doc["source"] == {"host": sim.removeprefix("http://"), "profile": "default"}
    assert doc["health"] == {"ok": True, "error": None, "invalid_rows": 0}
    assert set(doc["queue"]) == {"HIGH", "MEDIUM", "LOW", "unknown"}
    assert all(
        set(entry) == {"waiting", "running", "oldest_wait_s", "starving"}
        for entry in doc["queue"].values()
    )
    runs = {run["session_id"]: run["status"] for run in doc["runs"]}
    assert set(runs) == set(after)  # no arrivals: the same 500 runs
    assert sum(doc["counts"].values()) == len(after) == 500
    # Runs may move on between the snapshot and our own request, but only active ones.
    moved = {sid for sid, status in runs.items() if after[sid] != status}
    assert all(runs[sid] in ACTIVE for sid in moved)
    direct = Counter(LABELS[status] for sid, status in after.items() if sid not in moved)
    direct.update(LABELS[runs[sid]] for sid in moved)
    assert {k: v for k, v in doc["counts"].items() if v} == dict(direct)


def test_snapshot_table_csv_and_filter(live: dict[str, str]) -> None:
    result = ccmon("snapshot", "--limit", "5", env=live)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("ccmon snapshot  127.0.0.1:") and lines[0].endswith("ok")
    assert "PRIORITY  WAITING  RUNNING  OLDEST WAIT" in lines
    assert max(len(line) for line in lines) <= 80
    assert lines[-1].startswith("… 495 more")

    result = ccmon("snapshot", "--csv", "--filter", "status:failed", env=live)
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert rows and all(row["status"] == "execution.failed" for row in rows)
    assert list(rows[0])[:3] == ["session_id", "status", "priority"]

    doc = snapshot_json(live, "--filter", "status:failed !dry:yes")
    assert doc["filter"] == "status:failed !dry:yes"
    assert doc["counts"]["failed"] == len(doc["runs"]) == sum(doc["counts"].values())
    assert all(run["dry_run"] is not True for run in doc["runs"])
    assert len(doc["runs"]) <= len(rows)

    error = one_line_error(ccmon("snapshot", "--filter", "colour:red", env=live), 2)
    assert "bad --filter: unknown filter key 'colour'" in error


def test_fail_on(live: dict[str, str]) -> None:
    result = ccmon("snapshot", "--fail-on", "failed>0", "--fail-on", "queued>=20", env=live)
    assert result.returncode == 3
    assert result.stderr.startswith("ccmon: --fail-on failed>0 holds: failed is ")
    assert "queued>=20" not in result.stderr
    result = ccmon("snapshot", "--json", "--fail-on", "failed>100000", env=live)
    assert result.returncode == 0 and result.stderr == ""
    error = one_line_error(ccmon("snapshot", "--fail-on", "wait.low>soon", env=live), 2)
    assert "takes a duration" in error


# --- run control ------------------------------------------------------------------------


def test_start_journals_the_priority_and_interrupt_stops_it(
    live: dict[str, str], sim: str, home: Path
) -> None:
    result = ccmon("start", WORKFLOW, "--priority", "HIGH", *INPUTS, env=live)
    assert result.returncode == 0, result.stderr
    session_id = result.stdout.strip()
    assert len(session_id) == 36 and result.stdout.count("\n") == 1
    assert (home / "data" / "ccmon" / "journal.sqlite3").exists()
    doc = snapshot_json(live, "--filter", f"id:{session_id}")
    (run,) = doc["runs"]
    assert (run["priority"], run["priority_source"]) == ("HIGH", "journal")
    assert run["workflow_name"] == WORKFLOW

    result = ccmon("interrupt", session_id, env=live)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(session_id)
    detail = httpx.get(f"{sim}/run/{session_id}", headers={"cc-key": KEY}, timeout=10).json()
    assert detail["status"] == "execution.stopped"

    one_line_error(ccmon("interrupt", "no-such-run", env=live), 1)


def test_read_only_refuses_before_any_request(live: dict[str, str], sim: str) -> None:
    before = len(direct_runs(sim))
    result = ccmon("--read-only", "start", WORKFLOW, "--priority", "HIGH", *INPUTS, env=live)
    assert "read-only mode (cli --read-only): starting a run is disabled" in one_line_error(
        result, 2
    )
    result = ccmon("interrupt", "x", env=dict(live, CCMON_READ_ONLY="1"))
    assert "(env CCMON_READ_ONLY)" in one_line_error(result, 2)
    assert len(direct_runs(sim)) == before


def test_errors_are_one_line(live: dict[str, str]) -> None:
    error = one_line_error(ccmon("start", "Shipment trackin", *INPUTS, env=live), 2)
    assert "unknown workflow 'Shipment trackin'" in error and WORKFLOW in error
    error = one_line_error(ccmon("start", "Claim status lookup", env=live), 1)
    assert "request refused (400)" in error
    error = one_line_error(ccmon("snapshot", env=dict(live, CLOUDCRUISE_API_KEY="wrong")), 1)
    assert "API key rejected (401)" in error
    error = one_line_error(ccmon("--profile", "nope", "snapshot", env=live), 2)
    assert "unknown profile 'nope'" in error
    error = one_line_error(ccmon("snapshot", "--api-key-file", "/nonexistent/key", env=live), 2)
    assert "cannot read key file /nonexistent/key" in error


# --- configuration, help, completion ----------------------------------------------------


def test_profiles_and_config_show(live: dict[str, str], sim: str, home: Path) -> None:
    folder = home / "config" / "ccmon"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "sim.key").write_text(KEY)
    (folder / "sim.key").chmod(0o600)
    (folder / "config.toml").write_text(
        f'default_profile = "local"\n\n[profiles.local]\nbase_url = "{sim}"\n'
        'api_key_file = "sim.key"\nread_only = true\n'
    )
    env = {k: v for k, v in live.items() if not k.startswith("CLOUDCRUISE_")}
    try:
        result = ccmon("config", "path", env=env)
        assert result.stdout.strip() == str(folder / "config.toml")
        assert ccmon("config", "check", env=env).returncode == 0
        result = ccmon("config", "show", env=env)
        assert result.returncode == 0, result.stderr
        assert KEY not in result.stdout and "********" in result.stdout
        assert "local" in result.stdout and "config.toml:4)" in result.stdout
        doc = snapshot_json(env)
        assert doc["source"]["profile"] == "local"
        assert "profile local" in one_line_error(ccmon("interrupt", "x", env=env), 2)
        result = ccmon("config", "show", env=live)
        assert KEY not in result.stdout and "env CLOUDCRUISE_API_KEY" in result.stdout
    finally:
        (folder / "config.toml").unlink()


def test_help_version_and_completion(env: dict[str, str]) -> None:
    assert ccmon("--version", env=env).stdout.startswith("ccmon ")
    for command in ((), *((name,) for name in SUBCOMMANDS), ("config", "show")):
        result = ccmon(*command, "--help", env=env)
        assert result.returncode == 0, result.stderr
        assert "examples:" in result.stdout, command
        assert f"ccmon {command[0] if command else 'demo'}" in result.stdout.split("examples:")[1]
    script = ccmon("completion", "bash", env=env).stdout
    assert "complete -o default -F _ccmon ccmon" in script
    assert all(name in script for name in SUBCOMMANDS)
    assert "#compdef ccmon" in ccmon("completion", "zsh", env=env).stdout
    assert "complete -c ccmon" in ccmon("completion", "fish", env=env).stdout
    error = one_line_error(ccmon("completion", "tcsh", env=env), 2)
    assert "invalid choice" in error


def test_snapshot_demo_needs_no_account(env: dict[str, str]) -> None:
    doc = json.loads(ccmon("snapshot", "--demo", "--json", "--history", "200", env=env).stdout)
    assert doc["source"]["profile"] == "demo" and doc["health"]["ok"]
    assert {r["priority_source"] for r in doc["runs"]} >= {"journal", "config"}
