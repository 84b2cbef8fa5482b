"""Helpers for tests that drive the real Pulumi engine.

Stacks run the way users run them: a project folder with its own `Pulumi.yaml` (runtime python,
the checkout's virtualenv) and a `__main__.py`, operated by the `pulumi` CLI, which starts the
Python language host. The Automation API only drives the CLI and reads its results.
"""

from __future__ import annotations

import json
import runpy
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests
from pulumi import automation as auto

from incident_statuses_emulator.process import DEFAULT_API_KEY as API_KEY
from incident_statuses_harness.organisation import MANAGED
from pulumi_incident_statuses.workspace import Toolchain, open_stack

MANAGED_NAMES = frozenset(MANAGED)

ROOT = Path(__file__).resolve().parents[2]
"""The checkout: `make setup` installs this package editable from its `harness/` folder."""


def toolchain(state_dir: Path, env: dict[str, str] | None = None) -> Toolchain:
    """The checkout's engine with state in `state_dir`."""
    return Toolchain.for_checkout(
        ROOT, state_dir=state_dir, passphrase="test-passphrase", extra_env=env or {}
    )


STATUSES_SOURCE = '''"""One IncidentStatus per entry of program.json, each exporting its id."""

import json
from pathlib import Path

import pulumi

from pulumi_incident_statuses import IncidentStatus

for spec in json.loads((Path(__file__).parent / "program.json").read_text(encoding="utf-8")):
    args = {key: value for key, value in spec.items() if key != "resource"}
    pulumi.export(spec["resource"], IncidentStatus(spec["resource"], **args).id)
'''


@dataclass
class DataProgram:
    """A program `source` that reads `data` from `program.json` beside it.

    The data is written out before every operation, so a test edits it in between.
    """

    source: str
    data: Any

    def write(self, folder: Path) -> None:
        """Put the program's current data where its source reads it."""
        (folder / "program.json").write_text(json.dumps(self.data), encoding="utf-8")

    def __call__(self) -> None:
        """Run as an Automation API inline program, from a folder of its own."""
        folder = Path(tempfile.mkdtemp(prefix="inline-program-"))
        (folder / "__main__.py").write_text(self.source, encoding="utf-8")
        self.write(folder)
        runpy.run_path(str(folder / "__main__.py"), run_name="__main__")


def statuses_program(specs: list[dict[str, Any]]) -> DataProgram:
    """One `IncidentStatus` per spec (`resource` names it), each exporting its id."""
    return DataProgram(STATUSES_SOURCE, specs)


def write_project(folder: Path, source: str, *, name: str = "statuses") -> Path:
    """A project folder as a user has one: `Pulumi.yaml` and the program's `__main__.py`."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "Pulumi.yaml").write_text(
        f"name: {name}\nruntime:\n  name: python\n  options:\n    virtualenv: {ROOT / '.venv'}\n",
        encoding="utf-8",
    )
    (folder / "__main__.py").write_text(source, encoding="utf-8")
    return folder


class ProjectStack:
    """A stack of a project folder, every operation run by the CLI and the language host.

    Everything an `auto.Stack` offers is available; `before` runs ahead of each operation that
    runs the program.
    """

    def __init__(
        self, stack: auto.Stack, folder: Path, before: Callable[[Path], None] | None
    ) -> None:
        self.stack = stack
        self.folder = folder
        self._before = before

    def _prepared(self) -> auto.Stack:
        if self._before is not None:
            self._before(self.folder)
        return self.stack

    def up(self, **kwargs: Any) -> auto.UpResult:
        """`pulumi up`."""
        return self._prepared().up(**kwargs)

    def preview(self, **kwargs: Any) -> auto.PreviewResult:
        """`pulumi preview`."""
        return self._prepared().preview(**kwargs)

    def refresh(self, **kwargs: Any) -> auto.RefreshResult:
        """`pulumi refresh`."""
        return self._prepared().refresh(**kwargs)

    def destroy(self, **kwargs: Any) -> auto.DestroyResult:
        """`pulumi destroy`."""
        return self._prepared().destroy(**kwargs)

    def write_program(self, source: str) -> None:
        """Replace the program's source, as a user edits `__main__.py`."""
        (self.folder / "__main__.py").write_text(source, encoding="utf-8")

    def __getattr__(self, name: str) -> Any:
        return getattr(self.stack, name)


def project_stack(
    tmp_path: Path,
    emulator_url: str,
    source: str,
    *,
    api_key: str = API_KEY,
    key_from_env: bool = False,
    config: dict[str, str] | None = None,
    env: dict[str, str] | None = None,
    before: Callable[[Path], None] | None = None,
    project: str = "statuses",
) -> ProjectStack:
    """Stack `test` of a project folder running `source`, against the emulator.

    The key goes in secret stack config, or in `INCIDENT_API_KEY` with `key_from_env`.
    """
    folder = write_project(tmp_path / "project", source, name=project)
    environment = {**({"INCIDENT_API_KEY": api_key} if key_from_env else {}), **(env or {})}
    stack = open_stack(
        project,
        "test",
        None,
        toolchain(tmp_path / "state", environment),
        work_dir=folder,
        config={"incident:endpoint": emulator_url, **(config or {})},
        secrets={} if key_from_env else {"incident:apiKey": api_key},
    )
    return ProjectStack(stack, folder, before)


def status_stack(
    tmp_path: Path,
    emulator_url: str,
    program: DataProgram,
    *,
    api_key: str = API_KEY,
    key_from_env: bool = False,
) -> ProjectStack:
    """A stack of `program` against the emulator; the key in secret config or the environment."""
    return project_stack(
        tmp_path,
        emulator_url,
        program.source,
        api_key=api_key,
        key_from_env=key_from_env,
        before=program.write,
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
