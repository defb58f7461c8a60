"""Timestamp formatting and strict RFC 3339 parsing (all times are float epoch seconds)."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime

__all__ = ["iso_ms", "iso_s", "iso_us", "parse_datetime", "to_epoch"]

# What ajv-formats (Fastify's validator) accepts as "date-time": a full date, a time and a
# mandatory offset (Z or +hh:mm).
_DATE_TIME = re.compile(
    r"^\d{4}-[01]\d-[0-3]\d[Tt ](?:[0-2]\d:[0-5]\d:[0-5]\d|23:59:60)(?:\.\d+)?"
    r"(?:[Zz]|[+-]\d\d(?::?\d\d)?)$"
)


def iso_s(t: float) -> str:
    """List-row precision: `2026-02-15T10:00:00Z` (truncated to the second)."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(int(t // 1)))


def iso_ms(t: float) -> str:
    """Artefact/error precision: `2026-03-04T14:05:58.004Z`."""
    whole = int(t // 1)
    ms = min(999, round((t - whole) * 1000))
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(whole)) + f".{ms:03d}Z"


def iso_us(t: float) -> str:
    """Recording precision: `2026-03-04T14:06:05.120000+00:00`."""
    return datetime.fromtimestamp(t, UTC).isoformat(timespec="microseconds")


def to_epoch(value: datetime | float | int) -> float:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.timestamp()
    return float(value)


def parse_datetime(text: str) -> float | None:
    """Parse an RFC 3339 date-time with an offset; None when it is not one."""
    if not _DATE_TIME.match(text):
        return None
    norm = text.replace("z", "Z").replace("t", "T")
    # Python < 3.12 wants a colon in the offset and at most 6 fractional digits.
    m = re.match(r"^(.*?)(\.\d+)?([Zz]|[+-]\d\d:?\d\d|[+-]\d\d)$", norm)
    if m is None:  # pragma: no cover - the regex above guarantees a match
        return None
    head, frac, off = m.group(1), m.group(2) or "", m.group(3)
    if off in ("Z", "z"):
        off = "+00:00"
    elif len(off) == 3:
        off += ":00"
    elif ":" not in off:
        off = off[:3] + ":" + off[3:]
    frac = frac[:7]
    leap = head.endswith(":60")
    if leap:
        head = head[:-2] + "59"
    try:
        dt = datetime.fromisoformat(head.replace(" ", "T") + frac + off)
    except ValueError:
        return None
    return dt.timestamp() + (1.0 if leap else 0.0)
