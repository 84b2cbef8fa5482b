"""The path users type: `pulumi up`, `preview`, `refresh`, `destroy` in a project folder.

Each side is a project folder (`Pulumi.yaml` naming the checkout's virtualenv, a `__main__.py`)
run by the `pulumi` CLI through the Python language host, exactly as a user runs it: the no-I/O
baseline and ours as dynamic resources (`cli ...` rows). The provider plugin's paths (Pulumi YAML,
the generated Python SDK) are measured in `providers`. Also here: the mixed stack (N statuses, then
a dynamic resource whose provider class is in the program file) and the breakdown of where an `up`
of 10 spends its time.

Imports `scenarios`, its neighbour in bench/.
"""

from __future__ import annotations

import os
import re
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import scenarios
from incident_statuses_emulator.process import DEFAULT_API_KEY, EmulatorProcess
from incident_statuses_harness.engine import ROOT, toolchain

CLI_LIFECYCLE = ("cli up", "cli preview", "cli refresh", "cli destroy")
"""`pulumi up --yes` (its preview included) creating N, `pulumi preview` and `pulumi refresh
--yes` unchanged, destroy."""

_PROGRAMS = {
    scenarios.OURS: (
        "from pulumi_incident_statuses import IncidentStatus as Status\n",
        'Status(f"status-{i:04d}", name=f"Bench status {i:04d}", '
        'description=f"Benchmark status number {i}.", category="live")',
    ),
    scenarios.BASELINE: (
        "from incident_statuses_harness.noop_provider import NoopStatus as Status\n",
        'Status(f"status-{i:04d}", name=f"Bench status {i:04d}", '
        'description=f"Benchmark status number {i}.", category="live")',
    ),
}

USER_PROVIDER = '''
from pulumi.dynamic import CreateResult, Resource, ResourceProvider


class Pager(ResourceProvider):
    """A user's own provider, defined here so dill pickles it by value."""

    def create(self, props):
        return CreateResult(f"pager-{props['team']}", dict(props))


class PagerRule(Resource):
    def __init__(self, name, team):
        super().__init__(Pager(), name, {"team": team})


PagerRule("pager", "on-call")
'''


def project(folder: Path, side: str, size: int, *, user_provider: bool = False) -> Path:
    """A project folder declaring `size` statuses of `side` (and, asked, a user's provider)."""
    folder.mkdir(parents=True)
    (folder / "Pulumi.yaml").write_text(
        f"name: bench-{side}\n"
        "runtime:\n"
        "  name: python\n"
        "  options:\n"
        f"    virtualenv: {ROOT / '.venv'}\n"
    )
    header, declaration = _PROGRAMS[side]
    body = f"import pulumi\n{header}\nfor i in range({size}):\n    {declaration}\n"
    if user_provider:
        body += USER_PROVIDER
    (folder / "__main__.py").write_text(body)
    return folder


class Project:
    """One project folder and its stack, driven by the `pulumi` CLI."""

    def __init__(
        self,
        folder: Path,
        state: Path,
        emulator_url: str,
        env: Mapping[str, str] | None = None,
    ) -> None:
        """Select (creating) stack `bench` of the project in `folder`; `env` adds variables."""
        self.folder = folder
        self.env = {
            **os.environ,
            **toolchain(state).env(),
            "INCIDENT_API_KEY": DEFAULT_API_KEY,
            "INCIDENT_ENDPOINT": emulator_url,
            **(env or {}),
        }
        self.env.pop("PULUMI_PYTHON_CMD", None)
        self.pulumi("stack", "select", "--create", "bench")

    def pulumi(self, *args: str) -> str:
        """Run the CLI in the project folder; its output, or an error with it."""
        finished = subprocess.run(
            [str(ROOT / ".venv" / "bin" / "pulumi"), *args],
            cwd=self.folder,
            env=self.env,
            capture_output=True,
            text=True,
            check=False,
        )
        if finished.returncode:
            raise RuntimeError(
                f"pulumi {' '.join(args)} failed:\n{finished.stdout}{finished.stderr}"
            )
        return finished.stdout

    def operate(self, operation: str) -> dict[str, int]:
        """Run `operation` (`cli up`, `yaml preview`, ...); the change summary."""
        args = {
            "up": ("up", "--yes"),
            "preview": ("preview",),
            "refresh": ("refresh", "--yes"),
            "destroy": ("destroy", "--yes"),
        }[operation.split(" ", 1)[1]]
        return changes(self.pulumi(*args, "--non-interactive"))


