"""How ccmon ends: SIGHUP, SIGTERM, a lost terminal, and a worker that fails.

The signal tests run the real `python -m ccmon demo` in tmux on a server of our own
(`tmux -L`), as `bash -c 'python -m ccmon demo; echo EXITED'`, so that the shell's echo
shows where the terminal is once ccmon has gone.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shlex
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from ccmon.ui.app import CcmonApp
from ccmon.ui.lifecycle import Lifecycle, install_signal_handlers, terminal_lost
from ccmon.ui.screens.detail import DetailScreen
from ccmon.ui.screens.main import MainScreen
from ccmon.ui.widgets.keybar import KeyBar
from tests.functional.harness import make_harness

ROOT = Path(__file__).resolve().parents[2]
needs_tmux = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")


# --- a real terminal ------------------------------------------------------------------


class Tmux:
    """One tmux server of our own (its own socket) with one session running ccmon."""

    def __init__(self, env: dict[str, str] | None = None) -> None:
        self.socket = f"ccmon-life-{uuid.uuid4().hex[:8]}"
        self.session = "ccmon"
        self.env = env  # the server's environment, which its sessions inherit

    def __call__(self, *args: str) -> str:
        return subprocess.run(
            ["tmux", "-L", self.socket, *args],
            check=True,
            capture_output=True,
            text=True,
            env=self.env,
        ).stdout

    def start(self, command: str, size: tuple[int, int] = (100, 30)) -> None:
        width, height = size
        self("new-session", "-d", "-s", self.session, "-x", str(width), "-y", str(height), command)

    def screen(self) -> str:
        return self("capture-pane", "-p", "-t", self.session)

    def flags(self) -> dict[str, str]:
        names = ("alternate_on", "mouse_any_flag", "mouse_sgr_flag", "cursor_flag")
        formats = " ".join(f"#{{{name}}}" for name in names)
        out = self("display-message", "-p", "-t", self.session, formats)
        return dict(zip(names, out.split(), strict=True))

    def wait_for(self, needle: str, timeout: float = 30.0) -> str:
        deadline = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < deadline:
            screen = self.screen()
            if needle in screen:
                return screen
            time.sleep(0.2)
        raise AssertionError(f"{needle!r} never appeared; the screen was:\n{screen}")

    def ccmon_pid(self) -> int:
        """The python process running ccmon: the child of the pane's shell."""
        shell = int(self("list-panes", "-t", self.session, "-F", "#{pane_pid}").split()[0])
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            children = Path(f"/proc/{shell}/task/{shell}/children").read_text().split()
            for child in children:
                cmdline = Path(f"/proc/{child}/cmdline").read_bytes().split(b"\0")
                if b"ccmon" in cmdline:
                    return int(child)
            time.sleep(0.1)
        raise AssertionError("no ccmon process under the pane's shell")

    def alive(self) -> bool:
        """Whether the session still runs (it ends, and the server with it, when the
        command does)."""
        command = ["tmux", "-L", self.socket, "has-session", "-t", self.session]
        return subprocess.run(command, capture_output=True, env=self.env).returncode == 0

    def kill_server(self) -> None:
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], capture_output=True)


@pytest.fixture
def tmux() -> Iterator[Tmux]:
    server = Tmux()
    try:
        yield server
    finally:
        server.kill_server()


def demo_command() -> str:
    python = shlex.quote(sys.executable)
    inner = f"cd {shlex.quote(str(ROOT))} && {python} -m ccmon demo --history 300"
    inner += "; echo EXITED; sleep 60"  # the shell stays, to show what the terminal looks like
    return f"bash -c {shlex.quote(inner)}"


