"""The Python way in: `IncidentStatus`, `IncidentStatusOrder` and `get_incident_status` as Pulumi
dynamic resources, a page of conversion over the core's operations (`providers` in `resource`
and `order`, their typed classes in `declared`)."""
