"""Secrets: the API key, credentials, encrypted inputs and signed URLs.

- The key never reaches argv, the screen, logs, tracebacks, exports or screenshots: a
  canary key goes through the app (Pilot, logging at DEBUG, faults, a crash) and through
  a real `python -m ccmon` in tmux against `ccmon sim` on a loopback port, and every
  output is searched for it.
- A key file readable by others is refused, as ssh refuses such a private key.
- Vault entries and encrypted inputs are masked on every screen; there is no reveal.
- Read-only mode refuses mutations in the client itself.

Signed URLs (token hidden until copied or opened; only http(s) links are copied or
opened) are covered in test_detail.py: test_success_run_artifacts_are_redacted_and_copied,
test_debug_snapshots_on_demand, test_non_http_links_are_refused, test_open_link_in_browser.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import logging
import os
import shlex
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import rich
from rich.console import Console
from rich.traceback import Traceback
from textual.pilot import Pilot
from textual.widgets import Input

from ccmon.api import errors
from ccmon.api.client import ApiKey, CloudCruiseClient, RetryPolicy
from ccmon.config import Settings
from ccmon.sim import Fault, ManualClock, SimConfig, build_simulator
from ccmon.sim.faults import KINDS
from ccmon.sim.records import FAILED
from ccmon.sync.journal import Journal
from ccmon.sync.poller import utcnow
from ccmon.ui.app import CcmonApp
from ccmon.ui.context import Monitor
from ccmon.ui.screens.detail import DetailScreen
from ccmon.ui.screens.main import MainScreen
from tests.functional.harness import Harness, make_harness
from tests.functional.test_lifecycle import Tmux

CANARY = "sk_canary_0123456789abcdef"
ROOT = Path(__file__).resolve().parents[2]
T0 = datetime(2026, 3, 4, 14, 0, tzinfo=UTC)
LOGGERS = ("ccmon", "httpx", "httpcore")
needs_tmux = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")


# --- through the app ------------------------------------------------------------------------


class Collect(logging.Handler):
    """Every record, formatted with its traceback, as a log file would hold it."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []
        self.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture
def logs() -> Iterator[Collect]:
    handler = Collect()
    saved = {name: logging.getLogger(name).level for name in LOGGERS}
    root = logging.getLogger()
    root.addHandler(handler)
    for name in LOGGERS:
        logging.getLogger(name).setLevel(logging.DEBUG)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
        for name, level in saved.items():
            logging.getLogger(name).setLevel(level)


def canary_harness(
    tmp_path: Path, http: httpx.AsyncClient | None = None, real_clock: bool = False
) -> Harness:
    sim = build_simulator(
        SimConfig(
            seed=7,
            history=300,
            arrival_per_min=20.0,
            api_keys=frozenset({CANARY}),
            timeout_seconds=0.6,
            slow_seconds=0.01,
        ),
        clock=ManualClock(T0),
    )
    settings = Settings(api_key=ApiKey(CANARY), base_url="http://sim.local", theme="ccmon-dark")
    monitor = Monitor.build(
        settings,
        http or sim.client(api_key=None),  # the key travels only in the client's header
        Journal(tmp_path / "journal.sqlite3"),
        retry=RetryPolicy(attempts=1),
        label="test workspace",
        now=utcnow if real_clock else sim.clock.now,  # `ccmon sim` runs on the wall clock
    )
    monitor.client.timeout = 0.3
    return Harness(sim, monitor, CcmonApp(monitor, live=False))


def crash_report(exc: BaseException) -> str:
    """The traceback Textual prints when an app dies: with every frame's locals."""
    console = Console(width=200, file=io.StringIO(), record=True, color_system=None)
    trace = Traceback.from_exception(
        type(exc), exc, exc.__traceback__, show_locals=True, locals_max_length=5, suppress=[rich]
    )
    console.print(trace)
    return console.export_text()