def ended(pid: int) -> bool:
    """Gone, or a zombie waiting for its parent: either way it has exited."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return True
    return "State:\tZ" in status


def seconds_to_end(pid: int, limit: float) -> float:
    start = time.monotonic()
    while time.monotonic() - start < limit + 5:
        if ended(pid):
            return time.monotonic() - start
        time.sleep(0.05)
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)  # our own process, by its id: do not leave it behind
    raise AssertionError(f"ccmon (pid {pid}) still running {limit + 5:.0f} s after the signal")


@needs_tmux
@pytest.mark.parametrize("sig", [signal.SIGHUP, signal.SIGTERM], ids=["SIGHUP", "SIGTERM"])
def test_signal_ends_ccmon_and_restores_the_terminal(tmux: Tmux, sig: signal.Signals) -> None:
    tmux.start(demo_command())
    tmux.wait_for("updated")
    assert tmux.flags()["alternate_on"] == "1"
    pid = tmux.ccmon_pid()
    os.kill(pid, sig)
    took = seconds_to_end(pid, 5.0)
    assert took < 5.0, f"{sig.name}: ccmon took {took:.1f} s to end"
    screen = tmux.wait_for("EXITED", timeout=5)
    flags = tmux.flags()
    # Textual's normal exit ran: the alternate screen, mouse reporting and the hidden
    # cursor are undone, and the shell writes on the normal screen.
    assert flags == {
        "alternate_on": "0",
        "mouse_any_flag": "0",
        "mouse_sgr_flag": "0",
        "cursor_flag": "1",
    }, flags
    assert "Traceback" not in screen and "demo workspace" not in screen


@needs_tmux
def test_lost_terminal_ends_ccmon_within_5_s(tmux: Tmux) -> None:
    """An SSH drop: the terminal's far end closes (tmux kills the session's pty)."""
    tmux.start(demo_command())
    tmux.wait_for("updated")
    pid = tmux.ccmon_pid()
    tmux("kill-session", "-t", tmux.session)
    took = seconds_to_end(pid, 5.0)
    assert took < 5.0, f"ccmon took {took:.1f} s to notice its terminal had gone"


@needs_tmux
def test_lost_terminal_ends_ccmon_even_when_sighup_is_ignored(tmux: Tmux) -> None:
    """Without SIGHUP (ignored, as under nohup, and no handler installed) the watcher
    alone notices the hung-up terminal: ccmon exits instead of spinning."""
    script = (
        "import asyncio, signal, sys\n"
        "signal.signal(signal.SIGHUP, signal.SIG_IGN)\n"
        "from ccmon.ui import lifecycle\n"
        "def no_signals(self):\n"
        "    self.loop = asyncio.get_running_loop()\n"
        "lifecycle.Lifecycle.install_signals = no_signals\n"
        "from ccmon.cli import main\n"
        "sys.exit(main(['demo', '--history', '300']))\n"
    )
    inner = (
        f"cd {shlex.quote(str(ROOT))} && {shlex.quote(sys.executable)} "
        f"-c {shlex.quote(script)} ccmon; echo EXITED; sleep 60"
    )
    tmux.start(f"bash -c {shlex.quote(inner)}")
    tmux.wait_for("updated")
    pid = tmux.ccmon_pid()
    tmux("kill-session", "-t", tmux.session)
    took = seconds_to_end(pid, 5.0)
    assert took < 5.0, f"ccmon took {took:.1f} s to notice its terminal had gone"


# --- in process -------------------------------------------------------------------------


def test_terminal_lost_sees_a_hung_up_pty() -> None:
    master, slave = os.openpty()
    try:
        assert not terminal_lost([slave], slave)
        os.close(master)
        master = -1
        assert terminal_lost([slave], slave)
    finally:
        for fd in (master, slave):
            if fd >= 0:
                os.close(fd)
    assert terminal_lost([slave])  # a closed descriptor is no terminal either


async def test_watcher_exits_the_app_when_its_pty_hangs_up(tmp_path: Path) -> None:
    h = make_harness(tmp_path)
    master, slave = os.openpty()
    exits: list[int] = []
    lifecycle = Lifecycle(h.app, fds=[slave], every=0.05, grace=30, hard_exit=exits.append)
    try:
        async with h.app.run_test(size=(80, 24)) as pilot:
            await h.tick(0)
            lifecycle.watch()
            await pilot.pause(0.3)
            assert h.app.is_running and lifecycle.ending is None
            os.close(master)
            master = -1
            for _ in range(40):
                await pilot.pause(0.05)
                if not h.app.is_running:
                    break
        assert lifecycle.ending == "terminal lost"
        assert not os.isatty(slave)  # pointed at /dev/null: restore writes go nowhere
        assert exits == []  # the clean exit was quick enough
    finally:
        lifecycle.stop()
        for fd in (master, slave):
            if fd >= 0:
                os.close(fd)


async def test_signal_handler_calls_the_normal_exit(tmp_path: Path) -> None:
    h = make_harness(tmp_path)
    exits: list[int] = []
    lifecycle = Lifecycle(h.app, fds=[], grace=30, hard_exit=exits.append)
    before = {sig: signal.getsignal(sig) for sig in (signal.SIGHUP, signal.SIGTERM)}
    loop = asyncio.get_running_loop()
    try:
        async with h.app.run_test(size=(80, 24)) as pilot:
            install_signal_handlers(h.app)  # headless: installs nothing
            assert {sig: signal.getsignal(sig) for sig in before} == before
            lifecycle.install_signals()
            assert signal.getsignal(signal.SIGTERM) not in (signal.SIG_DFL, before[signal.SIGTERM])
            os.kill(os.getpid(), signal.SIGTERM)  # handled by the loop: pytest lives on
            for _ in range(40):
                await pilot.pause(0.05)
                if not h.app.is_running:
                    break
        assert lifecycle.ending == "SIGTERM" and not h.app.is_running
        assert h.app.return_code == 0 and exits == []
    finally:
        lifecycle.stop()
        for sig in before:
            loop.remove_signal_handler(sig)
            signal.signal(sig, before[sig])


async def test_a_failing_worker_is_reported_and_the_poller_restarts(tmp_path: Path) -> None:
    h = make_harness(tmp_path, settings={"interval": 0.5})
    poller = h.monitor.poller
    real_run = poller.run
    calls: list[int] = []

    async def run_once_broken() -> None:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("boom [bold]x[/]")
        await real_run()

    poller.run = run_once_broken  # type: ignore[method-assign]
    app = CcmonApp(h.monitor, live=True)
    notes: list[str] = []
    async with app.run_test(size=(100, 30)) as pilot:
        for _ in range(100):
            await pilot.pause(0.05)
            notes = [n.message for n in app._notifications]
            if len(calls) >= 2 and poller.ticks >= 2:
                break
        assert app.is_running
        assert any("poller failed: boom [bold]x[/]" in note for note in notes), notes
        assert len(calls) == 2 and poller.ticks >= 2, "the poller was not restarted"
        assert poller.health.state == "ok"
        poller.stop()


async def test_closed_screens_are_let_go_and_the_key_bar_follows(tmp_path: Path) -> None:
    """Opening and closing the detail screen must not keep anything alive: app signals
    a screen subscribed to held it until they next published (the theme's never does).
    The key bar is one widget (Textual's Footer mounted a widget per key and kept the
    ones it recomposed away): it shows the keys of the screen in front, and nothing is
    mounted under it. A closed screen may still wait in a cancelled timer for up to 30 s;
    that one lets go by itself."""
    h = make_harness(tmp_path)
    async with h.app.run_test(size=(100, 30)) as pilot:
        h.app.animation_level = "none"
        await h.tick(0)
        await pilot.pause()
        main = h.app.screen
        assert isinstance(main, MainScreen)
        bar = main.query_one(KeyBar)
        assert "Failures" in str(bar.render()) and not bar.children
        for _ in range(5):
            await pilot.press("enter")
            await pilot.pause()
            await h.app.workers.wait_for_complete()
            await pilot.press("2", "4", "escape")
            await pilot.pause(0.2)
        assert h.app.screen is main
        signals = [h.app.theme_changed_signal, h.app.updates]
        held = [node for signal in signals for node in signal._subscriptions]
        assert not [node for node in held if isinstance(node, DetailScreen)], held
        assert "Failures" in str(bar.render()) and not bar.children
        await pilot.press("enter")
        await pilot.pause()
        detail_bar = h.app.screen.query_one(KeyBar)
        assert "Tabs" in str(detail_bar.render()) and "Failures" not in str(detail_bar.render())
