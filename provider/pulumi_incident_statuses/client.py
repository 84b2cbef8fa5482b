"""IncidentStatusesClient: incident.io's incident-statuses API over one ``requests.Session``."""

from __future__ import annotations

import builtins
import contextlib
import functools
import ipaddress
import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.client import RemoteDisconnected
from importlib import metadata
from typing import Any, Self, TypeVar
from urllib.parse import quote, urlsplit

import requests

from . import creation
from .errors import (
    APIConnectionError,
    APIStatusError,
    AuthenticationError,
    ConfigurationError,
    ErrorDetail,
    IncidentAPIError,
    InsecureEndpointError,
    MalformedResponseError,
    MissingAPIKeyError,
    NotFoundError,
    PermissionDeniedError,
    RankRaceError,
    RateLimitError,
    ServerError,
    ValidationError,
)
from .retry import RetryPolicy, parse_retry_after
from .settings import DEFAULT_ENDPOINT

__all__ = [
    "DEFAULT_ENDPOINT",
    "IncidentStatusRecord",
    "IncidentStatusesClient",
    "RetryPolicy",
]


_STATUSES = "/v1/incident_statuses"
_STRING_FIELDS = ("id", "name", "description", "category", "created_at", "updated_at")
_STATUS_ERRORS: dict[int, type[APIStatusError]] = {
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    422: ValidationError,
    429: RateLimitError,
}

logger = logging.getLogger(__name__)

_T = TypeVar("_T")
_NOT_JSON = object()


@functools.cache
def _user_agent() -> str:
    try:
        version = metadata.version("pulumi-incident-statuses")
    except metadata.PackageNotFoundError:
        version = "0+unknown"
    return f"pulumi-incident-statuses/{version}"


@dataclass(frozen=True)
class IncidentStatusRecord:
    """One incident status as incident.io returns it."""

    id: str
    """incident.io's id for the status, e.g. ``01FCNDV6P870EA6S7TK1DSYD5H``."""
    name: str
    """The status's name, unique within the organisation."""
    description: str
    """Rich-text description."""
    category: str
    """``live``, ``learning``, ``closed``, or a category incident.io manages; may be a new one."""
    rank: int
    """Position within its category, lowest first."""
    created_at: str
    """When it was created, RFC 3339."""
    updated_at: str
    """When it last changed, RFC 3339."""

    @classmethod
    def from_api(cls, data: object, *, method: str, path: str) -> IncidentStatusRecord:
        """The record for a status object from the API; MalformedResponseError if it is not one.

        Unknown categories and extra fields are accepted, so that the API may grow.
        """
        problem = _status_problem(data, "incident status")
        if problem is not None:
            raise MalformedResponseError(
                status=None, method=method, path=path, reason=problem, snippet=_json_text(data)
            )
        return cls._checked(data)

    @classmethod
    def _checked(cls, data: Any) -> IncidentStatusRecord:
        return cls(
            id=data["id"],
            name=data["name"],
            description=data["description"],
            category=data["category"],
            rank=data["rank"],
            created_at=data["created_at"],
            updated_at=data["updated_at"],
        )


def _status_problem(data: object, where: str) -> str | None:
    """What keeps ``data`` from being a status object, or None if it is one."""
    if not isinstance(data, dict):
        return f"{where} is not an object"
    for name in _STRING_FIELDS:
        if not isinstance(data.get(name), str):
            return f"{where} has no string {name!r}"
    rank = data.get("rank")
    if not isinstance(rank, int) or isinstance(rank, bool):
        return f"{where} has no integer 'rank'"
    return None


def _json_text(data: object) -> str:
    try:
        return json.dumps(data, default=repr)
    except ValueError:
        return repr(data)


def _redact(text: str, secret: str) -> str:
    """``text`` without the API key, also in its JSON-escaped spelling."""
    for spelling in {secret, json.dumps(secret)[1:-1]}:
        text = text.replace(spelling, "[redacted]")
    return text


