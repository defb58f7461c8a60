"""The models read every documented shape and tolerate what the reference calls loose."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError

from ccmon.api.models import (
    MASK,
    DebugSnapshot,
    Priority,
    RunDetail,
    RunSummary,
    Status,
    category_family,
)
from tests.conftest import FIXTURES, SHARED_FIXTURES, fixture


def test_fixture_copies_match_the_shared_ones() -> None:
    if not SHARED_FIXTURES.is_dir():
        pytest.skip("shared/ is not beside this checkout")
    for path in SHARED_FIXTURES.glob("*.json"):
        assert json.loads(path.read_text()) == json.loads((FIXTURES / path.name).read_text())


def test_runs_list_rows_cover_every_status_and_nulls() -> None:
    rows = [RunSummary.model_validate(r) for r in fixture("runs_list.json")]
    assert {r.status.short for r in rows} == {
        "queued",
        "start",
        "paused",
        "requeued",
        "success",
        "failed",
        "stopped",
    }
    nulls = next(r for r in rows if r.workflow_id is None)
    assert nulls.dry_run is None and nulls.execution_start is None
    assert all(r.priority is None for r in rows)
    assert rows[0].created_at is not None and rows[0].created_at.tzinfo is not None


def test_status_knows_terminal_and_keeps_unknown_values() -> None:
    assert Status("execution.success").terminal
    assert Status("execution.requeued").active
    odd = RunSummary.model_validate({"session_id": "x", "status": "execution.archived"})
    assert odd.status == "execution.archived" and not odd.status.known and odd.status.active
    assert odd.status.short == "archived"


def test_failed_detail_with_recoveries() -> None:
    detail = RunDetail.model_validate(fixture("run_detail_failed_recovered.json"))
    assert detail.was_recovered is True
    assert detail.recovered_count == 2 and len(detail.error_list) == 3
    last = detail.error_list[-1]
    assert not detail.is_recovered(last)
    assert last.llm_error_category == "INCORRECT_FORM_INPUTS" and last.family == "User"
    assert detail.error_list[1].family == "Workflow"
    assert detail.masked_inputs()["USER"] == MASK
    assert detail.masked_inputs()["member_id"] == "MBR-000000"


def test_queued_detail_has_null_errors_and_pooled_credentials() -> None:
    detail = RunDetail.model_validate(fixture("run_detail_queued.json"))
    assert detail.errors is None and detail.error_list == []
    assert detail.session_retries is None
    assert detail.masked_inputs()["USER"] == MASK


def test_success_detail_artifacts() -> None:
    detail = RunDetail.model_validate(fixture("run_detail_success.json"))
    assert detail.video_urls and detail.video_urls[0].signed_screen_recording_url_expires
    assert detail.file_urls and detail.file_urls[0].file_name == "eligibility_MBR-558201.pdf"
    assert detail.screenshot_urls and detail.screenshot_urls[0].error_screenshot is False


def test_debug_snapshot() -> None:
    snap = DebugSnapshot.model_validate(fixture("debug_snapshot.json"))
    assert snap.screenshots[0].error_screenshot is True
    assert snap.page_snapshot_url and "token=" in snap.page_snapshot_url


def test_extra_fields_are_kept_and_priority_is_read_when_sent() -> None:
    row = RunSummary.model_validate(
        {"session_id": "x", "status": "execution.queued", "priority": "high", "new_field": [1]}
    )
    assert row.priority is Priority.HIGH
    assert row.model_extra == {"new_field": [1]}


@pytest.mark.parametrize(
    ("field", "value"),
    [("status", 7), ("session_retries", "two"), ("errors", "boom"), ("recovered_error_ids", 5)],
)
def test_wrong_types_are_rejected_not_misread(field: str, value: object) -> None:
    base = fixture("run_detail_queued.json")
    base[field] = value
    with pytest.raises(ValidationError):
        RunDetail.model_validate(base)


def test_a_number_is_not_read_as_a_time() -> None:
    row = fixture("runs_list.json")[0]
    row["created_at"] = 12345
    with pytest.raises(ValidationError):
        RunSummary.model_validate(row)


@pytest.mark.parametrize(
    ("category", "family"),
    [
        ("AUTHENTICATION_ERROR", "User"),
        ("XPATH_INCORRECT", "Workflow"),
        ("SERVICE_UNAVAILABLE", "External"),
        ("PAGE_STILL_LOADING", "External"),
        ("SOMETHING_NEW", "Unknown"),
        (None, "Unknown"),
    ],
)
def test_category_family(category: str | None, family: str) -> None:
    assert category_family(category) == family
