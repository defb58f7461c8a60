"""How ccmon ends when its terminal does (SIGHUP, SIGTERM, a tty that vanished).

- SIGTERM and SIGHUP call ``app.exit()``: Textual's normal exit, which restores the
  terminal modes (alternate screen, mouse reporting, cursor).
- A lost terminal (an SSH drop hangs up the tty) makes reads return end-of-file and
  writes fail with EIO. Textual's input thread would then spin on a terminal that is
  always "readable" and its writer thread dies, so ccmon would go on polling the API for
  nobody. A watcher thread notices (the tty is no longer a tty) and exits instead.
- Once the terminal is known to be gone, its file descriptors are pointed at /dev/null,
  so the exit path's restore sequences go nowhere instead of failing; and if a clean
  exit has not finished after a few seconds, the process ends anyway.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import logging
import os
import signal
import threading
from collections.abc import Callable, Sequence
from typing import Any

from textual.app import App

__all__ = [
    "Lifecycle",
    "detach_terminal",
    "install_signal_handlers",
    "terminal_lost",
]

log = logging.getLogger("ccmon.ui.lifecycle")

SIGNALS: tuple[signal.Signals, ...] = (signal.SIGHUP, signal.SIGTERM)
CHECK_EVERY = 0.5  # seconds between two looks at the terminal
GRACE = 3.0  # seconds a clean exit may take (it restores the terminal in ~0.3 s)
LOST_GRACE = 1.0  # the same once the terminal is gone: nothing is left to restore
LOST_ERRNOS = frozenset({errno.EIO, errno.ENXIO, errno.EBADF, errno.ENOTTY})


def _is_tty(fd: int) -> bool:
    try:
        return os.isatty(fd)
    except OSError:
        return False


def terminal_lost(fds: Sequence[int], output: int | None = None) -> bool:
    """True when any of ``fds`` (ttys when ccmon started) is a terminal no more, or a
    write to ``output`` fails the way a hung-up terminal fails (EIO)."""
    if any(not _is_tty(fd) for fd in fds):
        return True
    if output is None:
        return False
    try:
        os.write(output, b"")
    except OSError as exc:
        return exc.errno in LOST_ERRNOS
    return False


def detach_terminal(fds: Sequence[int]) -> None:
    """Point ``fds`` at /dev/null: the terminal is gone, nothing more can reach it."""
    try:
        null = os.open(os.devnull, os.O_RDWR)
    except OSError:
        return
    try:
        for fd in fds:
            with contextlib.suppress(OSError):
                os.dup2(null, fd)
    finally:
        os.close(null)


class Lifecycle:
    """Signal handlers and a terminal watcher for one running app.

    ``fds`` are the descriptors that must stay a terminal (default: those of stdin,
    stdout and stderr that are ttys now); ``hard_exit`` ends the process when a clean
    exit takes longer than ``grace`` seconds (tests pass a recorder).
    """

    def __init__(
        self,
        app: App[Any],
        *,
        fds: Sequence[int] | None = None,
        every: float = CHECK_EVERY,
        grace: float = GRACE,
        hard_exit: Callable[[int], object] = os._exit,
    ) -> None:
        self.app = app
        self.fds = [fd for fd in (0, 1, 2) if _is_tty(fd)] if fds is None else list(fds)
        self.every = every
        self.grace = grace
        self.hard_exit = hard_exit
        self.loop: asyncio.AbstractEventLoop | None = None
        self.ending: str | None = None  # why the app was asked to exit
        self._stop = threading.Event()
        self._deadline: threading.Timer | None = None

    # --- installing ----------------------------------------------------------------

    def install_signals(self) -> None:
        """SIGHUP and SIGTERM end the app through its normal exit (main thread only)."""
        self.loop = asyncio.get_running_loop()
        for sig in SIGNALS:
            self.loop.add_signal_handler(sig, self.on_signal, sig)

    def watch(self) -> None:
        """Start the watcher thread (nothing to watch when no descriptor is a tty)."""
        if self.loop is None:
            self.loop = asyncio.get_running_loop()
        if self.fds:
            thread = threading.Thread(target=self._watch, name="ccmon-terminal", daemon=True)
            thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._deadline is not None:
            self._deadline.cancel()

    # --- reacting ------------------------------------------------------------------

    def on_signal(self, sig: signal.Signals) -> None:
        """In the event loop: a signal asks the app to exit."""
        lost = sig == signal.SIGHUP and self._lost()
        self.end(f"{sig.name}{' (terminal lost)' if lost else ''}", detach=lost)

    def end(self, why: str, *, detach: bool = False) -> None:
        """Ask the app to exit (from any thread) and arm the last-resort deadline."""
        if self.ending is not None:
            return
        self.ending = why
        self._stop.set()
        log.info("exiting: %s", why)
        if detach:
            detach_terminal(self.fds)
        self._arm_deadline(min(self.grace, LOST_GRACE) if detach else self.grace)
        loop = self.loop
        if loop is None or loop.is_closed():
            return
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            self.app.exit()
        else:
            with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
                loop.call_soon_threadsafe(self.app.exit)

    def _lost(self) -> bool:
        outputs = [fd for fd in self.fds if fd != 0]
        return terminal_lost(self.fds, outputs[0] if outputs else None)

    def _watch(self) -> None:
        while not self._stop.wait(self.every):
            if self._lost():
                self.end("terminal lost", detach=True)
                return

    def _arm_deadline(self, seconds: float) -> None:
        if seconds <= 0:
            return
        timer = threading.Timer(seconds, self._too_slow)
        timer.daemon = True
        timer.start()
        self._deadline = timer

    def _too_slow(self) -> None:
        """A clean exit did not finish in time: a dead terminal kills Textual's writer
        thread, and the exit then blocks on its full queue."""
        self.hard_exit(143 if (self.ending or "").startswith("SIGTERM") else 129)


def install_signal_handlers(app: App[Any]) -> None:
    """Make SIGHUP, SIGTERM and a lost terminal end ``app`` cleanly (call from on_mount).

    Headless apps (tests, benchmarks) have no terminal to lose: nothing is installed.
    """
    if app.is_headless:
        return
    lifecycle = Lifecycle(app)
    lifecycle.install_signals()
    lifecycle.watch()
