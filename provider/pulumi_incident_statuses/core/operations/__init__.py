"""The operations of `IncidentStatus` and `IncidentStatusOrder`, once, over plain values.

`status` and `order` hold each resource's check, diff, create, read, update and delete: they
take the inputs and outputs as dicts with snake_case names (an unknown value as the SDK's
``UNKNOWN`` sentinel) and return them so, with `results` for what is more than a dict. They know
nothing of the two ways in: the dynamic providers (`resource`, `order` in the package) and the
provider plugin (`plugin.provider`) each convert their own request and result types around
these calls, and the rules (ownership, evidence-based creation, renames, the order planner, the
retries of the client) are here and in the modules these call, for both.
"""
