"""`make test-matrix`: the built wheel in fresh virtualenvs, across Pythons, Pulumi SDKs and CLIs.

    python scripts/test_matrix.py --wheel-dir dist

For each Python (3.11, 3.12, 3.13: found through pyenv or on PATH, never downloaded) and each end
of the package's `pulumi` range (its floor, and the newest release PyPI serves below 4), a cell:

1. a fresh virtualenv gets the wheel with its `emulator` and `test` extras, exactly that `pulumi`
   and the checkout's test harness (editable, as `make setup` has it), and must import the
   package from its own site-packages;
2. the fast tests (`-m "not engine"`) run from the checkout against that install;
3. the engine smoke runs on the path users type: `pulumi new` from the template, then `pulumi up`
   (three statuses and their order), `pulumi preview --expect-no-changes`, a preview of one name
   declared twice that must fail, and `pulumi destroy`,
   with the checkout's CLI and language host, against a local emulator, checked on the emulator.

Then an older CLI release (`--older-cli`, built once per user by scripts/install-pulumi.sh) runs
the same smoke in the oldest cell, and, once, with the first cell's virtualenv holding the plugin,
the other languages' smokes (incident_statuses_harness.languages): a TypeScript and a Go project
made with `pulumi package add`, and `pulumi new` from the TypeScript template. A table of every
cell and its result is printed; the exit code is 1 if any cell failed. Logs are in
.matrix/<cell>/log.txt.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.parser import HeaderParser
from pathlib import Path

import requests

from incident_statuses_emulator.process import DEFAULT_API_KEY, EmulatorProcess
from incident_statuses_harness import languages

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / ".matrix"
TEMPLATE = ROOT / "templates" / "incident-statuses-python"
PYTHONS = ("3.11", "3.12", "3.13")
OLDER_CLI = "3.248.0"
# The pieces of the engine besides the CLI, as `make setup` put them in the checkout's venv.
ENGINE_PIECES = (
    "pulumi-language-python",
    "pulumi-language-python-exec",
    "pulumi-resource-pulumi-python",
    "pulumi-language-nodejs",
    "pulumi-language-go",
)
# The programs besides the template's Python one, each run once (see languages_smoke).
OTHER_PROGRAMS = (*languages.LANGUAGES, "typescript template")
# What the fast tests need, at the versions the project develops with (constraints.txt).
TEST_TOOLS = ("pytest", "pytest-timeout", "pytest-xdist", "hypothesis", "psutil")
# What the template's program declares, top of the category first.
SMOKE_ORDER = ["Assessing impact", "Mitigating", "Watching the fix"]
COMMAND_TIMEOUT = 600


class CellFailed(Exception):
    """A step of a cell failed; the message says which and why."""


@dataclass
class Cell:
    """One row of the table: a Python, a Pulumi SDK, a CLI, and how each step went."""

    python: str
    interpreter: Path | None
    sdk: str
    sdk_label: str
    cli: str
    program: str = "python"
    venv: Path | None = None
    install: str = "-"
    fast: str = "-"
    smoke: str = "-"
    seconds: float = 0.0
    failure: str | None = None
    log: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        """A folder name for the cell."""
        program = "" if self.program == "python" else "-" + self.program.replace(" ", "-")
        return f"py{self.python}-pulumi{self.sdk}-cli{self.cli}{program}"

    @property
    def ok(self) -> bool:
        """Whether every step the cell ran passed."""
        return self.failure is None


def find_python(minor: str) -> Path | None:
    """The newest pyenv-installed `pythonX.Y` for ``minor``, else one on PATH; None if neither."""
    pyenv_root = os.environ.get("PYENV_ROOT")
    if pyenv_root is None and shutil.which("pyenv"):
        found = subprocess.run(["pyenv", "root"], capture_output=True, text=True, check=False)
        pyenv_root = found.stdout.strip() or None
    candidates: list[Path] = []
    if pyenv_root:
        for folder in Path(pyenv_root, "versions").glob(f"{minor}.*"):
            binary = folder / "bin" / f"python{minor}"
            if re.fullmatch(rf"{re.escape(minor)}\.\d+", folder.name) and binary.exists():
                candidates.append(binary)
    if candidates:
        return max(candidates, key=lambda p: int(p.parent.parent.name.rsplit(".", 1)[1]))
    on_path = shutil.which(f"python{minor}")
    return Path(on_path) if on_path else None


def python_version(interpreter: Path) -> str:
    """`X.Y.Z` of an interpreter."""
    done = subprocess.run(
        [str(interpreter), "-c", "import platform; print(platform.python_version())"],
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


def wheel_metadata(wheel: Path) -> tuple[str, str]:
    """The wheel's version and the floor of its `pulumi` requirement."""
    with zipfile.ZipFile(wheel) as archive:
        name = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        metadata = HeaderParser().parsestr(archive.read(name).decode())
    for requirement in metadata.get_all("Requires-Dist") or []:
        match = re.match(r"pulumi\s*[<>=,\d.\s]*>=\s*([\d.]+)", requirement)
        if match and not requirement.startswith("pulumi-"):
            return metadata["Version"], match.group(1)
    raise SystemExit(f"test-matrix: {wheel.name} does not require pulumi>=...")


