"""The Pulumi SDK the package needs: one floor, declared everywhere alike, checked at run time."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from pulumi_incident_statuses.core import versions as sdk
from pulumi_incident_statuses.plugin import server

# The checkout, also where `make test-matrix` runs these tests against an installed wheel.
ROOT = Path(__file__).resolve().parent.parent


def _requirements(pyproject: Path) -> list[str]:
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    return [r.replace(" ", "") for r in project["dependencies"]]


def test_the_floor_is_declared_alike_by_the_package_harness_template_and_plugin() -> None:
    assert sdk.REQUIREMENT == "pulumi>=3.230.0,<4"
    assert sdk.REQUIREMENT in _requirements(ROOT / "pyproject.toml")
    assert sdk.REQUIREMENT in _requirements(ROOT / "harness" / "pyproject.toml")
    template = ROOT / "templates" / "incident-statuses-python" / "requirements.txt"
    assert sdk.REQUIREMENT in template.read_text(encoding="utf-8").split()
    assert sdk.REQUIREMENT in server.missing_sdk("3.200.0", "provider interface")


@pytest.mark.parametrize("version", ["3.230.0", "3.230.1", "3.231.0a1712345678", "3.272.0"])
def test_the_floor_and_newer_will_do(version: str) -> None:
    assert sdk.problem(version) is None


@pytest.mark.parametrize("version", ["3.229.0", "3.216.0", "3.99.1", "2.25.2"])
def test_an_older_sdk_is_named_with_the_one_needed_and_how_to_get_it(version: str) -> None:
    message = sdk.problem(version)
    assert message is not None
    assert f"pulumi {version}" in message
    assert "needs pulumi 3.230.0 or newer" in message
    assert f"-m pip install '{sdk.REQUIREMENT}'" in message


def test_no_sdk_at_all_is_named_too() -> None:
    message = sdk.problem(None)
    assert message is not None
    assert "has no `pulumi` package" in message


# An interpreter that reports an older pulumi, then loads the package's resources as a program
# (or the provider process unpickling one) does.
OLDER_SDK = """
import importlib.metadata

reported = importlib.metadata.version
importlib.metadata.version = lambda name: "3.200.0" if name == "pulumi" else reported(name)

import pulumi

try:
    from pulumi_incident_statuses import IncidentStatus
except pulumi.RunError as error:
    print(error)
else:
    print("loaded")
"""


def test_loading_the_resources_with_an_older_sdk_stops_with_the_message() -> None:
    done = subprocess.run(
        [sys.executable, "-c", OLDER_SDK], capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == sdk.problem("3.200.0")


def test_loading_the_resources_with_this_sdk_passes() -> None:
    done = subprocess.run(
        [sys.executable, "-c", OLDER_SDK.replace('"3.200.0"', '"3.230.0"')],
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.strip() == "loaded"