async def settle(pilot: Pilot[Any]) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def test_the_key_never_shows_in_the_app(
    tmp_path: Path, logs: Collect, capfd: pytest.CaptureFixture[str]
) -> None:
    h = canary_harness(tmp_path)
    outputs: list[str] = []
    async with h.app.run_test(size=(160, 45)) as pilot:
        h.app.animation_level = "none"
        await h.tick(0)
        await h.tick()
        await pilot.pause()
        outputs.append(h.app.export_screenshot())
        sid = next(
            r.session_id
            for r in reversed(h.sim.workspace.all_runs())
            if r.status == FAILED and r.debug and r.session_id in h.monitor.store.runs
        )
        await pilot.press("slash")
        h.app.screen.query_one("#filter", Input).value = f"id:{sid[:8]}"
        await pilot.press("enter", "enter")
        await settle(pilot)
        assert isinstance(h.app.screen, DetailScreen)
        for kind in KINDS:  # every fault, on every route, seen from the detail screen
            h.sim.faults.replace([Fault("all", kind)])
            await pilot.press("r", "4", "down", "enter")
            await settle(pilot)
            await h.tick()
            await pilot.pause()
            outputs.append(h.app.export_screenshot())
        h.sim.faults.clear()
        await pilot.press("escape", "escape")
        h.sim.faults.replace([Fault("runs", "401")])
        for _ in range(4):
            await h.tick()
        await pilot.pause()
        outputs.append(h.app.export_screenshot())
        assert "API key rejected (401): check CLOUDCRUISE_API_KEY" in outputs[-1].replace(
            "&#160;", " "
        )
        h.app.save_screenshot("screen.svg", path=str(tmp_path))
        outputs.append((tmp_path / "screen.svg").read_text())
        # A bug inside a poll: the poller logs it with its traceback and goes on.
        h.sim.faults.clear()
        store = h.monitor.store
        apply_rows = store.apply_rows

        def broken(*args: Any, **kw: Any) -> Any:
            raise RuntimeError("a bug while applying rows")

        store.apply_rows = broken  # type: ignore[method-assign]
        await h.tick()
        store.apply_rows = apply_rows  # type: ignore[method-assign]
        assert any("a bug while applying rows" in line for line in logs.lines)
        outputs.append(h.app.export_screenshot())
    captured = capfd.readouterr()
    outputs += [captured.out, captured.err, *logs.lines, repr(h.monitor.client)]
    assert any("ccmon.api DEBUG GET /runs" in line for line in logs.lines)  # DEBUG was on
    everything = "\n".join(outputs)
    assert "Traceback" in everything  # the poll bug's traceback was logged
    assert CANARY not in everything


async def test_the_key_never_shows_in_a_crash_report(tmp_path: Path) -> None:
    """Textual prints an uncaught exception with every frame's locals: the client's
    frames must not hold the key in a local variable."""
    h = canary_harness(tmp_path)
    async with h.sim.client(api_key=None) as http:
        client = CloudCruiseClient(http, CANARY, retry=RetryPolicy(attempts=1))
        client.timeout = 0.3
        for kind in ("500", "401", "429", "drop", "truncate", "types", "timeout"):
            h.sim.faults.replace([Fault("all", kind)])
            with pytest.raises(errors.CloudCruiseError) as caught:
                await client.get_run(h.sim.workspace.all_runs()[0].session_id)
            report = crash_report(caught.value)
            assert "_send_once" in report or kind == "types", report
            assert CANARY not in report, f"{kind}: the key is in the crash report"


