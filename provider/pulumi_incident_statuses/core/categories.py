"""incident.io's status categories, and who owns each status: incident.io or the organisation.

`closed` is the category where the two differ. The API contract this package follows accepts new
`closed` statuses (create takes `live`, `learning` or `closed`), so a program may declare one and
`generate` adopts the ones an organisation made. The category also holds incident.io's own
`Closed` status, which nothing may change or delete. The API does not mark it, but incident.io
makes it with the organisation, before anyone can add to the category, so the oldest `closed`
status is taken as incident.io's. incident.io's Terraform provider once saw the live API refuse a
`closed` create; should it do so, `pulumi up` fails with the API's message and request id, and
nothing is created.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from .dates import instant

if TYPE_CHECKING:
    from .wire import IncidentStatusRecord

CREATABLE = ("live", "learning", "closed")
"""Categories the create call accepts, in lifecycle order."""

CONFIGURABLE = ("live", "learning")
"""Categories whose statuses an organisation orders (Active and Post-incident in the app)."""

RESERVED = ("triage", "declined", "merged", "canceled", "paused")
"""Categories of statuses only incident.io creates; a program references them instead."""

INCIDENT_IO = "incident.io"
"""The owner of the statuses incident.io manages (`list`'s OWNER column)."""

ORGANISATION = "your organisation"
"""The owner of every other status: the organisation configures it (`list`'s OWNER column)."""


def owned_by_incident_io(records: Iterable[IncidentStatusRecord]) -> frozenset[str]:
    """Ids of the statuses in ``records`` that incident.io owns; the organisation owns the rest.

    Those are every status of a category no program may create (unknown future ones included)
    and, in `closed`, incident.io's own `Closed`: the oldest status of the category.
    """
    owned: set[str] = set()
    closed: list[IncidentStatusRecord] = []
    for record in records:
        if record.category == "closed":
            closed.append(record)
        elif record.category not in CREATABLE:
            owned.add(record.id)
    if closed:
        owned.add(min(closed, key=_age).id)
    return frozenset(owned)


def owner(record: IncidentStatusRecord, incident_io: frozenset[str]) -> str:
    """`INCIDENT_IO` or `ORGANISATION`, given the ids `owned_by_incident_io` returned."""
    return INCIDENT_IO if record.id in incident_io else ORGANISATION


_UNREADABLE = datetime.max.replace(tzinfo=UTC)


def _age(record: IncidentStatusRecord) -> tuple[datetime, int, str]:
    # An unreadable time sorts last: it cannot show the status to be the first.
    return (instant(record.created_at) or _UNREADABLE, record.rank, record.id)
