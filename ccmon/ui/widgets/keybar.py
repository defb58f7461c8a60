"""`KeyBar`: the footer line of key hints, drawn as one line of text.

Textual's Footer mounts a widget per key and rebuilds them all whenever the bindings
change (each screen switch, each focus change); at start-up that alone cost about as much
as starting a bare Textual app. The key bar draws the same hints from the screen's active
bindings in a single ``render()`` and repaints (no relayout) when they change. A click
on a hint presses its key, as with Textual's Footer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.screen import Screen
from textual.widget import Widget

__all__ = ["KeyBar"]


@dataclass
class Hint:
    """One hint: its keys (key, how it is shown, enabled) and what it does."""

    keys: list[tuple[str, str, bool]]
    description: str
    group: Binding.Group | None = None


class KeyBar(Widget, can_focus=False):
    """Key hints for the screen's active bindings (those with ``show=True``)."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "keybar--key",
        "keybar--description",
        "keybar--disabled",
    }

    DEFAULT_CSS = """
    KeyBar {
        dock: bottom;
        height: 1;
        width: 1fr;
        color: $footer-foreground;
        background: $footer-background;
        & > .keybar--key {
            color: $footer-key-foreground;
            background: $footer-key-background;
            text-style: bold;
        }
        & > .keybar--description {
            color: $footer-description-foreground;
            background: $footer-description-background;
        }
        & > .keybar--disabled {
            text-style: dim;
        }
    }
    """

    ALLOW_SELECT = False

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._hits: list[tuple[int, int, str]] = []
        """(start x, end x, key) of each hint, for clicks."""

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen: Screen[object]) -> None:
        if screen is self.screen:
            self.refresh()

    def _hints(self) -> tuple[list[Hint], tuple[str, str, str] | None]:
        """The hints in binding order, one per action; consecutive bindings of one
        group (``Binding.Group``) share one hint, as in Textual's Footer ("1234 Tabs");
        and the command palette's hint, drawn on the right."""
        app = self.app
        active = self.screen.active_bindings
        hints: list[Hint] = []
        seen: set[str] = set()
        last_group: object = None
        for _node, binding, enabled, _tooltip in active.values():
            if not binding.show or binding.action in seen:
                continue
            seen.add(binding.action)
            key = (binding.key, app.get_key_display(binding), enabled)
            if binding.group is not None and binding.group is last_group:
                hints[-1].keys.append(key)
            else:
                hints.append(Hint([key], binding.description, binding.group))
            last_group = binding.group
        for hint in hints:
            if hint.group is not None and len(hint.keys) > 1:
                hint.description = hint.group.description
        palette: tuple[str, str, str] | None = None
        if app.ENABLE_COMMAND_PALETTE and app.COMMAND_PALETTE_BINDING in active:
            _node, binding, _enabled, _tooltip = active[app.COMMAND_PALETTE_BINDING]
            palette = (binding.key, app.get_key_display(binding), binding.description)
        return hints, palette

    def render(self) -> Text:
        key_style = self.get_component_rich_style("keybar--key")
        text_style = self.get_component_rich_style("keybar--description")
        disabled = self.get_component_rich_style("keybar--disabled")
        line = Text(no_wrap=True, overflow="crop", end="")
        self._hits = []
        hints, palette = self._hints()
        for hint in hints:
            for number, (key, display, enabled) in enumerate(hint.keys):
                start = line.cell_len
                pad = " " if number == 0 else ""
                line.append(f"{pad}{display} ", key_style + (Style() if enabled else disabled))
                self._hits.append((start, line.cell_len, key))
            if hint.description:
                dim = Style() if any(enabled for *_, enabled in hint.keys) else disabled
                line.append(f"{hint.description} ", text_style + dim)
                start, _end, key = self._hits[-1]
                self._hits[-1] = (start, line.cell_len, key)
        if palette is not None:
            key, display, description = palette
            tail = Text.assemble(
                ("▏", text_style), (f" {display} ", key_style), (f"{description} ", text_style)
            )
            gap = self.size.width - line.cell_len - tail.cell_len
            if gap >= 1:
                line.append(" " * gap)
                self._hits.append((line.cell_len, line.cell_len + tail.cell_len, key))
                line.append_text(tail)
        return line

    def on_click(self, event: events.Click) -> None:
        for start, end, key in self._hits:
            if start <= event.x < end:
                event.stop()
                self.app.simulate_key(key)
                return
