"""`ccmon demo` in a real terminal: tmux runs it, send-keys types, capture-pane reads."""

from __future__ import annotations

import shlex
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")
ROOT = Path(__file__).resolve().parents[2]
SOCKET = f"ccmon-test-{uuid.uuid4().hex[:8]}"  # a tmux server of our own, not the user's


def tmux(*args: str) -> str:
    return subprocess.run(
        ["tmux", "-L", SOCKET, *args], check=True, capture_output=True, text=True
    ).stdout


def wait_for(session: str, needle: str, timeout: float = 30.0) -> str:
    deadline = time.monotonic() + timeout
    screen = ""
    while time.monotonic() < deadline:
        screen = tmux("capture-pane", "-p", "-t", session)
        if needle in screen:
            return screen
        time.sleep(0.3)
    raise AssertionError(f"{needle!r} never appeared; the screen was:\n{screen}")


@pytest.mark.parametrize("size", [(80, 24), (200, 60)])
def test_demo_in_tmux(size: tuple[int, int]) -> None:
    session = f"ccmon-test-{uuid.uuid4().hex[:8]}"
    command = (
        f"cd {shlex.quote(str(ROOT))} && {shlex.quote(sys.executable)} -m ccmon demo --history 500"
    )
    width, height = size
    tmux("new-session", "-d", "-s", session, "-x", str(width), "-y", str(height), command)
    try:
        screen = wait_for(session, "updated")
        assert "demo workspace" in screen
        screen = wait_for(session, "running")
        lines = screen.splitlines()
        assert len(lines) == height and max(len(line) for line in lines) <= width
        tmux("send-keys", "-t", session, "6")
        screen = wait_for(session, "status:failed")
        assert "✘ failed" in screen.split("Status", 1)[1]
        tmux("send-keys", "-t", session, "?")
        wait_for(session, "Keys")
        tmux("send-keys", "-t", session, "Escape")
        time.sleep(0.5)  # ESC then q at once reads as alt+q
        wait_for(session, "Status")
        tmux("send-keys", "-t", session, "q")
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if subprocess.run(
                ["tmux", "has-session", "-t", session], capture_output=True
            ).returncode:
                break
            time.sleep(0.2)
        else:
            raise AssertionError("ccmon did not quit on q")
    finally:
        subprocess.run(["tmux", "-L", SOCKET, "kill-server"], capture_output=True)
