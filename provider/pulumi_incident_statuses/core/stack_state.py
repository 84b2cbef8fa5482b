"""What a stack already manages, read from its state as ``pulumi stack export`` prints it.

Three readers use it. `generate --stack` declares only what the stack does not manage yet:
statuses it holds are left out, new resource names avoid the names its resources have (a second
resource of one type and name is a `Duplicate resource URN`), and no new order lists a status its
orders list; and it finds the resources release 0.2.0's plugin left in the stack, to move them
across. `recover` finds the creates a killed run left pending. And a provider that meets a
status standing in the way of one of its resources asks whose it is (`view`): another resource
of this stack, a create a killed run of this stack left pending, or nobody here.

The state is read with the user's own `pulumi` command in the project folder, with the environment
every `pulumi` command there uses (backend, PATH), so whatever backend the stack lives in is read
the way `pulumi` reads it. No secret is decrypted, and no lock is needed: a running `pulumi up`
does not stop it.
"""

from __future__ import annotations

import functools
import gzip
import json
import os
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from . import tokens
from .errors import StackReadError

__all__ = [
    "HistoryEntry",
    "LegacyResource",
    "PendingCreate",
    "StackReadError",
    "StackState",
    "export",
    "file_backups",
    "file_history",
    "from_deployment",
    "pending_creates",
    "unfinished_creates",
    "view",
]


@dataclass(frozen=True)
class PendingCreate:
    """A create of a status the checkpoint records as started but never finished."""

    urn: str
    name: str
    description: str
    category: str
    rank: int | None
    resource: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)
    """The resource as the checkpoint records it (type, inputs, provider, parent)."""

    @property
    def resource_name(self) -> str:
        """The resource's name in the program (the last part of its URN)."""
        return tokens.resource_name(self.urn)


def pending_creates(deployment: Mapping[str, Any]) -> list[PendingCreate]:
    """The creates of statuses (either way in) pending in an exported deployment."""
    found: list[PendingCreate] = []
    for operation in deployment.get("pending_operations") or []:
        resource = operation.get("resource") or {}
        if operation.get("type") != "creating" or resource.get("type") not in tokens.STATUSES:
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
                resource=resource,
            )
        )
    return found


@dataclass(frozen=True)
class HistoryEntry:
    """One finished operation of the stack, and the checkpoint it left (file backends)."""

    start: datetime
    end: datetime
    deployment: Mapping[str, Any] | None


def unfinished_creates(
    deployment: Mapping[str, Any], history: Sequence[HistoryEntry]
) -> list[PendingCreate]:
    """The checkpoint's pending creates, then those only earlier checkpoints still record.

    A `pulumi up` run after a killed one drops the pending operations from the checkpoint it
    writes; the checkpoints a file backend keeps in its history still have them.
    """
    found = {create.urn: create for create in pending_creates(deployment)}
    for entry in reversed(history):
        for create in pending_creates(entry.deployment or {}):
            found.setdefault(create.urn, create)
    return list(found.values())


def file_history(backend_url: str, project: str, stack: str) -> list[HistoryEntry]:
    """The stack's finished operations, oldest first, each with the checkpoint it left, read
    from a file backend's ``.pulumi/history``; empty for any other backend."""
    parts = urlsplit(backend_url)
    if parts.scheme != "file":
        return []
    root = Path(os.path.expanduser(unquote(parts.netloc + parts.path))) / ".pulumi" / "history"
    name = stack.rsplit("/", 1)[-1]
    folders = [*root.glob(f"{project}/{name}"), root / name]
    entries: list[HistoryEntry] = []
    for folder in folders:
        for record in sorted(folder.glob(f"{name}-*.history.json*")):
            checkpoint = record.with_name(record.name.replace(".history.", ".checkpoint."))
            info = _read_json(record)
            if not isinstance(info, dict) or not info.get("startTime") or not info.get("endTime"):
                continue
            saved = _read_json(checkpoint) if checkpoint.exists() else None
            latest = (saved or {}).get("checkpoint", {}).get("latest") if saved else None
            entries.append(
                HistoryEntry(
                    start=datetime.fromtimestamp(int(info["startTime"]), UTC),
                    end=datetime.fromtimestamp(int(info["endTime"]), UTC),
                    deployment=latest if isinstance(latest, dict) else None,
                )
            )
        if entries:
            break
    return sorted(entries, key=lambda entry: entry.start)


def file_backups(backend_url: str, project: str, stack: str) -> list[HistoryEntry]:
    """The checkpoints a file backend copied aside before overwriting them (``.pulumi/backups``),
    oldest first; a run started after a killed one overwrites the checkpoint that recorded the
    killed run's pending operations, and its backup keeps them. Empty for any other backend."""
    parts = urlsplit(backend_url)
    if parts.scheme != "file":
        return []
    root = Path(os.path.expanduser(unquote(parts.netloc + parts.path))) / ".pulumi" / "backups"
    name = stack.rsplit("/", 1)[-1]
    entries: list[HistoryEntry] = []
    found = [*root.glob(f"{project}/{name}/{name}.*.json*"), *root.glob(f"{name}/{name}.*.json*")]
    for path in found:
        stamp = path.name.removeprefix(f"{name}.").split(".", 1)[0]
        if not stamp.isdigit():
            continue
        saved = _read_json(path)
        latest = saved.get("checkpoint", {}).get("latest") if isinstance(saved, dict) else None
        when = datetime.fromtimestamp(int(stamp) / 1e9, UTC)
        entries.append(HistoryEntry(when, when, latest if isinstance(latest, dict) else None))
    return sorted(entries, key=lambda entry: entry.start)


