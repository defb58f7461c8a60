"""State and fetching of the run detail screen (the layout is in ``detail.py``).

What the screen knows about its run: the store's record, the last good detail, the
workflow definition and the last fetch problem. Fetches run in workers and never
raise: a failure is kept as one line and the last good data stays.
"""

from __future__ import annotations

import logging
from datetime import datetime

from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import TabbedContent

from ccmon.api.errors import CloudCruiseError, NotFound
from ccmon.api.models import RunDetail, Status, Workflow
from ccmon.sync.records import RunRecord
from ccmon.ui.context import Monitor
from ccmon.ui.screens.detail_render import PALETTE_ROLES, Palette
from ccmon.ui.text import clean

log = logging.getLogger("ccmon.ui.detail")

TABS = ("overview", "errors", "artifacts", "debug")


class DetailState(Screen[None]):
    """Base of :class:`ccmon.ui.screens.detail.DetailScreen`: data and fetching."""

    COMPONENT_CLASSES = {f"detail--{role}" for role in PALETTE_ROLES}

    def __init__(self, session_id: str) -> None:
        super().__init__(classes="detail-screen")
        self.session_id = session_id
        self.detail: RunDetail | None = None
        self.workflow: Workflow | None = None
        self.problem: str | None = None  # the last fetch error, one line
        self.fetched_at: datetime | None = None
        self.workflow_problem: str | None = None
        self._workflow_asked = False
        self._timer: Timer | None = None

    # --- where things are ----------------------------------------------------------

    @property
    def monitor(self) -> Monitor:
        monitor = getattr(self.app, "monitor", None)
        if not isinstance(monitor, Monitor):
            raise RuntimeError("DetailScreen needs app.monitor (a ccmon.ui.context.Monitor)")
        return monitor

    @property
    def record(self) -> RunRecord | None:
        return self.monitor.store.get(self.session_id)

    @property
    def status(self) -> Status | None:
        """The freshest status: the detail's once it is terminal, else the store's."""
        record, detail = self.record, self.detail
        if detail is not None and (record is None or detail.status.terminal):
            return detail.status
        return record.status if record else None

    @property
    def active(self) -> bool:
        status = self.status
        return status is None or status.active

    @property
    def workflow_id(self) -> str | None:
        record = self.record
        if record is not None and record.summary.workflow_id:
            return record.summary.workflow_id
        return self.detail.workflow_id if self.detail else None

    def workflow_name(self) -> str | None:
        name = self.monitor.store.workflow_name(self.workflow_id)
        return name or (self.workflow.name if self.workflow else None)

    def node_name(self, node_id: str | None) -> str | None:
        if node_id is None:
            return None
        if self.workflow is not None and (name := self.workflow.node_name(node_id)):
            return name
        info = self.monitor.store.workflows.get(self.workflow_id or "")
        return info.nodes.get(node_id) if info else None

    def palette(self) -> Palette:
        """Inline styles from ``styles/detail.tcss`` (component classes), per theme."""
        styles = {
            role: self.get_component_styles(f"detail--{role}").partial_rich_style
            for role in PALETTE_ROLES
        }
        return Palette(**styles)

    @property
    def active_tab(self) -> str:
        tabs = self.query(TabbedContent)
        return (tabs.first().active if tabs else "") or TABS[0]

    def render_all(self, force: bool = False) -> None:
        raise NotImplementedError

    # --- refreshing ----------------------------------------------------------------

    def start_refreshing(self) -> None:
        """Refresh every ``settings.interval`` seconds while the run is active."""
        if self.active and self._timer is None:
            self._timer = self.set_interval(self.monitor.settings.interval, self._tick)

    def stop_refreshing(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None

    def on_screen_suspend(self) -> None:
        if self._timer is not None:
            self._timer.pause()

    def on_screen_resume(self) -> None:
        if self._timer is not None:
            self._timer.resume()

    def _tick(self) -> None:
        if not self.active:
            self.stop_refreshing()
            return
        self.render_all()  # waited / ran keep growing
        self.refresh_detail()

    def busy(self, group: str) -> bool:
        return any(w.node is self and w.group == group and not w.is_finished for w in self.workers)

    def refresh_detail(self) -> None:
        """Fetch the detail now, unless a fetch is still on its way."""
        if not self.busy("detail"):
            self.run_worker(
                self._fetch_detail(), group="detail", exclusive=True, exit_on_error=False
            )
        self._want_workflow()

    def _want_workflow(self) -> None:
        if self.workflow is None and not self._workflow_asked and self.workflow_id:
            self._workflow_asked = True
            self.run_worker(
                self._fetch_workflow(self.workflow_id),
                group="workflow",
                exclusive=True,
                exit_on_error=False,
            )

    async def _fetch_detail(self) -> None:
        monitor = self.monitor
        try:
            detail = await monitor.poller.fetch_detail(self.session_id)
        except CloudCruiseError as exc:
            self.problem = clean(exc, 300)
        except Exception as exc:  # a bug must never blank the screen
            log.exception("detail of %s failed", self.session_id)
            self.problem = clean(f"internal error: {type(exc).__name__}: {exc}", 300)
        else:
            if self.detail is not None and detail.model_dump() == self.detail.model_dump():
                detail = self.detail  # unchanged: keep the panes (and their cursors) as they are
            self.detail, self.problem, self.fetched_at = detail, None, monitor.now()
            self._want_workflow()  # the workflow id may only be known now
        self.render_all()
        if not self.active:
            self.stop_refreshing()

    async def _fetch_workflow(self, workflow_id: str) -> None:
        try:
            self.workflow = await self.monitor.poller.fetch_workflow(workflow_id)
            self.workflow_problem = None
        except Exception as exc:  # CloudCruiseError or a bug: say so, keep going
            # Try again on a later refresh, unless the workflow is gone.
            self._workflow_asked = isinstance(exc, NotFound)
            self.workflow_problem = clean(f"workflow definition unavailable: {exc}", 200)
        self.render_all(force=True)
