"""A screen's clock: it wakes the screen when what it shows can next read otherwise.

A monitor left alone shows little that moves by the second: a finished run's age moves
by the minute, and the header shows the time of the last poll. Waking every second all
the same was most of an idle ccmon's CPU: on the standard box a Textual timer that fires
once a second and does nothing costs half a percent of a core. So a screen says when it
next needs to redraw, and its clock wakes it then (and at least once a minute).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from textual.timer import Timer
from textual.widget import Widget

SOONEST = 0.05  # seconds: a moment already past is drawn now, not in a busy loop
LATEST = 60.0  # seconds: look again at least this often (a clock set back, a missed cue)


class ScreenClock:
    """One pending wake-up of ``tick``; a new one replaces it."""

    def __init__(self, owner: Widget, tick: Callable[[], None]) -> None:
        self._owner = owner
        self._tick = tick
        self._timer: Timer | None = None
        self.delay: float | None = None
        """Seconds from the last :meth:`wake_at` to the wake-up it set."""

    def wake_at(self, moment: datetime | None, now: datetime) -> None:
        """Call ``tick`` at ``moment`` on the clock ``now`` reads from (None: only to
        look again, in a minute)."""
        delay = LATEST if moment is None else (moment - now).total_seconds()
        self.delay = min(LATEST, max(SOONEST, delay))
        self.stop()
        self._timer = self._owner.set_timer(self.delay, self._fire, name="screen-clock")

    def stop(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None

    def _fire(self) -> None:
        self._timer = None
        self._tick()
