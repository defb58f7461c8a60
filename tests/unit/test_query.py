"""The filter grammar, over real records from the simulator."""

from __future__ import annotations

import pytest

from ccmon.api.models import Priority, RunSummary
from ccmon.query import Query
from ccmon.sync.records import RunRecord


def record(
    status: str = "execution.failed", prio: Priority | None = Priority.HIGH, **kw: object
) -> RunRecord:
    summary = RunSummary(
        session_id=str(kw.get("sid", "1a2b3c4d-0000")),
        status=status,  # type: ignore[arg-type]
        workflow_id="wf-123",
        dry_run=bool(kw.get("dry", False)),
    )
    return RunRecord(summary=summary, priority=prio)


@pytest.mark.parametrize(
    ("text", "status", "prio", "name", "expected"),
    [
        ("status:failed", "execution.failed", Priority.HIGH, "Checkout", True),
        ("status:failed", "execution.success", Priority.HIGH, "Checkout", False),
        ("status:running", "execution.start", Priority.LOW, "x", True),
        ("s:queued,paused", "execution.paused", None, "x", True),
        ("status:active", "execution.requeued", None, "x", True),
        ("status:done", "execution.requeued", None, "x", False),
        ("prio:high", "execution.failed", Priority.HIGH, "x", True),
        ("prio:unknown", "execution.failed", None, "x", True),
        ("prio:low", "execution.failed", None, "x", False),
        ("wf:check", "execution.failed", None, "Checkout flow", True),
        ("wf:wf-12", "execution.failed", None, "", True),
        ("!smoke", "execution.failed", None, "Smoke test", False),
        ("!smoke", "execution.failed", None, "Checkout", True),
        (
            "status:failed prio:high wf:checkout !smoke",
            "execution.failed",
            Priority.HIGH,
            "Checkout",
            True,
        ),
        ('wf:"claim status"', "execution.failed", None, "Claim status lookup", True),
        ("checkout", "execution.failed", None, "Checkout", True),
        ("failed", "execution.failed", None, "x", True),
        ("id:1a2b", "execution.failed", None, "x", True),
        ("!status:failed", "execution.failed", None, "x", False),
    ],
)
def test_grammar(text: str, status: str, prio: Priority | None, name: str, expected: bool) -> None:
    assert Query.parse(text).matches(record(status, prio), name) is expected


def test_empty_query_matches_everything() -> None:
    query = Query.parse("   ")
    assert not query and query.matches(record(), None)


@pytest.mark.parametrize("text", ["status:bogus", "prio:urgent", "colour:red"])
def test_bad_terms_say_what_is_allowed(text: str) -> None:
    with pytest.raises(ValueError, match="use"):
        Query.parse(text)


def test_dry_run_filter() -> None:
    assert Query.parse("dry:yes").matches(record(dry=True), "x")
    assert not Query.parse("dry:yes").matches(record(dry=False), "x")