def newest_sdk(python: Path) -> str:
    """The newest `pulumi` 3.x release the package index serves (one look-up, with pip)."""
    done = subprocess.run(
        [str(python), "-m", "pip", "index", "versions", "pulumi"],
        capture_output=True,
        text=True,
        check=False,
    )
    match = re.search(r"Available versions: (.*)", done.stdout)
    if match is None:
        raise SystemExit(
            "test-matrix: could not ask the package index for pulumi's releases "
            f"(pass --newest VERSION to name one):\n{done.stdout}{done.stderr}"
        )
    versions = [v.strip() for v in match.group(1).split(",")]
    releases = [v for v in versions if re.fullmatch(r"3\.\d+\.\d+", v)]
    return max(releases, key=lambda v: tuple(int(p) for p in v.split(".")))


def pinned(names: Sequence[str]) -> list[str]:
    """`name==version` for each of ``names``, as constraints.txt pins it."""
    pins: dict[str, str] = {}
    for line in (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines():
        if "==" in line and not line.startswith("#"):
            name, version = line.split("==", 1)
            pins[name.strip().lower()] = version.strip()
    return [f"{name}=={pins[name]}" for name in names if name in pins]


def clean_env(**extra: str) -> dict[str, str]:
    """This process's environment without anything that points at the checkout's venv."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("VIRTUAL_ENV", "PYTHONPATH", "PULUMI_PYTHON_CMD", "PULUMI_CLI", "PYTHONHOME")
    }
    path = [p for p in env.get("PATH", "").split(os.pathsep) if Path(p) != ROOT / ".venv" / "bin"]
    env["PATH"] = os.pathsep.join(path)
    env.update(extra)
    return env


def run(
    cell: Cell,
    args: Sequence[str | Path],
    *,
    cwd: Path = ROOT,
    env: dict[str, str],
    fails: bool = False,
) -> str:
    """Run a command for ``cell``, keeping its output in the cell's log; raise if it fails (with
    ``fails``, if it succeeds)."""
    command = [str(a) for a in args]
    cell.log.append(f"$ {' '.join(command)}")
    started = time.monotonic()
    try:
        done = subprocess.run(
            command,
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
            timeout=COMMAND_TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired as error:
        raise CellFailed(f"`{' '.join(command[:3])}` ran over {COMMAND_TIMEOUT} s") from error
    cell.log.extend([done.stdout, done.stderr, f"({time.monotonic() - started:.1f} s)"])
    if (done.returncode != 0) != fails:
        raise CellFailed(f"`{' '.join(command[:3])} ...` exited {done.returncode}")
    return done.stdout


def engine_dir(cli_version: str, current_cli: str) -> Path:
    """A folder holding the CLI at ``cli_version`` and the checkout's other engine pieces."""
    folder = WORK / f"engine-v{cli_version}"
    folder.mkdir(parents=True, exist_ok=True)
    venv_bin = ROOT / ".venv" / "bin"
    for piece in ENGINE_PIECES:
        link = folder / piece
        link.unlink(missing_ok=True)
        link.symlink_to(venv_bin / piece)
    if cli_version == current_cli:
        link = folder / "pulumi"
        link.unlink(missing_ok=True)
        link.symlink_to(venv_bin / "pulumi")
    else:
        # Built once from the Go module proxy and kept per user; copied from there afterwards.
        subprocess.run(
            [str(ROOT / "scripts" / "install-pulumi.sh"), "cli", str(folder)],
            env=clean_env(PULUMI_VERSION=cli_version),
            check=True,
            stdout=subprocess.DEVNULL,
        )
    return folder


