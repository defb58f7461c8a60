"""Validation of the POST /run body and of run_input_variables against the input schema."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .records import PRIORITIES
from .responses import ApiError

if TYPE_CHECKING:
    from .workspace import Workspace

__all__ = ["StartRequest", "validate_start_body"]


@dataclass(frozen=True, slots=True)
class StartRequest:
    workflow_id: str
    inputs: dict[str, Any]
    priority: str
    dry_run: bool
    debug: bool


def _bad(message: str, **extra: Any) -> ApiError:
    return ApiError(400, message, **extra)


def validate_start_body(body: Any, ws: Workspace) -> StartRequest:
    if not isinstance(body, dict):
        raise _bad("body must be object")
    if "workflow_id" not in body:
        raise _bad("body must have required property 'workflow_id'")
    wf_id = body["workflow_id"]
    if not isinstance(wf_id, str):
        raise _bad("body/workflow_id must be string")
    if "run_input_variables" not in body:
        raise _bad(
            "body must have required property 'run_input_variables'",
            run_input_variables_errors=[{"field": "run_input_variables", "message": "is required"}],
        )
    inputs = body["run_input_variables"]
    if not isinstance(inputs, dict):
        raise _bad(
            "body/run_input_variables must be object",
            run_input_variables_errors=[
                {"field": "run_input_variables", "message": "must be an object"}
            ],
        )
    priority = body.get("priority", "LOW")
    if priority not in PRIORITIES:
        raise _bad("body/priority must be equal to one of the allowed values")
    dry = body.get("dry_run")
    dry_run = False
    if dry is not None:
        if not isinstance(dry, dict):
            raise _bad("body/dry_run must be object")
        enabled = dry.get("enabled", False)
        if not isinstance(enabled, bool):
            raise _bad("body/dry_run/enabled must be boolean")
        dry_run = enabled
    debug = body.get("debug", False)
    if not isinstance(debug, bool):
        raise _bad("body/debug must be boolean")
    wf = ws.workflow(wf_id)
    if wf is None:
        raise ApiError(404, "Workflow not found")
    errors = _input_errors(inputs, wf.input_schema, wf.vault_alias)
    if errors:
        raise _bad(
            f"Input validation failed: {errors[0]['field']} {errors[0]['message']}",
            run_input_variables_errors=errors,
            input_schema=wf.input_schema,
        )
    return StartRequest(wf_id, inputs, priority, dry_run, debug)


def _input_errors(
    inputs: dict[str, Any], schema: dict[str, Any], vault_alias: str | None
) -> list[dict[str, str]]:
    errors: list[dict[str, str]] = []
    props: dict[str, Any] = schema.get("properties", {})
    for name in schema.get("required", []):
        if name not in inputs or inputs[name] is None:
            errors.append({"field": name, "message": "is required"})
    for name, prop in props.items():
        if name not in inputs or inputs[name] is None:
            continue
        value = inputs[name]
        if prop.get("type") == "integer":
            if isinstance(value, bool) or not isinstance(value, int):
                errors.append({"field": name, "message": "must be integer"})
        elif not isinstance(value, str):
            errors.append({"field": name, "message": "must be string"})
        # Formats (e.g. "date") are not checked up front: the reference's failed-run example
        # shows date_of_service "2026-02-30" accepted and failing later inside the run.
    if vault_alias is not None:
        ref = inputs.get(vault_alias)
        if ref is None:
            errors.append(
                {
                    "field": vault_alias,
                    "message": "is required (a permissioned_user_id or a list of them)",
                }
            )
        elif not (isinstance(ref, str) and ref) and not (
            isinstance(ref, list) and ref and all(isinstance(x, str) and x for x in ref)
        ):
            errors.append(
                {
                    "field": vault_alias,
                    "message": "must be a permissioned_user_id or a non-empty list of them",
                }
            )
    return errors
