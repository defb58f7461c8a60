"""The compact per-run record the workspace keeps (details are generated lazily)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, NamedTuple

__all__ = [
    "ACTIVE_STATUSES",
    "FAILED",
    "PAUSED",
    "PRIORITIES",
    "QUEUED",
    "REQUEUED",
    "STARTED",
    "STATUSES",
    "STOPPED",
    "SUCCESS",
    "TERMINAL_STATUSES",
    "Plan",
    "RunRecord",
]

QUEUED = "execution.queued"
STARTED = "execution.start"
PAUSED = "execution.paused"
REQUEUED = "execution.requeued"
SUCCESS = "execution.success"
FAILED = "execution.failed"
STOPPED = "execution.stopped"

STATUSES: tuple[str, ...] = (QUEUED, STARTED, FAILED, SUCCESS, PAUSED, STOPPED, REQUEUED)
ACTIVE_STATUSES: frozenset[str] = frozenset({QUEUED, STARTED, PAUSED, REQUEUED})
TERMINAL_STATUSES: frozenset[str] = frozenset({SUCCESS, FAILED, STOPPED})
PRIORITIES: tuple[str, ...] = ("HIGH", "MEDIUM", "LOW")  # dispatch order


class Plan(NamedTuple):
    """Everything about a run's future that is drawn when it is created."""

    final: str  # outcome of the last attempt: SUCCESS, FAILED or STOPPED (auto-interrupt)
    durations: tuple[float, ...]  # one per attempt; all but the last end in a requeue
    backoffs: tuple[float, ...]  # delay before each retry (len(durations) - 1)
    accept: float  # seconds from creation until the run is dispatchable
    cancel_after: float | None  # a user interrupts the run this long after creation


class RunRecord:
    """One run. Times are float epoch seconds; `created` is whole seconds (list precision)."""

    __slots__ = (
        "created",
        "cred",
        "debug",
        "dry_run",
        "end",
        "inputs",
        "plan",
        "priority",
        "qkey",
        "retries",
        "seed",
        "seq",
        "session_id",
        "starts",
        "status",
        "workflow_id",
    )

    def __init__(
        self,
        *,
        seq: int,
        seed: int,
        session_id: str,
        workflow_id: str,
        created: int,
        priority: str,
        dry_run: bool,
        debug: bool,
        cred: str | tuple[str, ...] | None,
        plan: Plan,
        inputs: dict[str, Any] | None = None,
    ) -> None:
        self.seq = seq
        self.seed = seed
        self.session_id = session_id
        self.workflow_id = workflow_id
        self.created = created
        self.priority = priority
        self.dry_run = dry_run
        self.debug = debug
        self.cred = cred
        self.plan = plan
        self.inputs = inputs
        self.status = QUEUED
        self.starts: list[float] = []  # start time of each attempt that began
        self.end: float | None = None
        self.retries = 0
        self.qkey = 0.0  # FIFO key within its priority queue

    @property
    def start(self) -> float | None:
        """execution_start: when the first attempt began (kept while requeued)."""
        return self.starts[0] if self.starts else None

    @property
    def terminal(self) -> bool:
        return self.status in TERMINAL_STATUSES

    @property
    def created_at(self) -> datetime:
        return datetime.fromtimestamp(self.created, UTC)

    @property
    def execution_start(self) -> datetime | None:
        s = self.start
        return None if s is None else datetime.fromtimestamp(s, UTC)

    @property
    def execution_end(self) -> datetime | None:
        return None if self.end is None else datetime.fromtimestamp(self.end, UTC)

    def credential_ids(self) -> tuple[str, ...]:
        c = self.cred
        if c is None:
            return ()
        return (c,) if isinstance(c, str) else c

    def __repr__(self) -> str:
        return (
            f"RunRecord({self.session_id[:8]} {self.status} {self.priority} created={self.created})"
        )
