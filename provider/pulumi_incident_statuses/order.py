"""`IncidentStatusOrder`: the order of statuses within a category, as one Pulumi dynamic resource.

The resource owns no status. It owns the relative order of the statuses it lists: an up moves the
fewest of them it can (see `ranking`), never touches a status the list does not name, and deleting
the resource writes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pulumi
from pulumi.dynamic import CheckResult, CreateResult, DiffResult, ReadResult, Resource, UpdateResult

from . import tokens
from .operations import order
from .pickling import pickler_as_found
from .provider_base import (
    URN,
    ProviderBase,
    check_result,
    diff_result,
    read_result,
    with_urn,
)

RESOURCE_TYPE = tokens.DYNAMIC_ORDER


class IncidentStatusOrderProvider(ProviderBase):
    """The dynamic provider behind `IncidentStatusOrder`: the operations of `operations.order`,
    their results as `pulumi.dynamic`'s. Stateless when pickled."""

    def check(self, olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        """Reject bad input at preview, naming the field; ids are looked up only when changed."""
        reach = self._reach(news, olds)
        checked = order.check(reach, olds, news)
        with_urn(checked.inputs, news)
        return check_result(checked, reach)

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        """Compare the category (a change replaces) and the list; ranks are the provider's own."""
        reach = self._reach(news, olds)
        return diff_result(order.diff(reach, olds, news), reach)

    def create(self, props: dict[str, Any]) -> CreateResult:
        """Put the listed statuses in order."""
        made = order.create(self._reach(props), props)
        return CreateResult(made.id, with_urn(made.outs, props))

    def update(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        """Put the listed statuses in their new order, or back in it after a move outside."""
        return UpdateResult(with_urn(order.update(self._reach(news, olds), olds, news), news))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        """Record the order the listed statuses hold now; a deleted one leaves the list."""
        return read_result(order.read(self._reach(props), id_, props), props)

    def delete(self, _id: str, _props: dict[str, Any]) -> None:
        """Forget the order; the statuses keep their ranks."""
        order.delete()


class IncidentStatusOrder(Resource, module=tokens.DYNAMIC_MODULE, name="IncidentStatusOrder"):
    """The order of some statuses within one category: the first listed is the top.

    List each status in at most one order, and do not also set `rank` on an `IncidentStatus`
    listed here: the order chooses ranks itself. Statuses the list does not name are never
    written, and deleting the order leaves every rank as it is.
    """

    category: pulumi.Output[str]
    """`live` or `learning`."""
    statuses: pulumi.Output[list[str]]
    """The listed status ids, top first (after a refresh: in the order incident.io holds)."""
    ranks: pulumi.Output[list[int]]
    """The rank of each listed status, as incident.io holds it."""
    declared: pulumi.Output[list[str]]
    """The list as the last `pulumi up` applied it (a refresh leaves it as it was)."""
    moved_outside: pulumi.Output[bool]
    """Whether the last refresh found the listed statuses out of the declared order."""
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
        """Declare that `statuses` (ids, top first) appear in this order within `category`."""
        props: dict[str, Any] = {p: None for p in order.OUTPUTS}
        props.update(category=category, statuses=statuses)
        parent = opts.parent if opts else None
        props[URN] = pulumi.create_urn(resource_name, RESOURCE_TYPE, parent=parent)
        with pickler_as_found():
            super().__init__(IncidentStatusOrderProvider(), resource_name, props, opts)
