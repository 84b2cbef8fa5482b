"""IncidentStatusesClient: incident.io's incident-statuses API over one ``requests.Session``."""

from __future__ import annotations

import builtins
import time
from collections.abc import Callable, Iterable
from typing import Self, TypeVar
from urllib.parse import quote

import requests

from . import creation
from .dates import http_date
from .errors import (
    ConfigurationError,
    RankTakenError,
    StatusLookupError,
    ValidationError,
)
from .retry import Reachability, RetryPolicy
from .settings import DEFAULT_ENDPOINT, Origin, Settings, checked_api_key, checked_endpoint
from .transport import Transport
from .wire import IncidentStatusRecord

__all__ = ["IncidentStatusesClient"]


_STATUSES = creation.PATH

_T = TypeVar("_T")


class IncidentStatusesClient:
    """incident.io's incident-statuses API: list, get, create, update, delete, find by name, and
    reorder (rank writes planned from a fresh list).

    Failures raise the typed errors of ``pulumi_incident_statuses.core.errors``; transient ones are
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
        checked_api_key(api_key)
        if not timeout > 0:
            raise ConfigurationError("the timeout must be a positive number of seconds")
        self._transport = Transport(
            api_key,
            checked_endpoint(endpoint),
            timeout=timeout,
            origin=origin if origin is not None else Origin(),
            session=session,
        )
        self._retry = retry if retry is not None else RetryPolicy()
        self._reachability = Reachability()
        self._appends = creation.AppendTurns()

    @classmethod
    def from_settings(cls, resolved: Settings) -> Self:
        """A client with the key and endpoint of ``resolved``, naming where each was set;
        `MissingAPIKeyError` if there is no key."""
        return cls(resolved.require_api_key(), resolved.endpoint, origin=resolved.origin)

    @property
    def endpoint(self) -> str:
        """The base URL requests go to, without a trailing slash."""
        return self._transport.endpoint

    def __repr__(self) -> str:
        return f"IncidentStatusesClient(endpoint={self.endpoint!r})"

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
        self._transport.close()

    def list(self) -> builtins.list[IncidentStatusRecord]:
        """Every incident status of the organisation, managed ones included."""
        return self._run(
            "GET", _STATUSES, lambda: self._transport.send("GET", _STATUSES).status_records()
        )

    def get(self, status_id: str) -> IncidentStatusRecord:
        """The status with this id; NotFoundError if there is none."""
        path = _status_path(status_id)
        return self._run("GET", path, lambda: self._transport.send("GET", path).status_record())

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
        return self._run(
            "POST",
            _STATUSES,
            lambda: creation.attempt(guard, self._transport.send, self._listing, self._appends),
        )

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
            records = {r.id: r for r in self._transport.send("GET", _STATUSES).status_records()}
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
        self._run("DELETE", path, lambda: self._transport.send("DELETE", path))

    def listing(self, clock: Callable[[], float] = time.monotonic) -> creation.Listing:
        """Every status, with the service's clock (``Date``) and ``clock`` when it arrived."""
        return self._run("GET", _STATUSES, lambda: self._listing(clock))

    def _put(
        self, status_id: str, *, name: str, description: str, rank: int | None
    ) -> IncidentStatusRecord:
        payload: dict[str, object] = {"name": name, "description": description}
        if rank is not None:
            payload["rank"] = rank
        return self._transport.send("PUT", _status_path(status_id), payload).status_record()

    def _listing(self, clock: Callable[[], float]) -> creation.Listing:
        reply = self._transport.send("GET", _STATUSES)
        received = clock()
        return creation.Listing(
            records=reply.status_records(),
            server_time=http_date(reply.date),
            received=received,
        )

    def _run(self, method: str, path: str, attempt: Callable[[], _T]) -> _T:
        return self._retry.run(method, path, attempt, self._reachability)

def _status_path(status_id: str) -> str:
    if not status_id:
        raise StatusLookupError("an incident status's id must not be empty", status_id=status_id)
    return f"{_STATUSES}/{quote(status_id, safe='')}"


