"""Data side of `RunTable` (no Textual): row source, sorted/filtered index and cursor key."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from itertools import chain
from typing import Any, Protocol

from rich.text import Text

from ccmon.ui.widgets.table_index import SortedIndex, SortKey, make_sort_key


class RowSource(Protocol):
    """Where the table gets its rows from (keys are opaque strings)."""

    def row_version(self, key: str) -> int:
        """A number that changes whenever the row's rendered content changes."""
        ...

    def row_cells(self, key: str) -> Sequence[Text]:
        """One already styled and escaped Text per column (in column order)."""
        ...

    def sort_value(self, key: str, column: str | None) -> Any:
        """Value to sort by for a column; column None is the default order."""
        ...


@dataclass(frozen=True)
class Change:
    """What an incremental update did, for the view to repaint."""

    moved: int | None
    """Rows from this display index on may have shifted (None: no row moved)."""
    touched: list[str]
    """Added and changed keys (shown or not)."""
    count_changed: bool


class TableModel:
    """Shown keys in order, plus the key under the cursor (kept across every change)."""

    def __init__(self, source: RowSource, column_keys: Iterable[str]) -> None:
        self.source = source
        self.index = SortedIndex()
        self.sort_column: str | None = None
        self.cursor_key: str | None = None
        self._column_keys = frozenset(column_keys)

    @property
    def reverse(self) -> bool:
        return self.index.reverse

    @property
    def cursor_row(self) -> int:
        """Display index of the cursor row, -1 when there is none."""
        if self.cursor_key is None:
            return -1
        index = self.index.display_index(self.cursor_key)
        return -1 if index is None else index

    def _sort_keys_for(self, keys: Iterable[str]) -> dict[str, SortKey]:
        sort_value = self.source.sort_value
        column = self.sort_column
        return {key: make_sort_key(sort_value(key, column), key) for key in keys}

    def _cursor_sort_key(self) -> SortKey | None:
        key = self.cursor_key
        if key is None or not self.index.is_shown(key):
            return None
        return self.index.sort_key(key)

    def _place_cursor(self, previous: SortKey | None) -> None:
        """Keep the cursor key if shown, else take the row now where it was (or the first)."""
        if self.cursor_key is None or not self.index.is_shown(self.cursor_key):
            self.cursor_key = self.index.replacement(previous)

    # -- full rebuilds: O(n log n) ---------------------------------------------------------

    def set_rows(self, keys: Iterable[str]) -> None:
        self.index.load(self._sort_keys_for(dict.fromkeys(keys)))
        self._place_cursor(None)

    def set_filter(self, predicate: Callable[[str], bool] | None) -> None:
        previous = self._cursor_sort_key()
        self.index.set_predicate(predicate)
        self._place_cursor(previous)

    def sort_by(self, column: str | None, reverse: bool) -> None:
        if column is not None and column not in self._column_keys:
            raise ValueError(f"unknown column {column!r}")
        if column != self.sort_column:
            self.sort_column = column
            self.index.load(self._sort_keys_for(list(self.index.known_keys())))
        self.index.set_reverse(reverse)  # O(1): no re-sort
        self._place_cursor(None)

    # -- incremental: O(k log n) -----------------------------------------------------------

    def apply(self, added: Iterable[str], changed: Iterable[str], removed: Iterable[str]) -> Change:
        index = self.index
        count = len(index)
        previous = self._cursor_sort_key()
        removed_keys = set(removed)
        touched = [key for key in chain(added, changed) if key not in removed_keys]
        sort_value = self.source.sort_value
        column = self.sort_column
        puts = ((key, make_sort_key(sort_value(key, column), key)) for key in touched)
        moved = index.update(puts, removed_keys)
        self._place_cursor(previous)
        return Change(moved=moved, touched=touched, count_changed=len(index) != count)
