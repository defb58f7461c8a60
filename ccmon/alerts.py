"""Alert rules and the engine that evaluates them on every poll. No Textual here.

Rules come from the configuration (``[[profiles.NAME.alerts]]`` or a top-level
``[[alerts]]``)::

    [[profiles.work.alerts]]
    kind = "failure"                  # a new failed run; category = "AUTHENTICATION_ERROR"
    [[profiles.work.alerts]]
    kind = "queue_depth"              # runs waiting; over = 50, priority = "HIGH" (optional)
    over = 50
    [[profiles.work.alerts]]
    kind = "oldest_wait"              # the oldest wait of a queue; over = "10m"
    priority = "LOW"
    over = "10m"
    [[profiles.work.alerts]]
    kind = "unreachable"              # the API failing for this long
    for = "2m"
    command = "notify-send ccmon"     # gets the alert as JSON on standard input
    bell = true

:class:`AlertEngine` is fed ``(changes, health, metrics, now)`` and returns the alerts
that fired. A rule fires once when its condition becomes true, and again only after it
cleared. Muted rules keep their state but fire nothing.
"""

from __future__ import annotations

import shlex
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any, Literal

from ccmon.api.models import Priority
from ccmon.conditions import parse_duration
from ccmon.sync.metrics import PENDING, Metrics
from ccmon.sync.records import ChangeSet, Health

KINDS = ("failure", "queue_depth", "oldest_wait", "unreachable")
RULE_KEYS = ("kind", "name", "category", "over", "priority", "for", "command", "bell")
Severity = Literal["error", "warning"]


class RuleError(ValueError):
    """A rule that cannot be used; the message names the key."""


def _duration(value: object, key: str) -> timedelta:
    if isinstance(value, int | float) and not isinstance(value, bool) and value >= 0:
        return timedelta(seconds=float(value))
    seconds = parse_duration(value) if isinstance(value, str) else None
    if seconds is None:
        raise RuleError(f"{key} must be a duration such as 90s, 10m or 1h30m, not {value!r}")
    return timedelta(seconds=seconds)


@dataclass(frozen=True)
class AlertRule:
    kind: str
    name: str
    category: str | None = None
    over: float | None = None  # queue_depth: runs
    wait: timedelta | None = None  # oldest_wait: over; unreachable: for
    priority: Priority | None = None
    command: tuple[str, ...] = ()
    bell: bool = False

    @property
    def severity(self) -> Severity:
        return "error" if self.kind in ("failure", "unreachable") else "warning"

    @classmethod
    def parse(cls, raw: Mapping[str, Any]) -> AlertRule:
        """One rule from its TOML table; raises RuleError."""
        if not isinstance(raw, Mapping):
            raise RuleError("an alert must be a table: [[alerts]] or [[profiles.NAME.alerts]]")
        for key in raw:
            if key not in RULE_KEYS:
                raise RuleError(f"unknown key {key!r} in an alert (known: {', '.join(RULE_KEYS)})")
        kind = raw.get("kind")
        if kind not in KINDS:
            raise RuleError(f"alert kind must be one of {', '.join(KINDS)}, not {kind!r}")
        priority = None
        if "priority" in raw and (priority := Priority.parse(raw["priority"])) is None:
            raise RuleError(f"priority must be HIGH, MEDIUM or LOW, not {raw['priority']!r}")
        category = raw.get("category")
        if category is not None and (not isinstance(category, str) or not category.strip()):
            raise RuleError("category must be an error category such as AUTHENTICATION_ERROR")
        over: float | None = None
        wait: timedelta | None = None
        if kind == "queue_depth":
            over = raw.get("over")
            if isinstance(over, bool) or not isinstance(over, int | float) or over < 0:
                raise RuleError(f"queue_depth needs over = a number of runs, not {over!r}")
        elif kind == "oldest_wait":
            wait = _duration(raw.get("over"), "over")
        elif kind == "unreachable":
            wait = _duration(raw.get("for", 0), "for")
        command = raw.get("command", "")
        if not isinstance(command, str):
            raise RuleError("command must be a string, e.g. 'notify-send ccmon'")
        try:
            argv = tuple(shlex.split(command))
        except ValueError as exc:
            raise RuleError(f"command cannot be split: {exc}") from None
        bell = raw.get("bell", False)
        if not isinstance(bell, bool):
            raise RuleError(f"bell must be true or false, not {bell!r}")
        rule = cls(
            kind, "", category and category.strip().upper(), over, wait, priority, argv, bell
        )
        name = raw.get("name")
        if name is not None and (not isinstance(name, str) or not name.strip()):
            raise RuleError("name must be a non-empty string")
        return replace(rule, name=name.strip() if name else rule.default_name())

    def default_name(self) -> str:
        prio = f" {self.priority.value}" if self.priority else ""
        if self.kind == "failure":
            return f"failure {self.category}" if self.category else "failure"
        if self.kind == "queue_depth":
            return f"queue_depth{prio} > {self.over:g}"
        if self.kind == "oldest_wait":
            return f"oldest_wait{prio} > {_short(self.wait)}"
        return f"unreachable {_short(self.wait)}"


