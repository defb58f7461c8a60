"""``--fail-on`` conditions of ``ccmon snapshot``: ``failed>0``, ``wait.low>10m``.

A condition is ``METRIC OP VALUE``. The metrics are read from the snapshot document
(``ccmon.snapshot/1``), so a condition means exactly what the JSON says:

- a status count: ``queued running paused requeued success failed stopped``, and
  ``total``, ``active`` (not finished), ``done`` (finished), ``waiting`` (not dispatched);
- per priority (``high medium low unknown``): ``waiting.P``, ``running.P``, and
  ``wait.P``: the oldest wait in the queue of that priority (0 when none waits);
  ``wait`` is the oldest wait of all;
- ``errors``, ``recovered``, ``unrecovered``: errors in the runs whose detail was
  fetched; ``starving``: priorities waiting past the starvation threshold;
  ``success_rate``: percent of finished runs that succeeded; ``invalid``: unreadable rows.

OP is one of ``> >= < <= == !=`` (``=`` means ``==``). A wait takes a duration
(``90s``, ``10m``, ``2h``, ``1h30m``, ``1d``; a bare number is seconds); ``success_rate``
takes ``90`` or ``90%``.
"""

from __future__ import annotations

import difflib
import operator
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

OPS: dict[str, Callable[[float, float], bool]] = {
    ">=": operator.ge,
    "<=": operator.le,
    "==": operator.eq,
    "!=": operator.ne,
    ">": operator.gt,
    "<": operator.lt,
    "=": operator.eq,
}
PRIORITIES = ("high", "medium", "low", "unknown")
COUNTS = ("queued", "running", "paused", "requeued", "success", "failed", "stopped")
TOTALS = ("total", "active", "done", "waiting")
OTHER = ("errors", "recovered", "unrecovered", "starving", "success_rate", "invalid", "wait")
METRICS: tuple[str, ...] = (
    *COUNTS,
    *TOTALS,
    *OTHER,
    *(f"{kind}.{p}" for kind in ("waiting", "running", "wait") for p in PRIORITIES),
)
UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_CONDITION = re.compile(r"\s*([A-Za-z_]+(?:\.[A-Za-z?]+)?)\s*(>=|<=|==|!=|>|<|=)\s*(\S+)\s*\Z")
_DURATION = re.compile(r"(\d+(?:\.\d+)?)([smhd])")
_NUMBER = re.compile(r"\d+(?:\.\d+)?\Z")


def parse_duration(text: str) -> float | None:
    """Seconds in ``90s``, ``10m``, ``1h30m``; None if ``text`` is not a duration."""
    if not re.fullmatch(r"(?:\d+(?:\.\d+)?[smhd])+", text):
        return None
    return sum(float(n) * UNITS[unit] for n, unit in _DURATION.findall(text))


@dataclass(frozen=True)
class Condition:
    text: str
    metric: str
    op: str
    value: float

    @classmethod
    def parse(cls, text: str) -> Condition:
        """Raises ValueError with a message for the user."""
        match = _CONDITION.match(text)
        if match is None:
            raise ValueError(f"bad --fail-on {text!r}: use METRIC>VALUE, e.g. failed>0")
        metric, op, raw = match.group(1).lower().replace("?", "unknown"), *match.group(2, 3)
        if metric not in METRICS:
            close = difflib.get_close_matches(metric, METRICS, n=1)
            hint = f"did you mean {close[0]!r}?" if close else "see ccmon snapshot --help"
            raise ValueError(f"bad --fail-on {text!r}: unknown metric {metric!r} ({hint})")
        value = _value(metric, raw.lower())
        if value is None:
            what = "a duration like 30s, 10m or 2h" if metric.startswith("wait") else "a number"
            raise ValueError(f"bad --fail-on {text!r}: {metric} takes {what}, not {raw!r}")
        return cls(text.strip(), metric, op, value)

    def holds(self, figures: Mapping[str, float | None]) -> bool:
        found = figures.get(self.metric)
        return found is not None and OPS[self.op](found, self.value)

    def explain(self, figures: Mapping[str, float | None]) -> str:
        found = figures.get(self.metric)
        shown = "none" if found is None else f"{found:g}"
        unit = "s" if self.metric.startswith("wait") else ""
        return f"{self.text} holds: {self.metric} is {shown}{unit if found is not None else ''}"


def _value(metric: str, raw: str) -> float | None:
    if metric.startswith("wait"):
        if _NUMBER.match(raw):
            return float(raw)
        return parse_duration(raw)
    if metric == "success_rate":
        raw = raw.removesuffix("%")
    return float(raw) if _NUMBER.match(raw) else None


def figures(doc: Mapping[str, Any]) -> dict[str, float | None]:
    """Every metric a condition can name, from a snapshot document."""
    counts: dict[str, int] = doc["counts"]
    found: dict[str, float | None] = {name: float(counts.get(name, 0)) for name in COUNTS}
    total = float(sum(counts.values()))
    done = float(sum(counts.get(name, 0) for name in ("success", "failed", "stopped")))
    queue: dict[str, dict[str, Any]] = {key.lower(): value for key, value in doc["queue"].items()}
    waits: list[float] = []
    for prio in PRIORITIES:
        entry = queue.get(prio, {})
        found[f"waiting.{prio}"] = float(entry.get("waiting", 0))
        found[f"running.{prio}"] = float(entry.get("running", 0))
        wait = entry.get("oldest_wait_s")
        found[f"wait.{prio}"] = float(wait or 0.0)
        waits.append(float(wait or 0.0))
    errors = [r["errors"] for r in doc["runs"] if r.get("errors") is not None]
    recovered = [r["recovered"] for r in doc["runs"] if r.get("recovered") is not None]
    found.update(
        total=total,
        done=done,
        active=total - done,
        waiting=float(sum(found[f"waiting.{p}"] or 0 for p in PRIORITIES)),
        wait=max(waits, default=0.0),
        errors=float(sum(errors)),
        recovered=float(sum(recovered)),
        unrecovered=float(sum(errors) - sum(recovered)),
        starving=float(sum(1 for entry in queue.values() if entry.get("starving"))),
        success_rate=100.0 * counts.get("success", 0) / done if done else None,
        invalid=float(doc.get("health", {}).get("invalid_rows", 0)),
    )
    return found


def held(conditions: list[Condition], doc: Mapping[str, Any]) -> list[str]:
    """The explanations of the conditions that hold (empty: none did)."""
    values = figures(doc)
    return [c.explain(values) for c in conditions if c.holds(values)]
