"""`get_incident_status`: read a status the program does not manage, by name or by id.

Mainly for the statuses incident.io manages (Triage, Declined, Closed, ...), which no program can
declare but many want to reference. The lookup runs in the program's own process, with the
credentials the provider would use: stack config `incident:apiKey` / `incident:endpoint` and the
environment (see `settings`).
"""

from __future__ import annotations

import asyncio

import pulumi

from ..core import settings as settings_module
from ..core.connection import CONNECTIONS
from ..core.errors import IncidentAPIError, StatusLookupError
from ..core.lookup import empty, find
from ..core.wire import IncidentStatusRecord

__all__ = ["LookupFailedError", "get_incident_status"]


def get_incident_status(
    *, name: pulumi.Input[str] | None = None, id: pulumi.Input[str] | None = None
) -> pulumi.Output[IncidentStatusRecord]:
    """The status with exactly this ``name``, or this ``id``: give one of them, not both.

    Attributes lift through the output: ``get_incident_status(name="Triage").id``. Raises
    StatusLookupError at once for both or neither; the run fails with LookupFailedError when no
    status matches (naming the closest names) or incident.io cannot be asked.
    """
    target: pulumi.Input[str]
    if name is not None and id is None:
        target, by_name = name, True
    elif id is not None and name is None:
        target, by_name = id, False
    else:
        raise StatusLookupError("get_incident_status takes exactly one of name= or id=")
    if isinstance(target, str) and not target.strip():
        raise empty(by_name)
    resolved = settings_module.resolve(_stack_config)
    return pulumi.Output.from_input(target).apply(
        lambda value: asyncio.to_thread(_lookup, resolved, value, by_name=by_name)
    )


class LookupFailedError(pulumi.RunError):
    """`get_incident_status` failed; its ``__cause__`` is the typed error (`StatusLookupError`,
    `AuthenticationError`, `APIConnectionError`, ...).

    A `pulumi.RunError`, so the engine shows the message alone: any other exception from a
    program comes with the traceback of the SDK's frames around it.
    """


def _lookup(
    resolved: settings_module.Settings, value: str, *, by_name: bool
) -> IncidentStatusRecord:
    try:
        return find(CONNECTIONS.connect(resolved), value, by_name=by_name, fresh=True)
    except IncidentAPIError as error:
        looked_up = f"{'name' if by_name else 'id'}={value!r}"
        raise LookupFailedError(f"get_incident_status({looked_up}): {error}") from error


def _stack_config(full_key: str) -> str | None:
    namespace, _, key = full_key.partition(":")
    return pulumi.Config(namespace).get(key)