_SUMMARY = re.compile(r"^\s+(?:[-+~]\s+)?(\d+) (to create|created|unchanged|to delete|deleted)$")
_KINDS = {
    "to create": "create",
    "created": "create",
    "unchanged": "same",
    "to delete": "delete",
    "deleted": "delete",
}


def changes(output: str) -> dict[str, int]:
    """The `Resources:` summary of a CLI run, as the Automation API names its counts."""
    found: dict[str, int] = {}
    for line in output.splitlines():
        match = _SUMMARY.match(line)
        if match:
            found[_KINDS[match.group(2)]] = int(match.group(1))
    return dict(sorted(found.items()))


def _expected(operation: str, size: int) -> dict[str, int]:
    path, step = operation.split(" ", 1)
    if path == "mixed":
        return {"up": {"create": size + 2}, "destroy": {"delete": size + 2}}[step]
    return {
        "up": {"create": size + 1},
        "preview": {"same": size + 1},
        "refresh": {"same": size + 1},
        "destroy": {"delete": size + 1},
    }[step]


def _measure(
    target: Project,
    operation: str,
    *,
    emulator: EmulatorProcess,
    size: int,
    run: int,
    side: str,
) -> scenarios.Sample:
    return scenarios.measure(
        lambda: target.operate(operation.replace("mixed", "cli")),
        emulator=emulator,
        at=scenarios.Point(size, run, 0, operation, side),
        expected_changes=_expected(operation, size),
    )


def lifecycle(
    size: int, run: int, *, on_sample: Callable[[scenarios.Sample], None]
) -> list[scenarios.Sample]:
    """The two project folders through up, preview, refresh, destroy, interleaved."""
    samples: list[scenarios.Sample] = []
    with (
        tempfile.TemporaryDirectory(prefix="incident-bench-cli-") as temporary,
        EmulatorProcess(db_path=Path(temporary) / "emulator.db") as emulator,
    ):
        folder = Path(temporary)
        projects = {
            side: Project(
                project(folder / side / "project", side, size),
                folder / side / "state",
                emulator.url,
            )
            for side in scenarios.SIDES
        }
        for index, operation in enumerate(CLI_LIFECYCLE):
            order = scenarios.SIDES if (run + index) % 2 == 0 else scenarios.SIDES[::-1]
            for side in order:
                sample = _measure(
                    projects[side], operation, emulator=emulator, size=size, run=run, side=side
                )
                samples.append(sample)
                on_sample(sample)
    return samples


def mixed(size: int, *, on_sample: Callable[[scenarios.Sample], None]) -> list[scenarios.Sample]:
    """`pulumi up` and `pulumi destroy` of `size` statuses then a provider from the program file.

    Before this package restored the SDK's pickler, such a stack failed with RecursionError after
    a few hundred statuses (pulumi/pulumi#17803). Only our side: the point is that it runs.
    """
    samples: list[scenarios.Sample] = []
    with (
        tempfile.TemporaryDirectory(prefix="incident-bench-mixed-") as temporary,
        EmulatorProcess(db_path=Path(temporary) / "emulator.db") as emulator,
    ):
        folder = Path(temporary)
        target = Project(
            project(folder / "project", scenarios.OURS, size, user_provider=True),
            folder / "state",
            emulator.url,
        )
        for operation in ("mixed up", "mixed destroy"):
            sample = _measure(
                target, operation, emulator=emulator, size=size, run=0, side=scenarios.OURS
            )
            samples.append(sample)
            on_sample(sample)
    return samples


