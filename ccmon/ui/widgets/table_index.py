"""Sorted, filtered index of row keys used by `RunTable`.

Pure data structure (no Textual). Every known key has a *sort key*: a tuple built by
`make_sort_key` that always ends with the row key itself, so sort keys are unique and a row
can be found by bisection. Shown rows (those passing the predicate) are kept in one ascending
list of sort keys. Rows whose value is ``None`` sort after every other row; reversing the
order reverses only the non-``None`` part (``None`` rows stay last in both directions), which
is done by index mapping, so toggling the direction is O(1).

Positions handed out by this class are *display* indices (what the user sees, top = 0).
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator
from typing import Any

SortKey = tuple[Any, ...]
Predicate = Callable[[str], bool]

_NONE_RANK = 1
_NONE_MARK: SortKey = (_NONE_RANK,)
"""Sorts after every non-None sort key and before every None sort key."""


def make_sort_key(value: Any, key: str) -> SortKey:
    """Wrap a sort value so that any mix of values can be compared without `TypeError`.

    ``None`` (and NaN) sort last; numbers (int, float, bool) compare with each other; any
    other type is grouped by its type name, and values of types that define no ordering
    are compared by their ``str()``. The row key breaks ties.
    """
    if value is None:
        return (_NONE_RANK, key)
    kind = type(value)
    if kind is str:
        return (0, "str", value, key)
    if kind is int or kind is bool:
        return (0, "", value, key)
    if kind is float:
        if value != value:  # NaN has no place in an ordering
            return (_NONE_RANK, key)
        return (0, "", value, key)
    if kind.__lt__ is object.__lt__:  # e.g. a plain Enum: not orderable
        return (0, kind.__name__, str(value), key)
    return (0, kind.__name__, value, key)


class SortedIndex:
    """Keys in sorted order with O(log n) lookup, insertion and removal."""

    __slots__ = ("_predicate", "_reverse", "_rows", "_shown", "_sort_keys", "_split")

    def __init__(self) -> None:
        self._sort_keys: dict[str, SortKey] = {}
        """Sort key of every known key (shown or filtered out)."""
        self._rows: list[SortKey] = []
        """Sort keys of the shown keys, ascending."""
        self._shown: set[str] = set()
        self._predicate: Predicate | None = None
        self._reverse = False
        self._split = 0
        """Number of shown rows with a non-None value (they come first in `_rows`)."""

    # -- queries ---------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._rows)

    def __contains__(self, key: object) -> bool:
        return key in self._sort_keys

    @property
    def reverse(self) -> bool:
        return self._reverse

    @property
    def predicate(self) -> Predicate | None:
        return self._predicate

    def known_keys(self) -> Iterator[str]:
        return iter(self._sort_keys)

    def is_shown(self, key: str) -> bool:
        return key in self._shown

    def sort_key(self, key: str) -> SortKey | None:
        return self._sort_keys.get(key)

    def _flip(self, index: int) -> int:
        """Map an internal index to a display index or back (the mapping is an involution)."""
        if self._reverse and index < self._split:
            return self._split - 1 - index
        return index

    def key_at(self, display: int) -> str:
        """The key shown at a display index (raises IndexError when out of range)."""
        if display < 0:
            raise IndexError(display)
        return self._rows[self._flip(display)][-1]

    def _locate(self, sort_key: SortKey) -> int:
        rows = self._rows
        index = bisect_left(rows, sort_key)
        if index < len(rows) and rows[index][-1] == sort_key[-1]:
            return index
        # Only reachable if a sort value broke the ordering contract (e.g. inconsistent __lt__).
        key = sort_key[-1]
        for index, row in enumerate(rows):
            if row[-1] == key:
                return index
        raise KeyError(key)

    def display_index(self, key: str) -> int | None:
        """Display index of a shown key, or None."""
        if key not in self._shown:
            return None
        return self._flip(self._locate(self._sort_keys[key]))

    def insertion_point(self, sort_key: SortKey) -> int:
        """Display index a row with this sort key would have (not clamped)."""
        index = bisect_left(self._rows, sort_key)
        if self._reverse and sort_key[0] != _NONE_RANK:
            return self._split - index
        return index

    def keys(self, start: int = 0, stop: int | None = None) -> list[str]:
        """Shown keys in display order, optionally only the display slice [start, stop)."""
        count = len(self._rows)
        stop = count if stop is None else min(stop, count)
        start = max(0, start)
        if start >= stop:
            return []
        if not self._reverse:
            return [row[-1] for row in self._rows[start:stop]]
        return [self._rows[self._flip(index)][-1] for index in range(start, stop)]

    # -- bulk updates (O(n log n)) ---------------------------------------------------------

    def load(self, sort_keys: dict[str, SortKey]) -> None:
        """Replace every key and its sort key, then rebuild the shown rows."""
        self._sort_keys = sort_keys
        self._rebuild()

    def set_predicate(self, predicate: Predicate | None) -> None:
        self._predicate = predicate
        self._rebuild()

    def set_reverse(self, reverse: bool) -> None:
        self._reverse = reverse

    def _rebuild(self) -> None:
        predicate = self._predicate
        sort_keys = self._sort_keys
        if predicate is None:
            shown = set(sort_keys)
            rows = list(sort_keys.values())
        else:
            shown = {key for key in sort_keys if predicate(key)}
            rows = [sort_keys[key] for key in shown]
        rows.sort()
        self._rows = rows
        self._shown = shown
        self._split = bisect_left(rows, _NONE_MARK)

    # -- incremental updates (O(log n) + list memmove) -------------------------------------

    def _remove_shown(self, key: str, sort_key: SortKey) -> int:
        index = self._locate(sort_key)
        display = self._flip(index)
        del self._rows[index]
        self._shown.discard(key)
        if sort_key[0] != _NONE_RANK:
            self._split -= 1
        return display

    def _insert_shown(self, key: str, sort_key: SortKey) -> int:
        index = bisect_left(self._rows, sort_key)
        self._rows.insert(index, sort_key)
        self._shown.add(key)
        if sort_key[0] != _NONE_RANK:
            self._split += 1
        return self._flip(index)

    def discard(self, key: str) -> int | None:
        """Forget a key. Returns the display index it had if it was shown, else None.

        Rows before that display index are unaffected; rows from it onwards shift up.
        """
        sort_key = self._sort_keys.pop(key, None)
        if sort_key is None or key not in self._shown:
            return None
        return self._remove_shown(key, sort_key)

    def put(self, key: str, sort_key: SortKey) -> int | None:
        """Add a key or update its sort key (and re-check the predicate for it).

        Returns the smallest display index from which rows moved, or None if no row moved
        (the key kept its position, or it is not shown before nor after).
        """
        old = self._sort_keys.get(key)
        self._sort_keys[key] = sort_key
        predicate = self._predicate
        show = predicate is None or predicate(key)
        was_shown = key in self._shown
        if was_shown and show and old == sort_key:
            return None
        moved: int | None = None
        if was_shown and old is not None:
            moved = self._remove_shown(key, old)
        if show:
            inserted = self._insert_shown(key, sort_key)
            moved = inserted if moved is None else min(moved, inserted)
        return moved

    def update(self, puts: Iterable[tuple[str, SortKey]], removed: Iterable[str]) -> int | None:
        """Discard the removed keys, then `put` each (key, sort key).

        Returns the smallest display index from which rows moved (None if none moved).
        """
        moved: int | None = None
        for key in removed:
            point = self.discard(key)
            if point is not None and (moved is None or point < moved):
                moved = point
        for key, sort_key in puts:
            point = self.put(key, sort_key)
            if point is not None and (moved is None or point < moved):
                moved = point
        return moved

    def replacement(self, sort_key: SortKey | None) -> str | None:
        """The shown key now at the position a row with this sort key had (for moving the
        cursor off a row that went away); the first key if sort_key is None."""
        if not self._rows:
            return None
        point = 0 if sort_key is None else self.insertion_point(sort_key)
        return self.key_at(min(point, len(self._rows) - 1))
