"""The base of this package's dynamic providers: configured from the stack at run time, connected
through this process's `connection.CONNECTIONS`, errors shown message first (`diagnostics`),
messages for the person sent to the engine (`engine_log`), and pickled to nothing; and the
operations' results (`operations.results`) as `pulumi.dynamic`'s.

A dynamic provider's methods are not told which resource they serve, so each resource carries its
URN as an input, `_urn` (`URN`), which the program computes when it declares the resource. It is
kept in the resource's inputs and outputs, so that every method of the provider, `delete` among
them, knows which resource asks, and it never counts as a change.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import pulumi
from pulumi.dynamic import CheckFailure, CheckResult, DiffResult, ReadResult, Resource

from ..core import connection as connection_module
from ..core import deployment, engine_log, spec, tokens, versions
from ..core import settings as settings_module
from ..core.advice import Door
from ..core.errors import StatusConflictError
from ..core.inputs import UNKNOWN, is_unknown
from ..core.operations.results import Checked, Diff, Found, Reach
from ..core.tokens import resource_name
from .diagnostics import MessageFirstProvider
from .pickling import pickler_as_found

if TYPE_CHECKING:
    # Not at run time: `connection` checks the SDK's version first (`sdk`), and an SDK too old
    # to have this class would otherwise stop at this import, with no word of what to install.
    from pulumi.dynamic import ConfigureRequest

__all__ = ["URN", "ProviderBase", "check_result", "declare", "diff_result", "read_result"]

# Every dynamic resource of this package, in the program and in the provider process, loads this
# module first: an SDK older than the package needs stops here, with what to do, not at the first
# refresh.
versions.require()

URN = "_urn"
"""The input that carries a dynamic resource's URN (see the module's docstring). One underscore:
older SDKs (3.230.0 among them) drop inputs named `__...` when the dynamic host reads them."""

_HOST = "pulumi.dynamic.__main__"


class ProviderBase(MessageFirstProvider):
    """Base of `IncidentStatusProvider` and `IncidentStatusOrderProvider`."""

    def configure(self, req: ConfigureRequest) -> None:
        """Resolve credentials from the stack config the engine sends and the environment."""
        connection_module.CONNECTIONS.configure(self, settings_module.resolve(req.config.get))

    def _reach(self, *props: Mapping[str, Any]) -> Reach:
        """How this provider's operations reach incident.io, for the resource whose URN the
        first of ``props`` records (then any other URN the others record: before a rename)."""
        settings = connection_module.CONNECTIONS.settings_for(self)
        found = [p.get(URN) for p in props]
        urns = tuple(dict.fromkeys(u for u in found if isinstance(u, str) and not is_unknown(u)))

        def connect() -> connection_module.Connection:
            return connection_module.CONNECTIONS.connect(settings)

        return Reach(settings, connect, urns)

    def __getstate__(self) -> None:
        """Nothing: a provider object is pickled into the state of every resource it serves.

        So it holds nothing of its own, and pickles to the same bytes configured or not: what
        `configure` resolves, the API key among it, is kept in `connection.CONNECTIONS`, and the
        client is made there at run time. Keep it so; an attribute set on a provider would be
        written into state.
        """
        return None


def declare(
    resource: Resource,
    provider: ProviderBase,
    resource_name: str,
    opts: pulumi.ResourceOptions | None,
    args: object | None,
    keywords: Mapping[str, Any],
) -> None:
    """Register ``resource``, a dynamic resource of this package: its inputs from ``args`` (an
    Args dataclass) and ``keywords`` (which win where both give one), every output, and its URN.
    """
    declared = _DECLARED[type(resource).__name__]
    values: dict[str, Any] = dict(vars(args)) if args is not None else {}
    values.update({key: value for key, value in keywords.items() if value is not None})
    props: dict[str, Any] = {p: values.get(p) for p in declared.inputs()}
    props.update({p: None for p in declared.outputs() if p not in props})
    props[URN] = _urn(resource_name, tokens.dynamic(declared.name), opts.parent if opts else None)
    with pickler_as_found():
        Resource.__init__(resource, provider, resource_name, props, opts)


_DECLARED = {declared.name: declared for declared in (spec.STATUS, spec.ORDER)}


def plain(values: dict[str, Any]) -> dict[str, Any]:
    """The dynamic host's values as the operations take them: an element of a list not known
    yet (``pulumi.output.Unknown``) as the engine's ``UNKNOWN``, like any other unknown."""
    return {key: _plain(value) for key, value in values.items()}


def _urn(resource_name: str, token: str, parent: pulumi.Resource | None) -> Any:
    """The URN the engine will give the resource, as an input that depends on no resource."""
    if parent is None:
        # Known now: a string, where `create_urn` gives an Output the SDK resolves before it
        # registers the resource (about 1 ms a resource at preview).
        return f"urn:pulumi:{pulumi.get_stack()}::{pulumi.get_project()}::{token}::{resource_name}"
    urn = pulumi.create_urn(resource_name, token, parent=parent)
    # The parent's URN without the parent as a dependency: a component depends on its children,
    # so the SDK would find a cycle and refuse the resource.
    return pulumi.Output(set(), urn.future(with_unknowns=True), urn.is_known(), urn.is_secret())


def _plain(value: Any) -> Any:
    if isinstance(value, pulumi.output.Unknown):
        return UNKNOWN
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


def with_urn(values: dict[str, Any], props: Mapping[str, Any]) -> dict[str, Any]:
    """``values`` (outputs or inputs) carrying the URN ``props`` carry."""
    if isinstance(props.get(URN), str):
        values[URN] = props[URN]
    return values


def worded(error: StatusConflictError, reach: Reach) -> StatusConflictError:
    """A conflict's advice as the Python resources spell it, naming the resource."""
    return error.for_door(Door.PYTHON, resource_name(reach.urn) if reach.urn else None)


def check_result(checked: Checked, reach: Reach) -> CheckResult:
    """A `check`'s verdict as the dynamic provider host takes it; its warnings sent."""
    for warning in checked.warnings:
        engine_log.warn(warning, reach.urn)
    failures = [CheckFailure(failure.property, failure.reason) for failure in checked.failures]
    return CheckResult(checked.inputs, failures)


def diff_result(diff: Diff, reach: Reach) -> DiffResult:
    """A diff as the dynamic provider host takes it: whether anything changes, what replaces."""
    for note in diff.notes:
        engine_log.info(note, reach.urn)
    return DiffResult(
        changes=diff.changed,
        replaces=diff.replaces,
        stables=[],
        delete_before_replace=diff.delete_before_replace,
    )


def read_result(found: Found | None, props: Mapping[str, Any]) -> ReadResult:
    """A `read`'s resource as the dynamic provider host takes it; an empty id for one gone."""
    if found is None:
        return ReadResult("", {})
    return ReadResult(found.id, with_urn(found.outs, props), with_urn(found.inputs, props))


def _join_the_host() -> None:
    """In the SDK's dynamic provider host, find the engine that started it: the deployment's
    records are shared with the other provider processes it started, and messages go to it."""
    host = sys.modules.get("__main__")
    if getattr(getattr(host, "__spec__", None), "name", None) != _HOST:
        return
    address = deployment.engine_address(sys.argv[1:])
    if address is not None:
        deployment.share(address)
        engine_log.attach(address)


# The host unpickles a provider of this package, and so imports this module, before its first
# call of it.
_join_the_host()
