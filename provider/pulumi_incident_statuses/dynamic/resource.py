"""The dynamic provider behind `IncidentStatus` (its class is in `declared`).

The provider object is pickled into every resource's state, so it holds nothing (see
`ProviderBase.__getstate__`): API clients, credentials and caches live in
`connection.CONNECTIONS`, per provider process, built at run time from the stack config the engine
hands to `configure`. Its module and name are in the state of every stack made since 0.2.0: keep
them.
"""

from __future__ import annotations

from typing import Any

from pulumi.dynamic import CheckResult, CreateResult, DiffResult, ReadResult, UpdateResult

from ..core import engine_log, tokens
from ..core.errors import StatusConflictError
from ..core.operations import status
from .provider_base import (
    ProviderBase,
    check_result,
    diff_result,
    plain,
    read_result,
    with_urn,
    worded,
)

RESOURCE_TYPE = tokens.DYNAMIC_STATUS


class IncidentStatusProvider(ProviderBase):
    """The dynamic provider behind `IncidentStatus`: the operations of `operations.status`, their
    results as `pulumi.dynamic`'s. Stateless when pickled."""

    def check(self, olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        """Reject bad inputs at preview, naming the field."""
        olds, news = plain(olds), plain(news)
        reach = self._reach(news, olds)
        try:
            checked = status.check(reach, olds, news)
        except StatusConflictError as error:
            raise worded(error, reach) from None
        with_urn(checked.inputs, news)
        return check_result(checked, reach)

    def diff(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        """Compare declared fields only; a category change replaces, deleting first."""
        olds, news = plain(olds), plain(news)
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
