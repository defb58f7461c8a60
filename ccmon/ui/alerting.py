"""The app's side of alerts: toasts, the bell, commands, muting (rules in ccmon.alerts).

A rule's ``command`` comes from the user's configuration, split with shlex (never a
shell), and gets the alert as one JSON object on standard input; it has
:data:`COMMAND_TIMEOUT` seconds, and any trouble becomes a toast.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterable
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from ccmon.alerts import Alert, AlertEngine, AlertRule
from ccmon.sync import metrics as sync_metrics
from ccmon.sync.records import ChangeSet, Health
from ccmon.ui.text import clean

if TYPE_CHECKING:
    from ccmon.ui.app import CcmonApp

COMMAND_TIMEOUT = 10.0


async def run_command(argv: tuple[str, ...], alert: Alert, timeout: float = COMMAND_TIMEOUT) -> str:
    """Run ``argv`` with the alert as JSON on stdin; '' when it went well, else why not."""
    data = json.dumps(alert.to_json()).encode()
    try:
        proc = await asyncio.create_subprocess_exec(
            *argv,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
        )
    except OSError as exc:
        return f"cannot run {argv[0]}: {exc.strerror or exc}"
    try:
        _, err = await asyncio.wait_for(proc.communicate(data), timeout)
    except TimeoutError:
        proc.kill()
        await proc.wait()
        return f"{argv[0]} took longer than {timeout:g}s and was stopped"
    if proc.returncode:
        last = err.decode(errors="replace").strip().splitlines()[-1:] or [""]
        return f"{argv[0]} exited with {proc.returncode}: {last[0]}"
    return ""


class AlertCenter:
    """Evaluates the rules on every poll and turns fired alerts into toasts, the bell
    and commands."""

    def __init__(self, app: CcmonApp, rules: list[AlertRule]) -> None:
        self.app = app
        self.engine = AlertEngine(rules)
        self.fired: list[Alert] = []

    def reset(self, rules: list[AlertRule]) -> None:
        """New rules (another profile); mutes of rules of the same name carry over."""
        muted = self.engine.muted
        self.engine = AlertEngine(rules, muted={r.name for r in rules if r.name in muted})

    def on_poll(self, changes: ChangeSet, health: Health) -> None:
        if not self.engine.rules:
            return
        monitor = self.app.monitor
        now = monitor.now()
        figures = sync_metrics.compute(monitor.store, now)
        for alert in self.engine.evaluate(changes, health, figures, now):
            self.fire(alert)

    def fire(self, alert: Alert) -> None:
        rule = self.engine.rule(alert.rule)
        if rule is None:
            return
        alert = Alert(
            clean(alert.rule, 80),
            alert.kind,
            alert.severity,
            clean(alert.message, 300),
            alert.at,
            alert.value,
        )
        self.fired.append(alert)
        del self.fired[:-100]
        self.app.notify(
            alert.message, title=f"Alert: {alert.rule}", severity=alert.severity, markup=False
        )
        if rule.bell:
            self.app.bell()
        if rule.command:
            self.app.run_worker(
                self._command(rule.command, alert), group="alerts", exit_on_error=False
            )

    async def _command(self, argv: tuple[str, ...], alert: Alert) -> None:
        problem = await run_command(argv, alert)
        if problem:
            self.app.notify(
                clean(problem, 300), title="Alert command failed", severity="error", markup=False
            )

    # --- muting ----------------------------------------------------------------------

    def toggle(self, name: str) -> None:
        muted = self.engine.toggle(name)
        self.app.notify(f"alert {'muted' if muted else 'unmuted'}: {name}", timeout=2, markup=False)
        self.app.refresh_headers()

    def commands(self) -> Iterable[SystemCommand]:
        for rule in self.engine.rules:
            verb = "Unmute" if rule.name in self.engine.muted else "Mute"
            yield SystemCommand(
                f"{verb} alert: {rule.name}",
                f"{rule.kind} alert, {'muted' if verb == 'Unmute' else 'active'}",
                lambda name=rule.name: self.toggle(name),
            )

    def open_mute_list(self) -> None:
        if not self.engine.rules:
            self.app.notify("no alert rules in this profile (README: Alerts)", timeout=3)
            return
        self.app.push_screen(MuteScreen(self))


class MuteScreen(ModalScreen[None]):
    """The rules, each toggled muted/active with Enter; Escape closes."""

    DEFAULT_CSS = """
    MuteScreen { align: center middle; }
    MuteScreen > Vertical {
        width: 64; max-width: 95%; height: auto; max-height: 80%;
        border: thick $accent; background: $panel; padding: 1 2;
    }
    MuteScreen OptionList { height: auto; max-height: 20; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close"),
        Binding("m", "close", "Close", show=False),
    ]

    def __init__(self, center: AlertCenter) -> None:
        super().__init__()
        self.center = center

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text("Alerts: Enter mutes or unmutes, Escape closes"))
            yield OptionList(*self._options(), id="alert-rules")

    def _options(self) -> list[Option]:
        engine = self.center.engine
        return [
            Option(
                Text(f"{'🔇 muted ' if r.name in engine.muted else '🔔 active'}  {clean(r.name)}"),
                id=r.name,
            )
            for r in engine.rules
        ]

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id is None:
            return
        self.center.toggle(event.option.id)
        options = self.query_one(OptionList)
        highlighted = options.highlighted
        options.clear_options()
        options.add_options(self._options())
        options.highlighted = highlighted

    def action_close(self) -> None:
        self.dismiss(None)
