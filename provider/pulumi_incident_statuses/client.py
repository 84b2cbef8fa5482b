"""IncidentStatusesClient: incident.io's incident-statuses API over one ``requests.Session``."""

from __future__ import annotations

import builtins
import contextlib
import functools
import logging
import os
import threading
import time
from collections.abc import Callable, Iterable
from http.client import RemoteDisconnected
from typing import Self, TypeVar
from urllib.parse import quote

import requests

from . import creation, versions
from .dates import http_date
from .errors import (
    APIConnectionError,
    ConfigurationError,
    RankTakenError,
    ServerError,
    StatusLookupError,
    ValidationError,
)
from .retry import Reachability, RetryPolicy
from .settings import DEFAULT_ENDPOINT, Origin, Settings, checked_api_key, checked_endpoint
from .wire import IncidentStatusRecord, Reply, redact, reply_or_raise

__all__ = ["IncidentStatusesClient"]


_STATUSES = "/v1/incident_statuses"
# Connecting takes well under a second to a live API: a host that lets a connection hang says as
# much as one that refuses it, and the retry policy's time for an unreachable endpoint is short.
_CONNECT_TIMEOUT = 5.0

logger = logging.getLogger(__name__)

_T = TypeVar("_T")


@functools.cache
def _user_agent() -> str:
    return f"{versions.DISTRIBUTION}/{versions.package()}"


