"""What the emulator refuses, and why: the errors its handlers raise.

Each error knows its HTTP status and incident.io error ``type``; ``app`` renders any of them into
the ErrorResponse body. The tree::

    ApiError
     ├── InvalidRequest       400 invalid_request_error   body is not a JSON object (or other 4xx)
     ├── Unauthenticated      401 authentication_error    missing or wrong API key
     ├── NotFound             404 not_found               unknown id or route
     ├── MethodNotAllowed     405 invalid_request_error   known route, other method
     ├── ValidationFailed     422 validation_error        the payload breaks a rule
     ├── RateLimited          429 too_many_requests       the key's bucket is empty
     └── InjectedFault        500/503 api_error           --fault-rate chose this request
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One entry of an ErrorResponse's ``errors``; ``field`` names the payload field at fault."""

    code: str
    message: str
    field: str | None = None


class ApiError(Exception):
    """An answer other than success, carrying everything its response body needs."""

    status: int = 500
    error_type: str = "api_error"

    def __init_subclass__(cls, *, status: int | None = None, error_type: str | None = None) -> None:
        """Each kind of refusal names its HTTP status and ``type`` in its class statement."""
        super().__init_subclass__()
        if status is not None:
            cls.status = status
        if error_type is not None:
            cls.error_type = error_type

    def __init__(self, problems: Sequence[Problem]) -> None:
        """Wrap one or more problems; the first one's message is the exception's message."""
        super().__init__(problems[0].message if problems else self.error_type)
        self.problems: tuple[Problem, ...] = tuple(problems)


class InvalidRequest(ApiError, status=400, error_type="invalid_request_error"):
    """The request could not be read as the operation's payload at all."""

    def __init__(self, problems: Sequence[Problem], *, status: int = 400) -> None:
        """Refuse the request with a 4xx status (400 unless, say, the body is too large)."""
        super().__init__(problems)
        self.status = status


class Unauthenticated(ApiError, status=401, error_type="authentication_error"):
    """No API key, or not the one the emulator accepts."""


class NotFound(ApiError, status=404, error_type="not_found"):
    """No status has this id, or no operation lives at this path."""


class MethodNotAllowed(ApiError, status=405, error_type="invalid_request_error"):
    """The path exists but not with this HTTP method."""


class ValidationFailed(ApiError, status=422, error_type="validation_error"):
    """The payload was readable but breaks a rule of the API."""


class RateLimited(ApiError, status=429, error_type="too_many_requests"):
    """The API key's token bucket is empty."""

    def __init__(self, *, limit: int, retry_after_seconds: int, retry_at: str) -> None:
        """Describe when a token will next be available."""
        super().__init__(
            [Problem("too_many_requests", f"Rate limit of {limit} requests per minute exceeded")]
        )
        self.limit = limit
        self.retry_after_seconds = retry_after_seconds
        self.retry_at = retry_at


class InjectedFault(ApiError, error_type="api_error"):
    """A server error the emulator made up on purpose; nothing was applied."""

    def __init__(self, status: int) -> None:
        """Fail with ``status`` (500 or 503)."""
        code = "service_unavailable" if status == 503 else "internal_error"
        super().__init__([Problem(code, "Injected fault: the request was not applied")])
        self.status = status
