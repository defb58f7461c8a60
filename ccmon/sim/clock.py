"""Clocks for the simulator: the real wall clock and a manually driven one for tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol, runtime_checkable

__all__ = ["Clock", "ManualClock", "SystemClock"]


@runtime_checkable
class Clock(Protocol):
    """Anything that can tell the current time as a timezone-aware UTC datetime."""

    def now(self) -> datetime: ...


class SystemClock:
    """The wall clock."""

    def now(self) -> datetime:
        return datetime.now(UTC)

    def __repr__(self) -> str:
        return "SystemClock()"


class ManualClock:
    """A clock that only moves when told to (tests, reproducible demos)."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = _aware(start) if start is not None else datetime(2026, 3, 4, 14, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self._now

    def advance(self, seconds: float) -> datetime:
        """Move the clock forward by `seconds` (must not be negative); return the new time."""
        if seconds < 0:
            raise ValueError("ManualClock.advance() takes a non-negative number of seconds")
        self._now = self._now + timedelta(seconds=seconds)
        return self._now

    def set(self, dt: datetime) -> None:
        """Jump to `dt`. The simulated workspace never goes back in time: a jump backwards
        only delays further progress until the clock passes the workspace's time again."""
        self._now = _aware(dt)

    def __repr__(self) -> str:
        return f"ManualClock({self._now.isoformat()})"


def _aware(dt: datetime) -> datetime:
    if dt.tzinfo is None:
        return dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC)
