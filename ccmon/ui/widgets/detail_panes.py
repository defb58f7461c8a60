"""The panes of the run detail screen. They only display what they are given: the
screen fetches, the pure functions in :mod:`ccmon.ui.screens.detail_render` format."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import ClassVar

from rich.console import RenderableType
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from ccmon.api.models import RunDetail, WorkflowNode
from ccmon.ui.screens.detail_render import (
    PLAIN,
    Link,
    Palette,
    error_block,
    error_summary,
    link_prompt,
)
from ccmon.ui.text import clean, safe


def plain_static(
    content: RenderableType = "", *, id: str | None = None, classes: str | None = None
) -> Static:
    """A Static that never parses markup: API text must arrive as Text anyway."""
    return Static(content, markup=False, id=id, classes=classes)


class PaneScroll(VerticalScroll):
    """A vertical scroll that leaves left/right to the screen (tab switching) when
    there is nothing to scroll sideways."""

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("scroll_left", "scroll_right") and not self.allow_horizontal_scroll:
            return False
        return super().check_action(action, parameters)


class LinkList(OptionList):
    """A cursor over signed links. Prompts show redacted URLs only; the real URL stays
    in :attr:`links` and leaves only through copy/open on request."""

    def __init__(self, *, id: str) -> None:
        super().__init__(id=id, markup=False)
        self.links: list[Link] = []

    def show_links(self, links: Sequence[Link], now: datetime, palette: Palette = PLAIN) -> None:
        keep = self.highlighted
        self.links = list(links)
        self.set_options(
            Option(link_prompt(link, now, palette), id=f"link-{i}") for i, link in enumerate(links)
        )
        if self.links:
            self.highlighted = min(keep or 0, len(self.links) - 1)

    def redraw(self, now: datetime, palette: Palette = PLAIN) -> None:
        """Render the same links again (expiry is relative to now; the theme may change)."""
        self.show_links(self.links, now, palette)

    @property
    def current(self) -> Link | None:
        index = self.highlighted
        if index is None or not 0 <= index < len(self.links):
            return None
        return self.links[index]


class NodeList(OptionList):
    """The workflow's nodes; Enter asks for the node's debug snapshot."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select", "Snapshot", tooltip="Fetch")
    ]

    def __init__(self, *, id: str) -> None:
        super().__init__(id=id, markup=False)
        self.nodes: list[WorkflowNode] = []

    def show_nodes(self, nodes: Sequence[WorkflowNode]) -> None:
        if [n.id for n in nodes] == [n.id for n in self.nodes]:
            return
        self.nodes = list(nodes)
        options = []
        for i, node in enumerate(nodes):
            prompt = Text.assemble(
                safe(node.name or "(unnamed)", limit=80),
                "  ",
                (clean(node.action or "?", 40), "dim"),
            )
            options.append(Option(prompt, id=f"node-{i}"))
        self.set_options(options)
        if self.nodes:
            self.highlighted = 0


class OverviewPane(PaneScroll):
    def compose(self) -> ComposeResult:
        yield plain_static(Text("loading…"), id="overview-body")

    def show(self, renderable: RenderableType) -> None:
        self.query_one("#overview-body", Static).update(renderable)


class ErrorsPane(PaneScroll):
    """A summary line, then one block per error (recovered ones marked)."""

    def compose(self) -> ComposeResult:
        yield plain_static(Text("loading…"), id="errors-summary")

    def show(
        self,
        detail: RunDetail | None,
        node_name: Callable[[str | None], str | None],
        palette: Palette = PLAIN,
    ) -> None:
        self.query_one("#errors-summary", Static).update(error_summary(detail, palette))
        errors = detail.error_list if detail else []
        blocks = list(self.query(".error-block").results(Static))
        for extra in blocks[len(errors) :]:
            extra.remove()
        new: list[Static] = []
        for number, error in enumerate(errors, start=1):
            recovered = detail is not None and detail.is_recovered(error)
            body = error_block(
                number,
                error,
                recovered=recovered,
                node_name=node_name(error.node_id),
                palette=palette,
            )
            if number <= len(blocks):
                block = blocks[number - 1]
                block.update(body)
            else:
                block = plain_static(body, classes="error-block")
                new.append(block)
            block.set_class(recovered, "-recovered")
        if new:
            self.mount_all(new)


class ArtifactsPane(Vertical):
    def compose(self) -> ComposeResult:
        yield plain_static(Text("loading…"), id="artifacts-summary")
        yield LinkList(id="artifact-list")

    def show(self, links: Sequence[Link], now: datetime, palette: Palette = PLAIN) -> None:
        counts: dict[str, int] = {}
        for link in links:
            counts[link.kind] = counts.get(link.kind, 0) + 1
        if links:
            parts = [f"{n} {kind}{'s' if n != 1 else ''}" for kind, n in counts.items()]
            summary = " · ".join(parts) + "   (c copy link · o open link)"
        else:
            summary = "no recordings, files or screenshots for this run"
        self.query_one("#artifacts-summary", Static).update(Text(summary))
        listing = self.query_one("#artifact-list", LinkList)
        listing.show_links(links, now, palette)
        listing.display = bool(links)


class DebugPane(Vertical):
    def compose(self) -> ComposeResult:
        yield plain_static(Text("loading the workflow's nodes…"), id="debug-help")
        yield NodeList(id="debug-nodes")
        yield plain_static(Text(""), id="debug-result")
        yield LinkList(id="debug-links")

    def on_mount(self) -> None:
        self.query_one("#debug-links", LinkList).display = False

    def show_nodes(self, nodes: Sequence[WorkflowNode] | None, problem: str | None) -> None:
        help_line = self.query_one("#debug-help", Static)
        listing = self.query_one("#debug-nodes", NodeList)
        if problem is not None:
            help_line.update(Text(clean(problem, 200)))
        elif not nodes:
            help_line.update(Text("the workflow has no nodes"))
        else:
            help_line.update(Text(f"{len(nodes)} nodes · Enter: fetch the node's debug snapshot"))
        listing.show_nodes(nodes or [])
        listing.display = bool(nodes)

    def show_result(
        self, message: Text, links: Sequence[Link], now: datetime, palette: Palette = PLAIN
    ) -> None:
        self.query_one("#debug-result", Static).update(message)
        listing = self.query_one("#debug-links", LinkList)
        listing.show_links(links, now, palette)
        listing.display = bool(links)
