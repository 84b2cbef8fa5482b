"""A realistic incident lifecycle: three active statuses and one post-incident status.

Run it with `make demo` (against the local emulator) or, with a real key, as any Pulumi program.
"""

import pulumi

from pulumi_incident_statuses import IncidentStatus, IncidentStatusArgs

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

for resource_name, status in {
    "investigating": investigating,
    "fixing": fixing,
    "monitoring": monitoring,
    "documenting": documenting,
}.items():
    pulumi.export(
        resource_name, {"id": status.id, "category": status.category, "rank": status.rank}
    )
