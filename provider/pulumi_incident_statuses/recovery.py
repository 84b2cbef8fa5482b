"""Recover the creates of a killed `pulumi up`: import the statuses they made, nothing else.

A run killed between a POST and the engine recording its answer leaves that create in the
checkpoint as a *pending operation* (type ``creating``, with the resource's URN and inputs). The
status may or may not exist. `recover` decides which, with the evidence rule of ``creation``
applied to the whole run, and hands the engine exactly the statuses it can prove:

1. It reads the stack's checkpoint (``pulumi stack export``) for pending creates of
   `IncidentStatus` resources.
2. For each it looks for the status it made: exactly the declared inputs (name, description,
   category, and rank when one is declared), created after the killed run started, and not held
   by any resource of the stack. Names are unique, so there is at most one candidate.
3. It writes the matched creates into the checkpoint as resources with those statuses' ids
   (``pulumi stack import``) and drops every pending create of an `IncidentStatus`, then runs
   ``pulumi refresh --target URN ... --yes`` so that the provider reads each imported status as
   on any refresh. The next ``pulumi up`` creates the unmatched ones, or, where a status this
   stack did not make holds the name, fails with the conflict error that names it.

Why not ``pulumi refresh --import-pending-creates URN ID``: on the pinned CLI (v3.274.1) it
relabels each pending create as a pending import, and the refresh then drops pending imports
from the checkpoint without adding a resource (its snapshot keeps only pending creates), so the
statuses would be left unrecorded. The checkpoint edit does what that flag is meant to do.

When the run started: the checkpoint and the stack's history are written on the clock of the
machine that ran Pulumi, not on the service's. The run began after the stack's last finished
operation ended (``pulumi stack history``) and, for a stack's first run, before the engine wrote
the stack's root resource (``pulumi:pulumi:Stack``), so the later of those two instants is the
bound (or ``since``, when given). It is carried over to the service's clock by the offset
between the two clocks measured now (the list's ``Date`` header against this machine's clock),
less `RUN_CLOCK_MARGIN` for the machine that ran Pulumi disagreeing with this one.

A killed run also leaves the stack locked. ``recover`` does not break a lock on its own, since a
run may still be going on elsewhere: it says so and stops, and with ``cancel=True`` (the CLI's
``--cancel``) it runs ``pulumi cancel`` first.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from pulumi import automation as auto

from . import creation
from . import settings as settings_module
from .client import IncidentStatusesClient
from .errors import RecoveryError, StackLockedError
from .resource import RESOURCE_TYPE
from .wire import IncidentStatusRecord

__all__ = [
    "RUN_CLOCK_MARGIN",
    "PendingCreate",
    "Recovery",
    "RecoveryError",
    "StackLockedError",
    "Unmatched",
    "match_pending_creates",
    "pending_creates",
    "recover",
]

RUN_CLOCK_MARGIN = timedelta(seconds=2)
"""Allowed disagreement between the clock that ran Pulumi and the one running the recovery."""

_STACK_TYPE = "pulumi:pulumi:Stack"


@dataclass(frozen=True)
class PendingCreate:
    """A create the checkpoint records as started but never finished."""

    urn: str
    name: str
    description: str
    category: str
    rank: int | None

    @property
    def resource_name(self) -> str:
        """The resource's name in the program (the last part of its URN)."""
        return self.urn.rsplit("::", 1)[-1]


@dataclass(frozen=True)
class Unmatched:
    """A pending create with no status to import, and why."""

    create: PendingCreate
    reason: str


@dataclass(frozen=True)
class Recovery:
    """What `recover` found, and imported unless it was a dry run."""

    imported: dict[str, str] = field(default_factory=dict)
    """Status id by URN, for the pending creates whose status was found."""
    unmatched: list[Unmatched] = field(default_factory=list)
    """Pending creates with no status of their own; dropped, so that `pulumi up` redoes them."""
    since: datetime | None = None
    """The start of the killed run on the service's clock, as bounded from below."""


def pending_creates(deployment: Mapping[str, Any]) -> list[PendingCreate]:
    """The `IncidentStatus` creates pending in an exported deployment (``pulumi stack export``)."""
    found: list[PendingCreate] = []
    for operation in deployment.get("pending_operations") or []:
        resource = operation.get("resource") or {}
        if operation.get("type") != "creating" or resource.get("type") != RESOURCE_TYPE:
            continue
        inputs = resource.get("inputs") or {}
        rank = inputs.get("rank")
        found.append(
            PendingCreate(
                urn=str(resource["urn"]),
                name=str(inputs.get("name")),
                description=str(inputs.get("description")),
                category=str(inputs.get("category")),
                rank=int(rank) if isinstance(rank, int | float) else None,
            )
        )
    return found


def match_pending_creates(
    creates: Sequence[PendingCreate],
    records: Sequence[IncidentStatusRecord],
    *,
    held: set[str],
    since: datetime,
) -> tuple[dict[str, str], list[Unmatched]]:
    """Which status each create made, by the evidence rule; ``since`` on the service's clock."""
    imported: dict[str, str] = {}
    unmatched: list[Unmatched] = []
    by_name = {record.name: record for record in records}
    for create in creates:
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
            since=since,
        ):
            reason = (
                f"{holder.id} holds this name but is not what this create sent, or existed "
                f"before the killed run started ({holder.created_at}); set "
                f"import_id={holder.id!r} to adopt it"
            )
        if reason is None and holder is not None:
            imported[create.urn] = holder.id
        else:
            unmatched.append(Unmatched(create, reason or ""))
    return imported, unmatched


