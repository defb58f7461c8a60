"""What the keys of the run detail screen do: links, interrupt, debug snapshots.

Signed URLs leave ccmon only here, and only on request: ``c`` puts one on the
clipboard (OSC 52, which works over SSH and in tmux), ``o`` hands it to the local
browser. Anything that is not an http(s) URL is refused.
"""

from __future__ import annotations

import os
import sys
import webbrowser

from rich.text import Text
from textual import on
from textual.widgets import OptionList

from ccmon.api.errors import CloudCruiseError, NotFound
from ccmon.api.models import DebugSnapshot, WorkflowNode
from ccmon.ui.screens.confirm import ConfirmScreen
from ccmon.ui.screens.detail_base import DetailState
from ccmon.ui.screens.detail_modals import DataScreen
from ccmon.ui.screens.detail_render import Link, expiry, output_json
from ccmon.ui.text import clean, is_web_url, short_id, status_word
from ccmon.ui.widgets.detail_panes import DebugPane, LinkList, NodeList

REFUSE_LINK = "refusing to open non-http(s) link"
NO_SNAPSHOT = "no snapshot for this node (run not started with debug, or node not reached)"


def open_in_browser(url: str) -> str:
    """Open ``url`` in the local browser (call it in a thread); says what happened."""
    if sys.platform.startswith("linux") and not (
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    ):
        # Without a display, webbrowser falls back to a console browser in this terminal.
        return "no graphical display here (SSH?): press c to copy the link instead"
    try:
        opened = webbrowser.open(url, new=2)
    except webbrowser.Error as exc:
        return f"could not open a browser: {clean(exc, 120)}"
    return "opened the link in the browser" if opened else "no browser could open the link"


def snapshot_links(snap: DebugSnapshot, node_name: str) -> list[Link]:
    links = []
    if snap.page_snapshot_url:
        links.append(
            Link("page snapshot", node_name, snap.page_snapshot_url, None, note="valid ~1 h")
        )
    for shot in snap.screenshots:
        links.append(
            Link(
                "screenshot",
                clean(shot.node_display_name or node_name, 120),
                shot.signed_screenshot_url,
                shot.signed_screenshot_url_expires,
                error_shot=bool(shot.error_screenshot),
            )
        )
    return links


class DetailActions(DetailState):
    """The key actions of :class:`ccmon.ui.screens.detail.DetailScreen`."""

    def action_back(self) -> None:
        self.stop_refreshing()
        self.dismiss(None)

    def action_refresh(self) -> None:
        if self.busy("detail"):
            self.notify("already refreshing", timeout=2)
            return
        self.refresh_detail()

    def action_show_data(self) -> None:
        if self.detail is None:
            self.notify("the run's detail has not arrived yet", severity="warning")
            return
        title = f"Output data of run {short_id(self.session_id)} (esc closes)"
        self.app.push_screen(DataScreen(title, output_json(self.detail.data)))

    # --- links ---------------------------------------------------------------------

    def current_link(self) -> Link | None:
        widget_id = "#artifact-list" if self.active_tab == "artifacts" else "#debug-links"
        listing = self.query_one(widget_id, LinkList)
        return listing.current if listing.display else None

    def _usable_link(self, verb: str) -> tuple[Link, str] | None:
        link = self.current_link()
        if link is None or link.url is None:
            self.notify("no link selected", severity="warning", markup=False)
            return None
        if not is_web_url(link.url):
            suffix = "" if verb == "open" else " (nothing copied)"
            self.notify(REFUSE_LINK + suffix, severity="warning", markup=False)
            return None
        return link, link.url

    def action_copy_link(self) -> None:
        found = self._usable_link("copy")
        if found is None:
            return
        link, url = found
        self.app.copy_to_clipboard(url)
        when = expiry(link.expires, self.monitor.now()).plain
        self.notify(f"copied link to clipboard ({when})", markup=False)

    def action_open_link(self) -> None:
        found = self._usable_link("open")
        if found is None:
            return
        url = found[1]

        def work() -> None:
            outcome = open_in_browser(url)
            self.app.call_from_thread(self.notify, outcome, markup=False)

        self.run_worker(work, thread=True, group="open", exit_on_error=False)

    # --- interrupt -----------------------------------------------------------------

    def interrupt_refusal(self) -> str | None:
        """Why ``x`` cannot interrupt this run now, or None if it can."""
        if self.monitor.read_only:
            return "read-only mode: interrupting runs is disabled"
        status = self.status
        if status is not None and status.terminal:
            return f"run already {status_word(status)}: nothing to interrupt"
        return None

    def action_interrupt_refused(self) -> None:
        reason = self.interrupt_refusal() or "cannot interrupt this run"
        self.notify(reason, severity="warning", markup=False)

    def action_interrupt(self) -> None:
        if (refusal := self.interrupt_refusal()) is not None:
            self.notify(refusal, severity="warning", markup=False)
            return
        name = self.workflow_name()
        question = f"Interrupt run {short_id(self.session_id)}"
        question += f" ({clean(name, 60)})?" if name else "?"
        question += "\nA running run stops; a queued one is cleared from the queue."

        def answered(yes: bool | None) -> None:
            if yes:
                self.run_worker(self._interrupt(), group="interrupt", exit_on_error=False)

        self.app.push_screen(ConfirmScreen(question), answered)

    async def _interrupt(self) -> None:
        try:
            reply = await self.monitor.client.interrupt_run(self.session_id)
        except CloudCruiseError as exc:
            self.notify(f"interrupt failed: {clean(exc, 200)}", severity="error", markup=False)
            return
        said = f": {clean(reply.message, 100)}" if reply.message else ""
        self.notify(f"interrupt sent{said}", markup=False)
        self.refresh_detail()

    # --- debug snapshots -----------------------------------------------------------

    @on(OptionList.OptionSelected, "#debug-nodes")
    def _node_chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        nodes = self.query_one("#debug-nodes", NodeList).nodes
        if 0 <= event.option_index < len(nodes):
            self.run_worker(
                self._fetch_snapshot(nodes[event.option_index]),
                group="snapshot",
                exclusive=True,
                exit_on_error=False,
            )

    async def _fetch_snapshot(self, node: WorkflowNode) -> None:
        pane = self.query_one(DebugPane)
        name = clean(node.name or node.id, 80)
        palette = self.palette()
        pane.show_result(Text(f"{name}: fetching the debug snapshot…"), [], self.monitor.now())
        try:
            snap = await self.monitor.client.get_debug_snapshots(self.session_id, node.id)
        except NotFound:
            pane.show_result(Text(f"{name}: {NO_SNAPSHOT}"), [], self.monitor.now())
            return
        except CloudCruiseError as exc:
            message = Text(f"{name}: {clean(exc, 200)}", style=palette.error)
            pane.show_result(message, [], self.monitor.now())
            return
        links = snapshot_links(snap, name)
        page = "page snapshot" if snap.page_snapshot_url else "no page snapshot captured"
        count = len(snap.screenshots)
        message = Text(f"{name}: {page} · {count} screenshot{'' if count == 1 else 's'}")
        pane.show_result(message, links, self.monitor.now(), palette)
