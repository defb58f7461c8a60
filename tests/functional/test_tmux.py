"""`ccmon demo` in a real terminal: tmux runs it, send-keys types, capture-pane reads."""

from __future__ import annotations

import shlex
import shutil
import sys
import time

import pytest

from tests.functional.test_lifecycle import ROOT, Tmux

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")


@pytest.mark.parametrize("size", [(80, 24), (200, 60)])
def test_demo_in_tmux(size: tuple[int, int]) -> None:
    command = (
        f"cd {shlex.quote(str(ROOT))} && {shlex.quote(sys.executable)} -m ccmon demo --history 500"
    )
    width, height = size
    tmux = Tmux()  # a server of our own per test, never the user's
    tmux.start(command, size)
    try:
        screen = tmux.wait_for("updated")
        assert "demo workspace" in screen
        screen = tmux.wait_for("running")
        lines = screen.splitlines()
        assert len(lines) == height and max(len(line) for line in lines) <= width
        tmux("send-keys", "-t", tmux.session, "6")
        screen = tmux.wait_for("status:failed")
        assert "✘ failed" in screen.split("Status", 1)[1]
        tmux("send-keys", "-t", tmux.session, "?")
        tmux.wait_for("Keys")
        tmux("send-keys", "-t", tmux.session, "Escape")
        time.sleep(0.5)  # ESC then q at once reads as alt+q
        tmux.wait_for("Status")
        tmux("send-keys", "-t", tmux.session, "q")
        deadline = time.monotonic() + 10
        while tmux.alive():  # the session ends when ccmon does
            if time.monotonic() > deadline:
                raise AssertionError("ccmon did not quit on q")
            time.sleep(0.2)
    finally:
        tmux.kill_server()
