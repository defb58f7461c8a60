"""Small deterministic-randomness helpers."""

from __future__ import annotations

import hashlib
import random
from bisect import bisect_right
from collections.abc import Sequence
from itertools import accumulate
from typing import Generic, TypeVar

T = TypeVar("T")

__all__ = ["Weighted", "derive_seed", "mix64", "new_uuid", "token", "weighted"]

_MASK = (1 << 64) - 1


def derive_seed(seed: int, *parts: object) -> int:
    """A 64-bit seed from the master seed and a path of labels (stable across runs)."""
    text = repr((seed, *parts)).encode()
    return int.from_bytes(hashlib.blake2b(text, digest_size=8).digest(), "big")


def mix64(base: int, n: int) -> int:
    """splitmix64 of base + n: a cheap, well-spread seed for item `n` of a family."""
    z = (base + (n + 1) * 0x9E3779B97F4A7C15) & _MASK
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK
    return z ^ (z >> 31)


def new_uuid(rng: random.Random) -> str:
    """A random (version 4) UUID string drawn from `rng`."""
    n = rng.getrandbits(128)
    n = (n & ~(0xF000 << 64) | (0x4000 << 64)) & ~(0xC000 << 48) | (0x8000 << 48)
    h = f"{n:032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def token(rng: random.Random) -> str:
    return f"{rng.getrandbits(96):024x}"


class Weighted(Generic[T]):
    """A precomputed weighted choice."""

    def __init__(self, items: Sequence[tuple[T, float]]) -> None:
        self.items = [item for item, _ in items]
        self.cum = list(accumulate(w for _, w in items))
        self.total = self.cum[-1]

    def __call__(self, rng: random.Random) -> T:
        i = bisect_right(self.cum, rng.random() * self.total)
        return self.items[min(i, len(self.items) - 1)]


def weighted(rng: random.Random, items: Sequence[tuple[T, float]]) -> T:
    return Weighted(items)(rng)
