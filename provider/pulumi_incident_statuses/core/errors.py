"""Everything this package raises for a person to read, as one tree.

::

    IncidentStatusesError             anything this package raises for a person (old name:
     │                                 IncidentAPIError, the same class)
     ├── ConfigurationError           the client was set up wrongly; nothing was sent
     │    ├── MissingAPIKeyError      no API key in stack config or the environment
     │    └── InsecureEndpointError   plain http:// to a host that is not loopback
     ├── StatusConflictError          cannot create or adopt as declared: the name is held
     ├── StatusLookupError            get_incident_status found no status by that name or id
     ├── StatusOrderError             an IncidentStatusOrder lists a status it cannot order
     ├── RecoveryError                `recover` could not finish; nothing was imported
     │    └── StackLockedError        the stack is locked by a run, possibly a killed one
     ├── StackReadError               a stack's state could not be read (`pulumi stack export`)
     ├── UnknownTypeError             the engine asked the plugin about a token it does not define
     └── RequestError                 a call that failed; ``method`` and ``path`` name it
          ├── APIConnectionError      no response at all: refused, reset, closed, timed out
          ├── MalformedResponseError  a response that is not the documented JSON
          └── APIStatusError          incident.io answered with an error status
               ├── AuthenticationError     401
               ├── PermissionDeniedError   403
               ├── NotFoundError           404
               ├── ValidationError         422
               │    ├── RankRaceError      422 on rank: a concurrent append took it; retried first
               │    └── RankTakenError     422 on rank: an order's planned rank was taken; retried
               ├── RateLimitError          429
               └── ServerError             5xx

Any other status outside 2xx (other 4xx, and 3xx since redirects are not followed) raises a plain
``APIStatusError``. Every message names the call (method and path); status errors also give the
error type, the request id to quote to incident.io, and what the API said. No message ever
contains the API key.
"""

from __future__ import annotations

import builtins
from dataclasses import dataclass
from typing import Any, Self, TypeVar

from .advice import Door, Holder, Remedy, advise

__all__ = [
    "APIConnectionError",
    "APIStatusError",
    "AuthenticationError",
    "ConfigurationError",
    "ErrorDetail",
    "IncidentAPIError",
    "IncidentStatusesError",
    "InsecureEndpointError",
    "MalformedResponseError",
    "MissingAPIKeyError",
    "NotFoundError",
    "PermissionDeniedError",
    "RankRaceError",
    "RankTakenError",
    "RateLimitError",
    "RecoveryError",
    "RequestError",
    "ServerError",
    "StackLockedError",
    "StackReadError",
    "StatusConflictError",
    "StatusLookupError",
    "StatusOrderError",
    "UnknownTypeError",
    "ValidationError",
    "error_class_for",
    "may_pass",
]

_StatusError = TypeVar("_StatusError", bound="APIStatusError")

SNIPPET_LIMIT = 200
"""The longest excerpt of a response body an error message quotes."""


def _snippet(text: str) -> str:
    """The start of ``text`` on one line, at most SNIPPET_LIMIT characters."""
    flat = " ".join(text.split())
    if len(flat) <= SNIPPET_LIMIT:
        return flat
    return flat[: SNIPPET_LIMIT - 1] + "…"


def _short_request_id(request_id: str) -> str:
    return request_id if len(request_id) <= 8 else request_id[:8] + "…"


def _rebuild(cls: type[IncidentAPIError], args: tuple[Any, ...], state: dict[str, Any]) -> Any:
    error = cls.__new__(cls)
    error.args = args
    error.__dict__.update(state)
    return error


class IncidentStatusesError(Exception):
    """Base of every error this package raises for a person to read: the client, the providers,
    the command line, the tools."""

    def __reduce__(self) -> tuple[Any, ...]:
        # The subclasses take keyword-only arguments, which Exception's own pickling cannot replay.
        return (_rebuild, (type(self), self.args, dict(self.__dict__)))

    def with_note(self, note: str) -> Self:
        """The same error, its message followed by ``note`` (what to do, in this case)."""
        noted: Self = _rebuild(type(self), (f"{self}; {note}",), dict(self.__dict__))
        return noted

    def after_attempts(self, attempts: int) -> Self:
        """The same error, its message saying how many attempts ended in it."""
        state = {**self.__dict__, "attempts": attempts}
        said: Self = _rebuild(type(self), (f"after {attempts} attempts, {self}",), state)
        return said

    attempts: int = 1
    """How many attempts of the call ended in this error (the retry policy's, see `retry`)."""


