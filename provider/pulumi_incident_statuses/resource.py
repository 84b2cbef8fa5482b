"""Where release 0.2.0 kept the Python resources' provider.

Every stack's state holds its provider pickled by reference to this module
(`pulumi_incident_statuses.resource.IncidentStatusProvider`); a refresh or destroy of a resource
not updated since loads it from here. The provider lives in `dynamic.resource`.
"""

from .dynamic.resource import IncidentStatusProvider

__all__ = ["IncidentStatusProvider"]