def install(cell: Cell, wheel: Path, wheelhouse: Path) -> None:
    """A fresh virtualenv for ``cell`` with the wheel, the harness and its `pulumi`."""
    assert cell.interpreter is not None
    folder = WORK / cell.name
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    venv = folder / "venv"
    env = clean_env()
    run(cell, [cell.interpreter, "-m", "venv", venv], env=env)
    python = venv / "bin" / "python"
    run(
        cell,
        [
            python,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "--find-links",
            wheelhouse,
            f"{wheel}[emulator,test]",
            # The test harness, as `make setup` installs it: it finds the checkout's files
            # (examples, the engine) from where its source is.
            "--editable",
            ROOT / "harness",
            f"pulumi=={cell.sdk}",
            *pinned(TEST_TOOLS),
        ],
        env=env,
    )
    probe = run(
        cell,
        [
            python,
            "-c",
            "import importlib.metadata as m, pulumi_incident_statuses as p; "
            "print(m.version('pulumi')); print(p.__file__)",
        ],
        env=env,
    ).splitlines()
    if probe[0] != cell.sdk:
        raise CellFailed(f"pip installed pulumi {probe[0]}, not {cell.sdk}")
    if not Path(probe[1]).is_relative_to(venv):
        raise CellFailed(f"the package was imported from {probe[1]}, not from the wheel")
    cell.venv = venv


def fast_tests(cell: Cell) -> str:
    """The fast tests from the checkout, against the cell's install; pytest's closing counts."""
    assert cell.venv is not None
    output = run(
        cell,
        [
            cell.venv / "bin" / "python",
            "-m",
            "pytest",
            "-m",
            "not engine",
            "-q",
            "-n",
            "2",
            "-p",
            "no:cacheprovider",
            # Building the distributions is `make dist`'s check; a cell tests what was built.
            "--ignore",
            "tests/test_dist.py",
            "--ignore",
            "tests/test_dist_names.py",
            "tests",
        ],
        env=clean_env(),
    )
    counts = re.findall(r"^=*\s*(\d+ passed.*?)(?: in [\d.]+s.*)?\s*=*$", output, re.MULTILINE)
    return counts[-1] if counts else "passed"


def organisation(emulator: EmulatorProcess) -> list[tuple[str, str]]:
    """The emulator's live statuses, (name, category), in rank order."""
    response = requests.get(
        f"{emulator.url}/v1/incident_statuses",
        headers={"Authorization": f"Bearer {DEFAULT_API_KEY}"},
        timeout=10,
    )
    response.raise_for_status()
    statuses = sorted(response.json()["incident_statuses"], key=lambda s: s["rank"])
    return [(s["name"], s["category"]) for s in statuses if s["category"] == "live"]


def smoke_env(folder: Path, engine: Path, emulator: EmulatorProcess) -> dict[str, str]:
    """The environment of a smoke in ``folder``: ``engine`` first on PATH, state in the folder."""
    (folder / "state").mkdir()
    return clean_env(
        PATH=os.pathsep.join([str(engine), clean_env()["PATH"]]),
        PULUMI_HOME=str(folder / "home"),
        PULUMI_BACKEND_URL=f"file://{folder / 'state'}",
        PULUMI_CONFIG_PASSPHRASE="test-matrix",
        PULUMI_SKIP_UPDATE_CHECK="true",
        PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION="true",
        INCIDENT_ENDPOINT=emulator.url,
        INCIDENT_API_KEY=DEFAULT_API_KEY,
    )


def smoke_folder(cell: Cell, emulator: EmulatorProcess) -> Path:
    """A fresh folder for ``cell``'s smoke, the emulator reset."""
    requests.post(f"{emulator.url}/_emulator/reset", timeout=10).raise_for_status()
    folder = WORK / cell.name / f"smoke-cli{cell.cli}"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return folder