IncidentAPIError = IncidentStatusesError
"""The root's name before 0.3.0, when it was also the parent of errors with no call to
incident.io (settings, recovery); kept, the same class."""

class ConfigurationError(IncidentStatusesError):
    """The client was given settings it cannot work with; nothing was sent."""


class MissingAPIKeyError(ConfigurationError):
    """No API key was configured (stack config ``incident:apiKey`` or ``INCIDENT_API_KEY``)."""


class InsecureEndpointError(ConfigurationError):
    """The endpoint is plain ``http://`` on a host other than loopback, so the key would leak."""


class StatusConflictError(IncidentStatusesError):
    """The status cannot be created or adopted as declared: the name or id belongs elsewhere.

    What to do is carried as data (``remedy``, ``holder``) and worded for the way in the person
    used (see `advice`): `for_door` gives the same conflict worded for another.
    """

    holder: Holder
    """The status standing in the way, and this stack's resource that holds it, if one does."""
    remedy: Remedy
    """What a person can do about it."""
    facts: str
    """What happened, without the advice."""
    door: Door
    """The way in the advice is worded for."""
    resource: str | None
    """The name, in the program, of the resource that met the conflict, when known."""

    def __init__(
        self,
        facts: str,
        *,
        holder_id: str | None,
        remedy: Remedy = Remedy.NONE,
        holder_resource: str | None = None,
        door: Door = Door.PYTHON,
        resource: str | None = None,
    ) -> None:
        self.facts = facts
        self.holder = Holder(holder_id, holder_resource)
        self.remedy = remedy
        self.door = door
        self.resource = resource
        said = advise(remedy, self.holder, door, resource)
        super().__init__(f"{facts}. {said}" if said else facts)

    @property
    def holder_id(self) -> str | None:
        """The id of the status standing in the way, if there is one."""
        return self.holder.status_id

    def for_door(self, door: Door, resource: str | None = None) -> StatusConflictError:
        """The same conflict, its advice worded for ``door`` (and the ``resource`` named)."""
        return self.revised(door=door, resource=resource or self.resource)

    def revised(
        self,
        *,
        remedy: Remedy | None = None,
        holder_resource: str | None = None,
        door: Door | None = None,
        resource: str | None = None,
    ) -> StatusConflictError:
        """The same conflict with what is now known of its remedy, holder, door or resource."""
        return StatusConflictError(
            self.facts,
            holder_id=self.holder.status_id,
            remedy=remedy or self.remedy,
            holder_resource=holder_resource or self.holder.resource_urn,
            door=door or self.door,
            resource=resource or self.resource,
        )


class StatusLookupError(IncidentStatusesError):
    """``get_incident_status`` found no status with the name or id it was given."""

    name: str | None
    """The name looked up, if the lookup was by name."""
    status_id: str | None
    """The id looked up, if the lookup was by id."""
    suggestions: tuple[str, ...]
    """Names of existing statuses close to ``name``, closest first."""

    def __init__(
        self,
        message: str,
        *,
        name: str | None = None,
        status_id: str | None = None,
        suggestions: tuple[str, ...] = (),
    ) -> None:
        self.name = name
        self.status_id = status_id
        self.suggestions = tuple(suggestions)
        super().__init__(message)


class StatusOrderError(IncidentStatusesError):
    """An ``IncidentStatusOrder`` lists an id that is no status, or a status of another category,
    or more statuses than its category has ranks free.

    Raised before anything is written, so the next ``pulumi up`` after the fix starts clean.
    """


class RecoveryError(IncidentStatusesError):
    """`recover` could not finish (no time to match against, a stack it cannot change); nothing
    was imported."""