@dataclass(frozen=True)
class _Reply:
    """A 2xx response, with what is needed to decode it or say why it cannot be decoded."""

    method: str
    path: str
    status: int
    content: bytes
    secret: str = field(repr=False)
    date: str | None = None
    """The ``Date`` header: the service's clock when it answered."""

    def malformed(self, reason: str) -> MalformedResponseError:
        text = _redact(self.content.decode("utf-8", errors="replace"), self.secret)
        return MalformedResponseError(
            status=self.status, method=self.method, path=self.path, reason=reason, snippet=text
        )

    def json_object(self, key: str) -> object:
        """The value under ``key`` of the JSON object the body must be."""
        if not self.content.strip():
            raise self.malformed("the body is empty")
        try:
            body = json.loads(self.content)
        except ValueError:
            # Raised below, not here: the decode error would be kept as context, whole body
            # and all, and the body may echo the API key.
            body = _NOT_JSON
        if body is _NOT_JSON:
            raise self.malformed("the body is not JSON")
        if not isinstance(body, dict) or key not in body:
            raise self.malformed(f"expected a JSON object with {key!r}")
        return body[key]

    def status_record(self) -> IncidentStatusRecord:
        """The body's ``incident_status``."""
        data = self.json_object("incident_status")
        problem = _status_problem(data, "incident_status")
        if problem is not None:
            raise self.malformed(problem)
        return IncidentStatusRecord._checked(data)

    def status_records(self) -> list[IncidentStatusRecord]:
        """The body's ``incident_statuses``."""
        items = self.json_object("incident_statuses")
        if not isinstance(items, list):
            raise self.malformed("incident_statuses is not a list")
        for index, data in enumerate(items):
            problem = _status_problem(data, f"incident_statuses[{index}]")
            if problem is not None:
                raise self.malformed(problem)
        return [IncidentStatusRecord._checked(data) for data in items]


def _error_body(content: bytes) -> tuple[str | None, str | None, tuple[ErrorDetail, ...]] | None:
    """Type, request id and details of an incident.io error body, or None if it is not one."""
    try:
        body = json.loads(content)
    except ValueError:
        return None
    if not isinstance(body, dict) or not ({"type", "errors"} & body.keys()):
        return None
    kind = body.get("type")
    request_id = body.get("request_id")
    details: list[ErrorDetail] = []
    entries = body.get("errors")
    for entry in entries if isinstance(entries, list) else ():
        if not isinstance(entry, dict):
            continue
        code, message, source = entry.get("code"), entry.get("message"), entry.get("source")
        source_field = source.get("field") if isinstance(source, dict) else None
        details.append(
            ErrorDetail(
                code=code if isinstance(code, str) else "",
                message=message if isinstance(message, str) else "",
                field=source_field if isinstance(source_field, str) and source_field else None,
            )
        )
    return (
        kind if isinstance(kind, str) else None,
        request_id if isinstance(request_id, str) else None,
        tuple(details),
    )


def _result_or_raise(response: requests.Response, *, method: str, path: str, secret: str) -> _Reply:
    """The one place a response becomes a result, or the typed exception it stands for."""
    status = response.status_code
    if 200 <= status < 300:
        return _Reply(method, path, status, response.content, secret, response.headers.get("Date"))
    content = _redact(response.content.decode("utf-8", errors="replace"), secret).encode()
    error_class = _STATUS_ERRORS.get(status, ServerError if status >= 500 else APIStatusError)
    retry_after = parse_retry_after(response.headers.get("Retry-After"), now=datetime.now(UTC))
    parsed = _error_body(content)
    if parsed is None:
        raise error_class(
            status=status,
            method=method,
            path=path,
            retry_after=retry_after,
            snippet=content.decode() or None,
        )
    kind, request_id, details = parsed
    raise error_class(
        status=status,
        method=method,
        path=path,
        type=kind,
        request_id=request_id,
        errors=details,
        retry_after=retry_after,
    )


def _transport_reason(error: requests.RequestException, timeout: float) -> str:
    """A short account of why no response arrived."""
    if isinstance(error, requests.ConnectTimeout):
        return f"timed out connecting after {timeout:g}s"
    if isinstance(error, requests.Timeout):
        return f"no response within {timeout:g}s"
    seen: set[int] = set()
    pending: list[object] = [error]
    while pending:
        cause = pending.pop()
        if id(cause) in seen or not isinstance(cause, BaseException):
            continue
        seen.add(id(cause))
        if isinstance(cause, ConnectionRefusedError):
            return "connection refused"
        if isinstance(cause, RemoteDisconnected):
            return "connection closed without a response"
        if isinstance(cause, ConnectionResetError):
            return "connection reset"
        pending.extend([*cause.args, cause.__cause__, cause.__context__])
        pending.append(getattr(cause, "reason", None))
    if isinstance(error, requests.exceptions.ChunkedEncodingError):
        return "connection closed in the middle of the response"
    return type(error).__name__


def _is_loopback(host: str) -> bool:
    if host.rstrip(".").lower() == "localhost":
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped.is_loopback
    return address.is_loopback


