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

from . import engine_log, tokens
from .errors import StatusConflictError
from .operations import status
from .operations.status import INPUTS, OUTPUTS
from .pickling import pickler_as_found
from .provider_base import (
    URN,
    ProviderBase,
    check_result,
    diff_result,
    read_result,
    with_urn,
    worded,
)

RESOURCE_TYPE = tokens.DYNAMIC_STATUS


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
        reach = self._reach(news, olds)
        try:
            checked = status.check(reach, olds, news)
        except StatusConflictError as error:
            raise worded(error, reach) from None
        with_urn(checked.inputs, news)
        return check_result(checked, reach)

    def diff(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        """Compare declared fields only; a category change replaces, deleting first."""
        reach = self._reach(news, olds)
        return diff_result(status.diff(reach, id_, olds, news), reach)

    def create(self, props: dict[str, Any]) -> CreateResult:
        """Create the status, or adopt the one named by `import_id`."""
        reach = self._reach(props)
        try:
            made = status.create(reach, props)
        except StatusConflictError as error:
            raise worded(error, reach) from None
        return CreateResult(made.id, with_urn(made.outs, props))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        """Refresh from incident.io; a status deleted out of band leaves the state."""
        return read_result(status.read(self._reach(props), id_, props), props)

    def update(self, id_: str, _olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        """Put name, description and (when declared) rank; return every output."""
        return UpdateResult(with_urn(status.update(self._reach(news), id_, news), news))

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        """Delete the status; one already gone counts as deleted, and one another resource of
        the deployment keeps is left alone (the engine is told)."""
        reach = self._reach(props)
        kept = status.delete(reach, id_)
        if kept is not None:
            engine_log.warn(kept, reach.urn)


class IncidentStatus(Resource, module=tokens.DYNAMIC_MODULE, name="IncidentStatus"):
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
        parent = opts.parent if opts else None
        props[URN] = pulumi.create_urn(resource_name, RESOURCE_TYPE, parent=parent)
        with pickler_as_found():
            super().__init__(IncidentStatusProvider(), resource_name, props, opts)
