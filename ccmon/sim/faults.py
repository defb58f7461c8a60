"""Fault injection: per-route, per-kind, with a rate drawn from a seeded RNG."""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from .util import derive_seed

__all__ = [
    "BODY_KINDS",
    "DELAY_KINDS",
    "KINDS",
    "ROUTES",
    "STATUS_KINDS",
    "ConnectionDropped",
    "Fault",
    "FaultSet",
]

ROUTES: tuple[str, ...] = ("runs", "run", "snapshots", "workflows", "all")
STATUS_KINDS: frozenset[str] = frozenset({"500", "502", "503", "429", "401", "403"})
DELAY_KINDS: frozenset[str] = frozenset({"timeout", "slow"})
BODY_KINDS: frozenset[str] = frozenset({"truncate", "types", "enum", "extra"})
KINDS: tuple[str, ...] = (
    "500",
    "502",
    "503",
    "429",
    "401",
    "403",
    "timeout",
    "drop",
    "truncate",
    "types",
    "enum",
    "extra",
    "slow",
)


class ConnectionDropped(Exception):
    """Raised by the app after starting a response, to make the server drop the connection.

    SimTransport turns it into httpx.RemoteProtocolError; under uvicorn the socket is closed
    after the headers, so clients see an incomplete response.
    """


@dataclass(frozen=True)
class Fault:
    route: str  # "runs" | "run" | "snapshots" | "workflows" | "all"
    kind: str  # one of KINDS
    rate: float = 1.0

    def __post_init__(self) -> None:
        if self.route not in ROUTES:
            raise ValueError(
                f"unknown fault route {self.route!r} (expected one of: {', '.join(ROUTES)})"
            )
        if self.kind not in KINDS:
            raise ValueError(
                f"unknown fault kind {self.kind!r} (expected one of: {', '.join(KINDS)})"
            )
        rate = self.rate
        if isinstance(rate, bool) or not isinstance(rate, int | float) or not 0.0 <= rate <= 1.0:
            raise ValueError(f"fault rate must be a number between 0 and 1, got {rate!r}")

    @classmethod
    def parse(cls, spec: str) -> Fault:
        """Parse `ROUTE:KIND[:RATE]`, e.g. "runs:500" or "all:timeout:0.1"."""
        parts = spec.strip().split(":")
        if len(parts) not in (2, 3) or not all(parts):
            raise ValueError(
                f"invalid fault spec {spec!r}: expected ROUTE:KIND[:RATE], "
                "e.g. runs:500 or all:timeout:0.1"
            )
        rate = 1.0
        if len(parts) == 3:
            try:
                rate = float(parts[2])
            except ValueError:
                raise ValueError(
                    f"invalid fault spec {spec!r}: rate {parts[2]!r} is not a "
                    "number between 0 and 1"
                ) from None
        return cls(parts[0].strip().lower(), parts[1].strip().lower(), rate)

    @classmethod
    def from_json(cls, obj: Any) -> Fault:
        if not isinstance(obj, dict) or "route" not in obj or "kind" not in obj:
            raise ValueError("each fault must be an object with route, kind and optional rate")
        return cls(str(obj["route"]), str(obj["kind"]), obj.get("rate", 1.0))

    def to_json(self) -> dict[str, Any]:
        return {"route": self.route, "kind": self.kind, "rate": self.rate}

    def applies_to(self, route: str) -> bool:
        return self.route == "all" or self.route == route

    def __str__(self) -> str:
        return f"{self.route}:{self.kind}:{self.rate:g}"


class FaultSet:
    """The active faults (mutable). The first fault that applies and fires wins."""

    def __init__(self, faults: Iterable[Fault] | None = None, seed: int = 1) -> None:
        self._faults: list[Fault] = list(faults or [])
        self.rng = random.Random(derive_seed(seed, "faults"))

    def replace(self, faults: Iterable[Fault]) -> None:
        self._faults = list(faults)

    def clear(self) -> None:
        self._faults = []

    def add(self, fault: Fault) -> None:
        self._faults.append(fault)

    def __iter__(self) -> Iterator[Fault]:
        return iter(list(self._faults))

    def __len__(self) -> int:
        return len(self._faults)

    def __bool__(self) -> bool:
        return bool(self._faults)

    def to_json(self) -> list[dict[str, Any]]:
        return [f.to_json() for f in self._faults]

    def pick(self, route: str | None) -> Fault | None:
        """Decide which fault (if any) hits a request to `route` (None: not an API route)."""
        if route is None:
            return None
        for f in self._faults:
            if f.applies_to(route) and (f.rate >= 1.0 or self.rng.random() < f.rate):
                return f
        return None
