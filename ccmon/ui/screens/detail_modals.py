"""Full views opened from the run detail screen."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from ccmon.ui.text import clean
from ccmon.ui.widgets.keybar import KeyBar


class DataScreen(ModalScreen[None]):
    """A scrollable view of a long, already-cleaned text (the run's output data)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close"),
        Binding("d", "close", "Close", show=False),
        Binding("backspace", "close", "Close", show=False),
    ]

    def __init__(self, title: str, body: str) -> None:
        super().__init__(classes="detail-modal")
        self.title_text = clean(title, 120)
        self.body = body

    def compose(self) -> ComposeResult:
        with Vertical(id="data-box"):
            yield Static(Text(self.title_text), id="data-title", markup=False)
            with VerticalScroll(id="data-scroll"):
                yield Static(Text(self.body), id="data-body", markup=False)
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#data-scroll", VerticalScroll).focus()

    def action_close(self) -> None:
        self.dismiss(None)
