"""The CloudCruise API: typed models, errors and an async client. Imports no Textual."""

from ccmon.api import _httpx  # noqa: F401  (first: httpx without its command-line tool)
from ccmon.api.client import ApiKey, CloudCruiseClient, InvalidRow, RetryPolicy, RunPage
from ccmon.api.errors import (
    AuthError,
    BadRequest,
    CloudCruiseError,
    ConnectionFailed,
    NotFound,
    PayloadError,
    RateLimited,
    ReadOnlyError,
    ServerError,
    Timeout,
)
from ccmon.api.models import (
    DebugSnapshot,
    Priority,
    RunDetail,
    RunError,
    RunSummary,
    Status,
    Workflow,
    WorkflowSummary,
)

__all__ = [
    "ApiKey",
    "AuthError",
    "BadRequest",
    "CloudCruiseClient",
    "CloudCruiseError",
    "ConnectionFailed",
    "DebugSnapshot",
    "InvalidRow",
    "NotFound",
    "PayloadError",
    "Priority",
    "RateLimited",
    "ReadOnlyError",
    "RetryPolicy",
    "RunDetail",
    "RunError",
    "RunPage",
    "RunSummary",
    "ServerError",
    "Status",
    "Timeout",
    "Workflow",
    "WorkflowSummary",
]