class StackLockedError(RecoveryError):
    """The stack is locked by a run, possibly a killed one; nothing was changed."""


class StackReadError(IncidentStatusesError):
    """A stack's state could not be read (``pulumi stack export``); the message says why."""


class UnknownTypeError(IncidentStatusesError):
    """The engine asked the plugin about a type token this package does not define."""


class RequestError(IncidentStatusesError):
    """A call to incident.io failed; every message names it."""

    method: str
    """The HTTP method of the call that failed."""
    path: str
    """The path of the call that failed, e.g. ``/v1/incident_statuses``."""

    def __init__(self, message: str, *, method: str, path: str) -> None:
        self.method = method
        self.path = path
        super().__init__(message)


class APIConnectionError(RequestError):
    """No response arrived: the connection was refused, reset or closed, or it timed out.

    For a write the outcome is unknown: the request may or may not have been applied.
    """

    reason: str
    """A short description of what happened to the connection."""
    endpoint: str | None
    """The base URL the call went to, when the client said."""
    endpoint_set_by: str | None
    """Where that URL was set, as a clause ("set by INCIDENT_ENDPOINT"), when known."""

    unreachable: bool
    """Whether nothing answers at the endpoint at all (refused, no such host, no connection
    made in time), rather than a connection that was made and then failed."""

    def __init__(
        self,
        *,
        method: str,
        path: str,
        reason: str,
        endpoint: str | None = None,
        endpoint_set_by: str | None = None,
        unreachable: bool = False,
    ) -> None:
        self.reason = reason
        self.endpoint = endpoint
        self.endpoint_set_by = endpoint_set_by
        self.unreachable = unreachable
        message = f"could not get a response from incident.io for {method} {path}: {reason}"
        if endpoint is not None:
            message += f"; the endpoint is {endpoint}"
            if endpoint_set_by:
                message += f" ({endpoint_set_by})"
        super().__init__(message, method=method, path=path)


class MalformedResponseError(RequestError):
    """incident.io answered, but not with the documented JSON: empty, HTML, truncated, misshapen."""

    status: int | None
    """The HTTP status of the response, when the error came from one."""
    reason: str
    """What was wrong with the body."""
    snippet: str
    """The start of the body, on one line, at most 200 characters."""

    def __init__(
        self, *, status: int | None, method: str, path: str, reason: str, snippet: str
    ) -> None:
        self.status = status
        self.reason = reason
        self.snippet = _snippet(snippet)
        where = f"{method} {path}" if status is None else f"{method} {path} ({status})"
        message = f"incident.io sent a malformed response to {where}: {reason}"
        if self.snippet:
            message += f"; the body starts {self.snippet!r}"
        super().__init__(message, method=method, path=path)


@dataclass(frozen=True)
class ErrorDetail:
    """One entry of an error response's ``errors`` list."""

    code: str
    """A machine-readable code, e.g. ``is_required``."""
    message: str
    """What incident.io says is wrong."""
    field: str | None = None
    """The request field it is about (``source.field``), when it names one."""

    def __str__(self) -> str:
        said = self.message or self.code
        return f"{self.field}: {said}" if self.field and said else said


