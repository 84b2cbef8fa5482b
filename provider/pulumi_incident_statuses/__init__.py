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
    from .core.client import IncidentStatusesClient
    from .core.errors import (
        APIConnectionError,
        APIStatusError,
        AuthenticationError,
        ConfigurationError,
        ErrorDetail,
        IncidentAPIError,
        IncidentStatusesError,
        InsecureEndpointError,
        MalformedResponseError,
        MissingAPIKeyError,
        NotFoundError,
        PermissionDeniedError,
        RankRaceError,
        RankTakenError,
        RateLimitError,
        RecoveryError,
        RequestError,
        ServerError,
        StackLockedError,
        StackReadError,
        StatusConflictError,
        StatusLookupError,
        StatusOrderError,
        UnknownTypeError,
        ValidationError,
    )
    from .core.retry import RetryPolicy
    from .core.wire import IncidentStatusRecord
    from .dynamic.declared import IncidentStatus, IncidentStatusArgs, IncidentStatusOrder
    from .dynamic.lookup import LookupFailedError, get_incident_status

# Loaded on first use: the command line starts without importing Pulumi.
_HOMES = {
    "IncidentStatusesClient": "core.client",
    "IncidentStatusRecord": "core.wire",
    "RetryPolicy": "core.retry",
    "APIConnectionError": "core.errors",
    "APIStatusError": "core.errors",
    "AuthenticationError": "core.errors",
    "ConfigurationError": "core.errors",
    "IncidentAPIError": "core.errors",
    "ErrorDetail": "core.errors",
    "IncidentStatusesError": "core.errors",
    "InsecureEndpointError": "core.errors",
    "PermissionDeniedError": "core.errors",
    "RecoveryError": "core.errors",
    "RequestError": "core.errors",
    "StackLockedError": "core.errors",
    "StackReadError": "core.errors",
    "UnknownTypeError": "core.errors",
    "MalformedResponseError": "core.errors",
    "MissingAPIKeyError": "core.errors",
    "NotFoundError": "core.errors",
    "RankRaceError": "core.errors",
    "RankTakenError": "core.errors",
    "RateLimitError": "core.errors",
    "ServerError": "core.errors",
    "StatusConflictError": "core.errors",
    "StatusLookupError": "core.errors",
    "StatusOrderError": "core.errors",
    "ValidationError": "core.errors",
    "get_incident_status": "dynamic.lookup",
    "LookupFailedError": "dynamic.lookup",
    "IncidentStatus": "dynamic.declared",
    "IncidentStatusArgs": "dynamic.declared",
    "IncidentStatusOrder": "dynamic.declared",
}

__all__ = [
    "APIConnectionError",
    "APIStatusError",
    "AuthenticationError",
    "ConfigurationError",
    "ErrorDetail",
    "IncidentAPIError",
    "IncidentStatus",
    "IncidentStatusArgs",
    "IncidentStatusOrder",
    "IncidentStatusRecord",
    "IncidentStatusesClient",
    "IncidentStatusesError",
    "InsecureEndpointError",
    "LookupFailedError",
    "MalformedResponseError",
    "MissingAPIKeyError",
    "NotFoundError",
    "PermissionDeniedError",
    "RankRaceError",
    "RankTakenError",
    "RateLimitError",
    "RecoveryError",
    "RequestError",
    "RetryPolicy",
    "ServerError",
    "StackLockedError",
    "StackReadError",
    "StatusConflictError",
    "StatusLookupError",
    "StatusOrderError",
    "UnknownTypeError",
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
