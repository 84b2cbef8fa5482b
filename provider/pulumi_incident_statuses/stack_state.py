"""What a stack already manages, read from its state as ``pulumi stack export`` prints it.

`generate --stack` uses it to declare only what the stack does not manage yet: statuses it holds
are left out, new resource names avoid the names its resources have (a second resource of one
type and name is a `Duplicate resource URN`), and no new order lists a status its orders list.
The state is read with the user's own `pulumi` command in the project folder, with the
environment every `pulumi` command there uses (backend, passphrase, PATH), so whatever backend the
stack lives in is read the way `pulumi` reads it. No secret is decrypted.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["StackReadError", "StackState", "export", "from_deployment"]


class StackReadError(RuntimeError):
    """The stack's state could not be read; the message says why and what to do."""


@dataclass(frozen=True)
class StackState:
    """The statuses, resource names and orders a stack holds."""

    stack: str
    """The stack's name, as given to ``pulumi --stack``."""
    status_ids: frozenset[str] = frozenset()
    """Ids of the statuses the stack manages (its `IncidentStatus` resources)."""
    resource_names: frozenset[str] = frozenset()
    """Names of its `IncidentStatus` and `IncidentStatusOrder` resources."""
    orders: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """Names of its `IncidentStatusOrder` resources, by category."""
    ordered_ids: frozenset[str] = frozenset()
    """Every status id one of its orders lists (declared, or found after a refresh)."""


def from_deployment(stack: str, deployment: Mapping[str, Any]) -> StackState:
    """The state of ``stack`` from the ``deployment`` that ``pulumi stack export`` prints."""
    # Imported here: `generate` without --stack starts without loading Pulumi.
    from .order import RESOURCE_TYPE as ORDER_TYPE
    from .plugin import schema
    from .resource import RESOURCE_TYPE as STATUS_TYPE

    # A stack may hold statuses of both front doors: the dynamic resources and the plugin's.
    status_types, order_types = {STATUS_TYPE, schema.STATUS}, {ORDER_TYPE, schema.ORDER}

    status_ids: set[str] = set()
    names: set[str] = set()
    orders: dict[str, list[str]] = {}
    ordered: set[str] = set()
    # A create a killed run left pending has a name in the program too, and no id yet.
    pending = [op.get("resource") or {} for op in deployment.get("pending_operations") or []]
    for resource in [*(deployment.get("resources") or []), *pending]:
        kind = resource.get("type")
        if kind not in status_types | order_types:
            continue
        name = str(resource.get("urn", "")).rsplit("::", 1)[-1]
        names.add(name)
        if kind in status_types:
            if resource.get("id"):
                status_ids.add(str(resource["id"]))
            continue
        inputs = resource.get("inputs") or {}
        outputs = resource.get("outputs") or {}
        category = inputs.get("category") or outputs.get("category")
        orders.setdefault(str(category), []).append(name)
        for listed in (inputs.get("statuses"), outputs.get("statuses"), outputs.get("declared")):
            if isinstance(listed, list):
                ordered.update(str(status_id) for status_id in listed)
    return StackState(
        stack=stack,
        status_ids=frozenset(status_ids),
        resource_names=frozenset(names),
        orders={category: tuple(sorted(found)) for category, found in orders.items()},
        ordered_ids=frozenset(ordered),
    )


def export(stack: str, *, cwd: Path | None = None) -> StackState:
    """Read ``stack`` with ``pulumi stack export --stack STACK`` run in ``cwd`` (default: here).

    Raises `StackReadError` if `pulumi` is not on PATH or cannot read the stack.
    """
    pulumi = shutil.which("pulumi")
    if pulumi is None:
        raise StackReadError(
            "the pulumi command is not on PATH: --stack reads the stack with "
            "`pulumi stack export`, so run this where `pulumi` works"
        )
    try:
        done = subprocess.run(
            [pulumi, "stack", "export", "--stack", stack, "--color", "never"],
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            check=False,
        )
    except OSError as error:
        raise StackReadError(f"could not run {pulumi}: {error}") from None
    if done.returncode != 0:
        said = done.stderr.strip() or done.stdout.strip() or f"exit status {done.returncode}"
        raise StackReadError(f"`pulumi stack export --stack {stack}` failed: {said}")
    try:
        exported = json.loads(done.stdout)
        deployment = exported.get("deployment") or {}
    except (ValueError, AttributeError):
        raise StackReadError(
            f"`pulumi stack export --stack {stack}` printed something other than a deployment"
        ) from None
    return from_deployment(stack, deployment)