def _import_seconds(module: str, repeat: int) -> tuple[float, float]:
    """Medians, in fresh interpreters, of importing `pulumi.dynamic` and then `module`."""
    python = str(ROOT / ".venv" / "bin" / "python")
    code = (
        "import time\n"
        "began = time.perf_counter()\n"
        "import pulumi, pulumi.dynamic\n"
        "middle = time.perf_counter()\n"
        f"import {module}\n"
        "print(middle - began, time.perf_counter() - middle)\n"
    )
    pulumi_times, module_times = [], []
    for _ in range(repeat):
        out = subprocess.run(
            [python, "-c", code], check=True, capture_output=True, text=True
        ).stdout.split()
        pulumi_times.append(float(out[0]))
        module_times.append(float(out[1]))
    return float(statistics.median(pulumi_times)), float(statistics.median(module_times))


def _provider_start_seconds(repeat: int) -> float:
    """Median time for `python -u -m pulumi.dynamic` to print its port, as the engine waits."""
    python = str(ROOT / ".venv" / "bin" / "python")
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        process = subprocess.Popen(
            [python, "-u", "-m", "pulumi.dynamic"], stdout=subprocess.PIPE, text=True
        )
        assert process.stdout is not None
        process.stdout.readline()
        times.append(time.perf_counter() - started)
        process.kill()
        process.wait()
    return float(statistics.median(times))


def breakdown(repeat: int = 5) -> dict[str, Any]:
    """Where an `up` of 10 goes, piece by piece, for both sides (medians of `repeat`)."""
    with (
        tempfile.TemporaryDirectory(prefix="incident-bench-floor-") as temporary,
        EmulatorProcess(db_path=Path(temporary) / "emulator.db") as emulator,
    ):
        folder = Path(temporary)
        empty = folder / "empty"
        empty.mkdir()
        (empty / "Pulumi.yaml").write_text(
            "name: bench-empty\nruntime:\n  name: python\n  options:\n"
            f"    virtualenv: {ROOT / '.venv'}\n"
        )
        (empty / "__main__.py").write_text("import pulumi\n")
        floor = Project(empty, folder / "state", emulator.url)
        cli_alone = []
        empty_up = []
        for _ in range(repeat):
            started = time.perf_counter()
            floor.pulumi("version")
            cli_alone.append(time.perf_counter() - started)
            started = time.perf_counter()
            floor.pulumi("up", "--yes", "--non-interactive")
            empty_up.append(time.perf_counter() - started)
        requests_code = (
            "import time\n"
            "from pulumi_incident_statuses.core.client import IncidentStatusesClient\n"
            f"c = IncidentStatusesClient({DEFAULT_API_KEY!r}, {emulator.url!r})\n"
            "t = time.perf_counter()\n"
            "for i in range(10):\n"
            "    s = c.create(name=f'Floor {i} {t}', description='d', category='live')\n"
            "    c.delete(s.id)\n"
            "print((time.perf_counter() - t) / 2)\n"
        )
        python = str(ROOT / ".venv" / "bin" / "python")
        request_times = [
            float(
                subprocess.run(
                    [python, "-c", requests_code], check=True, capture_output=True, text=True
                ).stdout
            )
            for _ in range(repeat)
        ]
    ours = "pulumi_incident_statuses.dynamic.resource"
    import_pulumi, import_ours = _import_seconds(ours, repeat)
    _, import_baseline = _import_seconds("incident_statuses_harness.noop_provider", repeat)
    return {
        "repeat": repeat,
        "cli_version_seconds": statistics.median(cli_alone),
        "empty_up_seconds": statistics.median(empty_up),
        "import_pulumi_seconds": import_pulumi,
        "import_ours_seconds": import_ours,
        "import_baseline_seconds": import_baseline,
        "provider_start_seconds": _provider_start_seconds(repeat),
        "ten_creates_sequential_seconds": statistics.median(request_times),
    }


def summary_of(values: Mapping[str, float]) -> str:
    """One line for the console."""
    return ", ".join(f"{k} {v:.3f}" for k, v in values.items() if isinstance(v, float))
