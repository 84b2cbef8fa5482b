"""This checkout's engine through the Automation API, with a local, offline file backend.

Users run a project folder with `pulumi up`: the CLI starts the Python language host, which runs
the program in the project's own virtualenv. The tests, the benchmarks and the demo drive the
engine `make setup` installs from Python instead. `open_stack` opens either kind of stack:

- a *local program*, a project folder with its own `Pulumi.yaml`: every operation runs the
  `pulumi` CLI in that folder, exactly as a user's `pulumi up` does;
- an *inline program*, a Python function: the SDK serves it from this process and the CLI does
  everything else (plan, diff, state, the dynamic provider process); no language host is needed.
"""

from __future__ import annotations

import functools
import os
import runpy
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from pulumi import automation as auto

PulumiProgram = Callable[[], None]


@dataclass(frozen=True)
class Toolchain:
    """Where the engine's binaries are and where it keeps its state.

    `bin_dir` holds `pulumi` and `pulumi-resource-pulumi-python`; `state_dir` holds
    `PULUMI_HOME` and the file backend. Nothing is downloaded and no update check runs.
    """

    bin_dir: Path
    state_dir: Path
    python: str = sys.executable
    passphrase: str = ""
    extra_env: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def for_checkout(
        cls,
        root: Path,
        *,
        state_dir: Path | None = None,
        passphrase: str = "",
        extra_env: Mapping[str, str] | None = None,
    ) -> Toolchain:
        """The toolchain `make setup` installs into `root/.venv`, with state under `root`."""
        return cls(
            bin_dir=root / ".venv" / "bin",
            state_dir=state_dir or root / ".pulumi-state",
            python=str(root / ".venv" / "bin" / "python"),
            passphrase=passphrase,
            extra_env=dict(extra_env or {}),
        )

    @property
    def pulumi(self) -> Path:
        """The `pulumi` CLI."""
        return self.bin_dir / "pulumi"

    @property
    def backend_url(self) -> str:
        """The file backend holding every stack's state."""
        return f"file://{self.state_dir / 'backend'}"

    def env(self) -> dict[str, str]:
        """Environment for the CLI and, through it, for the dynamic provider process."""
        if not self.pulumi.exists():
            raise FileNotFoundError(
                f"no Pulumi CLI at {self.pulumi}: run `make setup` (it builds the pinned engine)"
            )
        (self.state_dir / "backend").mkdir(parents=True, exist_ok=True)
        env = {
            "PATH": f"{self.bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
            "PULUMI_HOME": str(self.state_dir / "home"),
            "PULUMI_BACKEND_URL": self.backend_url,
            "PULUMI_CONFIG_PASSPHRASE": self.passphrase,
            "PULUMI_SKIP_UPDATE_CHECK": "true",
            "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
            # The launcher of the dynamic provider runs this interpreter.
            "PULUMI_PYTHON_CMD": self.python,
        }
        env.update(self.extra_env)
        return env


def program_from_file(path: Path) -> PulumiProgram:
    """An inline program that runs a program file (a `__main__.py`) as `pulumi up` would."""

    def run() -> None:
        runpy.run_path(str(path), run_name="__main__")

    return run


@functools.cache
def _pulumi_command(root: str) -> auto.PulumiCommand:
    """The CLI under `root`, its version checked once per process (each check runs `pulumi
    version`, a quarter of a second of CPU), however many stacks are opened."""
    return auto.PulumiCommand(root=root)


def open_stack(
    project: str,
    stack: str,
    program: PulumiProgram | None,
    toolchain: Toolchain,
    *,
    work_dir: Path | None = None,
    config: Mapping[str, str] | None = None,
    secrets: Mapping[str, str] | None = None,
) -> auto.Stack:
    """Create or select `stack`, then set its plain and secret config.

    With `program` None, `work_dir` must be a project folder (its `Pulumi.yaml` names the project
    and the program) and the CLI runs it through the language host; otherwise `program` runs
    inline. `work_dir` is where `Pulumi.<stack>.yaml` (the stack's config, secrets encrypted with
    the toolchain's passphrase) is kept; for an inline program, a fresh temporary folder by
    default, and a `Pulumi.yaml` found there names the project.
    """
    if program is None and (work_dir is None or not (work_dir / "Pulumi.yaml").exists()):
        raise ValueError("a stack without an inline program needs a work_dir with a Pulumi.yaml")
    env = toolchain.env()
    # A folder with its own Pulumi.yaml keeps it; writing settings would overwrite it.
    keep_project = work_dir is not None and (work_dir / "Pulumi.yaml").exists()
    options = auto.LocalWorkspaceOptions(
        work_dir=str(work_dir) if work_dir else None,
        pulumi_home=env["PULUMI_HOME"],
        env_vars=env,
        pulumi_command=_pulumi_command(str(toolchain.bin_dir.parent)),
        project_settings=None
        if keep_project
        else auto.ProjectSettings(name=project, runtime="python"),
    )
    if program is None:
        selected = auto.create_or_select_stack(
            stack_name=stack, work_dir=str(work_dir), opts=options
        )
    else:
        selected = auto.create_or_select_stack(
            stack_name=stack, project_name=project, program=program, opts=options
        )
    values = {key: auto.ConfigValue(value=value) for key, value in (config or {}).items()}
    values.update(
        {key: auto.ConfigValue(value=value, secret=True) for key, value in (secrets or {}).items()}
    )
    if values:
        selected.set_all_config(values)
    return selected
