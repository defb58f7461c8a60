"""Failures grouped by fingerprint (category, sub-type, action, workflow), newest first."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from ccmon.sync import metrics as sync_metrics
from ccmon.sync.metrics import FailureGroup
from ccmon.ui import text as fmt
from ccmon.ui.messages import Update
from ccmon.ui.widgets.keybar import KeyBar
from ccmon.ui.widgets.status_line import StatusLine


def group_line(group: FailureGroup, workflow_name: str | None, now: object) -> Text:
    fp = group.fingerprint
    line = Text(no_wrap=True, overflow="ellipsis")
    line.append(f"{group.count:>5} ", style="bold red")
    line.append(f"{fmt.relative(group.last_seen, now):>10}  ", style="dim")  # type: ignore[arg-type]
    line.append(fmt.clean(fp.category, 40), style="bold")
    if fp.sub_type:
        line.append(" / " + fmt.clean(fp.sub_type, 40))
    if fp.action:
        line.append("  " + fmt.clean(fp.action, 40), style="cyan")
    line.append("  " + fmt.clean(workflow_name or fp.workflow_id[:8] or "?", 40), style="magenta")
    return line


class FailuresScreen(Screen[None]):
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("enter", "show_group", "Show runs"),
    ]

    def compose(self) -> ComposeResult:
        yield StatusLine(id="status-line")
        yield Static(
            Text("Failures in the window, grouped by category · sub-type · action · workflow"),
            id="failures-title",
        )
        yield OptionList(id="failure-groups")
        yield KeyBar()

    @property
    def monitor(self):
        return self.app.monitor  # type: ignore[attr-defined]

    def on_mount(self) -> None:
        self.groups: list[FailureGroup] = []
        self.app.updates.subscribe(self, self.apply_update)  # type: ignore[attr-defined]
        self.refresh_groups()
        self.query_one(OptionList).focus()

    def apply_update(self, update: Update) -> None:
        self.refresh_groups()

    def refresh_groups(self) -> None:
        monitor = self.monitor
        now = monitor.now()
        self.groups = sync_metrics.compute(monitor.store, now).groups
        # Failures whose detail is not here yet: ask for them while this view is open.
        monitor.poller.want_details(
            sid
            for group in self.groups
            if group.fingerprint.category == sync_metrics.PENDING
            for sid in group.session_ids
        )
        options = self.query_one(OptionList)
        highlighted = options.highlighted
        options.clear_options()
        if not self.groups:
            options.add_option(
                Option(Text("no failures in the window", style="dim"), disabled=True)
            )
        for index, group in enumerate(self.groups):
            name = monitor.store.workflow_name(group.fingerprint.workflow_id)
            options.add_option(Option(group_line(group, name, now), id=str(index)))
        if self.groups:
            options.highlighted = min(highlighted or 0, len(self.groups) - 1)
        pending = sum(
            g.count for g in self.groups if g.fingerprint.category == sync_metrics.PENDING
        )
        self.query_one(StatusLine).show(
            monitor.poller.health,
            now,
            label=monitor.label,
            host=monitor.settings.host,
            extra=f"{pending} failures still loading details" if pending else "",
        )

    def action_show_group(self) -> None:
        index = self.query_one(OptionList).highlighted
        if index is None or index >= len(self.groups):
            return
        group = self.groups[index]
        name = self.monitor.store.workflow_name(group.fingerprint.workflow_id)
        label = group.fingerprint.label(name)
        self.app.show_runs(group.session_ids, label)  # type: ignore[attr-defined]

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.action_show_group()