def _read_json(path: Path) -> Any:
    data = path.read_bytes()
    if path.suffix == ".gz":
        data = gzip.decompress(data)
    return json.loads(data)


@dataclass(frozen=True)
class LegacyResource:
    """A resource of release 0.2.0's plugin (package `incident`) in a stack's state: a status, an
    order, or a provider serving them."""

    urn: str
    type: str
    """`tokens.LEGACY_STATUS`, `tokens.LEGACY_ORDER` or `tokens.LEGACY_PROVIDER`."""
    id: str
    provider: str = ""
    """The URN of the provider resource serving it (empty for a provider)."""
    parent: str = ""
    """The URN of its parent (the stack's own resource, unless a component holds it)."""
    dependents: tuple[str, ...] = ()
    """URNs of the stack's other resources that depend on it or are its children: `pulumi state
    delete` refuses to drop it while they refer to it."""

    @property
    def name(self) -> str:
        """The resource's name in the program (the last part of its URN)."""
        return tokens.resource_name(self.urn)

    @property
    def explicit_provider(self) -> str | None:
        """The name of the explicit provider serving it; None for a default provider's."""
        name = tokens.resource_name(self.provider) if self.provider else ""
        return None if not name or name == "default" or name.startswith("default_") else name


@dataclass(frozen=True)
class StackState:
    """The statuses, resource names and orders a stack holds."""

    stack: str
    """The stack's name, as given to ``pulumi --stack``."""
    status_ids: frozenset[str] = frozenset()
    """Ids of the statuses the stack manages (its status resources, either way in)."""
    resource_names: frozenset[str] = frozenset()
    """Names of its status and order resources."""
    orders: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """Names of its order resources, by category."""
    ordered_ids: frozenset[str] = frozenset()
    """Every status id one of its orders lists (declared, or found after a refresh)."""
    holders: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """The URNs of the status resources holding each status id."""
    pending: tuple[PendingCreate, ...] = ()
    """Creates of statuses a killed run left pending, by the checkpoint (and its history)."""
    legacy: tuple[LegacyResource, ...] = ()
    """Release 0.2.0's plugin resources, as the state orders them: each after what it depends on."""


def from_deployment(
    stack: str, deployment: Mapping[str, Any], history: Sequence[HistoryEntry] = ()
) -> StackState:
    """The state of ``stack`` from the ``deployment`` that ``pulumi stack export`` prints."""
    status_types = tokens.STATUSES | {tokens.LEGACY_STATUS}
    order_types = tokens.ORDERS | {tokens.LEGACY_ORDER}
    holders: dict[str, list[str]] = {}
    names: set[str] = set()
    orders: dict[str, list[str]] = {}
    ordered: set[str] = set()
    resources = deployment.get("resources") or []
    # A create a killed run left pending has a name in the program too, and no id yet.
    pending = [op.get("resource") or {} for op in deployment.get("pending_operations") or []]
    for resource in [*resources, *pending]:
        kind = resource.get("type")
        if kind not in status_types | order_types:
            continue
        urn = str(resource.get("urn", ""))
        names.add(tokens.resource_name(urn))
        if kind in status_types:
            if resource.get("id"):
                holders.setdefault(str(resource["id"]), []).append(urn)
            continue
        inputs = resource.get("inputs") or {}
        outputs = resource.get("outputs") or {}
        category = inputs.get("category") or outputs.get("category")
        orders.setdefault(str(category), []).append(tokens.resource_name(urn))
        for listed in (inputs.get("statuses"), outputs.get("statuses"), outputs.get("declared")):
            if isinstance(listed, list):
                ordered.update(str(status_id) for status_id in listed)
    in_state = {str(resource.get("urn")) for resource in resources}
    unfinished = [c for c in unfinished_creates(deployment, history) if c.urn not in in_state]
    return StackState(
        stack=stack,
        status_ids=frozenset(holders),
        resource_names=frozenset(names),
        orders={category: tuple(sorted(found)) for category, found in orders.items()},
        ordered_ids=frozenset(ordered),
        holders={status_id: tuple(urns) for status_id, urns in holders.items()},
        pending=tuple(unfinished),
        legacy=_legacy(resources),
    )


def _provider_urn(reference: object) -> str:
    """The URN of a provider reference (``URN::ID``), as resources record their provider."""
    return str(reference).rsplit("::", 1)[0] if reference else ""


