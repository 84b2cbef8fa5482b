"""The Python resources' typed classes: `IncidentStatusArgs`, `IncidentStatus` and
`IncidentStatusOrder`, written by ``scripts/declare.py`` from their declarations in `core.spec`.

Do not edit: change `core.spec` and run ``make declare``. What the resources do is in `resource` and
`order` (their providers) and `provider_base` (`declare`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
from pulumi.dynamic import Resource

from ..core import tokens
from .order import IncidentStatusOrderProvider
from .provider_base import declare
from .resource import IncidentStatusProvider

__all__ = ["IncidentStatus", "IncidentStatusArgs", "IncidentStatusOrder"]


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


class IncidentStatus(Resource, module=tokens.DYNAMIC_MODULE, name="IncidentStatus"):
    """An incident.io incident status (Investigating, Fixing, Monitoring, ...).

    The inputs are documented once, on `IncidentStatusArgs`; the outputs of the same names are
    those values as incident.io holds them. Credentials come from stack config `incident:apiKey`
    (secret) or `INCIDENT_API_KEY`, the endpoint from `incident:endpoint` or
    `INCIDENT_ENDPOINT`; never from resource inputs.
    """

    name: pulumi.Output[str]
    description: pulumi.Output[str]
    category: pulumi.Output[str]
    rank: pulumi.Output[int]
    """Order within the category. Declared: as incident.io holds it. Unset: as it was when this
    resource last changed it; an `IncidentStatusOrder` records the ranks it gives.
    """
    import_id: pulumi.Output[str | None]
    """The adopted status's id, when the resource was created by adoption."""
    created_at: pulumi.Output[str]
    """When the status was created (RFC 3339)."""
    updated_at: pulumi.Output[str]
    """When the status last changed (RFC 3339), as this resource last saw it change."""
    rank_declared: pulumi.Output[bool]
    """Whether the program declares the rank (else a refresh leaves it out of the inputs)."""

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
        """Declare the resource, from `args` or keywords (keywords win where both give one)."""
        keywords = dict(
            name=name,
            description=description,
            category=category,
            rank=rank,
            import_id=import_id,
        )
        declare(self, IncidentStatusProvider(), resource_name, opts, args, keywords)


class IncidentStatusOrder(Resource, module=tokens.DYNAMIC_MODULE, name="IncidentStatusOrder"):
    """The order of some statuses within one category: the first listed is the top. Statuses it does
    not list are never written; deleting it leaves every rank as it is.

    List each status in at most one order, and do not also set `rank` on an `IncidentStatus`
    listed here: the order chooses ranks itself.
    """

    category: pulumi.Output[str]
    """`live` or `learning`. Changing it replaces the order."""
    statuses: pulumi.Output[list[str]]
    """The listed status ids, top first (after a refresh: in the order incident.io holds)."""
    ranks: pulumi.Output[list[int]]
    """The rank of each listed status, as incident.io holds it."""
    declared: pulumi.Output[list[str]]
    """The list as the last `pulumi up` applied it."""
    moved_outside: pulumi.Output[bool]
    """Whether the last refresh found the statuses out of the declared order."""
    restores: pulumi.Output[int]
    """How many `pulumi up`s in a row put the order back after a move outside the stack."""

    def __init__(
        self,
        resource_name: str,
        opts: pulumi.ResourceOptions | None = None,
        *,
        category: pulumi.Input[str],
        statuses: pulumi.Input[Sequence[pulumi.Input[str]]],
    ) -> None:
        """Declare the resource, from its keywords."""
        keywords = dict(
            category=category,
            statuses=statuses,
        )
        declare(self, IncidentStatusOrderProvider(), resource_name, opts, None, keywords)