def smoke(cell: Cell, engine: Path, emulator: EmulatorProcess) -> None:
    """`pulumi new` from the template, then up, preview with no changes, destroy."""
    assert cell.venv is not None
    folder = smoke_folder(cell, emulator)
    project = folder / "project"
    env = smoke_env(folder, engine, emulator)
    pulumi = [str(engine / "pulumi")]
    run(cell, [*pulumi, "version"], env=env)
    run(
        cell,
        [
            *pulumi,
            "new",
            TEMPLATE,
            "--dir",
            project,
            "--name",
            "matrix-smoke",
            "--generate-only",
            "--yes",
            "--non-interactive",
        ],
        cwd=folder,
        env=env,
    )
    # The template names `venv` in the project: the cell's virtualenv stands in for it.
    (project / "venv").symlink_to(cell.venv)
    run(cell, [*pulumi, "stack", "init", "smoke", "--non-interactive"], cwd=project, env=env)
    run(cell, [*pulumi, "up", "--yes", "--skip-preview", "--non-interactive"], cwd=project, env=env)
    live = organisation(emulator)
    if [name for name, _ in live[: len(SMOKE_ORDER)]] != SMOKE_ORDER:
        raise CellFailed(f"after pulumi up the live statuses are {live}, not {SMOKE_ORDER} first")
    run(
        cell, [*pulumi, "preview", "--expect-no-changes", "--non-interactive"], cwd=project, env=env
    )
    declared_twice(cell, [*pulumi, "preview", "--non-interactive"], project, env)
    run(
        cell,
        [*pulumi, "destroy", "--yes", "--skip-preview", "--non-interactive"],
        cwd=project,
        env=env,
    )
    left = [name for name, _ in organisation(emulator) if name in SMOKE_ORDER]
    if left:
        raise CellFailed(f"pulumi destroy left {left} in the organisation")


def declared_twice(cell: Cell, preview: list[str], project: Path, env: dict[str, str]) -> None:
    """A second resource declaring a name the program holds fails the preview, naming both.

    The provider knows which resource asks through the URN each resource carries as an input,
    which some SDKs dropped for inputs named `__...`: this holds on every SDK of the matrix.
    """
    program = project / "__main__.py"
    kept = program.read_text(encoding="utf-8")
    program.write_text(
        kept + f'\nIncidentStatus("twice", name={SMOKE_ORDER[0]!r}, description="x", '
        'category="live")\n',
        encoding="utf-8",
    )
    try:
        said = run(cell, preview, cwd=project, env=env, fails=True)
    finally:
        program.write_text(kept, encoding="utf-8")
    if "choose another name for one of them" not in " ".join(said.split()).lower():
        raise CellFailed("a name declared twice failed the preview without naming both resources")


def languages_smoke(cell: Cell, engine: Path, emulator: EmulatorProcess) -> None:
    """``cell.program``'s smoke (incident_statuses_harness.languages), the plugin the one in the
    cell's virtualenv, npm and Go offline (the modules come from the caches `make setup` fills)."""
    assert cell.venv is not None
    folder = smoke_folder(cell, emulator)
    project = folder / "project"
    env = {**smoke_env(folder, engine, emulator), **languages.offline_env(folder)}

    def pulumi(*args: str) -> str:
        return run(cell, [engine / "pulumi", *args, "--non-interactive"], cwd=project, env=env)

    try:
        if cell.program == "typescript template":
            languages.template_smoke(project, cell.venv, pulumi, emulator.url)
        else:
            languages.project(cell.program, project, cell.venv)
            languages.smoke(cell.program, project, pulumi, emulator.url)
    except (AssertionError, RuntimeError) as failure:
        raise CellFailed(str(failure).splitlines()[0]) from failure


@contextmanager
def timed(cell: Cell) -> Iterator[None]:
    """Add the time spent to the cell's."""
    started = time.monotonic()
    try:
        yield
    finally:
        cell.seconds += time.monotonic() - started


def run_cell(
    cell: Cell,
    wheel: Path,
    wheelhouse: Path,
    engine: Path,
    emulator: EmulatorProcess,
    *,
    reuse: Cell | None = None,
) -> None:
    """Every step of one cell, stopping at the first that fails."""
    with timed(cell):
        try:
            if reuse is not None:
                if reuse.venv is None:
                    raise CellFailed(f"needs the virtualenv of {reuse.name}, which failed")
                cell.venv = reuse.venv
                cell.install = "(above)"
            else:
                if cell.interpreter is None:
                    cell.install = "no python"
                    raise CellFailed(f"no python{cell.python} (pyenv or PATH); none is downloaded")
                cell.install = "FAILED"
                install(cell, wheel, wheelhouse)
                cell.install = "ok"
                cell.fast = "FAILED"
                cell.fast = fast_tests(cell)
            cell.smoke = "FAILED"
            (smoke if cell.program == "python" else languages_smoke)(cell, engine, emulator)
            cell.smoke = "ok"
        except CellFailed as failure:
            cell.failure = str(failure)
    log = WORK / cell.name / "log.txt"
    log.parent.mkdir(parents=True, exist_ok=True)
    log.write_text("\n".join(cell.log), encoding="utf-8")
    status = "ok" if cell.ok else f"FAILED: {cell.failure}"
    print(f"test-matrix: {cell.name}: {status} ({cell.seconds:.0f} s)", flush=True)