def _short(delta: timedelta | None) -> str:
    seconds = int((delta or timedelta(0)).total_seconds())
    if seconds % 3600 == 0 and seconds:
        return f"{seconds // 3600}h"
    if seconds % 60 == 0 and seconds:
        return f"{seconds // 60}m"
    return f"{seconds}s"


def parse_rules(raw: object) -> list[AlertRule]:
    """The rules of an array of tables; raises RuleError naming the rule's position."""
    if not isinstance(raw, list):
        raise RuleError("alerts must be an array of tables: [[alerts]]")
    rules: list[AlertRule] = []
    for index, item in enumerate(raw, start=1):
        try:
            rules.append(AlertRule.parse(item))
        except RuleError as exc:
            raise RuleError(f"alert {index}: {exc}") from None
    names = [r.name for r in rules]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise RuleError(f"alert names must differ (give each a name =): {', '.join(dupes)}")
    return rules


@dataclass(frozen=True)
class Alert:
    """One firing of a rule. ``message`` holds only cleaned-later data (see the app)."""

    rule: str
    kind: str
    severity: Severity
    message: str
    at: datetime
    value: float | int | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "kind": self.kind,
            "severity": self.severity,
            "message": self.message,
            "at": self.at.isoformat(),
            "value": self.value,
        }


@dataclass
class AlertEngine:
    rules: list[AlertRule]
    muted: set[str] = field(default_factory=set)
    _active: set[str] = field(default_factory=set)
    _pending: dict[str, None] = field(default_factory=dict)  # new failures, category unknown
    _resolved: dict[str, str] = field(default_factory=dict)  # this poll: session id -> category
    _failing_since: datetime | None = None
    _primed: bool = False

    def rule(self, name: str) -> AlertRule | None:
        return next((r for r in self.rules if r.name == name), None)

    def toggle(self, name: str) -> bool:
        """Mute or unmute a rule; True when it is muted now."""
        if name in self.muted:
            self.muted.discard(name)
            return False
        self.muted.add(name)
        return True

    def evaluate(
        self, changes: ChangeSet, health: Health, metrics: Metrics, now: datetime
    ) -> list[Alert]:
        """The alerts that fire on this poll."""
        if health.state == "ok":
            self._failing_since = None
        elif self._failing_since is None:
            self._failing_since = health.last_success or health.last_attempt or now
        if self._primed and not changes.first_load:
            self._pending.update(changes.new_failures)
        self._resolved = {
            sid: group.fingerprint.category
            for group in metrics.groups
            if group.fingerprint.category != PENDING
            for sid in group.session_ids
            if sid in self._pending
        }
        fired: list[Alert] = []
        for rule in self.rules:
            found = self._check(rule, changes, health, metrics, now)
            if found is None:
                self._active.discard(rule.name)
                continue
            if rule.name in self._active:
                continue
            self._active.add(rule.name)
            if rule.name not in self.muted:
                message, value = found
                fired.append(Alert(rule.name, rule.kind, rule.severity, message, now, value))
        for sid in self._resolved:
            self._pending.pop(sid, None)
        while len(self._pending) > 10_000:  # never fetched: forget the oldest
            self._pending.pop(next(iter(self._pending)))
        self._primed = self._primed or health.state == "ok"
        return fired

    def _check(
        self, rule: AlertRule, changes: ChangeSet, health: Health, metrics: Metrics, now: datetime
    ) -> tuple[str, float | int | None] | None:
        if rule.kind == "failure":
            return self._failure(rule, changes)
        if rule.kind == "queue_depth":
            prios: Iterable[Priority | None] = (
                [rule.priority] if rule.priority else list(metrics.waiting)
            )
            depth = sum(metrics.waiting[p] for p in prios)
            where = f"{rule.priority.value} queue" if rule.priority else "queue"
            return (f"{where}: {depth} runs waiting", depth) if depth > (rule.over or 0) else None
        if rule.kind == "oldest_wait":
            prios = [rule.priority] if rule.priority else list(metrics.oldest_waiting)
            waits = [w for p in prios if (w := metrics.oldest_wait(p, now)) is not None]
            oldest = max(waits, default=None)
            if oldest is None or rule.wait is None or oldest <= rule.wait:
                return None
            where = f"{rule.priority.value} queue" if rule.priority else "a queue"
            return f"{where} waiting {_short(oldest)}", round(oldest.total_seconds(), 1)
        since = self._failing_since
        if since is None or now - since < (rule.wait or timedelta(0)):
            return None
        down = now - since
        error = health.last_error or health.state
        return f"API unreachable for {_short(down)}: {error}", round(down.total_seconds(), 1)

    def _failure(self, rule: AlertRule, changes: ChangeSet) -> tuple[str, int] | None:
        if not self._primed or changes.first_load:
            return None
        if rule.category is None:
            count = len(changes.new_failures)
            return (f"{count} run{'s' * (count != 1)} failed", count) if count else None
        count = sum(1 for cat in self._resolved.values() if cat.upper() == rule.category)
        return (f"{count} new {rule.category} failure(s)", count) if count else None
