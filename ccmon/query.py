"""The filter grammar shared by the UI (``/``) and the command line.

``status:failed prio:high wf:checkout !smoke free text``

- ``status:`` (or ``s:``) one of queued, running, paused, requeued, success, failed,
  stopped, or the groups ``active`` and ``done``; several with commas.
- ``prio:`` (or ``p:``) high, medium, low, unknown.
- ``wf:`` a part of the workflow name or id; ``id:`` a session id prefix;
  ``cat:`` a part of an error category; ``dry:yes|no``.
- ``!`` before any term negates it; other words match the workflow name, the session
  id, the status or an error category. Quote a phrase: ``wf:"claim status"``.
All terms must hold. Matching is case-insensitive.
"""

from __future__ import annotations

import shlex
from collections.abc import Callable
from dataclasses import dataclass, field

from ccmon.api.models import ACTIVE_STATUSES, TERMINAL_STATUSES, Priority
from ccmon.sync.records import RunRecord

STATUS_ALIASES: dict[str, frozenset[str]] = {
    "queued": frozenset({"execution.queued"}),
    "running": frozenset({"execution.start"}),
    "start": frozenset({"execution.start"}),
    "paused": frozenset({"execution.paused"}),
    "requeued": frozenset({"execution.requeued"}),
    "success": frozenset({"execution.success"}),
    "failed": frozenset({"execution.failed"}),
    "stopped": frozenset({"execution.stopped"}),
    "active": frozenset(ACTIVE_STATUSES),
    "done": TERMINAL_STATUSES,
}
PRIORITY_ALIASES = {
    "high": Priority.HIGH,
    "h": Priority.HIGH,
    "medium": Priority.MEDIUM,
    "med": Priority.MEDIUM,
    "m": Priority.MEDIUM,
    "low": Priority.LOW,
    "l": Priority.LOW,
    "unknown": None,
    "?": None,
}
KEYS = {
    "status": "status",
    "s": "status",
    "prio": "prio",
    "p": "prio",
    "priority": "prio",
    "wf": "wf",
    "workflow": "wf",
    "id": "id",
    "cat": "cat",
    "dry": "dry",
}

Predicate = Callable[[RunRecord, str], bool]  # (record, workflow name) -> bool


def _categories(record: RunRecord) -> list[str]:
    if record.detail is None:
        return []
    return [(e.llm_error_category or "").casefold() for e in record.detail.error_list]


def _term(key: str, value: str) -> Predicate:
    v = value.casefold()
    if key == "status":
        wanted: set[str] = set()
        for part in filter(None, v.split(",")):
            if part not in STATUS_ALIASES:
                raise ValueError(f"unknown status {part!r}: use {', '.join(STATUS_ALIASES)}")
            wanted |= STATUS_ALIASES[part]
        return lambda r, _: r.status in wanted
    if key == "prio":
        prios: set[Priority | None] = set()
        for part in filter(None, v.split(",")):
            if part not in PRIORITY_ALIASES:
                raise ValueError(f"unknown priority {part!r}: use high, medium, low, unknown")
            prios.add(PRIORITY_ALIASES[part])
        return lambda r, _: r.priority in prios
    if key == "wf":
        return lambda r, name: v in name.casefold() or v in (r.summary.workflow_id or "")
    if key == "id":
        return lambda r, _: r.session_id.casefold().startswith(v)
    if key == "cat":
        return lambda r, _: any(v in c for c in _categories(r))
    if key == "dry":
        want = v in ("yes", "y", "true", "1")
        return lambda r, _: bool(r.summary.dry_run) == want
    return lambda r, name: (
        v in name.casefold()
        or v in r.session_id.casefold()
        or v in r.status.short.casefold()
        or any(v in c for c in _categories(r))
    )


@dataclass
class Query:
    text: str = ""
    terms: list[tuple[bool, Predicate]] = field(default_factory=list)

    @classmethod
    def parse(cls, text: str) -> Query:
        """Parse a filter; raises ValueError with a message for the user."""
        try:
            words = shlex.split(text)
        except ValueError:
            words = text.split()
        query = cls(text=text.strip())
        for word in words:
            negate = word.startswith("!")
            word = word[1:] if negate else word
            if not word:
                continue
            key, sep, value = word.partition(":")
            if sep and key.casefold() in KEYS:
                query.terms.append((negate, _term(KEYS[key.casefold()], value)))
            elif sep and key and value and key.isalpha():
                raise ValueError(f"unknown filter key {key!r}: use {', '.join(sorted(set(KEYS)))}")
            else:
                query.terms.append((negate, _term("text", word)))
        return query

    def __bool__(self) -> bool:
        return bool(self.terms)

    def matches(self, record: RunRecord, workflow_name: str | None) -> bool:
        name = workflow_name or ""
        return all(pred(record, name) != negate for negate, pred in self.terms)
