"""The core: incident.io's statuses as plain values, and the rules every way in follows.

What a resource is (`spec`, `tokens`), the settings and the API client (`settings`, `client`,
`wire`, `retry`, `errors`), the rules that make writes safe (`creation`, `ranking`, `renames`,
`ownership`, `deployment`), and each resource's operations over plain values (`operations`).
Importing it loads neither way in: not `pulumi.dynamic`, not the plugin's server.
"""
