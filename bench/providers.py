"""The provider comparison: the plugin beside a compiled provider, its Python SDK beside the
dynamic resource, each trio with its no-I/O floor, through the `pulumi` CLI.

Two trios of project folders, each declaring the same N statuses (category `live`, no rank):

- Pulumi YAML (`runtime: yaml`, the YAML language host), one program for all three sides; its
  `Pulumi.yaml` names the folder of the provider the engine starts for package
  `incident-statuses` (`plugins.providers`): `plugin`, ours (`.venv/bin`); `go`, the Go stand-in
  (bench/go-provider, see `builds`); `floor`, the stand-in built to make no request.
- Python (the Python language host, the checkout's virtualenv), one program for all three sides
  but for its import: `sdk`, the plugin through its generated SDK
  (`pulumi_incident_statuses_sdk.IncidentStatus`, the plugin named in `Pulumi.yaml` as above);
  `dynamic`, ours as a dynamic resource (`pulumi_incident_statuses.IncidentStatus`); `baseline`,
  `NoopStatus`, the dynamic resource that makes no request.

A lifecycle starts one emulator per side (each organisation holds its own stack's statuses
only, as a user's would) and takes every stack through `pulumi up --yes` (its preview
included), `pulumi preview`, `pulumi refresh --yes` and `pulumi destroy --yes`; each command runs
on every side in turn, the order rotating from one command (and run) to the next.

Imports `scenarios` and `cli_path`, its neighbours in bench/.
"""

from __future__ import annotations

import functools
import os
import tempfile
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from pathlib import Path

import cli_path
import scenarios
from builds import GoProvider
from incident_statuses_emulator.process import EmulatorProcess
from incident_statuses_harness.engine import ROOT
from pulumi_incident_statuses.plugin import schema

YAML = "yaml"
PYTHON = "python"
PROGRAMS = (YAML, PYTHON)
SIDES = {YAML: ("floor", "go", "plugin"), PYTHON: ("baseline", "dynamic", "sdk")}
"""Each program's sides, its floor first."""
COMMANDS = ("up", "preview", "refresh", "destroy")

_IMPORTS = {
    "baseline": "from incident_statuses_harness.noop_provider import NoopStatus as Status",
    "dynamic": "from pulumi_incident_statuses import IncidentStatus as Status",
    "sdk": "from pulumi_incident_statuses_sdk import IncidentStatus as Status",
}


def _plugins(folder: Path) -> str:
    return f"plugins:\n  providers:\n    - name: {schema.PACKAGE}\n      path: {folder}\n"


def yaml_project(folder: Path, size: int, provider: Path) -> Path:
    """A Pulumi YAML project declaring `size` statuses, served by the plugin in `provider`."""
    folder.mkdir(parents=True)
    lines = [f"name: bench-yaml\nruntime: yaml\n{_plugins(provider)}resources:"]
    for i in range(size):
        lines.append(
            f"  status-{i:04d}:\n"
            f"    type: {schema.STATUS}\n"
            "    properties:\n"
            f'      name: "Bench status {i:04d}"\n'
            f'      description: "Benchmark status number {i}."\n'
            "      category: live"
        )
    (folder / "Pulumi.yaml").write_text("\n".join(lines) + "\n")
    return folder


def python_project(folder: Path, side: str, size: int) -> Path:
    """A Python project declaring `size` statuses of `side` (`sdk`, `dynamic`, `baseline`)."""
    folder.mkdir(parents=True)
    plugins = _plugins(ROOT / ".venv" / "bin") if side == "sdk" else ""
    (folder / "Pulumi.yaml").write_text(
        "name: bench-python\nruntime:\n  name: python\n  options:\n"
        f"    virtualenv: {ROOT / '.venv'}\n{plugins}"
    )
    (folder / "__main__.py").write_text(
        f"{_IMPORTS[side]}\n\n"
        f"for i in range({size}):\n"
        '    Status(f"status-{i:04d}", name=f"Bench status {i:04d}", '
        'description=f"Benchmark status number {i}.", category="live")\n'
    )
    return folder


def expected(command: str, size: int) -> dict[str, int]:
    """The engine's change summary when `command` does what the lifecycle means (the stack
    resource counted, the provider resource not)."""
    kind = {"up": "create", "preview": "same", "refresh": "same", "destroy": "delete"}[command]
    return {kind: size + 1}


def lifecycle(
    size: int,
    run: int,
    *,
    latency_ms: int,
    go: GoProvider,
    sdk: Path,
    programs: Sequence[str] = PROGRAMS,
    commands: Sequence[str] = COMMANDS,
    on_sample: Callable[[scenarios.Sample], None] = lambda _sample: None,
) -> list[scenarios.Sample]:
    """Fresh emulators and stacks of `size` statuses on every side, through `commands`."""
    providers = {"floor": go.floor, "go": go.api, "plugin": ROOT / ".venv" / "bin"}
    sides = [(program, side) for program in programs for side in SIDES[program]]
    samples: list[scenarios.Sample] = []
    with (
        tempfile.TemporaryDirectory(prefix="incident-bench-providers-") as temporary,
        ExitStack() as stack,
    ):
        folder = Path(temporary)
        emulators: dict[tuple[str, str], EmulatorProcess] = {}
        projects: dict[tuple[str, str], cli_path.Project] = {}
        for program, side in sides:
            here = folder / program / side
            emulator = stack.enter_context(
                EmulatorProcess(
                    db_path=folder / f"{program}-{side}.db",
                    latency_ms=latency_ms,
                    rate_limit=scenarios.UNTHROTTLED,
                )
            )
            if program == YAML:
                project = yaml_project(here / "project", size, providers[side])
            else:
                project = python_project(here / "project", side, size)
            env = {}
            if side == "sdk":
                env["PYTHONPATH"] = os.pathsep.join(
                    part for part in (str(sdk), os.environ.get("PYTHONPATH")) if part
                )
            emulators[program, side] = emulator
            projects[program, side] = cli_path.Project(project, here / "state", emulator.url, env)
        for index, command in enumerate(commands):
            shift = (run + index) % len(sides)
            for program, side in sides[shift:] + sides[:shift]:
                operation = f"{program} {command}"
                sample = scenarios.measure(
                    functools.partial(projects[program, side].operate, operation),
                    emulator=emulators[program, side],
                    at=scenarios.Point(size, run, latency_ms, operation, side),
                    expected_changes=expected(command, size),
                )
                samples.append(sample)
                on_sample(sample)
    return samples
