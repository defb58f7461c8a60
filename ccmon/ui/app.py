"""The Textual application: wires the sync engine to the screens."""

from __future__ import annotations

import argparse
import gc
import os
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen
from textual.signal import Signal
from textual.worker import Worker, WorkerState

from ccmon.api import errors
from ccmon.sync.records import ChangeSet, Health
from ccmon.ui import text as fmt
from ccmon.ui.alerting import AlertCenter
from ccmon.ui.context import Monitor
from ccmon.ui.lifecycle import install_signal_handlers
from ccmon.ui.messages import Update
from ccmon.ui.themes import THEMES, pick_theme

if TYPE_CHECKING:
    from ccmon.record import Recorder, ReplaySource
    from ccmon.ui.switch import MonitorFactory

STYLESHEETS = (
    "app.tcss",
    "main.tcss",
    "table.tcss",
    "detail.tcss",
    "screens.tcss",
    "wallboard.tcss",
)


def styles_dir() -> Path:
    """``styles/`` beside the package in a checkout; ``ccmon/_styles`` when installed."""
    here = Path(__file__).resolve().parent.parent
    packaged = here / "_styles"
    return packaged if packaged.is_dir() else here.parent / "styles"


class CcmonApp(App[None]):
    TITLE = "ccmon"
    CSS_PATH = [styles_dir() / name for name in STYLESHEETS]
    BINDINGS = [
        Binding("q", "quit_app", "Quit"),
        Binding("question_mark", "help", "Help", key_display="?"),
        Binding("p", "toggle_pause", "Pause"),
        Binding("r", "refresh_now", "Refresh"),
        Binding("plus", "interval(1)", "Slower", key_display="+", show=False),
        Binding("minus", "interval(-1)", "Faster", key_display="-", show=False),
    ]

    def __init__(
        self,
        monitor: Monitor,
        *,
        wallboard: bool = False,
        live: bool = True,
        recorder: Recorder | None = None,
        replay: ReplaySource | None = None,
        args: argparse.Namespace | None = None,
        monitor_factory: MonitorFactory | None = None,
    ) -> None:
        """``live=False`` starts neither the poller nor the background jobs: the caller
        drives them (tests, screenshots). ``recorder`` records every poll; ``replay``
        plays a recording instead of polling; ``args`` (the parsed command line) enables
        switching profiles, through ``monitor_factory`` (default: the real API)."""
        super().__init__()
        self.monitor = monitor
        self.live = live
        self.recorder = recorder
        self.replay = replay
        self.args = args
        self.monitor_factory = monitor_factory
        self.alerts = AlertCenter(self, list(monitor.settings.alerts))
        self._record_warned = False
        self.wallboard = wallboard or monitor.settings.wallboard
        self.updates: Signal[Update] = Signal(self, "updates")
        self._quit_armed = False
        for theme in THEMES:
            self.register_theme(theme)
        # chosen before the stylesheet is first parsed: setting it later re-parses it all
        self.theme = pick_theme(monitor.settings.theme, os.environ, self.no_color)

    # --- start-up ------------------------------------------------------------------

    def on_load(self) -> None:
        """Poll before the first screen is built: the API prepares the first page while
        the screen is composed and styled (the screen shows the store once mounted)."""
        self.monitor.poller.listener = self._on_poll
        if self.live and self.replay is None:
            self._start_poller()

    def on_mount(self) -> None:
        install_signal_handlers(self)
        self.set_timer(10.0, self.start_collecting)  # should the first poll hang
        from ccmon.ui.screens.main import MainScreen

        if self.replay is not None:
            from ccmon.ui.screens.replay import ReplayScreen

            self.push_screen(ReplayScreen(self.replay, autoplay=self.live))
            return
        self.push_screen(MainScreen())
        if self.wallboard:
            self.open_wallboard()
        if self.live:
            for job in self.monitor.background:
                self.run_worker(job(), group="background", exit_on_error=False)

    def on_app_blur(self) -> None:
        """The terminal lost focus: nobody is looking, poll slower (the header says so)."""
        self.monitor.poller.set_unfocused(True)

    def on_app_focus(self) -> None:
        self.monitor.poller.set_unfocused(False)

    def _start_poller(self) -> None:
        self.run_worker(self.monitor.poller.run(), name="poller", group="sync", exit_on_error=False)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR:
            name = event.worker.name or "worker"
            message = f"{name} failed: {fmt.clean(event.worker.error, 200)}"
            self.notify(message, severity="error", markup=False)  # the error may quote API text
            if event.worker.name == "poller":
                self.set_timer(self.monitor.poller.interval, self._start_poller)

    @staticmethod
    def start_collecting() -> None:
        """Start-up is over: if :mod:`ccmon.launch` turned garbage collection off, one
        collection frees the reference cycles start-up left (they hold the first load's
        responses: 30 MB at 100k runs), what remains is frozen (it lives as long as the
        process, and later collections skip it) and collection resumes."""
        if not gc.isenabled():
            gc.collect()
            gc.freeze()
            gc.enable()

    def _on_poll(self, changes: ChangeSet, health: Health) -> None:
        if not gc.isenabled():  # once the first poll is on screen
            self.set_timer(0.5, self.start_collecting)
        if self.recorder is not None:
            self.recorder.record(changes, health, self.monitor.store, self.monitor.now())
            if self.recorder.error and not self._record_warned:
                self._record_warned = True
                self.notify(fmt.clean(self.recorder.error, 300), severity="error", markup=False)
        self.updates.publish(Update(changes, health))
        if changes.new_failures and not changes.first_load:
            self._announce_failures(changes.new_failures)
        self.alerts.on_poll(changes, health)

    def refresh_headers(self) -> None:
        """Redraw the main screen's header (muted alerts, a switched profile)."""
        main = self.main_screen()
        if main is not None:
            main.refresh_header()

    def main_screen(self):  # -> MainScreen | None
        from ccmon.ui.screens.main import MainScreen

        return next((s for s in self.screen_stack if isinstance(s, MainScreen)), None)

    def reset_main_screen(self) -> None:
        """Back on the main screen, showing the (new) monitor's store."""
        main = self.main_screen()
        if main is None:
            return
        while self.screen_stack[-1] is not main:
            self.pop_screen()
        main.reset_monitor()

    def _announce_failures(self, session_ids: list[str]) -> None:
        store = self.monitor.store
        if len(session_ids) > 3:
            self.notify(f"{len(session_ids)} runs failed", title="Failures", severity="error")
        else:
            for sid in session_ids:
                record = store.get(sid)
                name = store.workflow_name(record.summary.workflow_id) if record else None
                self.notify(
                    f"{fmt.clean(name or 'run', 60)} {fmt.short_id(sid)} failed",
                    title="Run failed",
                    severity="error",
                    markup=False,
                )
        if self.monitor.settings.bell:
            self.bell()

    # --- navigation ----------------------------------------------------------------

    def open_run(self, session_id: str) -> None:
        from ccmon.ui.screens.detail import DetailScreen

        self.push_screen(DetailScreen(session_id))

    def open_failures(self) -> None:
        from ccmon.ui.screens.failures import FailuresScreen

        self.push_screen(FailuresScreen())

    def open_wallboard(self) -> None:
        from ccmon.ui.screens.wallboard import WallboardScreen

        self.push_screen(WallboardScreen())

    def show_runs(self, session_ids: Iterable[str], title: str) -> None:
        """Back on the main screen, showing only these runs (Escape widens again)."""
        from ccmon.ui.screens.main import MainScreen

        main = next((s for s in self.screen_stack if isinstance(s, MainScreen)), None)
        if main is None:
            return
        while self.screen_stack[-1] is not main:
            self.pop_screen()
        main.show_only(set(session_ids), title)

    def interrupt_run(self, session_id: str) -> None:
        from ccmon.ui.screens.confirm import ConfirmScreen

        if self.monitor.read_only:
            self.notify("read-only mode: interrupting is disabled", severity="warning")
            return
        record = self.monitor.store.get(session_id)
        if record is not None and record.status.terminal:
            self.notify(f"{session_id[:8]} already finished", severity="warning")
            return

        async def confirmed(yes: bool | None) -> None:
            if not yes:
                return
            try:
                await self.monitor.client.interrupt_run(session_id)
            except errors.CloudCruiseError as exc:
                self.notify(str(exc), title="Interrupt failed", severity="error", markup=False)
                return
            self.notify(f"interrupt sent to {session_id[:8]}")
            self.monitor.poller.refresh_now()

        self.push_screen(ConfirmScreen(f"Interrupt run {session_id[:8]}?"), confirmed)

    # --- actions -------------------------------------------------------------------

    def action_quit_app(self) -> None:
        """Quit; on the wallboard it takes ``q`` twice so a stray key does not."""
        if not self.wallboard or self._quit_armed:
            self.exit()
            return
        self._quit_armed = True
        self.notify("press q again to quit the wallboard", timeout=3)
        self.set_timer(3, self._disarm_quit)

    def _disarm_quit(self) -> None:
        self._quit_armed = False

    def action_help(self) -> None:
        from ccmon.ui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    def action_toggle_pause(self) -> None:
        poller = self.monitor.poller
        if poller.health.paused:
            poller.resume()
            self.notify("polling resumed", timeout=2)
        else:
            poller.pause()
            self.notify("polling paused: data will go stale", timeout=2)
        self.updates.publish(Update(ChangeSet(), poller.health))

    def action_refresh_now(self) -> None:
        self.monitor.poller.refresh_now()
        self.notify("refreshing", timeout=1)

    def action_interval(self, direction: int) -> None:
        poller = self.monitor.poller
        steps = (0.5, 1, 2, 3, 5, 10, 15, 30, 60, 120, 300)
        current = poller.interval
        if direction > 0:
            target = next((s for s in steps if s > current), steps[-1])
        else:
            target = next((s for s in reversed(steps) if s < current), steps[0])
        poller.set_interval(target)
        self.notify(f"polling every {target:g}s", timeout=2)
        self.updates.publish(Update(ChangeSet(), poller.health))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        from ccmon.ui.switch import profile_commands

        yield from super().get_system_commands(screen)
        yield from screen_commands(self, screen)
        yield from self.alerts.commands()
        if self.replay is None:
            yield from profile_commands(self)


def screen_commands(app: App[None], screen: Screen) -> Iterable[SystemCommand]:
    """Every described binding active on ``screen`` (its widgets, itself, the app) as a
    palette command: the palette, the footer and the help screen share one source."""
    for key, active in screen.active_bindings.items():
        binding = active.binding
        if not binding.description or not active.enabled:
            continue
        keys = binding.key_display or app.get_key_display(binding) or key

        def run(action: str = binding.action, node: object = active.node) -> None:
            app.call_later(app.run_action, action, node)

        yield SystemCommand(binding.description, f"key: {keys}", run)
