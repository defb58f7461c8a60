"""Pydantic models of the CloudCruise API: the one place where API shapes live.

Everything here is tolerant by design. The real API is loose (see the reference in
``shared/api/cloudcruise-api.md``): unknown status values, error categories and
sub-types are kept verbatim, extra fields are kept, and every documented nullable is
nullable. Field names are the API's own.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    GetCoreSchemaHandler,
)
from pydantic_core import core_schema


class ApiModel(BaseModel):
    """Base for every API shape: keeps unknown fields, never rejects extras."""

    model_config = ConfigDict(extra="allow", populate_by_name=True, frozen=False, defer_build=True)


# --- enums kept open -------------------------------------------------------------------


class Priority(StrEnum):
    HIGH = "HIGH"
    MEDIUM = "MEDIUM"
    LOW = "LOW"

    @property
    def rank(self) -> int:
        """Dispatch order: HIGH first."""
        return _PRIORITY_RANK[self]

    @classmethod
    def parse(cls, value: object) -> Priority | None:
        if isinstance(value, Priority):
            return value
        if isinstance(value, str) and value.strip().upper() in cls.__members__:
            return cls[value.strip().upper()]
        return None


_PRIORITY_RANK = {Priority.HIGH: 0, Priority.MEDIUM: 1, Priority.LOW: 2}

KNOWN_STATUSES: tuple[str, ...] = (
    "execution.queued",
    "execution.start",
    "execution.paused",
    "execution.requeued",
    "execution.success",
    "execution.failed",
    "execution.stopped",
)
TERMINAL_STATUSES = frozenset({"execution.success", "execution.failed", "execution.stopped"})
ACTIVE_STATUSES: tuple[str, ...] = (
    "execution.queued",
    "execution.start",
    "execution.paused",
    "execution.requeued",
)


class Status(str):
    """A run status as the API sends it. Unknown values are kept as they are.

    ``Status("execution.failed").short == "failed"``; an unknown value such as
    ``"execution.archived"`` is neither terminal nor known, and is treated as active
    (it may still change) so that ccmon keeps asking about it.
    """

    __slots__ = ()

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: object, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.no_info_after_validator_function(
            cls, core_schema.str_schema(strict=True)
        )

    @property
    def short(self) -> str:
        return self.removeprefix("execution.") or "?"

    @property
    def known(self) -> bool:
        return self in KNOWN_STATUSES

    @property
    def terminal(self) -> bool:
        return self in TERMINAL_STATUSES

    @property
    def active(self) -> bool:
        return not self.terminal


# Error category -> family, from the reference §6 (current matrix and older snapshots).
CATEGORY_FAMILY: dict[str, str] = {
    "PAGE_NOT_FOUND": "User",
    "AUTHENTICATION_ERROR": "User",
    "INCORRECT_FORM_INPUTS": "User",
    "PASSWORD_UPDATE_REQUIRED": "User",
    "ACCOUNT_UPDATE_REQUIRED": "User",
    "ADDITIONAL_USER_INPUT_REQUIRED": "User",
    "MULTIPLE_MATCHING_RESULTS_FOUND": "User",
    "ACTION_BLOCKED_BY_PLATFORM": "User",
    "ACTION_PERFORMED_TOO_EARLY": "Workflow",
    "UNEXPECTED_POPUP": "Workflow",
    "UNEXPECTED_UI_STATE": "Workflow",
    "XPATH_INCORRECT": "Workflow",
    "SERVICE_UNAVAILABLE": "External",
    "PAGE_STILL_LOADING": "External",
    "ACCOUNT_LOGGED_OUT": "External",
    "UPSTREAM_ERROR": "External",
}


def category_family(category: str | None) -> str:
    """The broad group of an ``llm_error_category``: User, Workflow, External or Unknown."""
    if not category:
        return "Unknown"
    return CATEGORY_FAMILY.get(category.strip().upper(), "Unknown")


# --- field types -----------------------------------------------------------------------


def _reject_numbers(value: object) -> object:
    """Times arrive as ISO-8601 strings. pydantic's lax mode would read a number as a
    unix time and hide broken data, so a number is a type error here."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise ValueError(f"expected an ISO-8601 time, got {type(value).__name__}")
    return value


