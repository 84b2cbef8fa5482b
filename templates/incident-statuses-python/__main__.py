"""The active part of an incident's lifecycle: three statuses, in the order incidents move through.

`pulumi up` creates the statuses and puts them in this order at the top of the organisation's
"live" category. The API key comes from the secret stack config `incident:apiKey` or from
INCIDENT_API_KEY. A status the organisation already has by one of these names is not taken over:
adopt it with `import_id=` (its id from `incident-statuses list`).
"""

import pulumi

from pulumi_incident_statuses import IncidentStatus, IncidentStatusOrder

assessing = IncidentStatus(
    "assessing",
    name="Assessing impact",
    description="We're working out what is broken and who is affected.",
    category="live",
)
mitigating = IncidentStatus(
    "mitigating",
    name="Mitigating",
    description="The cause is known and a fix is under way.",
    category="live",
)
watching = IncidentStatus(
    "watching",
    name="Watching the fix",
    description="A fix is out; we're watching to be sure it holds.",
    category="live",
)

lifecycle = IncidentStatusOrder(
    "lifecycle",
    category="live",
    statuses=[assessing.id, mitigating.id, watching.id],
)

pulumi.export("statuses", lifecycle.statuses)