class APIStatusError(RequestError):
    """incident.io answered with an error status (not 2xx)."""

    hint: str | None = None
    """What to do next, appended to the message when there is something useful to say; each
    class has its own, which the client may replace by one that knows more (where the key came
    from)."""

    status: int
    """The HTTP status code."""
    type: str | None
    """The error ``type`` from the body, e.g. ``validation_error``; None if the body had none."""
    request_id: str | None
    """incident.io's id for the request; quote it when asking incident.io for help."""
    errors: tuple[ErrorDetail, ...]
    """The entries of the body's ``errors`` list."""
    retry_after: float | None
    """Seconds the server asked to wait (``Retry-After``), if it said."""
    snippet: str | None
    """The start of the body when it was not error JSON, else None."""

    def __init__(
        self,
        *,
        status: int,
        method: str,
        path: str,
        type: str | None = None,
        request_id: str | None = None,
        errors: tuple[ErrorDetail, ...] = (),
        retry_after: float | None = None,
        snippet: str | None = None,
        hint: str | None = None,
    ) -> None:
        if hint is not None:
            self.hint = hint
        self.status = status
        self.type = type
        self.request_id = request_id
        self.errors = tuple(errors)
        self.retry_after = retry_after
        self.snippet = _snippet(snippet) if snippet else None
        super().__init__(self._message(method, path), method=method, path=path)

    def _message(self, method: str, path: str) -> str:
        facts = f"{self.status} {self.type}" if self.type else str(self.status)
        if self.request_id:
            facts += f", request {_short_request_id(self.request_id)}"
        message = f"incident.io rejected {method} {path} ({facts})"
        said = "; ".join(str(detail) for detail in self.errors if str(detail))
        if said:
            message += f": {said}"
        elif self.snippet:
            message += f": {self.snippet}"
        if self.hint:
            message += f" — {self.hint}"
        return message

    def recast(self, cls: builtins.type[_StatusError]) -> _StatusError:
        """The same answer as ``cls``, a subclass that says what the refusal meant here."""
        recast: _StatusError = _rebuild(cls, (), dict(self.__dict__))
        recast.args = (recast._message(self.method, self.path),)
        return recast


class AuthenticationError(APIStatusError):
    """401: the API key is missing, wrong or revoked."""

    hint = "check the API key"


class PermissionDeniedError(APIStatusError):
    """403: the API key may not do this."""

    hint = (
        "give the API key the scope this call needs "
        "(incident_statuses.view to read, incident_lifecycles.update to write)"
    )


class NotFoundError(APIStatusError):
    """404: no incident status has this id (it may have been deleted outside Pulumi)."""


class ValidationError(APIStatusError):
    """422: incident.io refused the request's content (duplicate name, rank clash, ...)."""


class RankRaceError(ValidationError):
    """422 on ``rank`` for an append: a concurrent append to the category took the same rank.

    Nothing was applied; the client sends the create again after a backoff (see ``creation``),
    and raises this only once the retry policy's time is spent.
    """

    hint = (
        "concurrent appends to this category kept taking the next rank first until the retry "
        "time ran out; nothing was created, and running it again finishes it"
    )


class RankTakenError(ValidationError):
    """422 on ``rank`` for a write of an `IncidentStatusOrder`: something else (an append, another
    stack) took the rank between the order's list and its write.

    Nothing was applied; the order plans again from what incident.io then holds, after the retry
    policy's backoff, and raises this only once the retry policy's time is spent.
    """

    hint = (
        "other writes kept taking the ranks this order planned until the retry time ran out; "
        "the statuses keep ranks they held, and running it again finishes the order"
    )


class RateLimitError(APIStatusError):
    """429: too many requests; ``retry_after`` says how long to wait when the server said."""


class ServerError(APIStatusError):
    """5xx: incident.io failed; for a write the outcome is unknown."""


_STATUS_ERRORS: dict[int, builtins.type[APIStatusError]] = {
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    422: ValidationError,
    429: RateLimitError,
}


def may_pass(error: IncidentAPIError) -> bool:
    """Whether ``error`` is an answer a later try may not get: a 5xx, a 429, a malformed body, or
    a connection to a live endpoint that failed. A refused key, a refused request or an endpoint
    where nothing answers at all will fail the same way at `pulumi up`."""
    if isinstance(error, APIConnectionError):
        return not error.unreachable
    return isinstance(error, ServerError | RateLimitError | MalformedResponseError)


def error_class_for(status: int) -> builtins.type[APIStatusError]:
    """The error class an answer with this status (outside 2xx) is raised as, by the tree above."""
    return _STATUS_ERRORS.get(status, ServerError if status >= 500 else APIStatusError)


# Shown as the package's own, where they are imported from (`from pulumi_incident_statuses import
# StatusConflictError`), in every message the engine prints: `pulumi_incident_statuses.X: ...`.
for _name in __all__:
    if _name[0].isupper():
        globals()[_name].__module__ = "pulumi_incident_statuses"
