"""The dynamic provider behind `IncidentStatusOrder` (its class is in `declared`).

The resource owns no status. It owns the relative order of the statuses it lists: an up moves the
fewest of them it can (see `ranking`), never touches a status the list does not name, and deleting
the resource writes nothing. The provider's module and name are in the state of every stack made
since 0.2.0: keep them.
"""

from __future__ import annotations

from typing import Any

from pulumi.dynamic import CheckResult, CreateResult, DiffResult, ReadResult, UpdateResult

from ..core import tokens
from ..core.operations import order
from .provider_base import ProviderBase, check_result, diff_result, plain, read_result, with_urn

RESOURCE_TYPE = tokens.DYNAMIC_ORDER


class IncidentStatusOrderProvider(ProviderBase):
    """The dynamic provider behind `IncidentStatusOrder`: the operations of `operations.order`,
    their results as `pulumi.dynamic`'s. Stateless when pickled."""

    def check(self, olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        """Reject bad input at preview, naming the field; ids are looked up only when changed."""
        olds, news = plain(olds), plain(news)
        reach = self._reach(news, olds)
        checked = order.check(reach, olds, news)
        with_urn(checked.inputs, news)
        return check_result(checked, reach)

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        """Compare the category (a change replaces) and the list; ranks are the provider's own."""
        olds, news = plain(olds), plain(news)
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
