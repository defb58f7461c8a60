"""Pure rendering for the run detail screen: API data in, rich renderables out.

Nothing here touches Textual or the network, so every function can be tested alone.
Every API string goes through :mod:`ccmon.ui.text` (``safe``/``clean``/``clean_block``)
and becomes a ``Text``; nothing is ever parsed as markup. Credentials are masked and
signed URLs redacted here, once, so no pane can forget to.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from rich.console import Group, RenderableType
from rich.style import Style
from rich.table import Table
from rich.text import Text

from ccmon.api.models import MASK, RunDetail, RunError
from ccmon.sync.records import RunRecord
from ccmon.ui.text import (
    clean,
    clean_block,
    duration,
    is_web_url,
    priority_text,
    redact_url,
    relative,
    safe,
    stamp,
    status_text,
)

PALETTE_ROLES = (
    "label",
    "muted",
    "warning",
    "error",
    "success",
    "accent",
    "recovered",
    "unrecovered",
)
PRIORITY_SOURCE = {
    "journal": "started by ccmon",
    "config": "workflow default",
    "api": "API",
}
VAULT_SHOWN = ("user_alias", "domain")  # the only vault-entry values ever displayed
PREVIEW_LINES = 20
TEXT_LIMIT = 2000  # characters of one API string shown in a pane
VALUE_LIMIT = 300  # characters of one input value


@dataclass(frozen=True)
class Palette:
    """Rich styles by role. The screen fills them from ``styles/detail.tcss``
    (component classes ``detail--<role>``), so the theme decides every colour."""

    label: Style = field(default_factory=Style)
    muted: Style = field(default_factory=Style)
    warning: Style = field(default_factory=Style)
    error: Style = field(default_factory=Style)
    success: Style = field(default_factory=Style)
    accent: Style = field(default_factory=Style)
    recovered: Style = field(default_factory=Style)
    unrecovered: Style = field(default_factory=Style)


PLAIN = Palette()


def _grid(palette: Palette) -> Table:
    table = Table.grid(padding=(0, 1), expand=True)
    table.add_column(style=palette.label, no_wrap=True, width=12)
    table.add_column(ratio=1, overflow="fold")
    return table


def _join(*parts: Text | str, sep: str = " · ") -> Text:
    out = Text()
    for part in parts:
        if not part:
            continue
        if out:
            out.append(sep)
        out.append(part)
    return out


def _yes_no(value: bool | None) -> str:
    return "unknown" if value is None else ("yes" if value else "no")


# --- overview --------------------------------------------------------------------------


def priority_line(record: RunRecord | None, palette: Palette = PLAIN) -> Text:
    if record is None or record.priority is None:
        return Text("unknown", style=palette.muted)
    source = PRIORITY_SOURCE.get(record.priority_source or "", "source unknown")
    return Text.assemble(priority_text(record.priority), f" ({source})")


def masked_inputs(detail: RunDetail, secret_keys: Iterable[str] = ()) -> dict[str, Any]:
    """Input variables with encrypted keys masked, and vault references too: a key that
    names a vault entry (or a vault_schema alias) holds a credential id, not data."""
    hidden = set(secret_keys) | set(detail.vault_entries or {})
    return {k: MASK if k in hidden else v for k, v in detail.masked_inputs().items()}


def _value(value: Any) -> str:
    if isinstance(value, str):
        return clean(value, VALUE_LIMIT)
    try:
        text = json.dumps(value, ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        text = repr(value)
    return clean(text, VALUE_LIMIT)


def credential_lines(detail: RunDetail, palette: Palette = PLAIN) -> list[Text]:
    """One line per vault entry: alias key, user_alias and domain; the rest masked."""
    lines: list[Text] = []
    for alias, entry in (detail.vault_entries or {}).items():
        line = Text.assemble(safe(alias, limit=60), ": ")
        if not isinstance(entry, dict):
            line.append(MASK, style=palette.muted)
            lines.append(line)
            continue
        line.append(clean(entry.get("user_alias") or "(no alias)", 80))
        if entry.get("domain"):
            line.append(" @ ")
            line.append(redact_url(clean(entry.get("domain"), 120)))
        hidden = [key for key in entry if key not in VAULT_SHOWN]
        if hidden:
            line.append("  ")
            line.append(
                "  ".join(f"{clean(key, 30)} {MASK}" for key in hidden), style=palette.muted
            )
        lines.append(line)
    return lines


def output_json(data: Any) -> str:
    """The output data model, pretty-printed (untrusted: clean before showing)."""
    try:
        text = json.dumps(data, indent=2, ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        text = repr(data)
    return clean_block(text)


def output_preview(data: Any, lines: int = PREVIEW_LINES) -> tuple[Text, int]:
    """The first ``lines`` lines of the output data, and how many lines it has in all."""
    if data in (None, {}, []):
        return Text("(none)"), 0
    all_lines = output_json(data).split("\n")
    shown = Text("\n".join(all_lines[:lines]), no_wrap=False)
    return shown, len(all_lines)


def overview(
    record: RunRecord | None,
    detail: RunDetail | None,
    *,
    session_id: str,
    workflow_name: str | None,
    now: datetime,
    secret_keys: Iterable[str] = (),
    palette: Palette = PLAIN,
) -> RenderableType:
    table = _grid(palette)
    status = record.status if record else (detail.status if detail else None)
    table.add_row("run", safe(session_id))
    table.add_row("status", status_text(status) if status else Text("unknown"))
    table.add_row("priority", priority_line(record, palette))
    workflow_id = (record.summary.workflow_id if record else None) or (
        detail.workflow_id if detail else None
    )
    table.add_row(
        "workflow",
        _join(safe(workflow_name or "(name unknown)"), safe(workflow_id or "no workflow id")),
    )
    summary = record.summary if record else None
    table.add_row("created", stamp(summary.created_at if summary else None))
    table.add_row("started", stamp(summary.execution_start if summary else None))
    table.add_row("ended", stamp(summary.execution_end if summary else None))
    if record is not None:
        waited, ran = record.queue_wait(now), record.run_time(now)
        table.add_row("waited", f"{duration(waited) or '—'}   ran {duration(ran) or '—'}")
    table.add_row("dry run", _yes_no(summary.dry_run if summary else None))
    if detail is None:
        table.add_row("detail", Text("loading…", style=palette.muted))
        return table
    table.add_row("retries", str(detail.session_retries or 0))
    creds = credential_lines(detail, palette) or [Text("none", style=palette.muted)]
    for index, line in enumerate(creds):
        table.add_row("credentials" if index == 0 else "", line)
    inputs = masked_inputs(detail, secret_keys)
    if not inputs:
        table.add_row("inputs", Text("none", style=palette.muted))
    for index, (key, value) in enumerate(inputs.items()):
        style = palette.muted if value == MASK else ""
        line = Text.assemble(safe(key, limit=60), " = ", Text(_value(value), style=style))
        table.add_row("inputs" if index == 0 else "", line)
    preview, total = output_preview(detail.data)
    table.add_row("output", preview)
    if total > PREVIEW_LINES:
        more = f"… {total - PREVIEW_LINES} more lines: press d to see all"
        table.add_row("", Text(more, style=palette.accent))
    return table


# --- errors ----------------------------------------------------------------------------


def error_summary(detail: RunDetail | None, palette: Palette = PLAIN) -> Text:
    if detail is None:
        return Text("loading…", style=palette.muted)
    errors = detail.error_list
    retries = f"session_retries: {detail.session_retries or 0}"
    if not errors:
        return Text(f"no errors · {retries}", style=palette.success)
    return Text(
        f"was_recovered: {_yes_no(detail.was_recovered)} · "
        f"{detail.recovered_count} of {len(errors)} errors recovered · {retries}"
    )


def error_block(
    number: int,
    error: RunError,
    *,
    recovered: bool,
    node_name: str | None,
    palette: Palette = PLAIN,
) -> RenderableType:
    head = Text(f"#{number} ")
    head.append(safe(error.llm_error_category or "uncategorised", limit=80))
    if error.llm_error_sub_type:
        head.append(" / ")
        head.append(safe(error.llm_error_sub_type, limit=80))
    head.append(f" · {error.family}  ")
    if recovered:
        head.append(" RECOVERED ", style=palette.recovered)
    else:
        head.append(" NOT RECOVERED ", style=palette.unrecovered)
    table = _grid(palette)

    def row(label: str, value: str | None, style: str | Style = "") -> None:
        if value:
            table.add_row(label, Text(clean_block(value, TEXT_LIMIT), style=style))

    row("explanation", error.llm_error_description)
    row("message", error.message)
    row("original", error.original_error)
    action = " · ".join(clean(v, 120) for v in (error.action_type, error.action_display_name) if v)
    row("action", action)
    row("url", redact_url(error.full_url) if error.full_url else None)
    row("error code", error.error_code)
    table.add_row("time", stamp(error.created_at))
    if error.node_id or node_name:
        node = _join(safe(node_name or "(unknown node)", limit=120), safe(error.node_id or ""))
        table.add_row("node", node)
    return Group(head, table)


# --- links (artifacts and debug snapshots) ---------------------------------------------


@dataclass(frozen=True)
class Link:
    """A signed URL the user can copy or open. ``url`` is the secret: never displayed."""

    kind: str  # recording, file, screenshot, page snapshot
    label: str  # already cleaned
    url: str | None
    expires: datetime | None
    error_shot: bool = False  # a screenshot taken when a node failed
    note: str = ""


def artifact_links(detail: RunDetail | None) -> list[Link]:
    if detail is None:
        return []
    links: list[Link] = []
    for video in detail.video_urls or []:
        links.append(
            Link(
                "recording",
                clean(stamp(video.timestamp)),
                video.signed_screen_recording_url,
                video.signed_screen_recording_url_expires,
            )
        )
    for item in detail.file_urls or []:
        links.append(
            Link(
                "file",
                clean(item.file_name or "(unnamed file)", 120),
                item.signed_file_url,
                item.signed_file_url_expires,
            )
        )
    for shot in detail.screenshot_urls or []:
        links.append(
            Link(
                "screenshot",
                clean(shot.node_display_name or "(unnamed node)", 120),
                shot.signed_screenshot_url,
                shot.signed_screenshot_url_expires,
                error_shot=bool(shot.error_screenshot),
            )
        )
    return links


def expiry(expires: datetime | None, now: datetime, palette: Palette = PLAIN) -> Text:
    if expires is None:
        return Text("expiry unknown", style=palette.muted)
    when = relative(expires, now)
    if expires <= now:
        return Text(f"EXPIRED {when}", style=palette.warning)
    return Text(f"expires {when}", style=palette.muted)


def link_prompt(link: Link, now: datetime, palette: Palette = PLAIN) -> Text:
    """Two lines: what it is and when it expires; then the redacted URL."""
    line = Text.assemble((link.kind, palette.accent), " · ", link.label)
    if link.error_shot:
        line.append(" · ")
        line.append("error screenshot", style=palette.error)
    line.append("  ")
    line.append_text(expiry(link.expires, now, palette))
    if link.note:
        line.append(f" ({link.note})", style=palette.muted)
    line.append("\n  ")
    if not link.url:
        line.append("(no URL)", style=palette.muted)
    elif not is_web_url(link.url):
        line.append("not an http(s) link, will not be opened: ", style=palette.warning)
        line.append(redact_url(clean(link.url, 80)), style=palette.muted)
    else:
        line.append(short_url(link.url), style=palette.muted)
    return line


def short_url(url: str, limit: int = 72) -> str:
    """A redacted URL that fits one line: the middle of a long path becomes "…"."""
    text = redact_url(url)
    if len(text) <= limit:
        return text
    parts = urlsplit(text)
    head = f"{parts.scheme}://{parts.netloc}/…/"
    tail = parts.path.rsplit("/", 1)[-1] + ("?…" if parts.query else "")
    room = max(8, limit - len(head))
    if len(tail) > room:
        tail = "…" + tail[-(room - 1) :]
    return head + tail
