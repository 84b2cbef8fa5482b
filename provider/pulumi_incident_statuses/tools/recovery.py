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

Not ``pulumi refresh --import-pending-creates URN ID``: the CLI relabels each pending create as
a pending import, which the refresh then drops without recording a resource; the checkpoint
edit records them.

When the killed run ran, and the evidence rule: `matching`. Reading and writing the stack:
`checkpoint`.

A killed run also leaves the stack locked. ``recover`` does not break a lock on its own, since a
run may still be going on elsewhere: it says so and stops, and with ``cancel=True`` (the CLI's
``--cancel``) it runs ``pulumi cancel`` first.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pulumi import automation as auto

from ..core import settings as settings_module
from ..core import tokens
from ..core.client import IncidentStatusesClient
from ..core.errors import RecoveryError, StackLockedError
from ..core.stack_state import HistoryEntry, PendingCreate, pending_creates, unfinished_creates
from .checkpoint import cli_history, config_lookup, file_history_of, record
from .matching import (
    RUN_CLOCK_MARGIN,
    Bounds,
    Unmatched,
    Window,
    clock_offset,
    match_pending_creates,
    root_created,
    window,
)

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
    history = file_history_of(stack)
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
    bounds = Bounds(history or cli_history(stack), root_created(in_state.values()), since)
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
        record(stack, deployment, [*creates, *redone], found.imported)
    return Recovery(imported=found.imported, unmatched=unmatched, since=found.since)


def _match_group(
    resolved: settings_module.Settings,
    creates: Sequence[PendingCreate],
    held: set[str],
    bounds: Bounds,
) -> Recovery:
    """Match the creates one provider served against that provider's organisation."""
    with IncidentStatusesClient.from_settings(resolved) as client:
        # Arrival on the wall clock: the run's times are on a wall clock too.
        listing = client.listing(clock=time.time)
    offset = clock_offset(listing)
    windows = {
        create.urn: window(create.urn, bounds.history, bounds.root_created, bounds.since, offset)
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
        found = settings_module.resolve(config_lookup(stack))
    else:
        urn = provider.rsplit("::", 1)[0] if provider else ""
        name = tokens.resource_name(urn) if urn else "default"
        if not urn or name == "default" or name.startswith("default_"):
            found = settings_module.resolve(config_lookup(stack), namespace=tokens.PACKAGE)
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


