"""Safe text and compact formats for the UI.

Every string from the API is data. It becomes a ``rich.text.Text`` here, never markup:
control characters and escape sequences are made visible (``\\x1b`` shows as ``␛``),
so ``[bold]`` and ANSI codes in an error message show literally and harmlessly.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit, urlunsplit

from rich.text import Text

from ccmon.api.models import Priority, Status

# C0 and C1 controls, DEL, and bidi overrides/isolates that can reorder a line.
_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_PICTURE = {0x1B: "␛", 0x07: "␇", 0x08: "␈", 0x0D: "␍", 0x0A: "␊", 0x09: "␉", 0x00: "␀"}


def _show(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code in _PICTURE:
        return _PICTURE[code]
    if code < 0x20:
        return chr(0x2400 + code)
    return f"<U+{code:04X}>"


def clean(value: object, limit: int | None = None) -> str:
    """A single-line, printable rendering of an untrusted value."""
    text = value if isinstance(value, str) else ("" if value is None else str(value))
    if limit is not None and len(text) > limit:
        text = text[: max(0, limit - 1)] + "…"
    return _UNSAFE.sub(_show, text)


def clean_block(value: object, limit: int | None = None) -> str:
    """Like :func:`clean` but keeps newlines (for multi-line messages and data)."""
    text = value if isinstance(value, str) else ("" if value is None else str(value))
    if limit is not None and len(text) > limit:
        text = text[: max(0, limit - 1)] + "…"
    return "\n".join(_UNSAFE.sub(_show, line) for line in text.split("\n"))


def safe(value: object, style: str = "", limit: int | None = None) -> Text:
    """Untrusted text as a Text object: never parsed as markup."""
    return Text(clean(value, limit), style=style, no_wrap=False)


# --- glyphs and colours ------------------------------------------------------------------

STATUS_STYLE: dict[str, tuple[str, str]] = {
    # short status -> (glyph, style); the word is always shown too, so no colour is needed
    "queued": ("◷", "cyan"),
    "start": ("▶", "bold blue"),
    "paused": ("‖", "magenta"),
    "requeued": ("↻", "yellow"),
    "success": ("✔", "green"),
    "failed": ("✘", "bold red"),
    "stopped": ("■", "dim"),
}
STATUS_WORD = {"start": "running"}
PRIORITY_STYLE = {Priority.HIGH: "bold red", Priority.MEDIUM: "yellow", Priority.LOW: "cyan"}


def status_word(status: Status) -> str:
    return STATUS_WORD.get(status.short, clean(status.short, 12))


def status_text(status: Status) -> Text:
    glyph, style = STATUS_STYLE.get(status.short, ("?", "reverse"))
    return Text(f"{glyph} {status_word(status)}", style=style)


def priority_text(priority: Priority | None) -> Text:
    if priority is None:
        return Text("?", style="dim")
    return Text(priority.value, style=PRIORITY_STYLE[priority])


# --- numbers and times ----------------------------------------------------------------


def short_id(session_id: str) -> str:
    return clean(session_id[:8])


def duration(delta: timedelta | None) -> str:
    """``42s``, ``3m05s``, ``2h14m``, ``3d04h``; empty for None."""
    if delta is None:
        return ""
    seconds = int(max(0, delta.total_seconds()))
    if seconds < 60:
        return f"{seconds}s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes}m{seconds:02d}s"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours}h{minutes:02d}m"
    days, hours = divmod(hours, 24)
    return f"{days}d{hours:02d}h"


def age(moment: datetime | None, now: datetime) -> str:
    return "" if moment is None else duration(now - moment)


def relative(moment: datetime | None, now: datetime) -> str:
    """``in 6d04h`` / ``5m ago``."""
    if moment is None:
        return "unknown"
    delta = moment - now
    if delta.total_seconds() >= 0:
        return f"in {duration(delta)}"
    return f"{duration(-delta)} ago"


def stamp(moment: datetime | None) -> str:
    return "—" if moment is None else moment.strftime("%Y-%m-%d %H:%M:%S UTC")


def clock(moment: datetime) -> str:
    """``14:03:07Z``: the time of day in UTC, as the detail pane's stamps."""
    return f"{moment.astimezone(UTC):%H:%M:%S}Z"


# --- links ----------------------------------------------------------------------------


def is_web_url(url: object) -> bool:
    """Only http(s) links are ever opened or copied."""
    if not isinstance(url, str) or _UNSAFE.search(url):
        return False
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def redact_url(url: object) -> str:
    """A signed URL for display: the query (its token) hidden."""
    text = clean(url)
    try:
        parts = urlsplit(text)
    except ValueError:
        return text
    if not parts.query:
        return text
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "…", ""))
