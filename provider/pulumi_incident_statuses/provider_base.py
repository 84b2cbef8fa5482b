"""The base of this package's dynamic providers: configured from the stack at run time, connected
through this process's `connection.CONNECTIONS`, errors shown message first (`diagnostics`), and
pickled to nothing; and the operations' results (`operations.results`) as `pulumi.dynamic`'s.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pulumi.dynamic import CheckFailure, CheckResult, DiffResult, ReadResult

from . import connection as connection_module
from . import settings as settings_module
from .connection import Connection
from .diagnostics import MessageFirstProvider
from .operations.results import Checked, Diff, Found

if TYPE_CHECKING:
    # Not at run time: `connection` checks the SDK's version first (`sdk`), and an SDK too old
    # to have this class would otherwise stop at this import, with no word of what to install.
    from pulumi.dynamic import ConfigureRequest

__all__ = ["ProviderBase", "check_result", "diff_result", "read_result"]


class ProviderBase(MessageFirstProvider):
    """Base of `IncidentStatusProvider` and `IncidentStatusOrderProvider`."""

    def configure(self, req: ConfigureRequest) -> None:
        """Resolve credentials from the stack config the engine sends and the environment."""
        connection_module.CONNECTIONS.configure(self, settings_module.resolve(req.config.get))

    def _connection(self) -> Connection:
        return connection_module.CONNECTIONS.connection_for(self)

    def __getstate__(self) -> None:
        """Nothing: a provider object is pickled into the state of every resource it serves.

        So it holds nothing of its own, and pickles to the same bytes configured or not: what
        `configure` resolves, the API key among it, is kept in `connection.CONNECTIONS`, and the
        client is made there at run time. Keep it so; an attribute set on a provider would be
        written into state.
        """
        return None


def check_result(checked: Checked) -> CheckResult:
    """A `check`'s verdict as the dynamic provider host takes it."""
    failures = [CheckFailure(failure.property, failure.reason) for failure in checked.failures]
    return CheckResult(checked.inputs, failures)


def diff_result(diff: Diff) -> DiffResult:
    """A diff as the dynamic provider host takes it: whether anything changes, what replaces."""
    return DiffResult(
        changes=diff.changed,
        replaces=diff.replaces,
        stables=[],
        delete_before_replace=diff.delete_before_replace,
    )


def read_result(found: Found | None) -> ReadResult:
    """A `read`'s resource as the dynamic provider host takes it; an empty id for one gone."""
    if found is None:
        return ReadResult("", {})
    return ReadResult(found.id, found.outs, found.inputs)
