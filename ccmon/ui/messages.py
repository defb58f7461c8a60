"""What the sync engine tells the screens, through the app's ``updates`` signal."""

from __future__ import annotations

from dataclasses import dataclass

from ccmon.sync.records import ChangeSet, Health


@dataclass(frozen=True)
class Update:
    """One poll's outcome: what changed, and how the link to the API is doing."""

    changes: ChangeSet
    health: Health
