"""The checkout's distributions, built as `make dist` builds them, for tests that install them."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from incident_statuses_harness.engine import ROOT

# What a build reads: the package's sources and the files pyproject.toml and MANIFEST.in name.
SOURCES = ("pyproject.toml", "MANIFEST.in", "README.md", "CHANGELOG.md", "provider")


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
