"""The checkout's distributions, built as `make dist` builds them, for tests that install them;
an earlier release's wheel, built from the repository's history; and the check `make dist` runs
on them, as a module."""

from __future__ import annotations

import importlib.util
import io
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path
from types import ModuleType

from incident_statuses_harness.engine import ROOT

# What a build reads: the package's sources and the files pyproject.toml and MANIFEST.in name.
SOURCES = ("pyproject.toml", "MANIFEST.in", "README.md", "CHANGELOG.md", "provider")


def load_check_dist() -> ModuleType:
    """scripts/check_dist.py, loaded as a module (scripts/ is not a package)."""
    spec = importlib.util.spec_from_file_location("check_dist", ROOT / "scripts" / "check_dist.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def build_distributions(dest: Path) -> Path:
    """Build the wheel and the sdist into ``dest``/dist; returns that folder.

    The build runs on a copy of the sources: setuptools writes its build/ and egg-info folders
    beside them, and builds running at once (test workers, `make dist`) must not share those.
    """
    source = dest / "source"
    for name in SOURCES:
        if (ROOT / name).is_dir():
            ignore = shutil.ignore_patterns("__pycache__", "*.egg-info")
            shutil.copytree(ROOT / name, source / name, ignore=ignore)
        else:
            source.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, source / name)
    out = dest / "dist"
    subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(source)],
        check=True,
        capture_output=True,
    )
    return out


RELEASE_0_2_0 = "73d1e40"
"""The commit of release 0.2.0, whose plugin `pulumi-resource-incident` served package
`incident`, the name incident.io's own provider has."""


def build_release(commit: str, dest: Path) -> Path:
    """The wheel of the release at ``commit``, built into ``dest`` from `git archive` of what a
    build reads; its path."""
    source = dest / f"source-{commit}"
    try:
        archive = subprocess.run(
            ["git", "-C", str(ROOT), "archive", commit, *SOURCES],
            capture_output=True,
            check=True,
            timeout=60,
        ).stdout
    except (OSError, subprocess.CalledProcessError) as error:
        said = getattr(error, "stderr", b"") or b""
        raise RuntimeError(
            f"cannot build the release at {commit}: this needs the repository's history, and "
            f"`git archive` failed: {said.decode(errors='replace').strip() or error}"
        ) from error
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(source, filter="data")
    out = dest / f"wheel-{commit}"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "build",
            "--no-isolation",
            "--wheel",
            "--outdir",
            str(out),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    (wheel,) = out.glob("*.whl")
    return wheel
