"""The summary above the queue: counts per status, the queue per priority, waits."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from itertools import pairwise
from typing import Any, ClassVar

from rich.color import Color as RichColor
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import Static

from ccmon.sync.metrics import PRIORITY_ORDER, Metrics
from ccmon.ui import text as fmt
from ccmon.ui.widgets.status_line import show_text

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


BARS = "▁▂▃▄▅▆▇█"


def _blend(low: RichColor, high: RichColor, ratio: float) -> RichColor:
    """As Textual's sparkline blends its two colours."""
    if low.triplet is None or high.triplet is None:
        return high
    r1, g1, b1 = low.triplet
    r2, g2, b2 = high.triplet
    return RichColor.from_rgb(
        r1 + (r2 - r1) * ratio, g1 + (g2 - g1) * ratio, b1 + (b2 - b1) * ratio
    )


def spark_lines(
    data: Sequence[float], width: int, height: int, low: RichColor, high: RichColor, base: Style
) -> list[Strip]:
    """The lines Textual's ``Sparkline`` draws for ``data`` (max per bucket), as Strips."""
    if width <= 0 or height <= 0:
        return [Strip([])] * max(0, height)
    low_style, high_style = base + Style.from_color(low), base + Style.from_color(high)
    if not data:
        return [Strip([])] * (height - 1) + [Strip([Segment(BARS[0] * width, low_style)], width)]
    if len(data) == 1:
        return [Strip([Segment("█" * width, high_style)], width)] * height
    count = len(data)
    cuts = [count * bucket // width for bucket in range(width + 1)]
    summaries = [max(data[a:b]) for a, b in pairwise(cuts) if b > a]
    minimum, maximum = min(data), max(data)
    extent = maximum - minimum or 1
    levels = len(BARS) * height - 1
    step = len(summaries) / width
    columns: list[tuple[int, Style]] = []
    styles: dict[float, Style] = {}  # one per value: a minute's count repeats a lot
    position = 0.0
    for _ in range(width):
        ratio = (summaries[int(position)] - minimum) / extent
        style = styles.get(ratio)
        if style is None:
            style = styles[ratio] = base + Style.from_color(_blend(low, high, ratio))
        columns.append((int(ratio * levels), style))
        position += step
    lines: list[Strip] = []
    for row in reversed(range(height)):
        bottom, top = row * len(BARS), (row + 1) * len(BARS)
        texts: list[str] = []
        line_styles: list[Style] = []
        for level, style in columns:
            if level < bottom:
                text, style = " ", base
            else:
                text = "█" if level >= top else BARS[level % len(BARS)]
            if line_styles and line_styles[-1] is style:  # runs of a cell drawn alike
                texts[-1] += text
            else:
                texts.append(text)
                line_styles.append(style)
        segments = [Segment(text, style) for text, style in zip(texts, line_styles, strict=True)]
        lines.append(Strip(segments, width))
    return lines


class Spark(Widget):
    """A throughput sparkline: Textual's ``Sparkline`` look (max per bucket, colours
    blended from the min to the max component colour), drawn line by line and kept until
    the data, the size or the colours change."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {"sparkline--max-color", "sparkline--min-color"}
    DEFAULT_CSS = """
    Spark {
        height: 1;
    }
    Spark > .sparkline--max-color {
        color: $primary;
    }
    Spark > .sparkline--min-color {
        color: $primary 30%;
    }
    """

    def __init__(
        self,
        data: Sequence[float] = (),
        *,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._data: tuple[float, ...] = tuple(data)
        self._key: tuple[Any, ...] | None = None
        self._lines: list[Strip] = []

    @property
    def data(self) -> tuple[float, ...]:
        return self._data

    @data.setter
    def data(self, data: Sequence[float]) -> None:
        values = tuple(data)
        if values != self._data:
            self._data = values
            self.refresh()

    def render_line(self, y: int) -> Strip:
        width, height = self.size
        base = self.visual_style.rich_style
        _, background = self.background_colors
        low = background + self.get_component_styles("sparkline--min-color").color
        high = background + self.get_component_styles("sparkline--max-color").color
        key = (self._data, width, height, low, high, base)
        if key != self._key:
            self._lines = spark_lines(
                self._data, width, height, low.rich_color, high.rich_color, base
            )
            self._key = key
        if 0 <= y < len(self._lines):
            return self._lines[y]
        return Strip.blank(width, base)


class Summary(Static):
    """Three lines and a throughput sparkline; updated once per tick. Every piece has a
    fixed size (but the rates' width), so an update only repaints what changed."""

    def compose(self) -> ComposeResult:
        yield Static(id="summary-status")
        yield Static(id="summary-queue")
        with Horizontal(id="summary-rates-row"):
            yield Static(id="summary-rates")
            yield Spark([0] * 60, id="summary-spark")

    def show(self, metrics: Metrics, now: datetime, starvation: timedelta) -> None:
        compact = self.size.width < 100
        show_text(self.query_one("#summary-status", Static), status_counts(metrics, compact))
        show_text(
            self.query_one("#summary-queue", Static), priority_queue(metrics, now, starvation)
        )
        show_text(self.query_one("#summary-rates", Static), rates(metrics), auto_width=True)
        self.query_one("#summary-spark", Spark).data = metrics.throughput
