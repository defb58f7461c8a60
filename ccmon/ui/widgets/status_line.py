"""The header line: where we are connected, how fresh the data is, what the poller does."""

from __future__ import annotations

from datetime import datetime, timedelta

from rich.cells import cell_len
from rich.text import Text
from textual.widgets import Static

from ccmon.sync.health_text import unreadable_note
from ccmon.sync.records import Health
from ccmon.ui import text as fmt

SECOND = timedelta(seconds=1)
STATE_LABEL = {
    "connecting": ("◌ connecting", "yellow"),
    "ok": ("● live", "green"),
    "retrying": ("◍ retrying", "bold yellow"),
    "error": ("✘ error", "bold red"),
    "rate_limited": ("⧗ rate limited", "bold yellow"),
}


def health_line(
    health: Health, now: datetime, *, label: str, host: str, extra: str = "", width: int = 0
) -> tuple[Text, bool]:
    """The header text and whether the data is stale. Pieces are dropped, least
    important first, until the line fits ``width`` (0: no limit)."""
    stale = health.stale(now) and health.last_attempt is not None
    state, state_style = STATE_LABEL.get(health.state, (health.state, ""))
    age = health.age(now)
    if age is None:
        freshness = Text("no data yet", style="bold yellow" if stale else "dim")
    elif stale:
        freshness = Text(f" STALE {fmt.duration(age)} ", style="bold reverse red")
    else:  # a time, not an age: the line holds still between polls
        freshness = Text(f"updated {fmt.clock(health.last_success or now)}", style="dim")
    wait = health.rate_limit_wait(now)
    failing = bool(health.last_error and health.state != "ok")
    # (importance: lower is kept longer, text)
    pieces: list[tuple[int, Text]] = [
        (0, Text(" ccmon ", style="bold reverse")),
        (3, Text(fmt.clean(label, 24), style="bold") if label else Text()),
        (4, Text("@ " + fmt.clean(host, 40)) if label else Text(fmt.clean(host, 40))),
        (2 if failing else 0, Text(state, style=state_style)),
        (0, freshness),
        (2, Text(f"every {health.interval:g}s", style="dim")),
        (2, Text(f"({fmt.clean(health.slowed)})", style="yellow") if health.slowed else Text()),
        (0, Text("PAUSED", style="bold reverse yellow") if health.paused else Text()),
        (0, Text(f"waiting {wait:.0f}s (rate limit)", style="bold yellow") if wait > 0 else Text()),
        (1, Text(extra, style="cyan") if extra else Text()),
        (
            0,
            Text(fmt.clean(health.last_error, 160), style="bold red")
            if health.last_error and health.state != "ok"
            else Text(),
        ),
        (
            3,
            Text(fmt.clean(unreadable_note(health.invalid_rows, health.invalid_ids)), "yellow")
            if health.invalid_rows
            else Text(),
        ),
    ]
    pieces = [(rank, piece) for rank, piece in pieces if piece.plain]
    while width and len(pieces) > 1 and sum(len(p) + 2 for _, p in pieces) > width:
        worst = max(range(len(pieces)), key=lambda i: (pieces[i][0], i))
        if pieces[worst][0] == 0:
            break
        del pieces[worst]
    line = Text("  ").join(piece for _, piece in pieces)
    if width:
        line.truncate(width, overflow="ellipsis")
    return line, stale


def header_changes_at(health: Health, now: datetime) -> datetime | None:
    """When :func:`health_line` next reads otherwise with the clock alone (a poll's news
    aside): in a second while it counts (stale data, a rate-limit wait), else the moment
    the data turns stale; None: never."""
    stale_at = health.stale_at()
    if health.rate_limit_wait(now) > 0 or (stale_at is not None and now > stale_at):
        return now + SECOND
    return None if stale_at is None else stale_at + SECOND / 1000


def same_text(a: Text | None, b: Text) -> bool:
    """Same characters, spans and base style (``Text.__eq__`` ignores the base style)."""
    return a is not None and a.plain == b.plain and a.style == b.style and a.spans == b.spans


def show_text(widget: Static, text: Text, *, auto_width: bool = False) -> None:
    """Update a one-line Static only when its text changed, and without a relayout unless
    its width follows the content (``auto_width``) and the content's width changed."""
    old = widget.content
    old_text = old if isinstance(old, Text) else None
    if same_text(old_text, text):
        return
    relayout = auto_width and (old_text is None or cell_len(old_text.plain) != text.cell_len)
    widget.update(text, layout=relayout)


class StatusLine(Static):
    """One line at the top of every screen; turns loud when the data is stale.

    Its size is fixed by CSS (one line, full width), so a new text only repaints it (no
    relayout), and an unchanged one does nothing.
    """

    def show(
        self, health: Health, now: datetime, *, label: str, host: str, extra: str = ""
    ) -> None:
        line, stale = health_line(
            health, now, label=label, host=host, extra=extra, width=self.size.width
        )
        self.set_class(stale, "-stale")
        self.set_class(health.state in ("error", "retrying", "rate_limited"), "-trouble")
        show_text(self, line)
