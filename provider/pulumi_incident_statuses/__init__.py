"""Manage incident.io incident statuses as Pulumi resources.

    from pulumi_incident_statuses import IncidentStatus

    IncidentStatus("fixing", name="Fixing", description="A fix is under way.", category="live")
"""

from .client import IncidentStatusesClient, IncidentStatusRecord, RetryPolicy
from .errors import (
    APIConnectionError,
    APIStatusError,
    AuthenticationError,
    ConfigurationError,
    IncidentAPIError,
    MalformedResponseError,
    MissingAPIKeyError,
    NotFoundError,
    RateLimitError,
    ServerError,
    StatusConflictError,
    StatusLookupError,
    ValidationError,
)
from .lookup import get_incident_status
from .resource import IncidentStatus, IncidentStatusArgs

__all__ = [
    "APIConnectionError",
    "APIStatusError",
    "AuthenticationError",
    "ConfigurationError",
    "IncidentAPIError",
    "IncidentStatus",
    "IncidentStatusArgs",
    "IncidentStatusRecord",
    "IncidentStatusesClient",
    "MalformedResponseError",
    "MissingAPIKeyError",
    "NotFoundError",
    "RateLimitError",
    "RetryPolicy",
    "ServerError",
    "StatusConflictError",
    "StatusLookupError",
    "ValidationError",
    "get_incident_status",
]
