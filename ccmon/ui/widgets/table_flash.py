"""Rows that flash for a moment after they change (no Textual here)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from time import monotonic
from typing import Any

__all__ = ["Flashes"]

SetTimer = Callable[[float, Callable[[], None]], Any]


class Flashes:
    """Flashing row keys and when each flash ends, with one timer for all of them, set
    for the earliest end; ``on_expired`` gets the keys whose flash just ended."""

    def __init__(self, set_timer: SetTimer, on_expired: Callable[[set[str]], None]) -> None:
        self._until: dict[str, float] = {}
        self._set_timer = set_timer
        self._on_expired = on_expired
        self._timer: Any = None

    def __contains__(self, key: object) -> bool:
        return key in self._until

    def start(self, keys: Iterable[str], seconds: float) -> None:
        until = monotonic() + seconds
        for key in keys:
            self._until[key] = until
        self._schedule()

    def discard(self, key: str) -> None:
        self._until.pop(key, None)

    def clear(self) -> None:
        self._until.clear()

    def _schedule(self) -> None:
        if self._timer is None and self._until:
            delay = min(self._until.values()) - monotonic()
            self._timer = self._set_timer(max(0.01, delay), self._expire)

    def _expire(self) -> None:
        self._timer = None
        now = monotonic() + 0.01
        expired = {key for key, until in self._until.items() if until <= now}
        for key in expired:
            del self._until[key]
        self._on_expired(expired)
        self._schedule()
