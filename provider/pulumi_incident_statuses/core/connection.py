"""The connection to incident.io of one provider process: one API client and read snapshot per
endpoint and key, shared by every provider object in the process.

Provider objects are pickled into state, so they hold nothing: what `configure` resolves for one
is kept here beside it, and the client it leads to is built once per endpoint and key.
"""

from __future__ import annotations

import copy
import threading
import time
import weakref
from typing import TYPE_CHECKING

from . import settings as settings_module
from .errors import IncidentAPIError, NotFoundError

if TYPE_CHECKING:
    # The HTTP stack loads on the first request: a preview makes none and never imports it.
    from .client import IncidentStatusesClient
    from .wire import IncidentStatusRecord

# A refresh is a burst of reads: one list answers them all if it is this fresh.
_SNAPSHOT_TTL_SECONDS = 30.0


class Connection:
    """A client and a read snapshot shared by every resource of one provider process."""

    def __init__(self, client: IncidentStatusesClient) -> None:
        self.client = client
        self._lock = threading.Lock()
        self._snapshot: dict[str, IncidentStatusRecord] | None = None
        self._snapshot_at = 0.0
        self._first_lock = threading.Lock()
        self._first: dict[str, IncidentStatusRecord] | IncidentAPIError | None = None

    def first_list(self) -> dict[str, IncidentStatusRecord]:
        """Every status by name, from this process's first list for `check`, made once.

        However many statuses a preview checks, it lists once, and shares that list with the
        other reads of the moment (`snapshot`, e.g. an order's check); a failure is kept as well
        and raised again (a copy) for each check, so a refused key is one request too.
        """
        with self._first_lock:
            if self._first is None:
                try:
                    self._first = {r.name: r for r in self.snapshot().values()}
                except IncidentAPIError as error:
                    self._first = error
            found = self._first
        if isinstance(found, IncidentAPIError):
            raise copy.copy(found).with_traceback(None)
        return found

    def snapshot(self) -> dict[str, IncidentStatusRecord]:
        """Every status by id, from a list at most `_SNAPSHOT_TTL_SECONDS` (30 s) old."""
        with self._lock:
            if (
                self._snapshot is None
                or time.monotonic() - self._snapshot_at > _SNAPSHOT_TTL_SECONDS
            ):
                self._snapshot = {r.id: r for r in self.client.list()}
                self._snapshot_at = time.monotonic()
            return self._snapshot

    def find(self, status_id: str) -> IncidentStatusRecord | None:
        """The status from a recent list, or fetched alone; None if it no longer exists."""
        record = self.snapshot().get(status_id)
        if record is not None:
            return record
        try:
            return self.client.get(status_id)
        except NotFoundError:
            return None

    def invalidate(self) -> None:
        """Forget the snapshot after a write."""
        with self._lock:
            self._snapshot = None


class Connections:
    """The connections of one provider process: one per endpoint and key, and what `configure`
    resolved for each provider object.

    The settings are kept beside the provider objects rather than in them: whatever an object
    holds is pickled with it into state, and the settings hold the API key.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._connections: dict[tuple[str, str], Connection] = {}
        self._configured: weakref.WeakKeyDictionary[object, settings_module.Settings] = (
            weakref.WeakKeyDictionary()
        )

    def connect(self, resolved: settings_module.Settings) -> Connection:
        """The process's connection for these settings, made on first use."""
        api_key = resolved.require_api_key()
        key = (resolved.endpoint, api_key)
        with self._lock:
            connection = self._connections.get(key)
            if connection is None:
                from .client import IncidentStatusesClient

                connection = Connection(IncidentStatusesClient.from_settings(resolved))
                self._connections[key] = connection
            return connection

    def configure(self, provider: object, resolved: settings_module.Settings) -> None:
        """Remember what `configure` resolved for `provider`, outside the object."""
        with self._lock:
            self._configured[provider] = resolved

    def settings_for(self, provider: object) -> settings_module.Settings:
        """What `configure` resolved for `provider`, or the environment's settings."""
        with self._lock:
            resolved = self._configured.get(provider)
        return resolved or settings_module.resolve()


CONNECTIONS = Connections()
"""This process's connections."""