def _session_for(endpoint: str) -> requests.Session:
    """A session with the environment's proxy and CA bundle settings read once.

    With ``trust_env`` on, requests scans every environment variable again for each request to
    find proxies (a third of a request's CPU, measured): the endpoint never changes, so its
    settings are resolved here, with the same rules (``no_proxy`` included), and then fixed.
    """
    session = requests.Session()
    session.proxies.update(requests.utils.get_environ_proxies(endpoint))
    bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
    if bundle:
        session.verify = bundle
    session.trust_env = False
    return session


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
    """incident.io's incident-statuses API: list, get, create, update, delete, find by name, and
    reorder (rank writes planned from a fresh list).

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
        origin: Origin | None = None,
    ) -> None:
        """Check the settings (ConfigurationError if unusable); nothing is sent yet.

        ``origin`` says where the key and endpoint were set, for errors to name.
        """
        self._api_key = checked_api_key(api_key)
        if not timeout > 0:
            raise ConfigurationError("the timeout must be a positive number of seconds")
        self._endpoint = checked_endpoint(endpoint)
        self._auth = _BearerAuth(api_key)
        self._timeout = timeout
        self._retry = retry if retry is not None else RetryPolicy()
        self._reachability = Reachability()
        self._origin = origin if origin is not None else Origin()
        self._append_turns: dict[str, threading.Lock] = {}
        self._append_turns_lock = threading.Lock()
        self._owns_session = session is None
        self._session = session if session is not None else _session_for(self._endpoint)
        self._headers = {
            "Accept": "application/json",
            "Content-Type": "application/json",
            "User-Agent": _user_agent(),
        }

    @classmethod
    def from_settings(cls, resolved: Settings) -> Self:
        """A client with the key and endpoint of ``resolved``, naming where each was set;
        `MissingAPIKeyError` if there is no key."""
        return cls(resolved.require_api_key(), resolved.endpoint, origin=resolved.origin)

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
        return self._run(
            "GET", _STATUSES, lambda: self._send("GET", _STATUSES).status_records()
        )

    def get(self, status_id: str) -> IncidentStatusRecord:
        """The status with this id; NotFoundError if there is none."""
        path = _status_path(status_id)
        return self._run("GET", path, lambda: self._send("GET", path).status_record())

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

        def attempt() -> IncidentStatusRecord:
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

        return self._run("POST", _STATUSES, attempt)

    def update(
        self, status_id: str, *, name: str, description: str, rank: int | None = None
    ) -> IncidentStatusRecord:
        """Set a status's name and description, and its rank when given (category cannot change)."""
        return self._run(
            "PUT",
            _status_path(status_id),
            lambda: self._put(status_id, name=name, description=description, rank=rank),
        )

    def reorder(
        self, plan: Callable[[dict[str, IncidentStatusRecord]], Iterable[tuple[str, int]]]
    ) -> dict[str, IncidentStatusRecord]:
        """List every status, then send the rank writes ``plan`` picks from that list; one call.

        ``plan`` gets every status by id and gives (status id, new rank) writes in sending order;
        each is a PUT keeping that status's name and description. A write refused on ``rank``
        (another write took the rank after the list) raises `RankTakenError`. The retry policy
        retries the call as a whole: each attempt lists again and plans from what incident.io
        then holds, so a write whose answer was lost is settled by the next list. Returns every
        status by id as the writes left it.
        """

        def attempt() -> dict[str, IncidentStatusRecord]:
            records = {r.id: r for r in self._send("GET", _STATUSES).status_records()}
            try:
                for status_id, rank in plan(records):
                    record = records[status_id]
                    records[status_id] = self._put(
                        status_id, name=record.name, description=record.description, rank=rank
                    )
            except ValidationError as error:
                if any(detail.field == "rank" for detail in error.errors):
                    raise error.recast(RankTakenError) from None
                raise
            return records

        return self._run("PUT", _STATUSES, attempt)

    def delete(self, status_id: str) -> None:
        """Delete a status; NotFoundError if there is none (also when a lost retry deleted it)."""
        path = _status_path(status_id)
        self._run("DELETE", path, lambda: self._send("DELETE", path))

    def listing(self, clock: Callable[[], float] = time.monotonic) -> creation.Listing:
        """Every status, with the service's clock (``Date``) and ``clock`` when it arrived."""
        return self._run("GET", _STATUSES, lambda: self._listing(clock))

    def _put(
        self, status_id: str, *, name: str, description: str, rank: int | None
    ) -> IncidentStatusRecord:
        payload: dict[str, object] = {"name": name, "description": description}
        if rank is not None:
            payload["rank"] = rank
        return self._send("PUT", _status_path(status_id), payload).status_record()

    def _append_turn(self, category: str) -> threading.Lock:
        """The lock an append to ``category`` holds while sent, once it has lost a rank race."""
        with self._append_turns_lock:
            return self._append_turns.setdefault(category, threading.Lock())

    def _listing(self, clock: Callable[[], float]) -> creation.Listing:
        reply = self._send("GET", _STATUSES)
        received = clock()
        return creation.Listing(
            records=reply.status_records(),
            server_time=http_date(reply.date),
            received=received,
        )

    def _run(self, method: str, path: str, attempt: Callable[[], _T]) -> _T:
        return self._retry.run(method, path, attempt, self._reachability)

    def _send(self, method: str, path: str, payload: dict[str, object] | None = None) -> Reply:
        """One request, its response mapped to a result or a typed error."""
        began = time.monotonic()
        response: requests.Response | None = None
        reason = ""
        unreachable = False
        try:
            response = self._session.request(
                method,
                self._endpoint + path,
                json=payload,
                headers=self._headers,
                auth=self._auth,
                timeout=(min(_CONNECT_TIMEOUT, self._timeout), self._timeout),
                allow_redirects=False,
            )
        except requests.RequestException as error:
            reason = redact(
                _transport_reason(error, self._timeout, min(_CONNECT_TIMEOUT, self._timeout)),
                self._api_key,
            )
            unreachable = _unreachable(error)
        if response is None:
            # Raised out here so that the requests exception, whose request carries the
            # Authorization header, is not kept as this error's context.
            logger.debug("%s %s: no response (%s)", method, path, reason)
            raise APIConnectionError(
                method=method,
                path=path,
                reason=reason,
                endpoint=self._endpoint,
                endpoint_set_by=self._origin.endpoint_set_by(),
                unreachable=unreachable,
            )
        logger.debug(
            "%s %s -> %d in %.0f ms",
            method,
            path,
            response.status_code,
            (time.monotonic() - began) * 1000,
        )
        return reply_or_raise(
            response, method=method, path=path, secret=self._api_key, origin=self._origin
        )


def _status_path(status_id: str) -> str:
    if not status_id:
        raise StatusLookupError("an incident status's id must not be empty", status_id=status_id)
    return f"{_STATUSES}/{quote(status_id, safe='')}"


def _unreachable(error: requests.RequestException) -> bool:
    """Whether no connection could be made at all: refused, no such host, or none in time."""
    if isinstance(error, requests.ConnectTimeout):
        return True
    # A connection made and then dropped says the endpoint lives: it may answer the next time.
    made = ("connection closed without a response", "connection reset")
    return isinstance(error, requests.ConnectionError) and _transport_reason(error, 0) not in made


def _transport_reason(
    error: requests.RequestException, timeout: float, connect_timeout: float | None = None
) -> str:
    """A short account of why no response arrived."""
    if isinstance(error, requests.ConnectTimeout):
        return f"timed out connecting after {connect_timeout or timeout:g}s"
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
