"""The main screen: header, summary and the live queue."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import NamedTuple

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Input

from ccmon.query import Query
from ccmon.sync import metrics as sync_metrics
from ccmon.sync.records import BOOKKEEPING
from ccmon.ui.clock import ScreenClock
from ccmon.ui.messages import Update
from ccmon.ui.rows import COLUMNS, RunRows
from ccmon.ui.widgets.keybar import KeyBar
from ccmon.ui.widgets.status_line import StatusLine, header_changes_at
from ccmon.ui.widgets.summary import Summary
from ccmon.ui.widgets.table import RunTable

STATUS_KEYS = {
    "1": "queued",
    "2": "running",
    "3": "paused",
    "4": "requeued",
    "5": "success",
    "6": "failed",
    "7": "stopped",
}
SORTABLE: tuple[str | None, ...] = (None, *(c.key for c in COLUMNS))
SECOND = timedelta(seconds=1)
# ages in view are redrawn together at most this often (each run's steps at its own
# second; a poll redraws them meanwhile), so finished runs in view do not wake the
# screen every second or two
AGES_EVERY = timedelta(seconds=10)


class Still(NamedTuple):
    """The rows in view (and the store's version) when their time cells were last
    looked at, that moment, until when none of them can change, and whether one counts
    by the second."""

    view: tuple[list[str], int]
    at: datetime
    until: datetime
    ticking: bool


class MainScreen(Screen[None]):
    BINDINGS = [
        Binding("slash", "filter", "Filter", key_display="/"),
        Binding("escape", "clear_filter", "Clear filter", show=False),
        Binding("s", "cycle_sort", "Sort"),
        Binding("S", "reverse_sort", "Reverse", show=False),
        Binding("f", "follow", "Follow"),
        Binding("F", "failures", "Failures"),
        Binding("c", "copy_id", "Copy id", show=False),
        Binding("x", "interrupt", "Interrupt", show=False),
        Binding("W", "wallboard", "Wallboard", show=False),
        Binding("e", "export", "Export", show=False),
        Binding("m", "alerts", "Mute alerts", show=False),
        *(
            Binding(key, f"status_filter('{word}')", f"Only {word}", show=False)
            for key, word in STATUS_KEYS.items()
        ),
        Binding("0", "status_filter('')", "All statuses", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.query_filter = Query()
        self.only: tuple[str, set[str]] | None = None  # (label, session ids) from a drill-down
        self.following: str | None = None
        # Until the user touches a key or the mouse, the cursor stays on the top row
        # (the head of the queue) instead of riding its first run down the list.
        self.pristine = True
        self._still: Still | None = None

    @property
    def monitor(self):
        return self.app.monitor  # type: ignore[attr-defined]

    def compose(self) -> ComposeResult:
        self.rows = RunRows(self.monitor.store, self.monitor.now)
        yield StatusLine(id="status-line")
        yield Summary(id="summary")
        yield Input(placeholder="filter: status:failed prio:high wf:name !text", id="filter")
        yield RunTable(COLUMNS, self.rows, id="runs")
        yield KeyBar()

    def on_mount(self) -> None:
        self.table = self.query_one(RunTable)
        self.table.set_rows(self.monitor.store.runs)
        self.table.focus()
        self.table.on_paint = self._table_painted
        self.app.updates.subscribe(self, self.apply_update)  # type: ignore[attr-defined]
        self.clock = ScreenClock(self, self.on_second)
        if self.monitor.store.loaded:  # the first poll ended before this screen existed
            self.refresh_summary()
        self.refresh_header()
        self._plan_clock()

    def reset_monitor(self) -> None:
        """The app switched to another monitor: show its store, drop view state."""
        monitor = self.monitor
        self.rows.store, self.rows.now = monitor.store, monitor.now
        self.only, self.following, self.pristine = None, None, True
        self.set_filter("")
        self.table.set_rows(monitor.store.runs)
        self.refresh_summary()
        self.refresh_header()
        self._still = None
        self._plan_clock()

    def on_key(self) -> None:
        self.pristine = False

    def on_click(self) -> None:
        self.pristine = False

    # --- updates -------------------------------------------------------------------

    def apply_update(self, update: Update) -> None:
        changes = update.changes
        self.rows.tick()
        if changes.first_load or (
            changes.removed and len(changes.removed) > len(self.rows.store.runs)
        ):
            self.table.set_rows(self.monitor.store.runs)
        elif changes:
            quiet = {sid for sid, fields in changes.changed.items() if fields <= BOOKKEEPING}
            self.table.apply(changes.added, changes.changed, changes.removed, quiet=quiet)
            if self.pristine and self.table.row_count:
                self.table.cursor_row = 0
        self._redraw_rows(force=True)  # and rows whose time columns moved with the clock
        self.refresh_summary()
        self.refresh_header()
        self.monitor.poller.want_details(self.table.keys_in_view())
        if self.following:
            self._follow_step(changes)
        self._plan_clock()

    # --- the clock -------------------------------------------------------------------

    def on_second(self) -> None:
        """The clock woke us (see :meth:`_plan_clock`): repaint the rows in view whose
        time columns moved, and the header."""
        self.rows.tick()
        self._redraw_rows()
        self.refresh_header()
        self._plan_clock()

    def _redraw_rows(self, force: bool = False) -> None:
        """Repaint the rows in view that changed. While the same rows are in view and
        none can have moved (a finished run's age moves by the minute), they are not
        even looked at."""
        view, now = (self.table.keys_in_view(), self.monitor.store.version), self.rows.moment
        still = self._still
        if force or still is None or view != still.view or not still.at <= now < still.until:
            self.table.refresh_changed()
            keys = view[0]
            self._still = Still(view, now, self.rows.still_until(keys), self.rows.ticking(keys))

    def _plan_clock(self) -> None:
        """Wake next when something on screen can read otherwise: in a second while a
        run in view waits or runs or the header counts; else at the next step of the
        ages in view (together, at most every ``AGES_EVERY``) or when the data turns
        stale."""
        now, still = self.monitor.now(), self._still
        if still is None:  # not looked at yet
            rows = now + SECOND
        elif still.ticking:
            rows = still.until
        else:  # ages only
            rows = max(still.until, now + AGES_EVERY)
        wake = header_changes_at(self.monitor.poller.health, now)
        self.clock.wake_at(rows if wake is None else min(wake, rows), now)

    def _table_painted(self) -> None:
        """The table drew rows: if they are others than the clock was set for (a
        scroll, a filter, a sort), look at them and set it again."""
        if self.clock.delay is not None and self.clock.delay > 1:
            self.call_later(self._view_moved)

    def _view_moved(self) -> None:
        self._redraw_rows()
        self._plan_clock()

    def refresh_summary(self) -> None:
        now = self.monitor.now()
        figures = sync_metrics.compute(self.monitor.store, now, groups=False)
        self.query_one(Summary).show(figures, now, self.monitor.settings.starvation)

    def header_notes(self) -> list[str]:
        """Notes at the front of the header's extra text (muted alerts; replay time)."""
        muted = sorted(self.app.alerts.engine.muted)  # type: ignore[attr-defined]
        return [f"muted: {', '.join(muted)}"] if muted else []

    def refresh_header(self) -> None:
        extra = self.header_notes()
        if self.only:
            extra.append(f"showing {self.only[0]}")
        if self.query_filter:
            extra.append(f"filter: {self.query_filter.text}  ({self.table.row_count} shown)")
        if self.following:
            extra.append(f"following {self.following[:8]}")
        health = self.monitor.poller.health
        # only the table's own style changes (a class on the screen restyles every
        # widget), and only data that was once good can be stale
        self.table.set_class(
            health.last_success is not None and health.stale(self.monitor.now()), "-stale"
        )
        self.query_one(StatusLine).show(
            self.monitor.poller.health,
            self.monitor.now(),
            label=self.monitor.label,
            host=self.monitor.settings.host,
            extra="  ".join(extra),
        )

    # --- filter --------------------------------------------------------------------

    def action_filter(self) -> None:
        box = self.query_one("#filter", Input)
        box.add_class("-visible")
        box.focus()

    @on(Input.Submitted, "#filter")
    def apply_filter_text(self, event: Input.Submitted) -> None:
        self.set_filter(event.value)
        self.table.focus()
        if not self.query_filter:
            event.input.remove_class("-visible")

    def set_filter(self, text: str) -> None:
        try:
            query = Query.parse(text)
        except ValueError as exc:
            self.notify(str(exc), title="Filter", severity="warning")
            return
        self.query_filter = query
        box = self.query_one("#filter", Input)
        if box.value != text:
            box.value = text
        box.set_class(bool(query), "-visible")
        self._apply_filters()

    def show_only(self, session_ids: set[str], label: str) -> None:
        """Drill-down from another view: only these runs, until Escape."""
        self.only = (label, set(session_ids))
        self._apply_filters()
        self.table.focus()

    def _apply_filters(self) -> None:
        store = self.monitor.store
        query = self.query_filter
        only = self.only[1] if self.only else None
        if not query and only is None:
            self.table.set_filter(None)
        else:

            def keep(key: str) -> bool:
                record = store.runs.get(key)
                if record is None or (only is not None and key not in only):
                    return False
                return query.matches(record, store.workflow_name(record.summary.workflow_id))

            self.table.set_filter(keep)
        self.refresh_header()

    def action_clear_filter(self) -> None:
        box = self.query_one("#filter", Input)
        if box.has_focus:
            box.set_class(bool(self.query_filter), "-visible")
            self.table.focus()
            return
        if self.only:
            self.only = None
            self._apply_filters()
        elif self.query_filter:
            self.set_filter("")
        elif self.following:
            self.action_follow()

    def action_status_filter(self, word: str) -> None:
        text = f"status:{word}" if word else ""
        if text and self.query_filter.text == text:
            text = ""
        self.set_filter(text)

    # --- sorting, following, actions ---------------------------------------------------

    def action_cycle_sort(self) -> None:
        index = SORTABLE.index(self.table.sort_column) if self.table.sort_column in SORTABLE else 0
        column = SORTABLE[(index + 1) % len(SORTABLE)]
        self.table.sort_by(column, self.table.sort_reverse)
        label = "dispatch order" if column is None else column
        self.notify(f"sorted by {label}", timeout=2)

    def action_reverse_sort(self) -> None:
        self.table.sort_by(self.table.sort_column, not self.table.sort_reverse)

    def action_follow(self) -> None:
        if self.following:
            self.following = None
            self.notify("stopped following", timeout=2)
        elif (key := self.table.cursor_key) is not None:
            self.following = key
            self.notify(f"following {key[:8]}: the cursor stays on it", timeout=3)
        self.refresh_header()

    def _follow_step(self, changes: object) -> None:
        key = self.following
        record = self.monitor.store.get(key) if key else None
        if record is None:
            self.following = None
            return
        self.table.move_cursor_to_key(key)
        if record.status.terminal:
            self.notify(f"{key[:8]} finished: {record.status.short}", timeout=6)
            self.following = None

    def action_open_run(self) -> None:
        if (key := self.table.cursor_key) is not None:
            self.app.open_run(key)  # type: ignore[attr-defined]

    @on(RunTable.RowSelected)
    def row_selected(self, event: RunTable.RowSelected) -> None:
        self.app.open_run(event.key)  # type: ignore[attr-defined]

    def action_failures(self) -> None:
        self.app.open_failures()  # type: ignore[attr-defined]

    def action_wallboard(self) -> None:
        self.app.open_wallboard()  # type: ignore[attr-defined]

    def action_copy_id(self) -> None:
        if (key := self.table.cursor_key) is not None:
            self.app.copy_to_clipboard(key)
            self.notify(f"copied session id {key[:8]}…", timeout=2)

    def action_export(self) -> None:
        from ccmon.ui.export import ExportScreen

        self.app.push_screen(ExportScreen(self))

    def action_alerts(self) -> None:
        self.app.alerts.open_mute_list()  # type: ignore[attr-defined]

    def action_interrupt(self) -> None:
        if (key := self.table.cursor_key) is not None:
            self.app.interrupt_run(key)  # type: ignore[attr-defined]
