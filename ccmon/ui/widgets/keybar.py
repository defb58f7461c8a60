"""`KeyBar`: the footer line of key hints, drawn as one line of text.

Textual's Footer mounts a widget per key and rebuilds them all whenever the bindings
change (each screen switch, each focus change); at start-up that alone cost about as much
as starting a bare Textual app. The key bar draws the same hints from the screen's active
bindings in a single ``render()`` and repaints (no relayout) when they change. As with
Textual's Footer, a click on a hint presses its key and the mouse over it shows its
tooltip (the binding's, else its description).
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
    tooltip: str = ""


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
        self._hits: list[tuple[int, int, str, str]] = []
        """(start x, end x, key, tooltip) of each hint, for clicks and the mouse."""

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen: Screen[object]) -> None:
        if screen is self.screen:
            self.refresh()

    def _hints(self) -> tuple[list[Hint], Hint | None]:
        """The hints in binding order, one per action; consecutive bindings of one
        group (``Binding.Group``) share one hint, as in Textual's Footer ("1234 Tabs");
        and the command palette's hint, drawn on the right."""
        app = self.app
        active = self.screen.active_bindings
        hints: list[Hint] = []
        seen: set[str] = set()
        last_group: object = None
        for _node, binding, enabled, tooltip in active.values():
            if not binding.show or binding.action in seen:
                continue
            seen.add(binding.action)
            key = (binding.key, app.get_key_display(binding), enabled)
            if binding.group is not None and binding.group is last_group:
                hints[-1].keys.append(key)
            else:
                hints.append(Hint([key], binding.description, binding.group, tooltip))
            last_group = binding.group
        for hint in hints:
            if hint.group is not None and len(hint.keys) > 1:
                hint.description = hint.group.description
        palette: Hint | None = None
        if app.ENABLE_COMMAND_PALETTE and app.COMMAND_PALETTE_BINDING in active:
            _node, binding, enabled, tooltip = active[app.COMMAND_PALETTE_BINDING]
            key = (binding.key, app.get_key_display(binding), enabled)
            palette = Hint([key], binding.description, tooltip=tooltip)
        return hints, palette

    def render(self) -> Text:
        key_style = self.get_component_rich_style("keybar--key")
        text_style = self.get_component_rich_style("keybar--description")
        disabled = self.get_component_rich_style("keybar--disabled")
        line = Text(no_wrap=True, overflow="crop", end="")
        self._hits = []
        hints, palette = self._hints()
        for hint in hints:
            tip = hint.tooltip or hint.description
            for number, (key, display, enabled) in enumerate(hint.keys):
                start = line.cell_len
                pad = " " if number == 0 else ""
                line.append(f"{pad}{display} ", key_style + (Style() if enabled else disabled))
                self._hits.append((start, line.cell_len, key, tip))
            if hint.description:
                dim = Style() if any(enabled for *_, enabled in hint.keys) else disabled
                line.append(f"{hint.description} ", text_style + dim)
                start, _end, key, _tip = self._hits[-1]
                self._hits[-1] = (start, line.cell_len, key, tip)
        if palette is not None:
            (key, display, _enabled), description = palette.keys[0], palette.description
            tail = Text.assemble(
                ("▏", text_style), (f" {display} ", key_style), (f"{description} ", text_style)
            )
            gap = self.size.width - line.cell_len - tail.cell_len
            if gap >= 1:
                line.append(" " * gap)
                end = line.cell_len + tail.cell_len
                self._hits.append((line.cell_len, end, key, palette.tooltip or description))
                line.append_text(tail)
        return line

    def _hit(self, x: int) -> tuple[str, str] | None:
        """(key, tooltip) of the hint at ``x``."""
        for start, end, key, tip in self._hits:
            if start <= x < end:
                return key, tip
        return None

    def on_mouse_move(self, event: events.MouseMove) -> None:
        hit = self._hit(event.x)
        tip = hit[1] if hit is not None else None
        if tip != self.tooltip:
            self.tooltip = tip

    def on_leave(self, event: events.Leave) -> None:
        self.tooltip = None

    def on_click(self, event: events.Click) -> None:
        hit = self._hit(event.x)
        if hit is not None:
            event.stop()
            self.app.simulate_key(hit[0])
