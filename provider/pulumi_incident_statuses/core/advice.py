"""What to do about a name or status that belongs elsewhere, worded for each way in.

A conflict carries its remedy as data (`Remedy`, with the holder and the resource involved); this
module is the one place that turns it into words, for the Python resources, the provider plugin
(any Pulumi language) or the command line. The remedies, and when each is given:

- `Remedy.RENAME`: the status belongs to another resource of this stack (renamed in the program
  without an alias, or declared twice). Adopting it again would give it two owners, and the old
  resource's delete would then remove it: the resource is renamed instead, with an alias or
  `pulumi state rename`.
- `Remedy.RECOVER`: an interrupted `pulumi up` of this stack left a create pending that may have
  made the status: `incident-statuses recover` records it.
- `Remedy.ADOPT`: anything else. Nothing ties the status to this stack: another stack (or one since
  removed), a person or another tool made it. It is adopted only by saying so.
- `Remedy.NONE`: nothing to adopt (no status has that id, or an order names something else).
"""

from __future__ import annotations

import enum
import json
from dataclasses import dataclass

from . import tokens
from .spec import Door

__all__ = ["Door", "Holder", "Remedy", "advise"]


class Remedy(enum.Enum):
    """What a person can do about a conflict (see the module's docstring)."""

    ADOPT = "adopt"
    RECOVER = "recover"
    RENAME = "rename"
    NONE = "none"


@dataclass(frozen=True)
class Holder:
    """Who stands in the way: a status, and this stack's resource that holds it, if one does."""

    status_id: str | None
    """The status's id; None when no status is involved (e.g. an id nothing has)."""
    resource_urn: str | None = None
    """The URN of this stack's resource that holds the status (`Remedy.RENAME`)."""


def advise(remedy: Remedy, holder: Holder, door: Door, resource: str | None = None) -> str:
    """The advice for ``remedy``, as a sentence or two for ``door``; empty for `Remedy.NONE`.

    ``resource`` is the name, in the program, of the resource that met the conflict.
    """
    status_id = holder.status_id
    if remedy is Remedy.RECOVER and status_id is not None:
        return (
            "It holds exactly what this resource declares, and an interrupted `pulumi up` of this "
            "stack left a create of it pending: run `incident-statuses recover` in the project "
            "folder to record it here, then `pulumi up`"
        )
    if remedy is Remedy.RENAME and holder.resource_urn is not None:
        return _rename(holder.resource_urn, door, resource)
    if remedy is Remedy.ADOPT and status_id is not None:
        return (
            "Nothing ties it to this stack: another stack (or one since removed), a person in the "
            "dashboard or another tool made it. To manage it here, "
            f"{_adopt(status_id, door, resource)}; otherwise choose another name"
        )
    return ""


def _adopt(status_id: str, door: Door, resource: str | None) -> str:
    if door is Door.PLUGIN:
        name = resource or "<name>"
        return f"adopt it with `pulumi import {tokens.STATUS} {name} {status_id}`"
    return f"set import_id={status_id!r}"


def _rename(old_urn: str, door: Door, resource: str | None) -> str:
    old = tokens.resource_name(old_urn)
    this = repr(resource) if resource else "this resource"
    said = (
        f"It belongs to this stack's resource {old!r}. If {this} is {old!r} renamed, keep the "
        "status by giving the resource its old name as an alias: "
    )
    if door is Door.PLUGIN:
        said += (
            f"`aliases: [{json.dumps(old_urn)}]` under the resource's `options` in Pulumi YAML "
            "(the `aliases` resource option in other languages)"
        )
    else:
        said += f'`opts=pulumi.ResourceOptions(aliases=[pulumi.Alias(name="{old}")])`'
    new_name = resource or "<new name>"
    said += f", or run `pulumi state rename '{old_urn}' {new_name}`"
    # The engine checks resources in the order the program registers them, which a program
    # need not fix: the holder may still be declared, and its own check not yet come.
    return said + (
        f". If {old!r} is still in the program, two resources declare one name: choose another "
        "name for one of them"
    )
