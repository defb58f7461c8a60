"""Typed errors of the CloudCruise client.

One base class, subclasses a caller can catch by meaning, and a one-line ``str()``
that a person can act on. No exception ever carries the API key.
"""

from __future__ import annotations


class CloudCruiseError(Exception):
    """Base of every error the client raises."""

    retryable: bool = False

    def __init__(self, message: str, *, status: int | None = None, path: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.path = path

    def __str__(self) -> str:
        return self.message


class AuthError(CloudCruiseError):
    """401/403: the key was rejected."""

    def __init__(self, status: int, path: str = "", detail: str = "") -> None:
        what = "rejected" if status == 401 else "not allowed here"
        super().__init__(
            f"API key {what} ({status}): check CLOUDCRUISE_API_KEY"
            + (f" ({detail})" if detail else ""),
            status=status,
            path=path,
        )


class NotFound(CloudCruiseError):
    def __init__(self, path: str, detail: str = "") -> None:
        super().__init__(
            f"not found (404): {path}" + (f": {detail}" if detail else ""), status=404, path=path
        )


class BadRequest(CloudCruiseError):
    """4xx other than auth, 404 and 429: the request itself was refused."""

    def __init__(self, status: int, path: str, detail: str, body: object = None) -> None:
        super().__init__(f"request refused ({status}): {detail}", status=status, path=path)
        self.body = body


class RateLimited(CloudCruiseError):
    retryable = True

    def __init__(
        self,
        retry_after: float,
        *,
        path: str = "",
        limit: int | None = None,
        remaining: int | None = None,
        reset: str | None = None,
    ) -> None:
        super().__init__(
            f"rate limited: retrying in {retry_after:.0f} s"
            + (f" (limit {limit} requests per window)" if limit else ""),
            status=429,
            path=path,
        )
        self.retry_after = retry_after
        self.limit = limit
        self.remaining = remaining
        self.reset = reset


class ServerError(CloudCruiseError):
    retryable = True

    def __init__(self, status: int, path: str = "", detail: str = "") -> None:
        super().__init__(
            f"server error ({status}) on {path}" + (f": {detail}" if detail else ""),
            status=status,
            path=path,
        )


class Timeout(CloudCruiseError):
    retryable = True

    def __init__(self, path: str, seconds: float) -> None:
        super().__init__(f"timed out after {seconds:g} s on {path}", path=path)


class ConnectionFailed(CloudCruiseError):
    retryable = True

    def __init__(self, host: str, detail: str) -> None:
        super().__init__(f"cannot reach {host}: {detail}")


class PayloadError(CloudCruiseError):
    """The response was not the shape the API documents."""

    def __init__(self, path: str, detail: str, excerpt: str = "") -> None:
        super().__init__(
            f"invalid response from {path}: {detail}" + (f" [{excerpt}]" if excerpt else ""),
            path=path,
        )
        self.excerpt = excerpt


class ReadOnlyError(CloudCruiseError):
    """A mutating call in read-only mode; refused before anything is sent."""

    def __init__(self, action: str) -> None:
        super().__init__(f"read-only mode: {action} is disabled")
