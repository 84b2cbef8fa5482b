"""Where release 0.2.0 kept the order's provider.

Every stack's state holds its provider pickled by reference to this module
(`pulumi_incident_statuses.order.IncidentStatusOrderProvider`); a refresh or destroy of an order
not updated since loads it from here. The provider lives in `dynamic.order`.
"""

from .dynamic.order import IncidentStatusOrderProvider

__all__ = ["IncidentStatusOrderProvider"]