def _checked_endpoint(endpoint: str) -> str:
    """``endpoint`` without its trailing slash, once it is safe to send the API key there."""
    try:
        parts = urlsplit(endpoint.strip())
        # Reading the port is what checks it.
        host, _port = parts.hostname, parts.port
    except ValueError:
        raise ConfigurationError(f"the endpoint {endpoint!r} is not a valid URL") from None
    if parts.scheme not in ("https", "http") or not host:
        raise ConfigurationError(
            f"the endpoint {endpoint!r} must be an https:// URL, e.g. {DEFAULT_ENDPOINT!r}"
        )
    if parts.username is not None or parts.password is not None:
        raise ConfigurationError("the endpoint must not contain a user name or password")
    if parts.query or parts.fragment:
        raise ConfigurationError(f"the endpoint {endpoint!r} must not have a query or fragment")
    if parts.scheme == "http" and not _is_loopback(host):
        raise InsecureEndpointError(
            f"refusing to send the API key over plain http to {host!r}; use https://, "
            "or http:// only to a loopback address such as an emulator on 127.0.0.1"
        )
    return parts.geturl().rstrip("/")


class _BearerAuth(requests.auth.AuthBase):
    """Adds the API key to each request; never shows it."""

    def __init__(self, api_key: str) -> None:
        self._api_key = api_key

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = f"Bearer {self._api_key}"
        return request

    def __repr__(self) -> str:
        return "_BearerAuth(<redacted>)"


