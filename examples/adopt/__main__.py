"""Adopt a status configured by hand, and reference one that incident.io manages.

"Monitoring" already exists in the organisation; its id (from `incident-statuses list`) goes in
stack config: `pulumi config set monitoringId 01J...`. The first `pulumi up` adopts it instead of
creating a second one, updating it only where it differs from the declaration below. "Closed" is
managed by incident.io and cannot be declared, only looked up.
"""

import pulumi

from pulumi_incident_statuses import IncidentStatus, get_incident_status

monitoring = IncidentStatus(
    "monitoring",
    name="Monitoring",
    description="A fix is out; we're watching to be sure it holds.",
    category="live",
    import_id=pulumi.Config().require("monitoringId"),
)
closed = get_incident_status(name="Closed")

pulumi.export("monitoring", monitoring.id)
pulumi.export("closed", {"id": closed.id, "description": closed.description})
