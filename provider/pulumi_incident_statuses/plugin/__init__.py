"""The package's operations served as a Pulumi provider plugin, `pulumi-resource-incident-statuses`.

The same `IncidentStatus`, `IncidentStatusOrder` and lookup as the dynamic resources, for every
Pulumi language, `pulumi import`, and several organisations in one stack (explicit providers).
Each module is one concern: `schema` (what the engine and SDK generators see), `values` (engine
values to plain ones and back), `provider` (the thin adapter over the package's operations),
`server` (the executable: SDK check, gRPC, errors message first).
"""
