"""ccmon's own record of the priority of runs it started.

No CloudCruise response carries priority (DESIGN.md, Priority), so every run started
through ccmon's client writes ``session_id -> priority`` here. A small SQLite file in
the platformdirs data folder; several ccmon processes may share it.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

import platformdirs

from ccmon.api.models import Priority

SCHEMA = """
CREATE TABLE IF NOT EXISTS priority (
    session_id TEXT PRIMARY KEY,
    priority TEXT NOT NULL,
    workflow_id TEXT,
    started_at REAL NOT NULL
)
"""


def default_journal_path() -> Path:
    return Path(platformdirs.user_data_dir("ccmon", appauthor=False)) / "journal.sqlite3"


class Journal:
    """``record`` a run's priority; ``get`` it back. Reads are from memory; new rows
    written by other processes are picked up by :meth:`reload`."""

    def __init__(self, path: Path | str | None = None) -> None:
        self.path = Path(path) if path is not None else default_journal_path()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute(SCHEMA)
        self._known: dict[str, Priority] = {}
        self._last_rowid = 0
        self.reload()

    def record(self, session_id: str, priority: Priority, workflow_id: str | None = None) -> None:
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO priority VALUES (?, ?, ?, ?)",
                (session_id, priority.value, workflow_id, time.time()),
            )
            self._known[session_id] = priority

    def get(self, session_id: str) -> Priority | None:
        return self._known.get(session_id)

    def reload(self) -> list[str]:
        """Read rows added since the last read (by any process); returns their ids."""
        with self._lock:
            rows = self._db.execute(
                "SELECT rowid, session_id, priority FROM priority WHERE rowid > ? ORDER BY rowid",
                (self._last_rowid,),
            ).fetchall()
        for rowid, session_id, value in rows:
            prio = Priority.parse(value)
            if prio is not None:
                self._known[session_id] = prio
            self._last_rowid = max(self._last_rowid, rowid)
        return [session_id for _, session_id, _ in rows]

    def prune(self, older_than_days: float = 60) -> None:
        cutoff = time.time() - older_than_days * 86400
        with self._lock:
            self._db.execute("DELETE FROM priority WHERE started_at < ?", (cutoff,))

    def __len__(self) -> int:
        return len(self._known)

    def close(self) -> None:
        with self._lock:
            self._db.close()
