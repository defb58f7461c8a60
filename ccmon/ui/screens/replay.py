"""``ccmon replay FILE``: a recording played back in the main screen.

The same screen, table, filter, failures and detail views as the live monitor: a
:class:`~ccmon.record.ReplaySource` feeds the store and the app's ``_on_poll`` path.
Keys: space pause/resume, ``.``/``,`` a tick forward/back, ``]``/``[`` speed x2/x0.5,
``g`` jump to a time (HH:MM, HH:MM:SS or ISO 8601).
"""

from __future__ import annotations

import asyncio
import re
from datetime import datetime
from typing import Any, ClassVar

import httpx
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from ccmon.api.client import ApiKey, CloudCruiseClient, RetryPolicy
from ccmon.config import Settings
from ccmon.record import ReplaySource
from ccmon.sync.poller import Poller, SyncConfig
from ccmon.sync.records import ChangeSet
from ccmon.ui.screens.main import MainScreen

SPEEDS = (0.125, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0)
MAX_GAP = 5.0  # real seconds between two ticks, whatever the recording says


def replay_monitor(source: ReplaySource) -> Any:
    """A read-only :class:`~ccmon.ui.context.Monitor` over the replayed store; the
    detail screen's requests are answered from the recording (``source.serve``)."""
    from ccmon.ui.context import Monitor

    settings = Settings(
        api_key=ApiKey("replay"),
        key_source="replay",
        base_url="http://" + (source.host or "replay.local"),
        profile="replay",
        read_only=True,
        interval=source.health.interval,
    )
    transport = httpx.MockTransport(source.serve)
    http = httpx.AsyncClient(transport=transport, base_url="http://replay.local")
    client = CloudCruiseClient(http, "replay", read_only=True, retry=RetryPolicy(attempts=1))
    poller = Poller(client, source.store, SyncConfig(interval=settings.interval), now=source.now)
    poller.health = source.health
    return Monitor(settings, client, source.store, poller, now=source.now, label="REPLAY")


def parse_when(text: str, ref: datetime) -> datetime:
    """``HH:MM`` or ``HH:MM:SS`` (local time, on ``ref``'s day) or ISO 8601."""
    text = text.strip()
    try:
        if re.fullmatch(r"\d{1,2}:\d{2}(:\d{2})?", text):
            hour, minute, second = ([int(p) for p in text.split(":")] + [0])[:3]
            local = ref.astimezone()
            return local.replace(hour=hour, minute=minute, second=second, microsecond=0)
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"not a time: {text!r} (HH:MM, HH:MM:SS or ISO 8601)") from None
    return moment if moment.tzinfo else moment.astimezone()


class JumpScreen(ModalScreen[str | None]):
    """Ask for a time; dismiss with the text, or None on Escape."""

    DEFAULT_CSS = """
    JumpScreen { align: center middle; }
    JumpScreen > Vertical {
        width: 56; max-width: 95%; height: auto; border: thick $accent;
        background: $panel; padding: 1 2;
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, first: datetime, last: datetime) -> None:
        super().__init__()
        self.span = f"{first.astimezone():%H:%M:%S} … {last.astimezone():%H:%M:%S}"

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text(f"Jump to a time ({self.span})"))
            yield Input(placeholder="HH:MM, HH:MM:SS or 2026-03-04T03:12", id="jump-time")

    @on(Input.Submitted)
    def submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ReplayScreen(MainScreen):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("space", "toggle_play", "Play/pause", key_display="space"),
        Binding("p", "toggle_play", "Play/pause", show=False),
        Binding("full_stop", "step(1)", "Step", key_display="."),
        Binding("comma", "step(-1)", "Back", key_display=","),
        Binding("right_square_bracket", "speed(1)", "Faster", key_display="]"),
        Binding("left_square_bracket", "speed(-1)", "Slower", key_display="["),
        # over the table's own g (first row); not while typing a filter
        Binding("g", "jump", "Jump to time", priority=True),
    ]

    def __init__(self, source: ReplaySource, *, autoplay: bool = True) -> None:
        super().__init__()
        self.source = source
        self.paused = not autoplay
        self.speed = 1.0

    def on_mount(self) -> None:
        super().on_mount()
        self.show(self.source.seek(0))
        self.run_worker(self._play(), name="replay", group="replay", exit_on_error=False)

    def show(self, changes: ChangeSet) -> None:
        self.app._on_poll(changes, self.source.health)  # type: ignore[attr-defined]
        self.refresh_header()

    async def _play(self) -> None:
        """Advance a tick when its recorded gap has passed at the current speed (gaps
        longer than MAX_GAP real seconds are cut); speed and pause apply at once."""
        source, step, waited = self.source, 0.05, 0.0
        while True:
            await asyncio.sleep(step)
            if self.paused or source.at_end:
                waited = 0.0
                continue
            waited += step
            gap = (source.ticks[source.position + 1].at - source.now()).total_seconds()
            if waited >= min(MAX_GAP, gap / self.speed):
                waited = 0.0
                self.show(source.step(1))
                if source.at_end:
                    self.notify("end of the recording", timeout=3)

    def header_notes(self) -> list[str]:
        moment = self.source.now().astimezone()
        state = "paused" if self.paused else ("end" if self.source.at_end else "playing")
        tick = f"tick {self.source.position + 1}/{len(self.source.ticks)}"
        speed = f"x{self.speed:g}"
        return [
            f"REPLAY {moment:%Y-%m-%d %H:%M:%S} {speed} {state} {tick}",
            *super().header_notes(),
        ]

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "jump" and isinstance(self.focused, Input):
            return False
        return super().check_action(action, parameters)

    def action_toggle_play(self) -> None:
        self.paused = not self.paused
        self.refresh_header()

    def action_step(self, delta: int) -> None:
        self.paused = True
        self.show(self.source.step(delta))

    def action_speed(self, direction: int) -> None:
        index = SPEEDS.index(self.speed) + direction
        self.speed = SPEEDS[max(0, min(len(SPEEDS) - 1, index))]
        self.notify(f"replay speed x{self.speed:g}", timeout=2)
        self.refresh_header()

    def action_jump(self) -> None:
        ticks = self.source.ticks
        self.app.push_screen(JumpScreen(ticks[0].at, ticks[-1].at), self.jump_to)

    def jump_to(self, text: str | None) -> None:
        if not text:
            return
        try:
            moment = parse_when(text, self.source.now())
        except ValueError as exc:
            self.notify(str(exc), title="Jump", severity="warning", markup=False)
            return
        self.paused = True
        self.show(self.source.seek(self.source.index_at(moment)))
        self.table.focus()