def recover(
    stack: auto.Stack,
    *,
    cancel: bool = False,
    since: datetime | None = None,
    dry_run: bool = False,
    settings: settings_module.Settings | None = None,
) -> Recovery:
    """Import the statuses a killed run's pending creates made; drop the other pending creates.

    ``stack`` is any Automation API stack (inline or local program; its workspace's environment
    reaches the CLI). The key and endpoint come from ``settings``, else from the stack's config
    (``incident:apiKey``, ``incident:endpoint``) and the environment, as the provider reads them.
    ``since`` overrides when the killed run started (an aware instant on the clock of the
    machine that ran it). Raises `StackLockedError` if the stack is locked and ``cancel`` is
    false; with ``dry_run`` it only reports.
    """
    if cancel:
        stack.cancel()
    deployment = stack.export_stack().deployment or {}
    creates = pending_creates(deployment)
    if not creates:
        return Recovery()
    started = since or _run_started(stack, deployment)
    resolved = settings or settings_module.resolve(_config_lookup(stack))
    with IncidentStatusesClient(resolved.require_api_key(), resolved.endpoint) as client:
        # Arrival on the wall clock: the run's start is on a wall clock too.
        listing = client.listing(clock=time.time)
    service_since = _on_service_clock(started, listing)
    held = {
        str(resource["id"])
        for resource in deployment.get("resources") or []
        if resource.get("type") == RESOURCE_TYPE and resource.get("id")
    }
    imported, unmatched = match_pending_creates(
        creates, listing.records, held=held, since=service_since
    )
    if not dry_run:
        _record(stack, deployment, imported)
    return Recovery(imported=imported, unmatched=unmatched, since=service_since)


def _config_lookup(stack: auto.Stack) -> Callable[[str], object]:
    config = stack.get_all_config()

    def get(key: str) -> object:
        value = config.get(key)
        return value.value if value is not None else None

    return get


def _on_service_clock(started: datetime, listing: creation.Listing) -> datetime:
    if listing.server_time is None:
        raise RecoveryError(
            "incident.io's answer had no Date header, so the killed run's start cannot be put "
            "on its clock; nothing was imported"
        )
    # Date is rounded down and stamped before the answer arrived: the offset measured is at
    # most the true one, so the bound errs early, never late.
    offset = listing.server_time - datetime.fromtimestamp(listing.received, UTC)
    return started + offset - RUN_CLOCK_MARGIN - creation.SERVER_CLOCK_MARGIN


def _run_started(stack: auto.Stack, deployment: Mapping[str, Any]) -> datetime:
    bounds: list[datetime] = []
    for resource in deployment.get("resources") or []:
        if resource.get("type") == _STACK_TYPE and resource.get("created"):
            bounds.append(_instant(str(resource["created"])))
    result = _pulumi(stack, ["stack", "history", "--json"])
    for entry in json.loads(result.stdout or "[]"):
        if entry.get("endTime"):
            bounds.append(_instant(str(entry["endTime"])))
    if not bounds:
        raise RecoveryError(
            "cannot tell when the killed run started (the stack has no history and no root "
            "resource); pass the time it started with --since"
        )
    return max(bounds)


def _instant(text: str) -> datetime:
    # Go writes nanoseconds; Python reads at most microseconds.
    head, dot, tail = text.rstrip("Z").partition(".")
    fraction = "".join(ch for ch in tail if ch.isdigit())[:6]
    when = datetime.fromisoformat(f"{head}.{fraction or '0'}" if dot else head)
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when


def _record(stack: auto.Stack, deployment: Mapping[str, Any], imported: Mapping[str, str]) -> None:
    """Turn the matched pending creates into resources and drop every pending status create."""
    edited = dict(deployment)
    resources = list(deployment.get("resources") or [])
    kept: list[Any] = []
    for operation in deployment.get("pending_operations") or []:
        resource = operation.get("resource") or {}
        if operation.get("type") != "creating" or resource.get("type") != RESOURCE_TYPE:
            kept.append(operation)
            continue
        status_id = imported.get(str(resource.get("urn")))
        if status_id is not None:
            # Outputs carry the serialized provider as the inputs do; the refresh below has
            # the provider fill in the rest from incident.io.
            inputs = dict(resource.get("inputs") or {})
            resources.append({**resource, "id": status_id, "outputs": inputs})
    edited["resources"] = resources
    edited["pending_operations"] = kept
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as file:
        json.dump({"version": 3, "deployment": edited}, file)
    try:
        _unless_locked(stack, ["stack", "import", "--file", file.name])
    finally:
        os.unlink(file.name)
    if imported:
        targets = [arg for urn in imported for arg in ("--target", urn)]
        _unless_locked(stack, ["refresh", "--yes", "--skip-preview", "--non-interactive", *targets])


def _unless_locked(stack: auto.Stack, args: list[str]) -> None:
    try:
        _pulumi(stack, args)
    except auto.CommandError as error:
        if "currently locked" in str(error):
            raise StackLockedError(
                f"stack {stack.name!r} is locked by a run. If no run is going on (it was killed), "
                "release the lock with `pulumi cancel` and recover again, or recover with "
                "--cancel"
            ) from None
        raise


def _pulumi(stack: auto.Stack, args: list[str]) -> auto.CommandResult:
    """A `pulumi` command on ``stack``, in its workspace's folder and environment."""
    workspace = stack.workspace
    env: dict[str, str] = {}
    if workspace.pulumi_home is not None:
        env["PULUMI_HOME"] = workspace.pulumi_home
    env.update(workspace.env_vars)
    return workspace.pulumi_command.run([*args, "--stack", stack.name], workspace.work_dir, env)
