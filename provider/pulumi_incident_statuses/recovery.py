"""Recover the creates of a killed `pulumi up`: import the statuses they made, nothing else.

A run killed between a POST and the engine recording its answer leaves that create in the
checkpoint as a *pending operation* (type ``creating``, with the resource's URN and inputs). The
status may or may not exist. `recover` decides which, with the evidence rule of ``creation``
applied to the whole run, and hands the engine exactly the statuses it can prove:

1. It reads the stack's checkpoint (``pulumi stack export``) for pending creates of
   `IncidentStatus` resources, and, with a file backend, the checkpoints its history keeps
   (``.pulumi/history/``): a command run after the kill (``pulumi up``, ``pulumi refresh``)
   may have written newer checkpoints meanwhile, and a create it redid, or pending creates it
   dropped, are told apart there.
2. For each it looks for the status it made: exactly the declared inputs (name, description,
   category, and rank when one is declared), created while the killed run could have been
   running, and not held by any resource of the stack. Names are unique, so there is at most
   one candidate. A pending create whose resource a later ``pulumi up`` created is dropped.
3. It writes the matched creates into the checkpoint as resources with those statuses' ids
   (``pulumi stack import``) and drops every pending create of an `IncidentStatus`, then runs
   ``pulumi refresh --target URN ... --yes`` so that the provider reads each imported status as
   on any refresh. The next ``pulumi up`` creates the unmatched ones, or, where a status this
   stack did not make holds the name, fails with the conflict error that names it.

Why not ``pulumi refresh --import-pending-creates URN ID``: on the pinned CLI (v3.274.1) it
relabels each pending create as a pending import, and the refresh then drops pending imports
from the checkpoint without adding a resource (its snapshot keeps only pending creates), so the
statuses would be left unrecorded. The checkpoint edit does what that flag is meant to do.

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

A killed run also leaves the stack locked. ``recover`` does not break a lock on its own, since a
run may still be going on elsewhere: it says so and stops, and with ``cancel=True`` (the CLI's
``--cancel``) it runs ``pulumi cancel`` first.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from pulumi import automation as auto

from . import creation, dates, tokens
from . import settings as settings_module
from .client import IncidentStatusesClient
from .errors import RecoveryError, StackLockedError
from .stack_state import (
    HistoryEntry,
    PendingCreate,
    file_history,
    pending_creates,
    unfinished_creates,
)
from .wire import IncidentStatusRecord

__all__ = [
    "RUN_CLOCK_MARGIN",
    "HistoryEntry",
    "PendingCreate",
    "Recovery",
    "RecoveryError",
    "StackLockedError",
    "Unmatched",
    "Window",
    "match_pending_creates",
    "pending_creates",
    "recover",
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


@dataclass(frozen=True)
class Recovery:
    """What `recover` found, and imported unless it was a dry run."""

    imported: dict[str, str] = field(default_factory=dict)
    """Status id by URN, for the pending creates whose status was found."""
    unmatched: list[Unmatched] = field(default_factory=list)
    """Pending creates with no status of their own; dropped, so that `pulumi up` redoes them."""
    since: datetime | None = None
    """The start of the killed run on the service's clock, as bounded from below."""

    def merged(self, other: Recovery) -> Recovery:
        """This recovery and ``other``'s findings together."""
        earliest = min((s for s in (self.since, other.since) if s is not None), default=None)
        return Recovery(
            imported={**self.imported, **other.imported},
            unmatched=[*self.unmatched, *other.unmatched],
            since=earliest,
        )


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
    reaches the CLI). Creates of both ways in are recovered: the dynamic resources' and the
    plugin's. The key and endpoint come from ``settings``, else, for each create, from the
    provider that served it: the stack's config (``incident:apiKey`` for the dynamic resources,
    ``incident-statuses:apiKey`` for the plugin's default provider) or an explicit provider's
    recorded arguments, and the environment, as the providers read them. ``since`` overrides when
    the killed run started (an aware instant on the clock of the machine that ran it). Raises
    `StackLockedError` if the stack is locked and ``cancel`` is false; with ``dry_run`` it only
    reports.
    """
    if cancel:
        stack.cancel()
    deployment = stack.export_stack().deployment or {}
    history = _file_history(stack)
    in_state = {
        str(resource.get("urn")): resource for resource in deployment.get("resources") or []
    }
    creates = unfinished_creates(deployment, history)
    redone = [create for create in creates if create.urn in in_state]
    creates = [create for create in creates if create.urn not in in_state]
    if not creates and not redone:
        return Recovery()
    held = {
        str(resource["id"])
        for resource in in_state.values()
        if resource.get("type") in tokens.STATUSES and resource.get("id")
    }
    bounds = _Bounds(history or _cli_history(stack), _root_created(in_state.values()), since)
    found = Recovery()
    for provider, group in _by_provider(creates).items():
        resolved = settings or _settings_for(stack, in_state, provider, group)
        found = found.merged(_match_group(resolved, group, held, bounds))
        held |= set(found.imported.values())
    unmatched = [
        *found.unmatched,
        *(
            Unmatched(create, "a later `pulumi up` created this resource; nothing to import")
            for create in redone
        ),
    ]
    if not dry_run:
        _record(stack, deployment, [*creates, *redone], found.imported)
    return Recovery(imported=found.imported, unmatched=unmatched, since=found.since)


@dataclass(frozen=True)
class _Bounds:
    """What bounds when a killed run ran, on this machine's clock (see the module's docstring)."""

    history: Sequence[HistoryEntry]
    root_created: Sequence[datetime]
    since: datetime | None


def _root_created(resources: Iterable[Mapping[str, Any]]) -> list[datetime]:
    return [
        when
        for resource in resources
        if resource.get("type") == _STACK_TYPE
        and (when := dates.instant(str(resource.get("created")), assume_utc=True)) is not None
    ]


def _match_group(
    resolved: settings_module.Settings,
    creates: Sequence[PendingCreate],
    held: set[str],
    bounds: _Bounds,
) -> Recovery:
    """Match the creates one provider served against that provider's organisation."""
    with IncidentStatusesClient.from_settings(resolved) as client:
        # Arrival on the wall clock: the run's times are on a wall clock too.
        listing = client.listing(clock=time.time)
    offset = _clock_offset(listing)
    windows = {
        create.urn: _window(create.urn, bounds.history, bounds.root_created, bounds.since, offset)
        for create in creates
    }
    imported, unmatched = match_pending_creates(
        creates, listing.records, held=held, windows=windows
    )
    earliest = min((window.since for window in windows.values()), default=None)
    return Recovery(imported=imported, unmatched=unmatched, since=earliest)


