"""Counts of the API requests the emulator has answered, for tests and benchmarks.

``GET /_emulator/stats`` returns :meth:`RequestStats.snapshot`::

    {
      "total": 12,
      "writes": 7,
      "by_route": {"GET /v1/incident_statuses": 2, "POST /v1/incident_statuses": 5, ...},
      "by_status": {"200": 4, "201": 4, "429": 1, "503": 1, "dropped": 2, ...}
    }

Every request under ``/v1/`` counts, whatever its answer (401 and 429 included); the emulator's
own ``/_emulator/`` routes do not. Routes are keyed by method and route template; a path that
matches no operation is keyed ``"<METHOD> (unmatched)"``. A write whose connection was dropped is
counted under ``"dropped"`` instead of the status it would have had. ``writes`` counts POST, PUT
and DELETE requests.
"""

from __future__ import annotations

from collections import Counter
from typing import Final, Literal

WRITE_METHODS = frozenset({"POST", "PUT", "DELETE"})
"""The methods that change the organisation."""

DROPPED: Final = "dropped"
"""The ``by_status`` key for writes answered by closing the connection."""

Outcome = int | Literal["dropped"]
"""How a request was answered: an HTTP status, or dropped."""


class RequestStats:
    """Running totals of API requests by route and by outcome."""

    def __init__(self) -> None:
        """Start from zero."""
        self._by_route: Counter[str] = Counter()
        self._by_status: Counter[str] = Counter()
        self._total = 0
        self._writes = 0

    def record(self, method: str, route: str, outcome: Outcome) -> None:
        """Count one request to ``route`` (a template) answered with ``outcome``."""
        self._by_route[f"{method} {route}"] += 1
        self._by_status[str(outcome)] += 1
        self._total += 1
        if method in WRITE_METHODS:
            self._writes += 1

    def snapshot(self) -> dict[str, object]:
        """The counts as a JSON-ready dict."""
        return {
            "total": self._total,
            "writes": self._writes,
            "by_route": dict(sorted(self._by_route.items())),
            "by_status": dict(sorted(self._by_status.items())),
        }

    def reset(self) -> None:
        """Forget everything counted so far."""
        self._by_route.clear()
        self._by_status.clear()
        self._total = 0
        self._writes = 0
