"""`ccmon.sim.server` on a real loopback socket, driven by a real HTTP client."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
LAUNCH = (
    "import argparse, sys\n"
    "from ccmon.sim.server import add_arguments, run\n"
    "p = argparse.ArgumentParser()\n"
    "add_arguments(p)\n"
    "sys.exit(run(p.parse_args(sys.argv[1:])))\n"
)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def server() -> Iterator[tuple[str, subprocess.Popen[str]]]:
    port = free_port()
    env = dict(
        os.environ,
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    )
    args = ["--port", str(port), "--history", "300", "--seed", "3", "--fault", "run:drop:1"]
    proc = subprocess.Popen(
        [sys.executable, "-c", LAUNCH, *args],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            if proc.poll() is not None:
                pytest.fail(f"server exited early: {proc.stderr.read() if proc.stderr else ''}")
            try:
                httpx.get(f"{url}/workflows", timeout=0.5)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    pytest.fail("server did not start listening within 20 s")
                time.sleep(0.1)
        yield url, proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


def test_serves_the_api_over_a_socket(server: tuple[str, subprocess.Popen[str]]) -> None:
    url, proc = server
    with httpx.Client(base_url=url, headers={"cc-key": "demo-key"}, timeout=5) as c:
        r = c.get("/runs", params={"limit": 50})
        assert r.status_code == 200
        rows = r.json()
        assert 0 < len(rows) <= 50
        assert set(rows[0]) == {
            "session_id",
            "status",
            "created_at",
            "workflow_id",
            "workspace_id",
            "execution_start",
            "execution_end",
            "dry_run",
        }
        assert "x-ratelimit-limit" in r.headers
        assert c.get("/runs", headers={"cc-key": "nope"}).status_code == 401
        # the "drop" fault really drops the connection mid-response
        with pytest.raises(httpx.RemoteProtocolError):
            c.get(f"/run/{rows[0]['session_id']}")
        assert c.get("/workflows").status_code == 200  # the server survives it
    proc.terminate()
    out, _ = proc.communicate(timeout=10)
    assert "ccmon sim: serving http://127.0.0.1:" in out
    assert "300 runs of history" in out
    assert "curl -H 'cc-key: demo-key'" in out
