"""Which status a killed run's pending create made, on the evidence of `creation`, and when the
killed run can have made it.

When the run ran: the checkpoint and the stack's history are written on the clock of the
machine that ran Pulumi, not on the service's. A killed run leaves no history entry, and runs
hold the stack's lock, so it ran between two finished operations. The first history checkpoint
that records a create as pending belongs to the first operation finished after the kill: the
killed run ran before that operation started and after the one before it ended. A create no
history checkpoint records ran after the last finished operation (``pulumi stack history``).
For a stack's first run, the engine wrote the stack's root resource (``pulumi:pulumi:Stack``)
before any create, which bounds it too. ``since``, when given, replaces the lower bound. Both
bounds are carried over to the service's clock by the offset between the two clocks measured
now (the list's ``Date`` header against this machine's clock), widened by `RUN_CLOCK_MARGIN`
for the machine that ran Pulumi disagreeing with this one. History records whole seconds, which
only widens the window by rounding the end of the operation before down.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from ..core import creation, dates
from ..core.errors import RecoveryError
from ..core.stack_state import HistoryEntry, PendingCreate, pending_creates
from ..core.wire import IncidentStatusRecord

__all__ = [
    "RUN_CLOCK_MARGIN",
    "Bounds",
    "Unmatched",
    "Window",
    "clock_offset",
    "match_pending_creates",
    "root_created",
    "window",
]

RUN_CLOCK_MARGIN = timedelta(seconds=2)
"""Allowed disagreement between the clock that ran Pulumi and the one running the recovery."""

_STACK_TYPE = "pulumi:pulumi:Stack"


@dataclass(frozen=True)
class Window:
    """When a killed run's create can have made its status, on the service's clock."""

    since: datetime
    until: datetime | None = None
    """None: up to now."""


@dataclass(frozen=True)
class Unmatched:
    """A pending create with no status to import, and why."""

    create: PendingCreate
    reason: str


def match_pending_creates(
    creates: Sequence[PendingCreate],
    records: Sequence[IncidentStatusRecord],
    *,
    held: set[str],
    since: datetime | None = None,
    windows: Mapping[str, Window] | None = None,
) -> tuple[dict[str, str], list[Unmatched]]:
    """Which status each create made, by the evidence rule, on the service's clock.

    Each create's window is ``windows[urn]``, else from ``since`` to now.
    """
    imported: dict[str, str] = {}
    unmatched: list[Unmatched] = []
    by_name = {record.name: record for record in records}
    for create in creates:
        window = (windows or {}).get(create.urn)
        if window is None:
            if since is None:
                raise RecoveryError(f"no time window for {create.urn}; nothing was imported")
            window = Window(since)
        holder = by_name.get(create.name)
        reason = None
        if holder is None:
            reason = "no status has this name: the create never landed; `pulumi up` makes it"
        elif holder.id in held:
            reason = f"{holder.id} holds this name and already belongs to another resource"
        elif holder.id in imported.values():
            reason = f"{holder.id} was matched to another pending create"
        elif not creation.made_since(
            holder,
            name=create.name,
            description=create.description,
            category=create.category,
            rank=create.rank,
            since=window.since,
        ) or _made_after(holder, window.until):
            reason = (
                f"{holder.id} holds this name but is not what this create sent, or was not "
                f"made while the killed run ran ({holder.created_at}); set "
                f"import_id={holder.id!r} to adopt it"
            )
        if reason is None and holder is not None:
            imported[create.urn] = holder.id
        else:
            unmatched.append(Unmatched(create, reason or ""))
    return imported, unmatched


def _made_after(record: IncidentStatusRecord, until: datetime | None) -> bool:
    created = dates.instant(record.created_at)
    return until is not None and (created is None or created > until)


@dataclass(frozen=True)
class Bounds:
    """What bounds when a killed run ran, on this machine's clock (see the module's docstring)."""

    history: Sequence[HistoryEntry]
    root_created: Sequence[datetime]
    since: datetime | None


def root_created(resources: Iterable[Mapping[str, Any]]) -> list[datetime]:
    return [
        when
        for resource in resources
        if resource.get("type") == _STACK_TYPE
        and (when := dates.instant(str(resource.get("created")), assume_utc=True)) is not None
    ]


def window(
    urn: str,
    history: Sequence[HistoryEntry],
    root_created: Sequence[datetime],
    since: datetime | None,
    offset: timedelta,
) -> Window:
    """When the killed run that left ``urn``'s create pending ran, on the service's clock."""
    first = next(
        (
            index
            for index, entry in enumerate(history)
            if any(c.urn == urn for c in pending_creates(entry.deployment or {}))
        ),
        None,
    )
    before = history if first is None else history[:first]
    until = None if first is None else history[first].start
    bounds = [entry.end for entry in before if until is None or entry.end <= until]
    bounds += [created for created in root_created if until is None or created <= until]
    lower = since or (max(bounds) if bounds else None)
    if lower is None:
        raise RecoveryError(
            "cannot tell when the killed run started (the stack has no history and no root "
            "resource); pass the time it started with --since"
        )
    margin = RUN_CLOCK_MARGIN + creation.SERVER_CLOCK_MARGIN
    return Window(
        since=lower + offset - margin,
        # History keeps whole seconds: the start of the next operation may be rounded down.
        until=None if until is None else until + offset + margin + timedelta(seconds=1),
    )


def clock_offset(listing: creation.Listing) -> timedelta:
    """The service's clock less this machine's."""
    if listing.server_time is None:
        raise RecoveryError(
            "incident.io's answer had no Date header, so the killed run's start cannot be put "
            "on its clock; nothing was imported"
        )
    # Date is rounded down and stamped before the answer arrived: the offset measured is at
    # most the true one by up to a second, which the margins cover.
    return listing.server_time - datetime.fromtimestamp(listing.received, UTC)