def _utc(value: datetime) -> datetime:
    """A time without an offset is taken as UTC, so times always compare."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


class _IsoTime:
    """A time as the API writes it. From JSON text (the client's path) pydantic-core
    parses the RFC 3339 string itself, and a number is a type error; from Python values
    (JSON already decoded) a number is rejected first, as above. Either way a time
    without an offset is taken as UTC. Parsing in Rust keeps a page of runs cheap: the
    same rows through Python validators cost twice as much."""

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: object, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        lax = core_schema.no_info_before_validator_function(
            _reject_numbers, core_schema.datetime_schema()
        )
        either = core_schema.json_or_python_schema(
            json_schema=core_schema.datetime_schema(strict=True), python_schema=lax
        )
        return core_schema.no_info_after_validator_function(_utc, either)


Time = Annotated[datetime, _IsoTime]
OptPriority = Annotated[Priority | None, BeforeValidator(Priority.parse)]


# --- runs ------------------------------------------------------------------------------


class RunSummary(ApiModel):
    """One row of ``GET /runs``."""

    session_id: str
    status: Status
    created_at: Time | None = None
    workflow_id: str | None = None
    workspace_id: str | None = None
    execution_start: Time | None = None
    execution_end: Time | None = None
    dry_run: bool | None = None
    # Not sent by the API today (DESIGN.md, Priority); accepted if it ever is.
    priority: OptPriority = None


class RunError(ApiModel):
    """One entry of a run's ``errors``; every field is optional, as in the SDK."""

    error_id: str | None = None
    message: str | None = None
    prompt: str | None = None
    full_url: str | None = None
    llm_model: str | None = None
    created_at: Time | None = None
    error_code: str | None = None
    action_type: str | None = None
    action_display_name: str | None = None
    original_error: str | None = None
    llm_error_category: str | None = None
    llm_error_sub_type: str | None = None
    llm_error_description: str | None = None
    node_id: str | None = None
    input_recovery: Any = None
    password_update_recovery: Any = None

    @property
    def family(self) -> str:
        return category_family(self.llm_error_category)


class VideoUrl(ApiModel):
    signed_screen_recording_url: str | None = None
    signed_screen_recording_url_expires: Time | None = None
    timestamp: Time | None = None
    session_id: str | None = None


class FileUrl(ApiModel):
    signed_file_url: str | None = None
    file_name: str | None = None
    signed_file_url_expires: Time | None = None
    timestamp: Time | None = None
    metadata: dict[str, Any] | None = None


class ScreenshotUrl(ApiModel):
    signed_screenshot_url: str | None = None
    node_display_name: str | None = None
    signed_screenshot_url_expires: Time | None = None
    timestamp: Time | None = None
    error_screenshot: bool | None = None
    # Conflicting sources: the CLI says node_id is present, the docs say not.
    node_id: str | None = None
    screenshot_id: str | None = None
    retry_index: int | None = None
    full_length_screenshot: bool | None = None
    metadata: dict[str, Any] | None = None


class RunDetail(ApiModel):
    """``GET /run/{session_id}``."""

    session_id: str
    status: Status
    workflow_id: str | None = None
    input_variables: dict[str, Any] | None = None
    vault_entries: dict[str, Any] | None = None
    encrypted_variables: list[str] | None = None
    session_retries: int | None = None
    data: Any = None
    video_urls: list[VideoUrl] | None = None
    file_urls: list[FileUrl] | None = None
    screenshot_urls: list[ScreenshotUrl] | None = None
    errors: list[RunError] | None = None
    was_recovered: bool | None = None
    recovered_error_ids: list[str] | None = None
    priority: OptPriority = None

    @property
    def error_list(self) -> list[RunError]:
        return self.errors or []

    @property
    def recovered_ids(self) -> frozenset[str]:
        return frozenset(self.recovered_error_ids or ())

    def is_recovered(self, error: RunError) -> bool:
        return error.error_id is not None and error.error_id in self.recovered_ids

    @property
    def recovered_count(self) -> int:
        return sum(1 for e in self.error_list if self.is_recovered(e))

    def masked_inputs(self) -> dict[str, Any]:
        """Input variables with the encrypted ones replaced by a mask."""
        secret = set(self.encrypted_variables or ())
        return {
            key: MASK if key in secret else value
            for key, value in (self.input_variables or {}).items()
        }


MASK = "••••••"


class DebugScreenshot(ScreenshotUrl):
    """A screenshot of a debug snapshot: the same shape, with node_id and screenshot_id."""


class DebugSnapshot(ApiModel):
    """``GET /run/{session_id}/debug-snapshots/{node_id}``."""

    session_id: str
    node_id: str
    page_snapshot_url: str | None = None
    screenshots: list[DebugScreenshot] = Field(default_factory=list)


# --- workflows -------------------------------------------------------------------------


class WorkflowSummary(ApiModel):
    """One entry of ``GET /workflows``."""

    id: str
    name: str | None = None
    description: str | None = None
    created_at: Time | None = None
    updated_at: Time | None = None
    workspace_id: str | None = None
    created_by: str | None = None


class WorkflowNode(ApiModel):
    id: str
    name: str | None = None
    action: str | None = None
    parameters: dict[str, Any] | None = None


class Workflow(WorkflowSummary):
    """``GET /workflows/{id}``: the full definition."""

    nodes: list[WorkflowNode] = Field(default_factory=list)
    edges: dict[str, Any] | None = None
    version_number: int | None = None
    version_id: str | None = None
    input_schema: dict[str, Any] | None = None
    vault_schema: dict[str, Any] | None = None

    def node_name(self, node_id: str | None) -> str | None:
        for node in self.nodes:
            if node.id == node_id:
                return node.name
        return None


# --- requests and small responses -------------------------------------------------------


class StartRunRequest(ApiModel):
    """Body of ``POST /run``. ``priority`` is the [I] key name for the documented option."""

    workflow_id: str
    run_input_variables: dict[str, Any] = Field(default_factory=dict)
    priority: Priority = Priority.LOW
    dry_run: dict[str, Any] | None = None
    debug: bool | None = None

    def to_json(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude_none=True)


class StartRunResponse(ApiModel):
    session_id: str


class InterruptResponse(ApiModel):
    success: bool | None = None
    message: str | None = None


class ErrorBody(ApiModel):
    """The Fastify-style error body; 429 adds limit, remaining and retryAfterSeconds."""

    statusCode: int | None = None
    error: str | None = None
    message: str | None = None
    limit: int | None = None
    remaining: int | None = None
    retryAfterSeconds: float | None = None
