"""`IncidentStatus`: an incident.io incident status as a Pulumi dynamic resource.

The provider object is pickled into every resource's state, so it holds nothing (see
`ProviderBase.__getstate__`): API clients, credentials and caches live in
`connection.CONNECTIONS`, per provider process, built at run time from the stack config the engine
hands to `configure`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi
from pulumi.dynamic import CheckResult, CreateResult, DiffResult, ReadResult, Resource, UpdateResult

from .operations import status
from .operations.status import INPUTS, OUTPUTS
from .pickling import pickler_as_found
from .provider_base import ProviderBase, check_result, diff_result, read_result

RESOURCE_TYPE = "pulumi-python:dynamic/incident:IncidentStatus"


@dataclass
class IncidentStatusArgs:
    """The inputs of an `IncidentStatus`."""

    name: pulumi.Input[str]
    """Unique name of the status, e.g. "Investigating"."""
    description: pulumi.Input[str]
    """Rich-text description shown to responders."""
    category: pulumi.Input[str]
    """`live`, `learning` or `closed`. Changing it replaces the status."""
    rank: pulumi.Input[int] | None = None
    """Order within the category (0..999999). Unset: appended on create, never reordered."""
    import_id: pulumi.Input[str] | None = None
    """Id of an existing status to adopt on create instead of creating a new one."""


class IncidentStatusProvider(ProviderBase):
    """The dynamic provider behind `IncidentStatus`: the operations of `operations.status`, their
    results as `pulumi.dynamic`'s. Stateless when pickled."""

    def check(self, olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        """Reject bad inputs at preview, naming the field."""
        return check_result(status.check(self._connection, olds, news))

    def diff(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        """Compare declared fields only; a category change replaces, deleting first."""
        return diff_result(status.diff(id_, olds, news))

    def create(self, props: dict[str, Any]) -> CreateResult:
        """Create the status, or adopt the one named by `import_id`."""
        made = status.create(self._connection, props)
        return CreateResult(made.id, made.outs)

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        """Refresh from incident.io; a status deleted out of band leaves the state."""
        return read_result(status.read(self._connection, id_, props))

    def update(self, id_: str, _olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        """Put name, description and (when declared) rank; return every output."""
        return UpdateResult(status.update(self._connection, id_, news))

    def delete(self, id_: str, _props: dict[str, Any]) -> None:
        """Delete the status; one already gone counts as deleted."""
        status.delete(self._connection, id_)


class IncidentStatus(Resource, module="incident", name="IncidentStatus"):
    """An incident.io incident status (Investigating, Fixing, Monitoring, ...).

    The inputs are documented once, on `IncidentStatusArgs`; the outputs of the same names are
    those values as incident.io holds them. Credentials come from stack config `incident:apiKey`
    (secret) or `INCIDENT_API_KEY`, the endpoint from `INCIDENT_ENDPOINT` or `incident:endpoint`;
    never from resource inputs.
    """

    name: pulumi.Output[str]
    description: pulumi.Output[str]
    category: pulumi.Output[str]
    rank: pulumi.Output[int]
    """Order within the category, as incident.io holds it."""
    created_at: pulumi.Output[str]
    """When the status was created (RFC 3339)."""
    updated_at: pulumi.Output[str]
    """When the status last changed (RFC 3339)."""
    import_id: pulumi.Output[str | None]
    """The adopted status's id, when the resource was created by adoption."""
    rank_declared: pulumi.Output[bool]
    """Whether the program declares the rank (else `read` leaves it out of the inputs)."""

    def __init__(
        self,
        resource_name: str,
        args: IncidentStatusArgs | None = None,
        opts: pulumi.ResourceOptions | None = None,
        *,
        name: pulumi.Input[str] | None = None,
        description: pulumi.Input[str] | None = None,
        category: pulumi.Input[str] | None = None,
        rank: pulumi.Input[int] | None = None,
        import_id: pulumi.Input[str] | None = None,
    ) -> None:
        """Declare a status, from `args` or from keywords (keywords win where both are given)."""
        values: dict[str, Any] = dict(vars(args)) if args is not None else {}
        keywords = {
            "name": name,
            "description": description,
            "category": category,
            "rank": rank,
            "import_id": import_id,
        }
        values.update({k: v for k, v in keywords.items() if v is not None})
        props: dict[str, Any] = {p: values.get(p) for p in INPUTS}
        props.update({p: None for p in OUTPUTS if p not in INPUTS})
        with pickler_as_found():
            super().__init__(IncidentStatusProvider(), resource_name, props, opts)
