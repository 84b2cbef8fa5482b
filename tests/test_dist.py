"""The distributions: one wheel holding the product alone, one sdist, and the check that says so.

`make dist` runs scripts/check_dist.py on what it builds; these tests build the same way, run
that check, and show it catches a wheel that carries more than the package or pins exactly.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from incident_statuses_harness.dist import load_check_dist
from incident_statuses_harness.engine import ROOT
from pulumi_incident_statuses.core import versions

check_dist = load_check_dist()


def _rewritten(wheel: Path, dest: Path, edit: dict[str, bytes | None]) -> Path:
    """A copy of ``wheel`` in ``dest`` with members replaced, added or (None) dropped."""
    dest.mkdir()
    copy = dest / wheel.name
    with zipfile.ZipFile(wheel) as source, zipfile.ZipFile(copy, "w") as target:
        for item in source.infolist():
            if item.filename not in edit:
                target.writestr(item, source.read(item))
        for name, data in edit.items():
            if data is not None:
                target.writestr(name, data)
    return copy


def test_the_built_wheel_and_sdist_pass_the_check(dist_dir: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "check_dist.py"), str(dist_dir)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    twine = subprocess.run(
        [sys.executable, "-m", "twine", "--no-color", "check", "--strict", *dist_dir.iterdir()],
        capture_output=True,
        text=True,
        check=False,
    )
    assert twine.returncode == 0, twine.stdout + twine.stderr


def test_the_wheel_holds_the_package_and_its_metadata_only(dist_dir: Path) -> None:
    (wheel,) = dist_dir.glob("*.whl")
    version = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"][
        "version"
    ]
    with zipfile.ZipFile(wheel) as archive:
        tops = {name.split("/")[0] for name in archive.namelist()}
    assert tops == {"pulumi_incident_statuses", f"pulumi_incident_statuses-{version}.dist-info"}


@pytest.mark.parametrize(
    ("edit", "complaint"),
    [
        ({"incident_statuses_emulator/__init__.py": b""}, "holds incident_statuses_emulator/"),
        ({"tests/test_cli.py": b""}, "holds tests/"),
        ({"pulumi_incident_statuses/py.typed": None}, "py.typed is missing"),
    ],
)
def test_the_check_refuses_a_wheel_with_more_or_less(
    dist_dir: Path, tmp_path: Path, edit: dict[str, bytes | None], complaint: str
) -> None:
    (wheel,) = dist_dir.glob("*.whl")
    problems = check_dist.wheel_problems(_rewritten(wheel, tmp_path / "bad", edit))
    assert any(complaint in problem for problem in problems), problems


def test_the_check_refuses_exact_pins_and_a_missing_command(dist_dir: Path, tmp_path: Path) -> None:
    (wheel,) = dist_dir.glob("*.whl")
    with zipfile.ZipFile(wheel) as archive:
        info = next(n.split("/")[0] for n in archive.namelist() if ".dist-info/" in n)
        metadata = archive.read(f"{info}/METADATA").decode()
    pinned = re.sub(
        r"^Requires-Dist: pulumi<4,>=[\d.]+$",
        "Requires-Dist: pulumi==3.272.0",
        metadata,
        flags=re.MULTILINE,
    )
    assert pinned != metadata
    bad = _rewritten(
        wheel,
        tmp_path / "bad",
        {f"{info}/METADATA": pinned.encode(), f"{info}/entry_points.txt": None},
    )
    problems = check_dist.wheel_problems(bad)
    assert any("'pulumi==3.272.0' is an exact pin" in p for p in problems), problems
    assert any("no `incident-statuses = " in p for p in problems), problems


def test_the_check_wants_one_wheel_and_one_sdist(dist_dir: Path, tmp_path: Path) -> None:
    (sdist,) = dist_dir.glob("*.tar.gz")
    shutil.copy2(sdist, tmp_path / sdist.name)
    assert check_dist.check(tmp_path) == [
        f"{tmp_path}: expected one wheel and one sdist, found [] and {[sdist.name]}"
    ]


@pytest.mark.parametrize(
    "requirements",
    sorted(ROOT.glob("templates/*/requirements.txt")),
    ids=lambda path: path.parent.name,
)
def test_what_the_templates_require_admits_this_release(requirements: Path) -> None:
    """`pulumi new` installs a template's requirements.txt from the wheel `make dist` builds, so
    its range for this package must take this release (a version bump that forgets it breaks
    `pulumi new`)."""
    wanted = [
        Requirement(line)
        for line in requirements.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    ours = [r for r in wanted if canonicalize_name(r.name) == "pulumi-incident-statuses"]
    assert len(ours) == 1, wanted
    assert ours[0].specifier.contains(versions.package()), (str(ours[0]), versions.package())
