"""A user's own project: a folder, its own virtualenv with the package pip-installed, the CLI.

This is the product's main path: the `pulumi` CLI in a project folder starts the Python language
host, which runs the program in the virtualenv that `Pulumi.yaml` names. Unlike the checkout's
editable `.venv`, the user's virtualenv holds the package as pip installs it from this checkout,
and neither the emulator nor the harness.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from incident_statuses_emulator.process import EmulatorProcess
from incident_statuses_harness.engine import API_KEY, ROOT, cache, toolchain
from incident_statuses_harness.shared import Fingerprint, changes, fingerprint


class Cli:
    """Runs `pulumi` in one folder with one environment, as a user's shell would."""

    def __init__(self, cwd: Path, env: dict[str, str]) -> None:
        self.cwd = cwd
        self.env = env

    def __call__(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        """`pulumi ARGS`, never asking, in plain text."""
        return self.run("pulumi", *args, "--non-interactive", "--color", "never", check=check)

    def run(
        self, command: str | Path, *args: str, check: bool = True
    ) -> subprocess.CompletedProcess[str]:
        """Any command (`incident-statuses list`, say) in this folder and environment; with
        ``check``, one that fails raises with what it printed."""
        argv = [str(command), *args]
        done = subprocess.run(
            argv, cwd=self.cwd, env=self.env, capture_output=True, text=True, timeout=300
        )
        if check and done.returncode != 0:
            raise AssertionError(
                f"`{' '.join(argv)}` exited {done.returncode}\n"
                f"stdout:\n{done.stdout}\nstderr:\n{done.stderr}"
            )
        return done

    def outputs(self) -> dict[str, Any]:
        """`pulumi stack output --json`."""
        values: dict[str, Any] = json.loads(self("stack", "output", "--json").stdout)
        return values


def names_both(said: str, name: str, first: str, second: str) -> bool:
    """Whether the engine's output fails ``name``, declared by resources ``first`` (the one in the
    state, if either is) and ``second``, naming both and saying to choose another name for one.

    The engine checks resources in the order the program registers them, which Python and YAML
    programs do concurrently: the later check finds the name declared already, or, when the first
    resource is in the state, the earlier one finds the status held by it.
    """
    said = " ".join(said.split())
    forms = (
        f"{name!r} is also declared by {first!r}",
        f"{name!r} is also declared by {second!r}",
        f"It belongs to this stack's resource {first!r}. If {second!r} is {first!r} renamed",
    )
    return (
        any(form in said for form in forms)
        and first in said
        and second in said
        and "choose another name for one of them" in said.lower()
    )


def shell(tmp_path: Path, cwd: Path, emulator: EmulatorProcess, *, key_in_env: bool = True) -> Cli:
    """A shell set up as the README says: engine on PATH, file backend, emulator endpoint."""
    env = {**os.environ, **toolchain(tmp_path / "state").env()}
    env.pop("PULUMI_PYTHON_CMD")  # a project folder names its own virtualenv
    env.pop("INCIDENT_API_KEY", None)
    env["INCIDENT_ENDPOINT"] = emulator.url
    if key_in_env:
        env["INCIDENT_API_KEY"] = API_KEY
    return Cli(cwd, env)


def source_digest() -> str:
    """A digest of what pip installs from this checkout: its metadata and the package's files,
    and of how `installed_venv` installs them (this module)."""
    digest = hashlib.sha256()
    metadata = [ROOT / "pyproject.toml", ROOT / "constraints.txt", Path(__file__)]
    files = [*metadata, *sorted((ROOT / "provider").rglob("*"))]
    for path in files:
        # pip's build of the package rewrites its egg-info in the source tree: left out, or the
        # digest would change under a worker whose tests use the virtualenv it keys.
        built = any(part == "__pycache__" or part.endswith(".egg-info") for part in path.parts)
        if path.is_file() and not built:
            digest.update(str(path.relative_to(ROOT)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


USER_VENVS = cache() / "user-venv"
"""Where `installed_venv` keeps its virtualenvs, one per source digest: per user, so that a fresh
clone of the same sources reuses the one an earlier clone built."""

STALE_AFTER_SECONDS = 3 * 24 * 3600
"""A virtualenv no run has used for this long is removed when another is built (another checkout
may still be using any younger one)."""


def installed_venv(digest: str, folder: Path = USER_VENVS) -> Path:
    """A virtualenv with this checkout pip-installed, made once per `digest` of its source.

    Kept under `folder`, keyed by the `source_digest()` taken when a run starts, so an edit of the
    package makes another at the next run and a rerun, or a fresh clone, reuses it. Test workers
    share it: the first to take the lock builds it, the others wait and reuse it. Its marker file
    records its `shared.fingerprint` when built; no test may change it (`shared` checks).
    """
    venv = folder / digest
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if built_fingerprint(venv) is None:
            now = time.time()
            for stale in folder.iterdir():
                marker = stale / "installed"
                unused = not marker.exists() or now - marker.stat().st_mtime > STALE_AFTER_SECONDS
                if stale.is_dir() and stale != venv and unused:
                    shutil.rmtree(stale, ignore_errors=True)
            shutil.rmtree(venv, ignore_errors=True)
            subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
            # pip itself too, pinned: the language host runs `pip list` before every program run,
            # and the pinned pip starts in half the time of the one `venv` bundles.
            subprocess.run(
                [str(venv / "bin" / "pip"), "install", "--quiet", "--disable-pip-version-check",
                 "-c", str(ROOT / "constraints.txt"), "pip", str(ROOT)],
                check=True,
                timeout=600,
            )
            (venv / "installed").write_text(json.dumps(sorted(fingerprint(venv))), "utf-8")
        os.utime(venv / "installed")  # used now: see STALE_AFTER_SECONDS
    return venv


def built_fingerprint(venv: Path) -> Fingerprint | None:
    """What `installed_venv` recorded `venv` held when built; None if it is not finished."""
    try:
        recorded = json.loads((venv / "installed").read_text("utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        # An empty marker is an older harness's, which recorded nothing to check against.
        return None
    return frozenset(recorded)


def discard_if_changed(venv: Path) -> list[str]:
    """Remove `venv` if it no longer holds what it was built with; what changed, if anything.

    For the process that starts a test run, before any test uses it: removing it under running
    tests would break them.
    """
    if not venv.exists():
        return []
    built = built_fingerprint(venv)
    found = ["no record of what it held"] if built is None else changes(built, fingerprint(venv))
    if found:
        shutil.rmtree(venv)
    return found


def layered_venv(base: Path, dest: Path) -> Path:
    """A virtualenv at `dest` over `base`: its own site-packages first, then `base`'s.

    `pip` run with its `python` installs into `dest` alone, and `pip list` there lists both
    layers, as Pulumi's language host reads them to find provider plugins. Its `bin/` links
    `base`'s commands, `pip` excepted: those run in `base`, so `pip` would install there.
    """
    subprocess.run(
        [str(base / "bin" / "python"), "-m", "venv", "--without-pip", str(dest)], check=True
    )
    (below,) = base.glob("lib/python*/site-packages")
    (site_packages,) = dest.glob("lib/python*/site-packages")
    # addsitedir, not a bare path: the layer below's own .pth files are read too.
    (site_packages / "_layer_below.pth").write_text(
        f"import site; site.addsitedir({str(below)!r})\n", "utf-8"
    )
    for command in (base / "bin").iterdir():
        mine = dest / "bin" / command.name
        if not mine.exists() and not command.name.startswith("pip"):
            mine.symlink_to(command)
    return dest


def user_project(folder: Path, source: str, venv: Path, *, name: str = "my-statuses") -> Path:
    """A project folder as a user writes one: `Pulumi.yaml` naming `venv`, and `__main__.py`."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "venv").symlink_to(venv)
    (folder / "Pulumi.yaml").write_text(
        f"name: {name}\nruntime:\n  name: python\n  options:\n    virtualenv: venv\n",
        encoding="utf-8",
    )
    (folder / "__main__.py").write_text(source, encoding="utf-8")
    return folder
