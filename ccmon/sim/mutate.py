"""Body faults: malformed JSON, wrong types, unknown enum values, unknown extra fields."""

from __future__ import annotations

import random
from typing import Any

__all__ = ["mutate"]

_J = Any

_ROW_TYPES: list[tuple[str, _J]] = [
    ("created_at", 12345),
    ("dry_run", "yes"),
    ("execution_start", 1772633100),
    ("status", 7),
    ("session_id", 12345678),
    ("workflow_id", ["not", "a", "uuid"]),
    ("execution_end", False),
]
_DETAIL_TYPES: list[tuple[str, _J]] = [
    ("session_retries", "two"),
    ("errors", "errors are unavailable"),
    ("data", ["not", "an", "object"]),
    ("was_recovered", "true"),
    ("video_urls", {}),
    ("recovered_error_ids", "abc"),
    ("input_variables", "not-an-object"),
    ("status", 3),
]
_UNKNOWN_STATUSES = [
    "execution.archived",
    "execution.waiting_for_input",
    "execution.unknown",
    "EXECUTION.SUCCESS",
]
_EXTRA_ROW = {
    "x_trace_id": "tr_5f2a9c01",
    "region": "us-east-1",
    "tags": ["beta"],
    "metadata": {"source": "api", "nested": {"depth": 2}},
}


def mutate(kind: str, route: str, body: _J, rng: random.Random) -> _J:
    """Return a damaged copy-in-place of `body` for the fault `kind` ("types", "enum", "extra")."""
    if kind == "types":
        return _types(route, body, rng)
    if kind == "enum":
        return _enum(route, body, rng)
    return _extra(route, body, rng)


def _some(rng: random.Random, items: list[_J]) -> list[_J]:
    if not items:
        return []
    k = max(1, len(items) // 4)
    return rng.sample(items, min(k, len(items)))


def _types(route: str, body: _J, rng: random.Random) -> _J:
    if isinstance(body, list):
        for row in _some(rng, [r for r in body if isinstance(r, dict)]):
            if route == "workflows":
                row[rng.choice(["name", "created_at", "enable_popup_handling"])] = 123
            else:
                key, value = rng.choice(_ROW_TYPES)
                row[key] = value
        return body
    if not isinstance(body, dict):
        return body
    if route == "snapshots":
        body["screenshots"] = "none"
        body["page_snapshot_url"] = 42
    elif route == "workflows":
        body["nodes"] = {"not": "a list"}
        body["version_number"] = "seven"
    else:
        for key, value in rng.sample(_DETAIL_TYPES, 3):
            body[key] = value
        shots = body.get("screenshot_urls")
        if isinstance(shots, list) and shots:
            shots[0]["error_screenshot"] = "no"
    return body


def _enum(route: str, body: _J, rng: random.Random) -> _J:
    if isinstance(body, list):
        for row in _some(rng, [r for r in body if isinstance(r, dict)]):
            if "status" in row:
                row["status"] = rng.choice(_UNKNOWN_STATUSES)
        return body
    if not isinstance(body, dict):
        return body
    if "status" in body:
        body["status"] = rng.choice(_UNKNOWN_STATUSES)
    for err in body.get("errors") or []:
        if isinstance(err, dict):
            err["llm_error_category"] = rng.choice(
                ["QUANTUM_FLUX_ERROR", "CAPTCHA_GATE", "user error"]
            )
            err["llm_error_sub_type"] = "NEW_SUBTYPE_2027"
            err["action_type"] = "HOVER"
    for node in body.get("nodes") or []:
        if isinstance(node, dict):
            node["action"] = rng.choice(["DRAG_AND_DROP", "SOLVE_CAPTCHA"])
    return body


def _extra(route: str, body: _J, rng: random.Random) -> _J:
    if isinstance(body, list):
        for row in body:
            if isinstance(row, dict):
                row.update(_EXTRA_ROW)
        return body
    if not isinstance(body, dict):
        return body
    body["agent_version"] = "2.31.0"
    body["billing"] = {"credits_used": rng.randint(1, 9), "plan": "enterprise"}
    body["x_unknown_list"] = [1, "two", None, {"three": 3}]
    for err in body.get("errors") or []:
        if isinstance(err, dict):
            err["retry_index"] = 0
            err["input_recovery"] = {"attempted": True}
    for shot in body.get("screenshots") or []:
        if isinstance(shot, dict):
            shot["retry_index"] = 0
            shot["full_length_screenshot"] = False
            shot["metadata"] = {"viewport": "1280x800"}
    for node in body.get("nodes") or []:
        if isinstance(node, dict):
            node["notes"] = "added in a newer version"
    return body
