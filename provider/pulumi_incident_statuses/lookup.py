"""`get_incident_status`: read a status the program does not manage, by name or by id.

Mainly for the statuses incident.io manages (Triage, Declined, Closed, ...), which no program can
declare but many want to reference. The lookup runs in the program's own process, with the
credentials the provider would use: stack config `incident:apiKey` / `incident:endpoint` and the
environment (see `settings`).
"""

from __future__ import annotations

import asyncio
import difflib

import pulumi

from . import settings as settings_module
from .connection import CONNECTIONS, Connection
from .errors import IncidentAPIError, StatusLookupError
from .wire import IncidentStatusRecord

__all__ = ["LookupFailedError", "get_incident_status"]

_MAX_LISTED = 20


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
        raise _empty(by_name)
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
        return find(CONNECTIONS.connect(resolved), value, by_name=by_name)
    except IncidentAPIError as error:
        looked_up = f"{'name' if by_name else 'id'}={value!r}"
        raise LookupFailedError(f"get_incident_status({looked_up}): {error}") from error


def _stack_config(full_key: str) -> str | None:
    namespace, _, key = full_key.partition(":")
    return pulumi.Config(namespace).get(key)


def _empty(by_name: bool) -> StatusLookupError:
    looked_up = "name" if by_name else "id"
    return StatusLookupError(f"get_incident_status: {looked_up} must not be empty")


def find(connection: Connection, value: str, *, by_name: bool) -> IncidentStatusRecord:
    """The matching status, from the connection's recent list or one call; StatusLookupError if
    there is none."""
    if not value.strip():
        raise _empty(by_name)
    if not by_name:
        record = connection.find(value)
        if record is None:
            raise StatusLookupError(
                f"no incident status has id {value!r}; `incident-statuses list` shows every "
                "status with its id",
                status_id=value,
            )
        return record
    records = list(connection.snapshot().values())
    match = next((record for record in records if record.name == value), None)
    if match is not None:
        return match
    names = [record.name for record in records]
    suggestions = _close_names(value, names)
    message = f"no incident status is named {value!r}"
    if suggestions:
        message += f"; did you mean {' or '.join(repr(s) for s in suggestions)}?"
    elif names:
        shown = ", ".join(repr(n) for n in names[:_MAX_LISTED])
        more = f" and {len(names) - _MAX_LISTED} more" if len(names) > _MAX_LISTED else ""
        message += f"; the organisation's statuses are {shown}{more}"
    else:
        message += "; the organisation has no statuses"
    raise StatusLookupError(message, name=value, suggestions=suggestions)


def _close_names(name: str, names: list[str]) -> tuple[str, ...]:
    """Names differing from ``name`` only in case first, then the closest by spelling."""
    folded = name.casefold()
    same_letters = [n for n in names if n.casefold() == folded]
    by_folded = {n.casefold(): n for n in names}
    similar = difflib.get_close_matches(folded, list(by_folded), n=3, cutoff=0.6)
    ordered = dict.fromkeys([*same_letters, *(by_folded[s] for s in similar)])
    return tuple(ordered)[:3]
