"""Simulator configuration."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

__all__ = ["SimConfig"]


@dataclass
class SimConfig:
    seed: int = 1
    history: int = 0  # past runs pre-filled, spread over `history_window`
    history_window: timedelta = timedelta(hours=24)
    workers: int = 8  # dispatcher concurrency
    arrival_per_min: float = 12.0  # autonomous arrivals (0 = none)
    hostile: bool = False
    api_keys: frozenset[str] = frozenset({"demo-key"})
    max_lookback: timedelta = timedelta(days=31)
    slow_seconds: float = 5.0  # delay for the "slow" fault
    timeout_seconds: float = 30.0  # how long the "timeout" fault stalls before answering
    snapshot_ttl: timedelta = timedelta(hours=1)
    file_url_ttl: timedelta = timedelta(days=7)