def _by_provider(creates: Sequence[PendingCreate]) -> dict[str, list[PendingCreate]]:
    """The creates by the provider reference that served them (empty: a dynamic resource)."""
    groups: dict[str, list[PendingCreate]] = {}
    for create in creates:
        reference = ""
        if create.resource.get("type") != tokens.DYNAMIC_STATUS:
            reference = str(create.resource.get("provider") or "")
        groups.setdefault(reference, []).append(create)
    return groups


def _settings_for(
    stack: auto.Stack,
    in_state: Mapping[str, Mapping[str, Any]],
    provider: str,
    creates: Sequence[PendingCreate],
) -> settings_module.Settings:
    """The settings of the provider that served ``creates``, as it read them."""
    if not provider and creates[0].resource.get("type") == tokens.DYNAMIC_STATUS:
        found = settings_module.resolve(_config_lookup(stack))
    else:
        urn = provider.rsplit("::", 1)[0] if provider else ""
        name = tokens.resource_name(urn) if urn else "default"
        if not urn or name == "default" or name.startswith("default_"):
            found = settings_module.resolve(_config_lookup(stack), namespace=tokens.PACKAGE)
        else:
            arguments = (in_state.get(urn) or {}).get("inputs") or {}
            found = settings_module.resolve(
                lambda key: _plain(arguments.get(key.rsplit(":", 1)[-1])),
                namespace=tokens.PACKAGE,
                provider=name,
            )
    return settings_module.for_command_line(found)


# How `pulumi stack export --show-secrets` marks a secret value (a signature, not a secret).
_SECRET_SIGNATURE = "4dabf18193072939515e22adb298388d"  # noqa: S105


def _plain(value: object) -> object:
    """A recorded argument's value, a secret's plaintext included."""
    if isinstance(value, dict) and _SECRET_SIGNATURE in value:
        plaintext = value.get("plaintext")
        try:
            return json.loads(plaintext) if isinstance(plaintext, str) else None
        except ValueError:
            return None
    return value


def _window(
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


def _file_history(stack: auto.Stack) -> list[HistoryEntry]:
    """The stack's finished operations with their checkpoints, from a file backend's history."""
    try:
        project = stack.workspace.project_settings().name
    except (auto.CommandError, OSError, ValueError):
        project = "*"
    return file_history(stack.workspace.who_am_i().url or "", project, stack.name)


def _config_lookup(stack: auto.Stack) -> Callable[[str], object]:
    config = stack.get_all_config()

    def get(key: str) -> object:
        value = config.get(key)
        return value.value if value is not None else None

    return get


def _clock_offset(listing: creation.Listing) -> timedelta:
    """The service's clock less this machine's."""
    if listing.server_time is None:
        raise RecoveryError(
            "incident.io's answer had no Date header, so the killed run's start cannot be put "
            "on its clock; nothing was imported"
        )
    # Date is rounded down and stamped before the answer arrived: the offset measured is at
    # most the true one by up to a second, which the margins cover.
    return listing.server_time - datetime.fromtimestamp(listing.received, UTC)


def _cli_history(stack: auto.Stack) -> list[HistoryEntry]:
    """The stack's finished operations as `pulumi stack history` gives them (any backend)."""
    result = _pulumi(stack, ["stack", "history", "--json"])
    entries = []
    for entry in json.loads(result.stdout or "[]"):
        start = dates.instant(str(entry.get("startTime")), assume_utc=True)
        end = dates.instant(str(entry.get("endTime")), assume_utc=True)
        if start is not None and end is not None:
            entries.append(HistoryEntry(start=start, end=end, deployment=None))
    return sorted(entries, key=lambda entry: entry.start)


def _record(
    stack: auto.Stack,
    deployment: Mapping[str, Any],
    creates: Sequence[PendingCreate],
    imported: Mapping[str, str],
) -> None:
    """Turn the matched pending creates into resources and drop every pending status create."""
    edited = dict(deployment)
    resources = list(deployment.get("resources") or [])
    for create in creates:
        status_id = imported.get(create.urn)
        if status_id is not None:
            # Outputs carry what the inputs do (a dynamic resource's serialized provider
            # among them); the refresh below has the provider fill in the rest.
            inputs = dict(create.resource.get("inputs") or {})
            outputs = dict(inputs)
            if create.resource.get("type") == tokens.DYNAMIC_STATUS:
                outputs["rank_declared"] = inputs.get("rank") is not None
            resources.append({**create.resource, "id": status_id, "outputs": outputs})
    kept = [
        operation
        for operation in deployment.get("pending_operations") or []
        if operation.get("type") != "creating"
        or (operation.get("resource") or {}).get("type") not in tokens.STATUSES
    ]
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
