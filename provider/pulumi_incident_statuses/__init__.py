"""Manage incident.io incident statuses as Pulumi resources.

from pulumi_incident_statuses import IncidentStatus, IncidentStatusOrder

looking = IncidentStatus("looking", name="Looking", description="Finding out.", category="live")
fixing = IncidentStatus("fixing", name="Fixing", description="Fixing it.", category="live")
IncidentStatusOrder("live-order", category="live", statuses=[looking.id, fixing.id])
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .client import IncidentStatusesClient
    from .declared import IncidentStatus, IncidentStatusArgs, IncidentStatusOrder
    from .errors import (
        APIConnectionError,
        APIStatusError,
        AuthenticationError,
        ConfigurationError,
        IncidentAPIError,
        MalformedResponseError,
        MissingAPIKeyError,
        NotFoundError,
        RankRaceError,
        RankTakenError,
        RateLimitError,
        ServerError,
        StatusConflictError,
        StatusLookupError,
        StatusOrderError,
        ValidationError,
    )
    from .lookup import LookupFailedError, get_incident_status
    from .retry import RetryPolicy
    from .wire import IncidentStatusRecord

# Loaded on first use: the command line starts without importing Pulumi.
_HOMES = {
    "IncidentStatusesClient": "client",
    "IncidentStatusRecord": "wire",
    "RetryPolicy": "retry",
    "APIConnectionError": "errors",
    "APIStatusError": "errors",
    "AuthenticationError": "errors",
    "ConfigurationError": "errors",
    "IncidentAPIError": "errors",
    "MalformedResponseError": "errors",
    "MissingAPIKeyError": "errors",
    "NotFoundError": "errors",
    "RankRaceError": "errors",
    "RankTakenError": "errors",
    "RateLimitError": "errors",
    "ServerError": "errors",
    "StatusConflictError": "errors",
    "StatusLookupError": "errors",
    "StatusOrderError": "errors",
    "ValidationError": "errors",
    "get_incident_status": "lookup",
    "LookupFailedError": "lookup",
    "IncidentStatus": "declared",
    "IncidentStatusArgs": "declared",
    "IncidentStatusOrder": "declared",
}

__all__ = [
    "APIConnectionError",
    "APIStatusError",
    "AuthenticationError",
    "ConfigurationError",
    "IncidentAPIError",
    "IncidentStatus",
    "IncidentStatusArgs",
    "IncidentStatusOrder",
    "IncidentStatusRecord",
    "IncidentStatusesClient",
    "LookupFailedError",
    "MalformedResponseError",
    "MissingAPIKeyError",
    "NotFoundError",
    "RankRaceError",
    "RankTakenError",
    "RateLimitError",
    "RetryPolicy",
    "ServerError",
    "StatusConflictError",
    "StatusLookupError",
    "StatusOrderError",
    "ValidationError",
    "get_incident_status",
]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{home}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_HOMES])
