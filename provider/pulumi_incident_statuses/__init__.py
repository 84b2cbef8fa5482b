"""Manage incident.io incident statuses as Pulumi resources.

from pulumi_incident_statuses import IncidentStatus, IncidentStatusOrder

looking = IncidentStatus("looking", name="Looking", description="Finding out.", category="live")
fixing = IncidentStatus("fixing", name="Fixing", description="Fixing it.", category="live")
IncidentStatusOrder("live-order", category="live", statuses=[looking.id, fixing.id])

Every error class of `core.errors` is here too, by the name its messages give it
(`pulumi_incident_statuses.StatusConflictError`).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

# The error tree loads nothing heavy; the rest is loaded on first use, so that the command line
# starts without importing Pulumi.
from .core import errors as _errors
from .core.errors import *  # noqa: F403 - the error tree is part of the package's face

if TYPE_CHECKING:
    from .core.client import IncidentStatusesClient
    from .core.retry import RetryPolicy
    from .core.wire import IncidentStatusRecord
    from .dynamic.declared import IncidentStatus, IncidentStatusArgs, IncidentStatusOrder
    from .dynamic.lookup import LookupFailedError, get_incident_status

_HOMES = {
    "IncidentStatusesClient": "core.client",
    "IncidentStatusRecord": "core.wire",
    "RetryPolicy": "core.retry",
    "get_incident_status": "dynamic.lookup",
    "LookupFailedError": "dynamic.lookup",
    "IncidentStatus": "dynamic.declared",
    "IncidentStatusArgs": "dynamic.declared",
    "IncidentStatusOrder": "dynamic.declared",
}

__all__ = [
    "IncidentStatus",
    "IncidentStatusArgs",
    "IncidentStatusOrder",
    "IncidentStatusRecord",
    "IncidentStatusesClient",
    "LookupFailedError",
    "RetryPolicy",
    "get_incident_status",
]
__all__ += [name for name in _errors.__all__ if name[0].isupper()]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{home}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_HOMES])
