"""Every type token this package's resources are known by, in one place.

A token is part of every URN the engine records, so each is chosen once: the dynamic resources'
(`pulumi-python:dynamic/incident:...`, from their class keywords), the plugin's package
`incident-statuses`, and the plugin tokens of release 0.2.0, which called its package `incident`
like incident.io's own provider (read only, to move such stacks across).
"""

from __future__ import annotations

PACKAGE = "incident-statuses"
"""The plugin's package: a name of its own beside incident.io's provider (package `incident`)."""
PLUGIN = f"pulumi-resource-{PACKAGE}"
"""The plugin's executable, as the engine looks for it."""
STATUS = f"{PACKAGE}:index:IncidentStatus"
ORDER = f"{PACKAGE}:index:IncidentStatusOrder"
GET_STATUS = f"{PACKAGE}:index:getIncidentStatus"
PROVIDER = f"pulumi:providers:{PACKAGE}"
"""The type of the plugin's provider resources (explicit ones and the default)."""

DYNAMIC_MODULE = "incident"
"""The module of the dynamic resources' tokens (their class keywords)."""


def dynamic(name: str) -> str:
    """The token of the dynamic resource class ``name`` (its class keywords make it so)."""
    return f"pulumi-python:dynamic/{DYNAMIC_MODULE}:{name}"


DYNAMIC_STATUS = dynamic("IncidentStatus")
DYNAMIC_ORDER = dynamic("IncidentStatusOrder")

LEGACY_PACKAGE = "incident"
"""The plugin's package in release 0.2.0, which incident.io's own provider also uses."""
LEGACY_STATUS = f"{LEGACY_PACKAGE}:index:IncidentStatus"
LEGACY_ORDER = f"{LEGACY_PACKAGE}:index:IncidentStatusOrder"
LEGACY_PROVIDER = f"pulumi:providers:{LEGACY_PACKAGE}"

STATUSES = frozenset({DYNAMIC_STATUS, STATUS})
"""The tokens of this package's statuses."""
ORDERS = frozenset({DYNAMIC_ORDER, ORDER})
"""The tokens of this package's orders."""


def urn_parts(urn: str) -> tuple[str, str, str, str] | None:
    """A URN's stack, project, type (with its parents' types) and name; None if it is no URN."""
    if not urn.startswith("urn:pulumi:"):
        return None
    parts = urn.removeprefix("urn:pulumi:").split("::", 3)
    if len(parts) != 4:
        return None
    stack, project, qualified_type, name = parts
    return stack, project, qualified_type, name


def resource_name(urn: str) -> str:
    """The name a URN gives its resource in the program (its last part)."""
    return urn.rsplit("::", 1)[-1]