def _refers_to(resource: Mapping[str, Any]) -> set[str]:
    """Every URN a resource's state names as one it depends on or belongs to."""
    named = {str(urn) for urn in resource.get("dependencies") or []}
    for urns in (resource.get("propertyDependencies") or {}).values():
        named.update(str(urn) for urn in urns or [])
    named.update(str(resource[key]) for key in ("parent", "deletedWith") if resource.get(key))
    named.add(_provider_urn(resource.get("provider")))
    return named


def _legacy(resources: Sequence[Mapping[str, Any]]) -> tuple[LegacyResource, ...]:
    """Release 0.2.0's statuses and orders, and the providers that serve only them.

    incident.io's own provider is package `incident` too: a `pulumi:providers:incident` counts
    as 0.2.0's only when 0.2.0's resources use it and nothing else does.
    """
    kinds = {tokens.LEGACY_STATUS, tokens.LEGACY_ORDER}
    ours = [r for r in resources if r.get("type") in kinds]
    serving = {_provider_urn(r.get("provider")) for r in ours}
    served_others = {
        _provider_urn(r.get("provider")) for r in resources if r.get("type") not in kinds
    }
    providers = [
        r
        for r in resources
        if r.get("type") == tokens.LEGACY_PROVIDER
        and str(r.get("urn")) in serving - served_others
    ]
    legacy_urns = {str(r.get("urn")) for r in [*ours, *providers]}
    found: list[LegacyResource] = []
    for resource in resources:
        urn = str(resource.get("urn"))
        if urn not in legacy_urns:
            continue
        dependents = tuple(
            str(other.get("urn"))
            for other in resources
            if str(other.get("urn")) not in legacy_urns and urn in _refers_to(other)
        )
        found.append(
            LegacyResource(
                urn=urn,
                type=str(resource.get("type")),
                id=str(resource.get("id") or ""),
                provider=_provider_urn(resource.get("provider")),
                parent=str(resource.get("parent") or ""),
                dependents=dependents,
            )
        )
    return tuple(found)


def _pulumi() -> str:
    found = shutil.which("pulumi")
    if found is None:
        raise StackReadError(
            "the pulumi command is not on PATH: the stack is read with `pulumi stack export`, "
            "so run this where `pulumi` works"
        )
    return found


def _run(args: list[str], cwd: Path | None) -> str:
    pulumi = _pulumi()
    try:
        done = subprocess.run(
            [pulumi, *args, "--color", "never"],
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise StackReadError(f"could not run {pulumi}: {error}") from None
    if done.returncode != 0:
        said = done.stderr.strip() or done.stdout.strip() or f"exit status {done.returncode}"
        raise StackReadError(f"`pulumi {' '.join(args)}` failed: {said}")
    return done.stdout


def export_deployment(stack: str, *, cwd: Path | None = None) -> Mapping[str, Any]:
    """The deployment ``pulumi stack export --stack STACK`` prints, run in ``cwd``."""
    text = _run(["stack", "export", "--stack", stack], cwd)
    try:
        deployment = json.loads(text).get("deployment") or {}
    except (ValueError, AttributeError):
        deployment = None
    if not isinstance(deployment, dict):
        raise StackReadError(
            f"`pulumi stack export --stack {stack}` printed something other than a deployment"
        )
    return deployment


def backend_url(*, cwd: Path | None = None) -> str:
    """The backend `pulumi` uses here (``pulumi whoami``)."""
    found = os.environ.get("PULUMI_BACKEND_URL")
    if found:
        return found
    try:
        url = json.loads(_run(["whoami", "--json"], cwd)).get("url")
    except (ValueError, AttributeError):
        url = None
    return url if isinstance(url, str) else ""


def export(stack: str, *, cwd: Path | None = None) -> StackState:
    """Read ``stack`` with ``pulumi stack export --stack STACK`` run in ``cwd`` (default: here).

    Raises `StackReadError` if `pulumi` is not on PATH or cannot read the stack.
    """
    return from_deployment(stack, export_deployment(stack, cwd=cwd))


def stack_names(*, cwd: Path | None = None) -> list[str]:
    """Every stack of the backend `pulumi` can list from ``cwd`` (``pulumi stack ls --all``)."""
    try:
        listed = json.loads(_run(["stack", "ls", "--all", "--json"], cwd))
    except ValueError:
        raise StackReadError("`pulumi stack ls --all --json` printed something else") from None
    return [str(item["name"]) for item in listed if isinstance(item, dict) and item.get("name")]


@functools.cache
def view(stack: str, project: str) -> StackState | None:
    """The state of the stack a provider process serves, with its pending creates; read once per
    process, and only when a status stands in a resource's way. None if it cannot be read (the
    provider then says less about whose the status is)."""
    cwd = Path.cwd()
    try:
        deployment = export_deployment(stack, cwd=cwd)
        url = backend_url(cwd=cwd)
        history = [*file_history(url, project, stack), *file_backups(url, project, stack)]
    except (StackReadError, OSError, ValueError):
        return None
    return from_deployment(stack, deployment, sorted(history, key=lambda entry: entry.start))
