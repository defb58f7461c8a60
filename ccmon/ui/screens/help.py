"""``?``: every key of the screen underneath, generated from the live bindings."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

FILTER_HELP = (
    "Filter (/): status:failed prio:high wf:name id:1a2b cat:AUTH dry:yes !negate free text\n"
    "Number keys: 1 queued 2 running 3 paused 4 requeued 5 success 6 failed 7 stopped 0 all"
)

HIDDEN = {"Focus Next", "Focus Previous", "Copy selected text", "palette"}


def key_rows(screen: Screen) -> list[tuple[str, str]]:
    """(keys, description) for every described binding active on ``screen``, keys that
    share a description merged, widgets and screen first, then the app."""
    merged: dict[str, list[str]] = {}
    ordered = sorted(screen.active_bindings.items(), key=lambda kv: kv[1].node is screen.app)
    for key, active in ordered:
        binding = active.binding
        if not binding.description or binding.description in HIDDEN:
            continue
        display = binding.key_display or screen.app.get_key_display(binding) or key
        keys = merged.setdefault(binding.description, [])
        if display not in keys:
            keys.append(display)
    return [(" ".join(keys), description) for description, keys in merged.items()]


def bindings_table(screen: Screen) -> Table:
    """Two pairs of columns, so that every key fits on an 80x24 screen."""
    rows = key_rows(screen)
    table = Table(box=None, show_header=False, pad_edge=False, expand=True)
    for _ in range(2):
        table.add_column(style="bold cyan", no_wrap=True)
        table.add_column(no_wrap=True, overflow="ellipsis")
    half = (len(rows) + 1) // 2
    for left, right in zip(rows[:half], [*rows[half:], ("", "")], strict=False):
        table.add_row(Text(left[0]), Text(left[1]), Text(right[0]), Text(right[1]))
    return table


class HelpScreen(ModalScreen[None]):
    BINDINGS = [
        Binding("escape", "dismiss", "Close"),
        Binding("question_mark", "dismiss", "Close", show=False),
        Binding("q", "dismiss", "Close", show=False),
    ]

    def __init__(self, under: Screen) -> None:
        super().__init__()
        self.under = under

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-body"):
            yield Static(Text("Keys", style="bold"), id="help-title")
            yield Static(bindings_table(self.under), id="help-keys")
            yield Static(Text(FILTER_HELP, style="dim"), id="help-filter")
            yield Static(Text("Every action is also in the command palette (ctrl+p).", style="dim"))
