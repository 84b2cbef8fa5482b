"""Helpers for tests that drive the real Pulumi engine."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pulumi
import requests
from pulumi import automation as auto

from organisation import MANAGED
from pulumi_incident_statuses import IncidentStatus
from pulumi_incident_statuses.emulator.process import DEFAULT_API_KEY as API_KEY
from pulumi_incident_statuses.workspace import Toolchain, open_stack

MANAGED_NAMES = frozenset(MANAGED)

ROOT = Path(__file__).resolve().parent.parent
TESTS = Path(__file__).resolve().parent


def toolchain(state_dir: Path, env: dict[str, str] | None = None) -> Toolchain:
    """The checkout's engine with state in `state_dir`; the provider process can import tests/."""
    pythonpath = os.pathsep.join(filter(None, [str(TESTS), os.environ.get("PYTHONPATH")]))
    return Toolchain.for_checkout(
        ROOT,
        state_dir=state_dir,
        passphrase="test-passphrase",
        extra_env={"PYTHONPATH": pythonpath, **(env or {})},
    )


def statuses_program(specs: list[dict[str, Any]]) -> Callable[[], None]:
    """An inline program declaring one `IncidentStatus` per spec (`resource` names it).

    The list is read when the program runs, so a test edits it between operations.
    """

    def program() -> None:
        for spec in specs:
            args = {k: v for k, v in spec.items() if k != "resource"}
            status = IncidentStatus(spec["resource"], **args)
            pulumi.export(spec["resource"], status.id)

    return program


def status_stack(
    tmp_path: Path,
    emulator_url: str,
    program: Callable[[], None],
    *,
    api_key: str = API_KEY,
    key_from_env: bool = False,
) -> auto.Stack:
    """A stack of `program` against the emulator; the key in secret config or the environment."""
    env = {"INCIDENT_API_KEY": api_key} if key_from_env else {}
    return open_stack(
        "statuses",
        "test",
        program,
        toolchain(tmp_path / "state", env),
        config={"incident:endpoint": emulator_url},
        secrets={} if key_from_env else {"incident:apiKey": api_key},
    )


def server_statuses(emulator_url: str, api_key: str = API_KEY) -> list[dict[str, Any]]:
    """Every status the emulator holds, straight off the wire."""
    response = requests.get(
        f"{emulator_url}/v1/incident_statuses",
        headers={"Authorization": f"Bearer {api_key}"},
        timeout=10,
    )
    response.raise_for_status()
    statuses: list[dict[str, Any]] = response.json()["incident_statuses"]
    return statuses


def configurable(emulator_url: str, api_key: str = API_KEY) -> dict[str, dict[str, Any]]:
    """The non-managed statuses by name."""
    return {
        s["name"]: s
        for s in server_statuses(emulator_url, api_key)
        if s["name"] not in MANAGED_NAMES
    }


def stats(emulator_url: str) -> dict[str, Any]:
    """The emulator's request counters."""
    response = requests.get(f"{emulator_url}/_emulator/stats", timeout=10)
    response.raise_for_status()
    counters: dict[str, Any] = response.json()
    return counters