async def test_the_key_never_shows_when_the_app_crashes(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    """An uncaught client error ends the app through Textual's crash report."""
    h = canary_harness(tmp_path)
    h.sim.faults.replace([Fault("all", "500")])

    async def uncaught() -> None:
        await h.monitor.client.list_runs()

    with pytest.raises(errors.ServerError):
        async with h.app.run_test(size=(100, 30)) as pilot:
            h.app.call_later(uncaught)
            await pilot.pause(0.3)
    printed = capfd.readouterr()
    report = printed.out + printed.err
    assert "server error (500)" in report and "Traceback" in report
    assert CANARY not in report


# --- masking -----------------------------------------------------------------------------


def secrets_of(h: Harness) -> set[str]:
    """Every vault user id and encrypted input value the simulator holds."""
    found: set[str] = set()
    for run in h.sim.workspace.all_runs():
        detail = h.sim.workspace.get_run(run.session_id) or {}
        for entry in (detail.get("vault_entries") or {}).values():
            if isinstance(entry, dict):
                found |= {str(v) for k, v in entry.items() if k not in ("user_alias", "domain")}
        inputs = detail.get("input_variables") or {}
        found |= {str(inputs[k]) for k in detail.get("encrypted_variables") or () if k in inputs}
    found.discard("<encrypted>")
    return found


NO_REVEAL = ("reveal", "unmask", "show secret", "decrypt", "plaintext", "show password")


def assert_no_reveal(h: Harness) -> None:
    screen = h.app.screen
    words = [
        b.binding.description + " " + b.binding.action for b in screen.active_bindings.values()
    ]
    words += [command.title for command in h.app.get_system_commands(screen)]
    for word in words:
        assert not any(bad in word.lower() for bad in NO_REVEAL), word


@pytest.mark.parametrize("read_only", [False, True], ids=["read-write", "read-only"])
async def test_credentials_are_masked_on_every_screen(tmp_path: Path, read_only: bool) -> None:
    h = make_harness(tmp_path, settings={"read_only": read_only})
    hidden = secrets_of(h)
    assert len(hidden) > 5
    async with h.app.run_test(size=(160, 45)) as pilot:
        h.app.animation_level = "none"
        h.monitor.poller.config.details_per_tick = 500
        await h.tick(0)
        await h.tick()
        await pilot.pause()
        screens: list[str] = [h.app.export_screenshot()]
        assert_no_reveal(h)
        with_vault = [
            sid
            for sid, record in h.monitor.store.runs.items()
            if record.detail is not None and record.detail.vault_entries
        ][:2]
        assert with_vault
        for sid in with_vault:
            await pilot.press("slash")
            h.app.screen.query_one("#filter", Input).value = f"id:{sid[:8]}"
            await pilot.press("enter", "enter")
            await settle(pilot)
            assert isinstance(h.app.screen, DetailScreen)
            assert "••••••" in h.app.export_screenshot()
            for key in ("1", "2", "3", "4", "1", "d"):
                await pilot.press(key)
                await settle(pilot)
                screens.append(h.app.export_screenshot())
                assert_no_reveal(h)
            await pilot.press("escape")
            for key in "abeghijklmnortuvwyz":  # no key reveals anything either
                await pilot.press(key)
            await pilot.pause()
            screens.append(h.app.export_screenshot())
            while not isinstance(h.app.screen, MainScreen):
                await pilot.press("escape")
            await pilot.press("escape")
        for key in ("F", "escape", "W", "escape", "question_mark"):
            await pilot.press(key)
            await pilot.pause()
            screens.append(h.app.export_screenshot())
            assert_no_reveal(h)
    everything = "\n".join(screens)
    assert "&lt;encrypted&gt;" not in everything and "<encrypted>" not in everything
    shown = [value for value in hidden if value in everything]
    assert not shown, f"credential values on screen: {shown[:3]}"


async def test_read_only_refuses_in_the_client_layer(tmp_path: Path) -> None:
    """The wallboard is read-only: its client refuses before anything is sent (the UI's
    refusal is tested in test_detail.py and test_keys.py; the client's in test_client.py)."""
    h = make_harness(tmp_path, wallboard=True)
    client = h.monitor.client
    assert h.monitor.read_only and client.read_only
    run = h.sim.workspace.all_runs()[-1]
    sent = client.requests_sent
    with pytest.raises(errors.ReadOnlyError):
        await client.start_run(h.sim.workspace.workflow_ids[0], {})
    with pytest.raises(errors.ReadOnlyError):
        await client.interrupt_run(run.session_id)
    assert client.requests_sent == sent


# --- through the command line --------------------------------------------------------------


def isolated_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """No user configuration, no inherited key: HOME and XDG dirs inside tmp_path."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CLOUDCRUISE_", "CCMON_"))}
    home = tmp_path / "home"
    for sub in ("config", "data", "state", "cache"):
        (home / sub).mkdir(parents=True, exist_ok=True)
    env.update(
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / "config"),
        XDG_DATA_HOME=str(home / "data"),
        XDG_STATE_HOME=str(home / "state"),
        XDG_CACHE_HOME=str(home / "cache"),
        PYTHONPATH=str(ROOT),
    )
    env.update(extra)
    return env


def ccmon(env: dict[str, str], *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ccmon", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=60,
    )


def test_a_key_file_open_to_others_is_refused(tmp_path: Path) -> None:
    env = isolated_env(tmp_path)
    key = tmp_path / "key"
    key.write_text(CANARY + "\n")
    for mode in (0o644, 0o640, 0o604):
        key.chmod(mode)
        done = ccmon(env, "--api-key-file", str(key))
        assert done.returncode == 2, done
        assert f"key file {key} is readable by others" in done.stderr
        assert f"run chmod 600 {key}" in done.stderr
        assert CANARY not in done.stdout + done.stderr


def test_the_key_has_no_command_line_option(tmp_path: Path) -> None:
    env = isolated_env(tmp_path)
    usage = ccmon(env, "--help").stdout
    assert "--api-key-file" in usage and "--api-key-stdin" in usage
    for option in ("--api-key", "--key", "--token"):
        assert f"{option} " not in usage and f"{option}=" not in usage
        done = ccmon(env, f"{option}={CANARY}")
        assert done.returncode == 2, done  # unrecognised, or ambiguous with the file options
        assert "unrecognized" in done.stderr or "ambiguous" in done.stderr


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def sim_server(tmp_path: Path) -> Iterator[str]:
    """`ccmon sim` on a free loopback port, accepting only the canary key."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "ccmon", "sim", "--port", str(port), "--key", CANARY, "--seed", "7"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=ROOT,
        env=isolated_env(tmp_path),
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{url}/_sim/faults", timeout=1).status_code == 200:
                    break
            time.sleep(0.2)
        else:
            raise AssertionError("ccmon sim did not start")
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stdout is not None:
            process.stdout.close()


def files_holding(root: Path, needle: bytes) -> list[Path]:
    found = []
    for path in root.rglob("*"):
        if path.is_file() and needle in path.read_bytes():
            found.append(path)
    return found


@needs_tmux
def test_the_key_never_shows_from_a_real_process(tmp_path: Path, sim_server: str) -> None:
    env = isolated_env(tmp_path, CLOUDCRUISE_API_KEY=CANARY, CLOUDCRUISE_BASE_URL=sim_server)
    python = shlex.quote(sys.executable)
    # Textual draws on stderr: it stays on the terminal, and is read from there.
    inner = f"cd {shlex.quote(str(ROOT))} && {python} -m ccmon --interval 1"
    inner += "; echo EXITED; sleep 60"
    tmux = Tmux(env=env)
    screens: list[str] = []
    try:
        tmux.start(f"bash -c {shlex.quote(inner)}", size=(140, 40))
        screens.append(tmux.wait_for("updated"))
        pid = tmux.ccmon_pid()
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        assert b"ccmon" in cmdline and CANARY.encode() not in cmdline
        for keys, needle in (
            (["Enter"], "Overview"),
            (["4"], "nodes"),
            (["Escape"], "Status"),
            (["F"], "Failures"),
            (["Escape", "?"], "Keys"),
            (["Escape"], "Status"),
        ):
            for key in keys:
                tmux("send-keys", "-t", tmux.session, key)
                time.sleep(0.3)
            screens.append(tmux.wait_for(needle))
        for kind, said in (("500", "server error (500)"), ("401", "API key rejected (401)")):
            httpx.post(f"{sim_server}/_sim/faults", json=[{"route": "all", "kind": kind}])
            screens.append(tmux.wait_for(said))
        httpx.delete(f"{sim_server}/_sim/faults")
        screens.append(tmux.wait_for("live"))
        tmux("send-keys", "-t", tmux.session, "q")
        screens.append(tmux.wait_for("EXITED"))
        screens.append(tmux("capture-pane", "-p", "-S", "-", "-t", tmux.session))  # scrollback
    finally:
        tmux.kill_server()
    for screen in screens:
        assert CANARY not in screen
    assert not files_holding(tmp_path / "home", CANARY.encode())  # journal, caches, logs
    for args in (["snapshot", "--json"], ["config", "show"]):
        done = ccmon(env, *args)
        assert CANARY not in done.stdout + done.stderr, args


async def test_the_key_never_shows_over_a_socket_at_debug(
    tmp_path: Path, sim_server: str, logs: Collect
) -> None:
    """httpx and httpcore log at DEBUG over a real connection: no header values."""
    async with httpx.AsyncClient(base_url=sim_server) as http:
        h = canary_harness(tmp_path, http, real_clock=True)
        h.monitor.client.timeout = 10.0
        async with h.app.run_test(size=(120, 30)) as pilot:
            await h.monitor.poller.tick()
            await pilot.pause()
            assert h.monitor.poller.health.state == "ok"
            await asyncio.to_thread(
                httpx.post, f"{sim_server}/_sim/faults", json=[{"route": "all", "kind": "drop"}]
            )
            await h.monitor.poller.tick()
            await pilot.pause()
            shown = h.app.export_screenshot()
            await asyncio.to_thread(httpx.delete, f"{sim_server}/_sim/faults")
    assert any(line.split()[2].startswith("httpcore") for line in logs.lines)
    assert "connection dropped" in shown.replace("&#160;", " ")
    assert CANARY not in shown + "\n".join(logs.lines)
