"""Plain-text pieces of the health line that the sync layer can word on its own.

No Textual and no styling here: the UI cleans and styles what these return.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

__all__ = ["PLACEHOLDER_PREFIX", "known_ids", "unreadable_note"]

# RunStore.invalid keys rows whose session_id could not be read with this prefix.
PLACEHOLDER_PREFIX = "?"


def known_ids(invalid: Mapping[str, str]) -> tuple[str, ...]:
    """The session ids of the unreadable rows, where the row still named its run."""
    return tuple(key for key in invalid if not key.startswith(PLACEHOLDER_PREFIX))


def unreadable_note(count: int, ids: Iterable[str] = (), shown: int = 3) -> str:
    """``"3 unreadable rows (ids 1a2b3c4d, 5e6f7a8b +1)"``; empty when ``count`` is 0.

    Ids are cut to their first 8 characters (what the queue table shows), so the
    person can find the run with the filter ``id:1a2b3c4d``.
    """
    if count <= 0:
        return ""
    note = f"{count} unreadable row{'' if count == 1 else 's'}"
    heads = [sid[:8] for sid in ids if sid]
    if not heads:
        return note
    listed = ", ".join(heads[:shown])
    more = f" +{len(heads) - shown}" if len(heads) > shown else ""
    return f"{note} (id{'' if len(heads) == 1 else 's'} {listed}{more})"
