"""Plain-text renderings of a snapshot document: an 80-column table and CSV.

Both read the ``ccmon.snapshot/1`` document (:func:`ccmon.snapshot.document`), never the
store, so every output says the same thing. Names from the API are data: control
characters and escape sequences are made visible, never sent to the terminal.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Mapping
from typing import Any

from ccmon.snapshot import RUN_FIELDS, STATUS_LABELS

WIDTH = 80
# C0 and C1 controls, DEL, and the bidi overrides that can reorder a line.
_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def clean(value: object) -> str:
    """One printable line: a control character shows as its code (``\\x1b`` as ``␛``)."""
    text = "" if value is None else str(value)
    return _UNSAFE.sub(lambda m: _picture(ord(m.group())), text)


def _picture(code: int) -> str:
    return chr(0x2400 + code) if code < 0x20 else "\u2421" if code == 0x7F else f"<U+{code:04X}>"


def cells(text: str) -> int:
    """Terminal columns of ``text``: wide characters take two, combining marks none."""
    return sum(_width(ch) for ch in text)


def _width(ch: str) -> int:
    if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in "WF" else 1


def fit(text: str, width: int, right: bool = False) -> str:
    """``text`` cut with ``…`` and padded to exactly ``width`` columns."""
    text = clean(text)
    if cells(text) > width:
        while text and cells(text) > width - 1:
            text = text[:-1]
        text += "…"
    pad = " " * (width - cells(text))
    return pad + text if right else text + pad


def duration(value: float | None) -> str:
    """``42s``, ``3m05s``, ``2h14m``, ``3d04h``; ``-`` for none."""
    if value is None:
        return "-"
    secs = int(max(0.0, value))
    if secs < 60:
        return f"{secs}s"
    minutes, secs = divmod(secs, 60)
    if minutes < 60:
        return f"{minutes}m{secs:02d}s"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours}h{minutes:02d}m"
    days, hours = divmod(hours, 24)
    return f"{days}d{hours:02d}h"


def _errors(run: Mapping[str, Any]) -> str:
    errors, recovered = run.get("errors"), run.get("recovered")
    if errors is None:
        return "-"
    return f"{errors} ({recovered}r)" if recovered else str(errors)


# (title, width, right-aligned)
COLUMNS = (
    ("STATUS", 9, False),
    ("PRIO", 7, False),
    ("WORKFLOW", 22, False),
    ("SESSION", 8, False),
    ("WAITED", 7, True),
    ("RAN", 7, True),
    ("ERRORS", 7, True),
)


def _row(values: list[str]) -> str:
    parts = [fit(v, w, right) for v, (_, w, right) in zip(values, COLUMNS, strict=True)]
    return "  ".join(parts).rstrip()


def _run_cells(run: Mapping[str, Any]) -> list[str]:
    status = str(run["status"])
    return [
        STATUS_LABELS.get(status, status.removeprefix("execution.")),
        run["priority"] or "?",
        run["workflow_name"] or run["workflow_id"] or "?",
        str(run["session_id"])[:8],
        duration(run["queue_wait_s"]),
        duration(run["run_time_s"]),
        _errors(run),
    ]


def table(doc: Mapping[str, Any], limit: int = 20) -> str:
    """The counts, the queue per priority and the first ``limit`` runs (0: all)."""
    health = doc["health"]
    state = "ok" if health["ok"] else f"ERROR {health['error']}"
    source = doc["source"]
    head = f"ccmon snapshot  {source['host']}  profile {source['profile']}  {doc['generated_at']}"
    lines = [fit(f"{head}  {state}", WIDTH).rstrip()]
    runs: list[Mapping[str, Any]] = doc["runs"]
    what = f"{len(runs)} runs in the last {doc['window_hours']:g}h"
    if doc.get("filter"):
        what += f" matching {doc['filter']}"
    lines.append(fit(what, WIDTH).rstrip())
    counts = "  ".join(f"{name} {n}" for name, n in doc["counts"].items())
    lines.append(fit(counts, WIDTH).rstrip())
    lines += ["", "PRIORITY  WAITING  RUNNING  OLDEST WAIT"]
    for prio, entry in doc["queue"].items():
        flag = "  STARVING" if entry.get("starving") else ""
        lines.append(
            f"{prio:<8}  {entry['waiting']:>7}  {entry['running']:>7}  "
            f"{duration(entry['oldest_wait_s'])}{flag}"
        )
    if not runs:
        lines += ["", "no runs match the filter" if doc.get("filter") else "no runs in the window"]
        return "\n".join(lines) + "\n"
    lines += ["", _row([title for title, _, _ in COLUMNS])]
    shown = runs if limit <= 0 else runs[:limit]
    lines += [_row(_run_cells(run)) for run in shown]
    if len(shown) < len(runs):
        more = len(runs) - len(shown)
        lines.append(f"… {more} more (--limit 0 shows all; --json or --csv for scripts)")
    return "\n".join(lines) + "\n"


def to_csv(doc: Mapping[str, Any]) -> str:
    """One row per run, the JSON ``runs`` fields as columns; empty for null."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(RUN_FIELDS)
    for run in doc["runs"]:
        writer.writerow([_csv_cell(run.get(name)) for name in RUN_FIELDS])
    return out.getvalue()


def _csv_cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return clean(value)
