"""The documented global rate limits: sliding windows per API key (or client IP)."""

from __future__ import annotations

import math
from bisect import bisect_right, insort
from dataclasses import dataclass

__all__ = ["WINDOWS", "RateLimiter", "Verdict"]

WINDOWS: tuple[tuple[float, int], ...] = ((1.0, 500), (15.0, 1000), (60.0, 2000))


@dataclass(frozen=True, slots=True)
class Verdict:
    allowed: bool
    limit: int  # the cap of the window that decided
    remaining: int
    reset: int  # seconds until that window frees a slot
    retry_after: int  # seconds (only meaningful when not allowed)

    def headers(self) -> dict[str, str]:
        h = {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(self.remaining),
            "X-RateLimit-Reset": str(self.reset),
        }
        if not self.allowed:
            h["Retry-After"] = str(self.retry_after)
        return h

    def body(self) -> dict[str, object]:
        return {
            "statusCode": 429,
            "error": "Too Many Requests",
            "message": "Too Many Requests",
            "limit": self.limit,
            "remaining": 0,
            "retryAfterSeconds": self.retry_after,
        }


class RateLimiter:
    """Counts accepted requests per identity; rejected requests are not counted."""

    def __init__(self, windows: tuple[tuple[float, int], ...] = WINDOWS) -> None:
        self.windows = windows
        self._span = max(w for w, _ in windows)
        self._hits: dict[str, list[float]] = {}

    def reset(self) -> None:
        self._hits.clear()

    def hit(self, identity: str, now: float) -> Verdict:
        hits = self._hits.setdefault(identity, [])
        old = bisect_right(hits, now - self._span)
        if old:
            del hits[:old]
        blocked: tuple[int, int] | None = None  # (retry_after, cap)
        for width, cap in self.windows:
            first = bisect_right(hits, now - width)  # hits[first:] are inside the window
            count = len(hits) - first
            if count >= cap:
                frees_at = hits[first + count - cap] + width
                retry = max(1, math.ceil(frees_at - now))
                if blocked is None or (retry, -cap) > (blocked[0], -blocked[1]):
                    blocked = (retry, cap)
        if blocked is not None:
            return Verdict(False, blocked[1], 0, blocked[0], blocked[0])
        insort(hits, now)
        best: Verdict | None = None
        for width, cap in self.windows:
            first = bisect_right(hits, now - width)
            remaining = cap - (len(hits) - first)
            reset = max(1, math.ceil(hits[first] + width - now))
            if best is None or remaining < best.remaining:
                best = Verdict(True, cap, remaining, reset, 0)
        assert best is not None
        return best