class IncidentStatusesClient:
    """incident.io's incident-statuses API: list, get, create, update, delete, find by name.

    Failures raise the typed errors of ``pulumi_incident_statuses.errors``; transient ones are
    retried first as ``retry`` decides. Creates follow the rules of ``creation``: never sent
    again when it could make a duplicate, and never taking over a status they did not make.
    """

    def __init__(
        self,
        api_key: str,
        endpoint: str = DEFAULT_ENDPOINT,
        *,
        timeout: float = 30.0,
        retry: RetryPolicy | None = None,
        session: requests.Session | None = None,
    ) -> None:
        """Check the settings (ConfigurationError if unusable); nothing is sent yet."""
        if not api_key or not api_key.strip():
            raise MissingAPIKeyError(
                "no incident.io API key: set incident:apiKey or INCIDENT_API_KEY"
            )
        if not all(33 <= ord(char) < 127 for char in api_key):
            # Said here because requests would quote the offending header value in its error.
            raise ConfigurationError(
                "the incident.io API key has spaces or characters that cannot go in a header"
            )
        if not timeout > 0:
            raise ConfigurationError("the timeout must be a positive number of seconds")
        self._endpoint = _checked_endpoint(endpoint)
        self._api_key = api_key
        self._auth = _BearerAuth(api_key)
        self._timeout = timeout
        self._retry = retry if retry is not None else RetryPolicy()
        self._append_turns: dict[str, threading.Lock] = {}
        self._append_turns_lock = threading.Lock()
        self._owns_session = session is None
        self._session = session if session is not None else requests.Session()
        self._headers = {
            "Accept": "application/json",
            "Content-Type": "application/json",
            "User-Agent": _user_agent(),
        }

    @property
    def endpoint(self) -> str:
        """The base URL requests go to, without a trailing slash."""
        return self._endpoint

    def __repr__(self) -> str:
        return f"IncidentStatusesClient(endpoint={self._endpoint!r})"

    def __getstate__(self) -> object:
        raise TypeError(
            "IncidentStatusesClient holds an API key and is not picklable; "
            "create it when it is needed instead"
        )

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the connections of the session the client created (not of one passed in)."""
        if self._owns_session:
            self._session.close()

    def list(self) -> builtins.list[IncidentStatusRecord]:
        """Every incident status of the organisation, managed ones included."""
        return self._retrying("GET", _STATUSES, lambda _: self._list_once())

    def get(self, status_id: str) -> IncidentStatusRecord:
        """The status with this id; NotFoundError if there is none."""
        path = _status_path(status_id)
        return self._retrying("GET", path, lambda _: self._send("GET", path).status_record())

    def find_by_name(self, name: str) -> IncidentStatusRecord | None:
        """The status with exactly this name, or None; one list call."""
        return next((status for status in self.list() if status.name == name), None)

    def create(
        self, *, name: str, description: str, category: str, rank: int | None = None
    ) -> IncidentStatusRecord:
        """Create a status (``live``, ``learning`` or ``closed``) exactly once, retries included.

        ``rank`` omitted appends it to the end of its category. When a send or resend is safe,
        and how a lost answer is settled, is the ``creation`` module's to decide: a name held
        by a status this call did not make raises ``StatusConflictError``; an append that keeps
        losing the race for the next rank raises ``RankRaceError`` once the retry time is spent.
        """
        guard = creation.CreateGuard(
            name=name, description=description, category=category, rank=rank
        )

        def attempt(_outcome_unknown: bool) -> IncidentStatusRecord:
            if guard.must_look:
                made = guard.made_by_this(self._listing(guard.clock))
                if made is not None:
                    logger.info(
                        "POST %s: an earlier attempt created %s; not sending it again",
                        _STATUSES,
                        made.id,
                    )
                    return made
            turn = self._append_turn(category) if guard.raced else contextlib.nullcontext()
            try:
                with turn:
                    guard.sending()
                    return self._send("POST", _STATUSES, guard.payload).status_record()
            except (APIConnectionError, ServerError):
                guard.lost()
                raise
            except ValidationError as error:
                return guard.settle_refusal(error, lambda: self._listing(guard.clock))

        return self._retrying("POST", _STATUSES, attempt)

    def update(
        self, status_id: str, *, name: str, description: str, rank: int | None = None
    ) -> IncidentStatusRecord:
        """Set a status's name and description, and its rank when given (category cannot change)."""
        path = _status_path(status_id)
        payload: dict[str, object] = {"name": name, "description": description}
        if rank is not None:
            payload["rank"] = rank
        return self._retrying(
            "PUT", path, lambda _: self._send("PUT", path, payload).status_record()
        )

    def delete(self, status_id: str) -> None:
        """Delete a status; NotFoundError if there is none (also when a lost retry deleted it)."""
        path = _status_path(status_id)
        self._retrying("DELETE", path, lambda _: self._send("DELETE", path))

    def _list_once(self) -> builtins.list[IncidentStatusRecord]:
        return self._send("GET", _STATUSES).status_records()

    def listing(self, clock: Callable[[], float] = time.monotonic) -> creation.Listing:
        """Every status, with the service's clock (``Date``) and ``clock`` when it arrived."""
        return self._retrying("GET", _STATUSES, lambda _: self._listing(clock))

    def _append_turn(self, category: str) -> threading.Lock:
        """The lock an append to ``category`` holds while sent, once it has lost a rank race."""
        with self._append_turns_lock:
            return self._append_turns.setdefault(category, threading.Lock())

    def _listing(self, clock: Callable[[], float]) -> creation.Listing:
        reply = self._send("GET", _STATUSES)
        received = clock()
        return creation.Listing(
            records=reply.status_records(),
            server_time=creation.parse_http_date(reply.date),
            received=received,
        )

    def _retrying(self, method: str, path: str, attempt: Callable[[bool], _T]) -> _T:
        """Run ``attempt`` until it succeeds or the retry policy gives up.

        ``attempt`` is told whether an earlier attempt may have been applied without an answer.
        """
        policy = self._retry
        started = policy.clock()
        number = 1
        throttled = 0
        outcome_unknown = False
        while True:
            try:
                return attempt(outcome_unknown)
            except IncidentAPIError as error:
                # Refusals that applied nothing and that waiting cures are bounded by time alone.
                throttled += isinstance(error, RateLimitError | RankRaceError)
                delay = policy.next_delay(
                    error, attempt=number, started=started, throttled=throttled
                )
                if delay is None:
                    raise
                if isinstance(error, APIConnectionError | ServerError):
                    outcome_unknown = True
                logger.info(
                    "retrying %s %s in %.2fs (attempt %d): %s",
                    method,
                    path,
                    delay,
                    number + 1,
                    error,
                )
                policy.sleep(delay)
                number += 1

    def _send(self, method: str, path: str, payload: dict[str, object] | None = None) -> _Reply:
        """One request, its response mapped to a result or a typed error."""
        began = time.monotonic()
        response: requests.Response | None = None
        reason = ""
        try:
            response = self._session.request(
                method,
                self._endpoint + path,
                json=payload,
                headers=self._headers,
                auth=self._auth,
                timeout=self._timeout,
                allow_redirects=False,
            )
        except requests.RequestException as error:
            reason = _redact(_transport_reason(error, self._timeout), self._api_key)
        if response is None:
            # Raised out here so that the requests exception, whose request carries the
            # Authorization header, is not kept as this error's context.
            logger.debug("%s %s: no response (%s)", method, path, reason)
            raise APIConnectionError(method=method, path=path, reason=reason)
        logger.debug(
            "%s %s -> %d in %.0f ms",
            method,
            path,
            response.status_code,
            (time.monotonic() - began) * 1000,
        )
        return _result_or_raise(response, method=method, path=path, secret=self._api_key)


def _status_path(status_id: str) -> str:
    if not status_id:
        raise ValueError("status_id must not be empty")
    return f"{_STATUSES}/{quote(status_id, safe='')}"
