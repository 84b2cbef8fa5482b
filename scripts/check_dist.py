"""Check the distributions `make dist` built: one wheel and one sdist, the wheel the product alone.

    python scripts/check_dist.py DIST_DIR

The wheel may hold only the `pulumi_incident_statuses` package and its `.dist-info`: no emulator,
no harness, no tests. It must give the `incident-statuses` command, declare ranges (never exact
pins) for its requirements and keep the emulator behind the `emulator` extra. Nothing it installs
may be named as incident.io's own provider's files are, so that both install into one
virtualenv and neither replaces the other. Prints what it checked; exits 1 with every problem
found.
"""

from __future__ import annotations

import argparse
import configparser
import re
import sys
import tarfile
import zipfile
from collections.abc import Iterable
from email.parser import HeaderParser
from pathlib import Path

PACKAGE = "pulumi_incident_statuses"
COMMAND = "incident-statuses"
ENTRY_POINT = f"{PACKAGE}.tools.cli:main"
# Files the package cannot work without, beyond its modules.
PACKAGE_DATA = ("py.typed", "pulumi-plugin.json", "__init__.py")
# Whole folders of the repository that belong to other distributions or to development.
NOT_SHIPPED = ("incident_statuses_emulator", "incident_statuses_harness", "tests", "bench")
# incident.io's provider (PyPI `pulumi-incident`): its plugin, as the engine finds it on PATH, and
# its Python package. Release 0.2.0 installed a plugin of that name.
THEIRS = ("pulumi-resource-incident", "pulumi_incident")


def wheel_problems(wheel: Path) -> list[str]:
    """What is wrong with the wheel at ``wheel`` (an empty list: nothing)."""
    problems: list[str] = []
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        dist_info = next((n.split("/")[0] for n in names if ".dist-info/" in n), None)
        if dist_info is None:
            return [f"{wheel.name}: no .dist-info folder"]
        for name in names:
            top = name.split("/")[0]
            if top not in (PACKAGE, dist_info):
                problems.append(f"{wheel.name}: holds {name}, outside {PACKAGE}/")
        for data in PACKAGE_DATA:
            if f"{PACKAGE}/{data}" not in names:
                problems.append(f"{wheel.name}: {PACKAGE}/{data} is missing")
        metadata = HeaderParser().parsestr(archive.read(f"{dist_info}/METADATA").decode())
        entry_points = configparser.ConfigParser()
        if f"{dist_info}/entry_points.txt" in names:
            entry_points.read_string(archive.read(f"{dist_info}/entry_points.txt").decode())
    scripts = entry_points["console_scripts"] if "console_scripts" in entry_points else {}
    problems += [f"{wheel.name}: {found}" for found in named_like_theirs(names, scripts)]
    if scripts.get(COMMAND) != ENTRY_POINT:
        problems.append(f"{wheel.name}: no `{COMMAND} = {ENTRY_POINT}` console script")
    requires = metadata.get_all("Requires-Dist") or []
    for requirement in requires:
        if "==" in requirement.split(";")[0]:
            problems.append(f"{wheel.name}: requirement {requirement!r} is an exact pin")
    core = [r for r in requires if "extra ==" not in r]
    for name in ("pulumi", "requests"):
        spec = next((r for r in core if re.split(r"[<>=!~;\s\[]", r)[0] == name), None)
        if spec is None or "<" not in spec or ">=" not in spec:
            problems.append(f"{wheel.name}: {name} is not required as a range (got {spec!r})")
    emulator = [r for r in requires if r.startswith("incident-statuses-emulator")]
    if not emulator or any('extra == "emulator"' not in r for r in emulator):
        problems.append(f"{wheel.name}: the emulator is not (only) behind the `emulator` extra")
    return problems


def named_like_theirs(names: list[str], scripts: Iterable[str]) -> list[str]:
    """The wheel's files and console scripts named as incident.io's provider names its own."""
    found = [f"installs the command {script}" for script in scripts if script in THEIRS]
    for name in names:
        parts = name.split("/")
        if any(part in THEIRS or part.startswith(f"{THEIRS[1]}-") for part in parts):
            found.append(f"holds {name}, named as incident.io's provider's")
    return found


def sdist_problems(sdist: Path, version: str) -> list[str]:
    """What is wrong with the sdist at ``sdist`` for a wheel of ``version``."""
    problems: list[str] = []
    with tarfile.open(sdist) as archive:
        names = archive.getnames()
    root = names[0].split("/")[0] if names else ""
    if not root.endswith(f"-{version}"):
        problems.append(f"{sdist.name}: top folder {root!r} is not version {version}")
    for needed in ("pyproject.toml", "PKG-INFO", "CHANGELOG.md", f"provider/{PACKAGE}/__init__.py"):
        if f"{root}/{needed}" not in names:
            problems.append(f"{sdist.name}: {needed} is missing")
    for name in names:
        parts = name.split("/")
        if any(part in NOT_SHIPPED for part in parts[1:]):
            problems.append(f"{sdist.name}: holds {name}")
            break
    return problems


def check(dist: Path) -> list[str]:
    """Every problem with the distributions in ``dist``."""
    wheels = sorted(dist.glob("*.whl"))
    sdists = sorted(dist.glob("*.tar.gz"))
    if len(wheels) != 1 or len(sdists) != 1:
        return [
            f"{dist}: expected one wheel and one sdist, found "
            f"{[p.name for p in wheels]} and {[p.name for p in sdists]}"
        ]
    version = wheels[0].name.split("-")[1]
    return wheel_problems(wheels[0]) + sdist_problems(sdists[0], version)


def main(argv: list[str] | None = None) -> int:
    """Check the folder named on the command line; the process exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dist", type=Path, help="the folder `python -m build` wrote to")
    args = parser.parse_args(argv)
    problems = check(args.dist)
    for problem in problems:
        print(f"check_dist: {problem}", file=sys.stderr)
    if problems:
        return 1
    built = ", ".join(sorted(p.name for p in args.dist.iterdir()))
    print(
        f"check_dist: {built}: wheel holds only {PACKAGE}, gives `{COMMAND}`, ranges only, "
        "nothing named as incident.io's provider's"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
