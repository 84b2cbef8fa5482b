"""incident.io's status categories: which a program may create, and which incident.io manages.

The two lists differ on `closed`: the API accepts new `closed` statuses (the user's spec), but the
`Closed` status itself, like every status outside `live` and `learning`, is incident.io's own.
"""

from __future__ import annotations

CREATABLE = ("live", "learning", "closed")
"""Categories the create call accepts."""

CONFIGURABLE = ("live", "learning")
"""Categories whose statuses an organisation configures (Active and Post-incident in the app)."""

RESERVED = ("triage", "declined", "merged", "canceled", "paused")
"""Categories of statuses only incident.io creates; a program references them instead."""


def is_managed(category: str) -> bool:
    """Whether statuses of this category belong to incident.io (unknown future ones included)."""
    return category not in CONFIGURABLE
