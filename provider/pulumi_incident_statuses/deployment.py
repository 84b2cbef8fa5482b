"""What the operations of one deployment share within a provider process: the names its statuses
are heading for, which order lists each status, and the turn rename moves take.

The engine calls `diff` for every resource before its update, in the provider process that then
serves the update, so that process can know what the deployment declares for each status
(`declare`, read by `renames`) and refuse a status listed by two orders (`claim`, by `order`).
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .inputs import StatusInputs

# The provider host's thread pool (pulumi/dynamic/__main__.py: ThreadPoolExecutor(max_workers=4)).
HOST_THREADS = 4


class Deployment:
    """The intents and claims of this process's deployment, and the turn of its rename moves."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._declared: dict[str, StatusInputs] = {}
        self._listed_by: dict[str, str] = {}
        self.moving = threading.Lock()
        """Held while a chain of renames moves statuses: one chain at a time."""
        self.waiting = threading.BoundedSemaphore(HOST_THREADS - 1)
        """Taken by an update waiting for a holder's `diff`: one host thread is always left."""

    def declare(self, status_id: str, declared: StatusInputs) -> None:
        """Record what this deployment declares for a status (from its `diff`)."""
        with self._lock:
            self._declared[status_id] = declared

    def declared(self, status_id: str) -> StatusInputs | None:
        """What this deployment declares for a status, if its `diff` has come."""
        with self._lock:
            return self._declared.get(status_id)

    def claim(self, order_name: str, status_id: str) -> str:
        """Record that `order_name` lists `status_id`; the order that listed it first."""
        with self._lock:
            return self._listed_by.setdefault(status_id, order_name)


DEPLOYMENT = Deployment()
"""This process's deployment."""
