"""``--wallboard``: no chrome, big numbers, loud when stale, read-only."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Grid, Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Digits, Sparkline, Static

from ccmon.sync import metrics as sync_metrics
from ccmon.sync.metrics import PRIORITY_ORDER, Metrics
from ccmon.ui import text as fmt
from ccmon.ui.clock import ScreenClock
from ccmon.ui.messages import Update
from ccmon.ui.widgets.status_line import StatusLine, header_changes_at
from ccmon.ui.widgets.summary import STATUS_ORDER


class Tile(Vertical):
    """A label over a big number."""

    def __init__(self, label: str, *, id: str, classes: str = "") -> None:
        super().__init__(id=id, classes=f"tile {classes}")
        self.label = label

    def compose(self) -> ComposeResult:
        yield Static(self.label, classes="tile-label")
        yield Digits("0", classes="tile-value")
        yield Static("", classes="tile-note")

    def show(self, value: int, note: Text | str = "", *, alert: bool = False) -> None:
        digits = self.query_one(Digits)
        if digits.value != str(value):
            digits.update(str(value))
        self.query_one(".tile-note", Static).update(note)
        self.set_class(value == 0, "-zero")
        self.set_class(alert, "-alert")


class WallboardScreen(Screen[None]):
    """Glanceable from across the room; ``q`` twice quits (see the app)."""

    BINDINGS = [("escape", "leave", "Back")]

    def compose(self) -> ComposeResult:
        yield StatusLine(id="status-line")
        with Grid(id="wb-status"):
            for short in STATUS_ORDER:
                glyph, _ = fmt.STATUS_STYLE[short]
                word = fmt.STATUS_WORD.get(short, short)
                yield Tile(f"{glyph} {word}", id=f"wb-{short}", classes=f"status-{short}")
        with Horizontal(id="wb-prio"):
            for prio in PRIORITY_ORDER:
                name = prio.value if prio else "unknown"
                yield Tile(f"{name} waiting", id=f"wb-{name.lower()}", classes="prio")
        with Horizontal(id="wb-bottom"):
            yield Static(id="wb-failures")
            with Vertical(id="wb-throughput"):
                yield Static(id="wb-rate")
                yield Sparkline([0] * 60, id="wb-spark")

    @property
    def monitor(self):
        return self.app.monitor  # type: ignore[attr-defined]

    def on_resize(self) -> None:
        self.set_class(self.size.width >= 140, "-wide")
        self.set_class(self.size.height >= 40, "-tall")

    def on_mount(self) -> None:
        self.app.updates.subscribe(self, self.apply_update)  # type: ignore[attr-defined]
        self.clock = ScreenClock(self, self.refresh_header)
        self.refresh_all()

    def action_leave(self) -> None:
        if not getattr(self.app, "wallboard", False):
            self.app.pop_screen()

    def apply_update(self, update: Update) -> None:
        self.refresh_all()

    def refresh_header(self) -> None:
        """The header; woken again only when it can read otherwise (it counts while the
        data is stale)."""
        m, now = self.monitor, self.monitor.now()
        self.query_one(StatusLine).show(
            m.poller.health, now, label=m.label, host=m.settings.host, extra="wallboard"
        )
        self.clock.wake_at(header_changes_at(m.poller.health, now), now)

    def refresh_all(self) -> None:
        now = self.monitor.now()
        metrics = sync_metrics.compute(self.monitor.store, now, groups=False)
        for short in STATUS_ORDER:
            count = metrics.by_status.get(short, 0)
            self.query_one(f"#wb-{short}", Tile).show(count, alert=short == "failed" and count > 0)
        threshold = self.monitor.settings.starvation
        for prio in PRIORITY_ORDER:
            name = prio.value if prio else "unknown"
            wait = metrics.oldest_wait(prio, now)
            starving = metrics.starving(prio, threshold, now)
            note = Text(f"oldest {fmt.duration(wait)}" if wait else "empty", style="bold")
            if starving:
                note.append("  STARVING", style="bold red")
            self.query_one(f"#wb-{name.lower()}", Tile).show(
                metrics.waiting.get(prio, 0), note, alert=starving
            )
        self.query_one("#wb-failures", Static).update(failures_text(metrics))
        self.query_one("#wb-rate", Static).update(
            Text(f"throughput {metrics.per_minute:.1f}/min (last hour)", style="bold")
        )
        spark = self.query_one("#wb-spark", Sparkline)
        spark.data = list(metrics.throughput)
        self.refresh_header()


def failures_text(metrics: Metrics) -> Text:
    out = Text("failures, last hour\n", style="bold")
    if not metrics.failures_last_hour:
        out.append("none", style="green")
        return out
    for category, count in metrics.failures_last_hour.most_common(12):
        out.append(f"{count:>4} ", style="bold red")
        out.append(fmt.clean(category, 40) + "\n")
    return out
