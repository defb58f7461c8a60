"""``e`` on the main screen: the rows the table shows, in its order, to CSV or JSON.

The columns are the table's (as shown: status, priority, workflow, age, wait, ran,
retries, errors, dry run) plus the snapshot's run fields (session and workflow ids, ISO
times, priority source). Every string goes through :func:`ccmon.ui.text.clean`; no
inputs, credentials or links are in a row to begin with.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, RadioButton, RadioSet, Static

from ccmon.snapshot import iso, run_row
from ccmon.ui.rows import COLUMNS
from ccmon.ui.text import clean

if TYPE_CHECKING:
    from ccmon.ui.screens.main import MainScreen

SCHEMA = "ccmon.export/1"
FIELDS = (
    *(column.key for column in COLUMNS),
    "session_id",
    "workflow_id",
    "workflow_name",
    "priority_source",
    "created_at",
    "execution_start",
    "execution_end",
    "queue_wait_s",
    "run_time_s",
    "recovered",
)


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        return clean(value)
    return value


def export_rows(screen: MainScreen) -> list[dict[str, Any]]:
    """The shown rows, in display order: the table's cells as text plus the run fields."""
    monitor, rows = screen.monitor, screen.rows
    store, now = monitor.store, monitor.now()
    rows.tick()
    found: list[dict[str, Any]] = []
    for key in screen.table.ordered_keys():
        record = store.get(key)
        if record is None:
            continue
        cells = {c.key: cell.plain for c, cell in zip(COLUMNS, rows.row_cells(key), strict=True)}
        fields = run_row(record, store, now)
        fields["errors"] = cells["errors"].replace("·", "")
        row = {name: cells.get(name, fields.get(name)) for name in FIELDS}
        found.append({name: _clean(value) for name, value in row.items()})
    return found


def to_csv(rows: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(FIELDS)
    for row in rows:
        writer.writerow(["" if row[name] is None else row[name] for name in FIELDS])
    return out.getvalue()


def to_json(rows: list[dict[str, Any]], filter_text: str, now: datetime) -> str:
    doc = {"schema": SCHEMA, "generated_at": iso(now), "filter": filter_text or None, "runs": rows}
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def default_path(fmt: str, now: datetime) -> str:
    return f"~/ccmon-export-{now.astimezone():%Y%m%d-%H%M%S}.{fmt}"


def write_export(screen: MainScreen, fmt: str, path: str) -> tuple[Path, int]:
    """Write the shown rows to ``path`` (never over an existing file); raises OSError."""
    rows = export_rows(screen)
    text = (
        to_csv(rows)
        if fmt == "csv"
        else to_json(rows, screen.query_filter.text, screen.monitor.now())
    )
    target = Path(path).expanduser()
    with target.open("x", encoding="utf-8", newline="") as out:
        out.write(text)
    return target, len(rows)


class ExportScreen(ModalScreen[None]):
    """Format and path; Enter writes, Escape cancels."""

    DEFAULT_CSS = """
    ExportScreen { align: center middle; }
    ExportScreen > Vertical {
        width: 70; max-width: 95%; height: auto; border: thick $accent;
        background: $panel; padding: 1 2;
    }
    ExportScreen RadioSet { layout: horizontal; height: auto; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, main: MainScreen) -> None:
        super().__init__()
        self.main = main
        self.fmt = "csv"

    def compose(self) -> ComposeResult:
        shown = self.main.table.row_count
        with Vertical():
            yield Static(Text(f"Export the {shown} shown runs (Enter writes, Escape cancels)"))
            with RadioSet(id="export-format"):
                yield RadioButton("CSV", value=True, id="fmt-csv")
                yield RadioButton("JSON", id="fmt-json")
            yield Input(default_path("csv", datetime.now()), id="export-path")

    def on_mount(self) -> None:
        self.query_one("#export-path", Input).focus()

    @on(RadioSet.Changed)
    def format_changed(self, event: RadioSet.Changed) -> None:
        self.fmt = "json" if event.pressed.id == "fmt-json" else "csv"
        box = self.query_one("#export-path", Input)
        stem, dot, ext = box.value.rpartition(".")
        if dot and ext in ("csv", "json"):
            box.value = f"{stem}.{self.fmt}"

    @on(Input.Submitted, "#export-path")
    def submitted(self, event: Input.Submitted) -> None:
        try:
            target, count = write_export(self.main, self.fmt, event.value.strip())
        except FileExistsError:
            self.notify("that file exists: choose another name", severity="warning")
            return
        except OSError as exc:
            self.notify(clean(f"export failed: {exc}", 300), severity="error", markup=False)
            return
        self.app.notify(f"exported {count} runs to {clean(target)}", markup=False, timeout=6)
        self.dismiss(None)

    def action_cancel(self) -> None:
        self.dismiss(None)
