"""A realistic incident lifecycle: three active statuses and one post-incident status, in order.

The statuses are created in parallel, so the order they land in is chance; the
`IncidentStatusOrder`s put them in the lifecycle's order, the same in every organisation.
Run it with `make demo` (against the local emulator) or, with a real key, as any Pulumi program.
"""

import pulumi

from pulumi_incident_statuses import IncidentStatus, IncidentStatusArgs, IncidentStatusOrder

investigating = IncidentStatus(
    "investigating",
    IncidentStatusArgs(
        name="Investigating",
        description="We're working out **what is broken** and who is affected.",
        category="live",
    ),
)
fixing = IncidentStatus(
    "fixing",
    name="Fixing",
    description="The cause is known and a fix is under way.",
    category="live",
)
monitoring = IncidentStatus(
    "monitoring",
    name="Monitoring",
    description="A fix is out; we're watching to be sure it holds.",
    category="live",
)
documenting = IncidentStatus(
    "documenting",
    name="Documenting",
    description="Impact is over. We're writing up what happened and what we'll change.",
    category="learning",
)

active = IncidentStatusOrder(
    "active-order",
    category="live",
    statuses=[investigating.id, fixing.id, monitoring.id],  # first = top of the category
)
post_incident = IncidentStatusOrder(
    "post-incident-order", category="learning", statuses=[documenting.id]
)

for resource_name, status in {
    "investigating": investigating,
    "fixing": fixing,
    "monitoring": monitoring,
    "documenting": documenting,
}.items():
    pulumi.export(resource_name, {"id": status.id, "category": status.category})
pulumi.export("active_order", active.statuses)
pulumi.export("post_incident_order", post_incident.statuses)