def table(cells: Sequence[Cell]) -> str:
    """The cells as a plain-text table."""
    header = (
        "python", "pulumi SDK", "CLI", "program", "install", "fast tests", "engine smoke", "time"
    )
    rows = [
        (
            c.python, c.sdk_label, f"v{c.cli}", c.program, c.install, c.fast, c.smoke,
            f"{c.seconds:.0f} s",
        )
        for c in cells
    ]
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    lines = [
        "  ".join(str(v).ljust(w) for v, w in zip(row, widths, strict=True)).rstrip()
        for row in [header, *rows]
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run the matrix; the process exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wheel-dir", type=Path, default=ROOT / "dist")
    parser.add_argument("--pythons", default=",".join(PYTHONS), help="e.g. 3.11,3.13")
    parser.add_argument("--newest", help="the newest pulumi to test (default: ask the index)")
    parser.add_argument("--older-cli", default=OLDER_CLI, help="'' for none")
    args = parser.parse_args(argv)

    started = time.monotonic()
    wheels = sorted(args.wheel_dir.glob("pulumi_incident_statuses-*.whl"))
    if len(wheels) != 1:
        raise SystemExit(f"test-matrix: expected one wheel in {args.wheel_dir}, found {wheels}")
    wheel = wheels[0].resolve()
    version, floor = wheel_metadata(wheel)
    WORK.mkdir(exist_ok=True)
    wheelhouse = WORK / "wheels"
    shutil.rmtree(wheelhouse, ignore_errors=True)
    # The emulator, the `emulator` extra, is built once and shared by every cell, like the wheel.
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--wheel-dir",
            str(wheelhouse),
            str(ROOT / "emulator"),
        ],
        check=True,
    )
    newest = args.newest or newest_sdk(Path(sys.executable))
    current_cli = (
        subprocess.run(
            [str(ROOT / ".venv" / "bin" / "pulumi"), "version"],
            capture_output=True,
            text=True,
            check=True,
        )
        .stdout.strip()
        .lstrip("v")
    )
    print(
        f"test-matrix: {wheel.name}; pulumi {floor} (floor) and {newest} (newest); "
        f"CLI v{current_cli}" + (f" and v{args.older_cli}" if args.older_cli else ""),
        flush=True,
    )

    sdks = [(floor, f"{floor} (floor)"), (newest, f"{newest} (newest)")]
    cells: list[Cell] = []
    for minor in args.pythons.split(","):
        interpreter = find_python(minor)
        label = python_version(interpreter) if interpreter else minor
        for sdk, sdk_label in sdks:
            cells.append(Cell(label, interpreter, sdk, sdk_label, current_cli))

    with EmulatorProcess(db_path=WORK / "emulator.db") as emulator:
        engine = engine_dir(current_cli, current_cli)
        for cell in cells:
            run_cell(cell, wheel, wheelhouse, engine, emulator)
        if args.older_cli:
            oldest = cells[0]
            older = Cell(
                oldest.python, oldest.interpreter, oldest.sdk, oldest.sdk_label, args.older_cli
            )
            run_cell(
                older,
                wheel,
                wheelhouse,
                engine_dir(args.older_cli, current_cli),
                emulator,
                reuse=oldest,
            )
            cells.append(older)
        for program in OTHER_PROGRAMS:
            first = cells[0]
            other = Cell(first.python, first.interpreter, first.sdk, first.sdk_label, current_cli,
                         program=program)
            run_cell(other, wheel, wheelhouse, engine, emulator, reuse=first)
            cells.append(other)

    print(
        f"\ntest-matrix: pulumi-incident-statuses {version}, "
        f"{time.monotonic() - started:.0f} s in all\n"
    )
    print(table(cells))
    failed = [c for c in cells if not c.ok]
    for cell in failed:
        print(f"\n{cell.name}: {cell.failure}; its log: {WORK / cell.name / 'log.txt'}")
        print("\n".join("\n".join(cell.log).splitlines()[-25:]))
    print(f"\n{len(cells) - len(failed)} passed, {len(failed)} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
