"""Workflow- and credential-level pause windows (set from the dashboard in the real product).

The schedule is a pure function of (seed, hour bucket), so it does not depend on when or how
often the workspace is polled. Windows never cross a bucket boundary.
"""

from __future__ import annotations

import random
from functools import lru_cache
from typing import NamedTuple

from .util import derive_seed

__all__ = ["BUCKET", "PauseSchedule", "Window"]

BUCKET = 3600.0


class Window(NamedTuple):
    start: float
    end: float
    key: str  # a workflow id or a credential (permissioned_user_id)


class PauseSchedule:
    def __init__(
        self,
        seed: int,
        workflow_ids: list[str],
        credential_ids: list[str],
        workflow_rate: float = 0.2,
        credential_rate: float = 0.04,
    ) -> None:
        self._seed = seed
        self._targets = [(w, workflow_rate) for w in workflow_ids] + [
            (c, credential_rate) for c in credential_ids
        ]
        self.windows = lru_cache(maxsize=1024)(self._windows)

    def _windows(self, bucket: int) -> tuple[Window, ...]:
        rng = random.Random(derive_seed(self._seed, "pause", bucket))
        base = bucket * BUCKET
        out: list[Window] = []
        for key, rate in self._targets:
            hit = rng.random() < rate
            length = rng.uniform(120.0, 600.0)
            offset = rng.uniform(0.0, BUCKET - length)
            if hit:
                out.append(Window(base + offset, base + offset + length, key))
        return tuple(out)

    def paused_until(self, keys: tuple[str, ...], t: float) -> float | None:
        """If any of `keys` is paused at `t`, when the last covering window ends."""
        until: float | None = None
        for w in self.windows(int(t // BUCKET)):
            if w.start <= t < w.end and w.key in keys:
                until = w.end if until is None else max(until, w.end)
        return until
