"""The run detail screen: one run's overview, errors, artifacts and debug snapshots.

``DetailScreen(session_id)`` finds everything through ``app.monitor``. It shows what
the store already knows at once, then fetches the run's detail (and the workflow
definition, for node names) in workers, and refreshes every ``settings.interval``
seconds while the run is active. API trouble is one line at the top; the last good
data stays on screen, marked stale. Keyboard only: 1-4 (or left/right) switch tabs.

Layers: ``detail_base`` (state, fetching), ``detail_actions`` (keys),
``detail_render`` (pure formatting), ``widgets/detail_panes`` (the panes).
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.signal import Signal
from textual.widgets import Static, TabbedContent, TabPane, Tabs

from ccmon.sync.records import RunRecord
from ccmon.ui.messages import Update
from ccmon.ui.screens.detail_actions import NO_SNAPSHOT, REFUSE_LINK, DetailActions
from ccmon.ui.screens.detail_base import TABS
from ccmon.ui.screens.detail_render import artifact_links, overview
from ccmon.ui.text import safe, short_id, stamp, status_text
from ccmon.ui.widgets.detail_panes import (
    ArtifactsPane,
    DebugPane,
    ErrorsPane,
    LinkList,
    OverviewPane,
    plain_static,
)
from ccmon.ui.widgets.keybar import KeyBar

__all__ = ["NO_SNAPSHOT", "REFUSE_LINK", "TABS", "DetailScreen"]

TAB_KEYS = Binding.Group("Tabs", compact=True)
FOCUS_IN_TAB = {
    "overview": "#overview-pane",
    "errors": "#errors-pane",
    "artifacts": "#artifact-list",
    "debug": "#debug-nodes",
}


class DetailScreen(DetailActions):
    """Everything about one run; Escape (or Backspace) goes back."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back"),
        Binding("backspace", "back", "Back", show=False),
        Binding("1", "show_tab('overview')", "Overview", group=TAB_KEYS),
        Binding("2", "show_tab('errors')", "Errors", group=TAB_KEYS),
        Binding("3", "show_tab('artifacts')", "Artifacts", group=TAB_KEYS),
        Binding("4", "show_tab('debug')", "Debug", group=TAB_KEYS),
        Binding("right", "cycle_tab(1)", "Next tab", show=False),
        Binding("left", "cycle_tab(-1)", "Previous tab", show=False),
        Binding("c", "copy_link", "Copy", tooltip="Copy the selected link (OSC 52)"),
        Binding("o", "open_link", "Open", tooltip="Open the selected link in a browser"),
        Binding("d", "show_data", "Data", tooltip="All of the run's output data"),
        Binding("r", "refresh", "Refresh", tooltip="Fetch this run again now"),
        Binding("x", "interrupt", "Interrupt", tooltip="Interrupt the run (asks first)"),
        Binding("x", "interrupt_refused", "Interrupt", show=False),
    ]

    def __init__(self, session_id: str) -> None:
        super().__init__(session_id)
        self._shown: tuple[object, ...] | None = None

    def compose(self) -> ComposeResult:
        yield plain_static(id="detail-title")
        yield plain_static(id="detail-status")
        yield plain_static(id="detail-error", classes="detail-error")
        with TabbedContent(id="detail-tabs"):
            with TabPane("Overview", id="overview"):
                yield OverviewPane(id="overview-pane")
            with TabPane("Errors", id="errors"):
                yield ErrorsPane(id="errors-pane")
            with TabPane("Artifacts", id="artifacts"):
                yield ArtifactsPane(id="artifacts-pane")
            with TabPane("Debug", id="debug"):
                yield DebugPane(id="debug-pane")
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#detail-error").display = False
        self.render_all()
        self.query_one("#overview-pane").focus()
        self.refresh_detail()
        self.start_refreshing()
        self.set_interval(30, self._redraw_links)
        self.app.theme_changed_signal.subscribe(self, self._on_theme)
        updates = getattr(self.app, "updates", None)
        if isinstance(updates, Signal):
            updates.subscribe(self, self._store_changed)

    def on_unmount(self) -> None:
        # A signal forgets a closed screen only when it next publishes (the theme's: when
        # the theme changes); until then it keeps the whole screen alive.
        for signal in (self.app.theme_changed_signal, getattr(self.app, "updates", None)):
            if isinstance(signal, Signal):
                signal.unsubscribe(self)

    def _on_theme(self, _theme: object) -> None:
        self.render_all(force=True)
        self._redraw_links()

    def _store_changed(self, update: object) -> None:
        """The app's poller changed the store: redraw if it touched this run."""
        if isinstance(update, Update) and (
            self.session_id in update.changes.changed or self.session_id in update.changes.added
        ):
            self.render_all()

    def _redraw_links(self) -> None:
        """Expiry is relative to now: keep the visible link lists current."""
        if self.active_tab in ("artifacts", "debug"):
            now, palette = self.monitor.now(), self.palette()
            for listing in self.query(LinkList).results(LinkList):
                listing.redraw(now, palette)

    # --- showing -------------------------------------------------------------------

    def render_all(self, force: bool = False) -> None:
        """Draw everything from the store, the detail and the workflow."""
        if not self.is_mounted:
            return
        now, palette, record = self.monitor.now(), self.palette(), self.record
        self._render_header(record)
        secret_keys = list(self.workflow.vault_schema or {}) if self.workflow else []
        self.query_one(OverviewPane).show(
            overview(
                record,
                self.detail,
                session_id=self.session_id,
                workflow_name=self.workflow_name(),
                now=now,
                secret_keys=secret_keys,
                palette=palette,
            )
        )
        key = (id(self.detail), id(self.workflow), record.version if record else -1)
        if force or key != self._shown:
            self._shown = key
            self.query_one(ErrorsPane).show(self.detail, self.node_name, palette)
            self.query_one(ArtifactsPane).show(artifact_links(self.detail), now, palette)
            problem = self.workflow_problem
            if self.workflow is None and problem is None:
                problem = "loading the workflow's nodes…" if self.workflow_id else "no workflow id"
            nodes = self.workflow.nodes if self.workflow else None
            self.query_one(DebugPane).show_nodes(nodes, problem)
            self._label_tabs()
        self.refresh_bindings()

    def _render_header(self, record: RunRecord | None) -> None:
        status, stale = self.status, self.problem is not None and self.detail is not None
        title = Text(f"Run {short_id(self.session_id)}  ")
        title.append_text(status_text(status) if status else Text("loading…"))
        if name := self.workflow_name():
            title.append("  ")
            title.append_text(safe(name, limit=50))
        if stale and self.fetched_at is not None:
            title.append(f"  (stale: data from {self.fetched_at:%H:%M:%S})")
        self.query_one("#detail-title", Static).update(title)
        seen = f"fetched {stamp(self.fetched_at)}" if self.fetched_at else "fetching…"
        every = self.monitor.settings.interval
        mode = f"refreshing every {every:g}s" if self.active else "final: no more refreshes"
        self.query_one("#detail-status", Static).update(Text(f"{seen} · {mode}"))
        error = self.query_one("#detail-error", Static)
        error.display = self.problem is not None
        self.query_one("#detail-status").display = self.problem is None
        self.set_class(stale, "-stale")
        if self.problem is not None:
            error.update(Text(f"⚠ {self.problem}"))

    def _label_tabs(self) -> None:
        tabs, detail = self.query_one(TabbedContent), self.detail
        errors = len(detail.error_list) if detail else 0
        links = len(artifact_links(detail))
        tabs.get_tab("errors").label = Text("Errors" + (f" {errors}" if errors else ""))
        tabs.get_tab("artifacts").label = Text("Artifacts" + (f" {links}" if links else ""))

    # --- tabs ----------------------------------------------------------------------

    def action_show_tab(self, tab: str) -> None:
        self.query_one(TabbedContent).active = tab

    def action_cycle_tab(self, step: int) -> None:
        index = TABS.index(self.active_tab) if self.active_tab in TABS else 0
        self.action_show_tab(TABS[(index + step) % len(TABS)])

    @on(TabbedContent.TabActivated)
    def _tab_changed(self, event: TabbedContent.TabActivated) -> None:
        pane_id = event.pane.id or ""
        if target := FOCUS_IN_TAB.get(pane_id):
            widget = self.query_one(target)
            (widget if widget.display else self.query_one(Tabs)).focus()
        self._redraw_links()
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("copy_link", "open_link"):
            return self.active_tab in ("artifacts", "debug")
        if action == "show_data":
            return self.active_tab == "overview"
        if action == "interrupt":
            return self.interrupt_refusal() is None
        if action == "interrupt_refused":
            return self.interrupt_refusal() is not None
        return True
