"""Renames that pass names between statuses of one deployment: chains and swaps in one apply.

Names are unique, and the engine runs the updates of a deployment in parallel, so renaming A to
B's old name while B takes a new one fails if A's update goes first, and a swap fails whichever
goes first. The engine calls `diff` for every status before its update, in this provider process,
so the process knows what name each status of the deployment is heading for (`note`, kept in
`deployment`). An update refused because another status holds its new name looks the holder up
there:

- a holder heading for another name is renamed there first, on its behalf, and so on down a chain;
  a holder already in the chain closes a cycle (a swap, a rotation), and steps aside to a
  temporary name until the rest of the cycle has moved;
- a holder keeping its name, or one this deployment does not manage at all, is a conflict, raised
  as `StatusConflictError`. A name is never taken from a status the stack does not manage.

Every move is made by the thread that met the conflict, under one lock, so no update waits for
another update to run. That matters: a provider process serves calls on a pool of threads (the
dynamic provider host four, pulumi/dynamic/__main__.py; the plugin ten), and more updates than
that can be waiting.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from . import deployment as deployment_module
from .connection import Connection
from .errors import IncidentStatusesError, StatusConflictError, ValidationError
from .inputs import StatusInputs, is_unknown

if TYPE_CHECKING:
    from .wire import IncidentStatusRecord

# How long an update waits for the `diff` of a holder it knows nothing about: the engine diffs
# one resource after another while it already runs the updates of those diffed, through the same
# pool of threads, so a holder's diff may come a few hundred milliseconds after a conflict with
# it. At most one update fewer than the process has threads waits at once (`Deployment.waiting`),
# leaving a thread for that diff; an update that finds them all waiting does not wait, and a
# holder still unknown is a conflict.
_INTENT_WAIT_SECONDS = 5.0
_INTENT_POLL_SECONDS = 0.05
# A chain longer than the statuses of an organisation would be a bug: stop rather than loop.
_MAX_STEPS = 1000



def note(status_id: str, declared: StatusInputs) -> None:
    """Record, from `diff`, the name and description this deployment declares for a status."""
    if not is_unknown(declared.name) and not is_unknown(declared.description):
        deployment_module.DEPLOYMENT.declare(status_id, declared)


def temporary_name(status_id: str) -> str:
    """The name a status holds while it steps aside in a cycle of renames."""
    return f"renaming {status_id}"


def update(
    connection: Connection, status_id: str, *, name: str, description: str, rank: int | None
) -> IncidentStatusRecord:
    """Put the status's name, description and rank, moving this deployment's holder of the name."""
    try:
        return connection.client.update(status_id, name=name, description=description, rank=rank)
    except ValidationError as error:
        if not _about_name(error):
            raise
        refused = error
    waited: set[str] = set()
    while True:
        with deployment_module.DEPLOYMENT.moving:
            try:
                return _take(connection, status_id, name, description, rank, chain=[status_id])
            except _Unmanaged as conflict:
                if conflict.holder_id in waited:
                    raise StatusConflictError(
                        f"cannot rename incident status {status_id} to {name!r}: "
                        f"{conflict.reason}. Choose another name, or rename that status first. "
                        f"({refused})",
                        holder_id=conflict.holder_id,
                    ) from None
                holder_id = conflict.holder_id
            finally:
                connection.invalidate()
        # Outside the lock, so that the moves of other chains go on meanwhile.
        _await_intent(holder_id)
        waited.add(holder_id)


class _Unmanaged(Exception):
    """A holder of the name that this deployment (as far as its diffs have shown) keeps there."""

    def __init__(self, reason: str, holder_id: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.holder_id = holder_id


def _about_name(error: ValidationError) -> bool:
    return any(detail.field == "name" for detail in error.errors)


def _await_intent(holder_id: str) -> None:
    """Give the holder's `diff` a moment to arrive, without taking the process's last thread."""
    deployment = deployment_module.DEPLOYMENT
    if not deployment.waiting.acquire(blocking=False):
        return
    try:
        deadline = time.monotonic() + _INTENT_WAIT_SECONDS
        while time.monotonic() < deadline:
            if deployment.declared(holder_id) is not None:
                return
            time.sleep(_INTENT_POLL_SECONDS)
    finally:
        deployment.waiting.release()


def _take(
    connection: Connection,
    status_id: str,
    name: str,
    description: str,
    rank: int | None,
    *,
    chain: list[str],
) -> IncidentStatusRecord:
    """Give `status_id` the name `name`, first moving whoever holds it where it is going."""
    client = connection.client
    unheld_refusals = 0
    for _ in range(_MAX_STEPS):
        try:
            return client.update(status_id, name=name, description=description, rank=rank)
        except ValidationError as error:
            if not _about_name(error):
                raise
            refused = error
        holder = client.find_by_name(name)
        if holder is None or holder.id == status_id:
            # Its holder may have just moved away: try once more. Refused again with nobody
            # else holding it, the name is refused for itself, and that is the answer.
            unheld_refusals += 1
            if unheld_refusals > 1:
                raise refused
            continue
        unheld_refusals = 0
        intent = deployment_module.DEPLOYMENT.declared(holder.id)
        if intent is None:
            raise _Unmanaged(
                f"the status {holder.id} ({holder.category}) holds that name and this stack "
                "does not rename it",
                holder.id,
            )
        if intent.name == name:
            raise _Unmanaged(
                f"the status {holder.id} of this stack holds that name and keeps it", holder.id
            )
        if holder.id in chain:
            # A cycle: the holder steps aside until the rest of the cycle has its names.
            client.update(holder.id, name=temporary_name(holder.id), description=holder.description)
            continue
        _take(
            connection,
            holder.id,
            intent.name,
            intent.description,
            None,
            chain=[*chain, holder.id],
        )
    raise IncidentStatusesError(
        f"renaming {status_id} to {name!r} did not settle after {_MAX_STEPS} moves; nothing more "
        "was written. This is a bug: please report it"
    )
