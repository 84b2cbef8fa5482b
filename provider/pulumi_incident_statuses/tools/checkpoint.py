"""A stack's history and checkpoint through the Automation API: read what `recover` matches,
write back what it found."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from pulumi import automation as auto

from ..core import dates, tokens
from ..core.errors import StackLockedError
from ..core.stack_state import HistoryEntry, PendingCreate, file_history

__all__ = ["cli_history", "config_lookup", "file_history_of", "pulumi", "record"]


def file_history_of(stack: auto.Stack) -> list[HistoryEntry]:
    """The stack's finished operations with their checkpoints, from a file backend's history."""
    try:
        project = stack.workspace.project_settings().name
    except (auto.CommandError, OSError, ValueError):
        project = "*"
    return file_history(stack.workspace.who_am_i().url or "", project, stack.name)


def config_lookup(stack: auto.Stack) -> Callable[[str], object]:
    config = stack.get_all_config()

    def get(key: str) -> object:
        value = config.get(key)
        return value.value if value is not None else None

    return get


def cli_history(stack: auto.Stack) -> list[HistoryEntry]:
    """The stack's finished operations as `pulumi stack history` gives them (any backend)."""
    result = pulumi(stack, ["stack", "history", "--json"])
    entries = []
    for entry in json.loads(result.stdout or "[]"):
        start = dates.instant(str(entry.get("startTime")), assume_utc=True)
        end = dates.instant(str(entry.get("endTime")), assume_utc=True)
        if start is not None and end is not None:
            entries.append(HistoryEntry(start=start, end=end, deployment=None))
    return sorted(entries, key=lambda entry: entry.start)


def record(
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
        unless_locked(stack, ["stack", "import", "--file", file.name])
    finally:
        os.unlink(file.name)
    if imported:
        targets = [arg for urn in imported for arg in ("--target", urn)]
        unless_locked(stack, ["refresh", "--yes", "--skip-preview", "--non-interactive", *targets])


def unless_locked(stack: auto.Stack, args: list[str]) -> None:
    try:
        pulumi(stack, args)
    except auto.CommandError as error:
        if "currently locked" in str(error):
            raise StackLockedError(
                f"stack {stack.name!r} is locked by a run. If no run is going on (it was killed), "
                "release the lock with `pulumi cancel` and recover again, or recover with "
                "--cancel"
            ) from None
        raise


def pulumi(stack: auto.Stack, args: list[str]) -> auto.CommandResult:
    """A `pulumi` command on ``stack``, in its workspace's folder and environment."""
    workspace = stack.workspace
    env: dict[str, str] = {}
    if workspace.pulumi_home is not None:
        env["PULUMI_HOME"] = workspace.pulumi_home
    env.update(workspace.env_vars)
    return workspace.pulumi_command.run([*args, "--stack", stack.name], workspace.work_dir, env)
