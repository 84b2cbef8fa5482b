"""Helpers for tests that drive the real Pulumi engine.

Stacks run the way users run them: a project folder with its own `Pulumi.yaml` (runtime python,
the checkout's virtualenv) and a `__main__.py`, operated by the `pulumi` CLI, which starts the
Python language host. The Automation API only drives the CLI and reads its results.
"""

from __future__ import annotations

import compileall
import functools
import json
import os
import runpy
import socket
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests
from pulumi import automation as auto

from incident_statuses_emulator.process import DEFAULT_API_KEY as API_KEY
from incident_statuses_harness.organisation import MANAGED
from incident_statuses_harness.workspace import Toolchain, open_stack

MANAGED_NAMES = frozenset(MANAGED)

ROOT = Path(__file__).resolve().parents[2]
"""The checkout: `make setup` installs this package editable from its `harness/` folder."""



def cache() -> Path:
    """The per-user cache of what the checkout builds once (engine pieces, language projects,
    the user's virtualenv), kept across clones, each under a name that hashes its sources."""
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "pulumi-incident-statuses"


PACKAGES = (
    "provider/pulumi_incident_statuses",
    "emulator/incident_statuses_emulator",
    "harness/incident_statuses_harness",
)
"""The checkout's packages, installed editable from these folders."""


def compile_checkout() -> None:
    """Compile the checkout's packages to bytecode, as pip does when it installs a wheel.

    Editable installs get bytecode only when Python may write it; with PYTHONDONTWRITEBYTECODE
    set (as on the machines this project runs on), every process the engine starts would compile
    them again, about 15 ms a start of a provider or a program, a cost no installed package has.
    """
    for package in PACKAGES:
        compileall.compile_dir(ROOT / package, quiet=1)


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


@dataclass(frozen=True)
class Summary:
    """The resource changes an operation made, by kind (`create`, `same`, ...)."""

    resource_changes: dict[str, int]


class Run:
    """What one `pulumi` operation printed and changed; the stack's outputs on demand."""

    def __init__(self, stack: auto.Stack, stdout: str, stderr: str, changes: dict[str, int]):
        self.stdout = stdout
        self.stderr = stderr
        self.change_summary = changes
        self.summary = Summary(changes)
        self._stack = stack

    @functools.cached_property
    def outputs(self) -> auto.OutputMap:
        """The stack's outputs after the operation (`pulumi stack output`)."""
        return self._stack.outputs()


# Options the tests pass to operations, as the CLI spells them.
FLAGS: dict[str, Callable[[Any], list[str]]] = {
    "expect_no_changes": lambda on: ["--expect-no-changes"] if on else [],
    "clear_pending_creates": lambda on: ["--clear-pending-creates"] if on else [],
    "diff": lambda on: ["--diff"] if on else [],
    "refresh": lambda on: ["--refresh"] if on else [],
    "debug": lambda on: ["--debug"] if on else [],
    "log_to_std_err": lambda on: ["--logtostderr"] if on else [],
    "log_verbosity": lambda level: ["--verbose", str(level)],
    "run_program": lambda on: [f"--run-program={str(on).lower()}"],
    "target": lambda urns: [arg for urn in urns for arg in ("--target", urn)],
}


class ProjectStack:
    """A stack of a project folder, every operation the `pulumi` command a user types.

    `up`, `preview`, `refresh` and `destroy` run the CLI in the folder (which starts the language
    host and the program) and read the change summary from its event log; they raise the
    Automation API's `CommandError`s. Everything else an `auto.Stack` offers is available.
    `before` runs ahead of each operation.
    """

    def __init__(
        self, stack: auto.Stack, folder: Path, before: Callable[[Path], None] | None = None
    ) -> None:
        self.stack = stack
        self.folder = folder
        self._before = before

    def _run(
        self,
        command: list[str],
        on_output: Callable[[str], None] | None = None,
        on_error: Callable[[str], None] | None = None,
        **options: Any,
    ) -> Run:
        if self._before is not None:
            self._before(self.folder)
        workspace = self.stack.workspace
        env = {
            **os.environ,
            **workspace.env_vars,
            "PULUMI_HOME": str(workspace.pulumi_home),
            # Makes the CLI accept --event-log, as it does for the Automation API.
            "PULUMI_DEBUG_COMMANDS": "true",
        }
        flags = [arg for key, value in options.items() for arg in FLAGS[key](value)]
        with tempfile.TemporaryDirectory(prefix="events-") as events:
            log = Path(events) / "events.jsonl"
            finished = subprocess.run(
                [
                    workspace.pulumi_command.command,
                    *command,
                    "--stack",
                    self.stack.name,
                    "--non-interactive",
                    "--event-log",
                    str(log),
                    *flags,
                ],
                cwd=self.folder,
                env=env,
                capture_output=True,
                text=True,
                check=False,
            )
            changes = summary_of(log)
        for line in finished.stdout.splitlines():
            if on_output is not None:
                on_output(line)
        for line in finished.stderr.splitlines():
            if on_error is not None:
                on_error(line)
        if finished.returncode != 0:
            raise auto.errors.create_command_error(
                auto.CommandResult(finished.stdout, finished.stderr, finished.returncode)
            )
        return Run(self.stack, finished.stdout, finished.stderr, changes)

    def up(self, **options: Any) -> Run:
        """`pulumi up --yes --skip-preview`."""
        return self._run(["up", "--yes", "--skip-preview"], **options)

    def preview(self, **options: Any) -> Run:
        """`pulumi preview`."""
        return self._run(["preview"], **options)

    def refresh(self, **options: Any) -> Run:
        """`pulumi refresh --yes --skip-preview`."""
        return self._run(["refresh", "--yes", "--skip-preview"], **options)

    def destroy(self, **options: Any) -> Run:
        """`pulumi destroy --yes --skip-preview`."""
        return self._run(["destroy", "--yes", "--skip-preview"], **options)

    def write_program(self, source: str) -> None:
        """Replace the program's source, as a user edits `__main__.py`."""
        (self.folder / "__main__.py").write_text(source, encoding="utf-8")

    def __getattr__(self, name: str) -> Any:
        return getattr(self.stack, name)


def summary_of(event_log: Path) -> dict[str, int]:
    """The resource changes in an engine event log's summary ({} if it has none)."""
    if not event_log.exists():
        return {}
    for line in event_log.read_text(encoding="utf-8").splitlines():
        event = json.loads(line) if line.strip() else {}
        if "summaryEvent" in event:
            changes: dict[str, int] = event["summaryEvent"].get("resourceChanges") or {}
            return changes
    return {}


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
    tmp_path: Path, emulator_url: str, program: DataProgram, **options: Any
) -> ProjectStack:
    """A stack of `program` against the emulator; `options` as for `project_stack`."""
    return project_stack(tmp_path, emulator_url, program.source, before=program.write, **options)


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


def free_port() -> int:
    """A loopback port nothing listens on (now)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def closed_endpoint() -> str:
    """An endpoint on loopback where nothing answers: every connection is refused."""
    return f"http://127.0.0.1:{free_port()}"


def stats(emulator_url: str) -> dict[str, Any]:
    """The emulator's request counters."""
    response = requests.get(f"{emulator_url}/_emulator/stats", timeout=10)
    response.raise_for_status()
    counters: dict[str, Any] = response.json()
    return counters
