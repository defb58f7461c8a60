"""The summary above the queue: counts per status, the queue per priority, waits."""

from __future__ import annotations

from datetime import datetime, timedelta

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Sparkline, Static

from ccmon.sync.metrics import PRIORITY_ORDER, Metrics
from ccmon.ui import text as fmt

STATUS_ORDER = ("queued", "start", "paused", "requeued", "success", "failed", "stopped")


COMPACT_WORD = {"start": "run", "requeued": "requeue", "success": "ok", "stopped": "stop"}


def status_counts(metrics: Metrics, compact: bool = False) -> Text:
    """Counts per status; ``compact`` shortens words and gaps to fit 80 columns."""
    line = Text()
    gap = " " if compact else "  "
    for short in STATUS_ORDER:
        glyph, style = fmt.STATUS_STYLE[short]
        word = (COMPACT_WORD if compact else fmt.STATUS_WORD).get(short, short)
        count = metrics.by_status.get(short, 0)
        line.append(f"{glyph} {word} ", style=style if count else "dim")
        line.append(f"{count}", style="bold" if count else "dim")
        line.append(gap)
    other = metrics.total - sum(metrics.by_status.get(s, 0) for s in STATUS_ORDER)
    if other:
        line.append(f"? other {other}", style="reverse")
    return line


def priority_queue(metrics: Metrics, now: datetime, starvation: timedelta) -> Text:
    line = Text("queue ", style="dim")
    for prio in PRIORITY_ORDER:
        waiting = metrics.waiting.get(prio, 0)
        if prio is None and not waiting and not metrics.running.get(None):
            continue
        line.append_text(fmt.priority_text(prio))
        line.append(f" {waiting}", style="bold" if waiting else "dim")
        wait = metrics.oldest_wait(prio, now)
        if wait is not None:
            starving = metrics.starving(prio, starvation, now)
            line.append(
                f" oldest {fmt.duration(wait)}",
                style="bold reverse red" if starving else "yellow",
            )
            if starving:
                line.append(" STARVING", style="bold red")
        line.append("   ")
    return line


def rates(metrics: Metrics) -> Text:
    line = Text()
    line.append("wait p50/p95 ", style="dim")
    line.append(f"{fmt.duration(metrics.wait_p50) or '–'}/{fmt.duration(metrics.wait_p95) or '–'}")
    line.append("  run ", style="dim")
    line.append(f"{fmt.duration(metrics.run_p50) or '–'}/{fmt.duration(metrics.run_p95) or '–'}")
    line.append("  ok ", style="dim")
    rate = metrics.success_rate
    line.append(
        "–" if rate is None else f"{rate:.0%}", style="green" if (rate or 0) >= 0.9 else "yellow"
    )
    line.append(f"  {metrics.per_minute:.1f}/min", style="bold")
    return line


class Summary(Static):
    """Three lines and a throughput sparkline; updated once per tick."""

    def compose(self) -> ComposeResult:
        yield Static(id="summary-status")
        yield Static(id="summary-queue")
        with Horizontal(id="summary-rates-row"):
            yield Static(id="summary-rates")
            yield Sparkline([0] * 60, id="summary-spark")

    def show(self, metrics: Metrics, now: datetime, starvation: timedelta) -> None:
        compact = self.size.width < 100
        self.query_one("#summary-status", Static).update(status_counts(metrics, compact))
        self.query_one("#summary-queue", Static).update(priority_queue(metrics, now, starvation))
        self.query_one("#summary-rates", Static).update(rates(metrics))
        spark = self.query_one("#summary-spark", Sparkline)
        if list(spark.data or []) != metrics.throughput:
            spark.data = list(metrics.throughput)
