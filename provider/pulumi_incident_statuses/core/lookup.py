"""Finding one status by exact name or by id, as `get_incident_status` and the plugin's
`getIncidentStatus` do, with a message that names the closest names when none matches."""

from __future__ import annotations

import difflib
from typing import TYPE_CHECKING

from .errors import StatusLookupError
from .wire import IncidentStatusRecord

if TYPE_CHECKING:
    from .connection import Connection

__all__ = ["find"]

_MAX_LISTED = 20


def empty(by_name: bool) -> StatusLookupError:
    """The error for a lookup by an empty name or id."""
    looked_up = "name" if by_name else "id"
    return StatusLookupError(f"get_incident_status: {looked_up} must not be empty")


def find(
    connection: Connection, value: str, *, by_name: bool, fresh: bool = False
) -> IncidentStatusRecord:
    """The matching status, from the connection's recent list (one call at most), or, ``fresh``,
    from one call made now; StatusLookupError if there is none.

    A provider process serves one deployment, so its recent list will do; a program process of
    the Automation API may run many, one after another, so it asks afresh.
    """
    if not value.strip():
        raise empty(by_name)
    if fresh:
        connection.invalidate()
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
