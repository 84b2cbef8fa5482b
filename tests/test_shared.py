"""No test changes what the tests share: the fingerprint that would show it, the plugin that fails
the test and the session that did, and the layer a test installs into instead."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from incident_statuses_harness.engine import ROOT
from incident_statuses_harness.shared import changes, fingerprint
from incident_statuses_harness.user import layered_venv

pytest_plugins = ["pytester"]


def venv_like(folder: Path) -> Path:
    """A folder laid out as a virtualenv: one distribution installed, one command."""
    site_packages = folder / "lib" / "python3.11" / "site-packages"
    (site_packages / "tool-1.0.dist-info").mkdir(parents=True)
    (site_packages / "tool").mkdir()
    (folder / "bin").mkdir()
    (folder / "bin" / "tool").write_text("#!/bin/sh\n", "utf-8")
    return folder


def test_the_fingerprint_shows_an_install_an_upgrade_and_a_removal(tmp_path: Path) -> None:
    venv = venv_like(tmp_path / "venv")
    site_packages = venv / "lib" / "python3.11" / "site-packages"
    built = fingerprint(venv)

    # What running programs write is no change.
    (site_packages / "__pycache__").mkdir()
    assert changes(built, fingerprint(venv)) == []

    (site_packages / "extra-2.0.dist-info").mkdir()
    (site_packages / "extra.pth").write_text("/somewhere\n", "utf-8")
    (site_packages / "tool-1.0.dist-info").rename(site_packages / "tool-1.1.dist-info")
    assert changes(built, fingerprint(venv)) == [
        "+ site-packages/extra-2.0.dist-info",
        "+ site-packages/extra.pth",
        "- site-packages/tool-1.0.dist-info",
        "+ site-packages/tool-1.1.dist-info",
    ]

    # A command written again over the same name: its size and time change.
    upgraded = fingerprint(venv)
    (venv / "bin" / "tool").write_text("#!/bin/sh\nexec true\n", "utf-8")
    found = changes(upgraded, fingerprint(venv))
    assert [line.split()[:2] for line in found] == [["-", "bin/tool"], ["+", "bin/tool"]]


GUARDED_CONFTEST = """
from pathlib import Path

from incident_statuses_harness.shared import Shared, SharedEnvironments, fingerprint

VENV = Path({venv!r})


def pytest_configure(config):
    at_start = fingerprint(VENV)
    config.pluginmanager.register(SharedEnvironments([Shared(VENV, lambda: at_start)]))
"""

BETWEEN_TESTS = """

def pytest_collection_finish(session):
    (VENV / "bin" / "installed-by-a-hook").write_text("")
"""

TESTS = """
from pathlib import Path

SITE_PACKAGES = Path({venv!r}) / "lib" / "python3.11" / "site-packages"


def test_reads():
    assert (SITE_PACKAGES / "tool").is_dir()


def test_installs_into_the_shared_one():
    (SITE_PACKAGES / "sdk-0.0.0.dist-info").mkdir()


def test_reads_afterwards():
    assert (SITE_PACKAGES / "tool").is_dir()
"""


def test_a_test_that_installs_into_a_shared_venv_fails_by_name(
    pytester: pytest.Pytester, tmp_path: Path
) -> None:
    venv = venv_like(tmp_path / "shared-venv")
    pytester.makeconftest(GUARDED_CONFTEST.format(venv=str(venv)))
    pytester.makepyfile(test_guarded=TESTS.format(venv=str(venv)))

    result = pytester.runpytest()

    # Only the test that installed fails, at its teardown, saying what it added.
    result.assert_outcomes(passed=3, errors=1)
    result.stdout.fnmatch_lines([
        "*ERROR at teardown of test_installs_into_the_shared_one*",
        "a shared virtualenv changed while test_guarded.py::test_installs_into_the_shared_one*",
        f"{venv}:",
        "  + site-packages/sdk-0.0.0.dist-info",
    ])
    # And the session, at its end, names it again.
    result.stdout.fnmatch_lines([
        "*shared virtualenvs changed during the run*",
        f"{venv}:",
        "  + site-packages/sdk-0.0.0.dist-info",
        "changed while these tests ran: test_guarded.py::test_installs_into_the_shared_one",
    ])
    assert result.ret == pytest.ExitCode.TESTS_FAILED


def test_a_change_no_test_saw_fails_the_session(
    pytester: pytest.Pytester, tmp_path: Path
) -> None:
    venv = venv_like(tmp_path / "shared-venv")
    pytester.makeconftest(GUARDED_CONFTEST.format(venv=str(venv)) + BETWEEN_TESTS)
    pytester.makepyfile(test_guarded="def test_reads():\n    pass\n")

    result = pytester.runpytest()

    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines([
        "*shared virtualenvs changed during the run*",
        f"{venv}:",
        "  + bin/installed-by-a-hook 0 *",
        "no test saw it change: it changed between tests, or outside the run",
    ])
    assert result.ret == pytest.ExitCode.TESTS_FAILED


PROBE = """\
[build-system]
requires = ["setuptools"]
build-backend = "setuptools.build_meta"

[project]
name = "layered-probe"
version = "0.1"
"""


def test_pip_installs_into_the_layer_and_not_below(tmp_path: Path) -> None:
    below = ROOT / ".venv"
    built = fingerprint(below)
    layer = layered_venv(below, tmp_path / "layer")
    python = str(layer / "bin" / "python")
    project = tmp_path / "probe"
    (project / "layered_probe").mkdir(parents=True)
    (project / "layered_probe" / "__init__.py").write_text("", "utf-8")
    (project / "pyproject.toml").write_text(PROBE, "utf-8")

    subprocess.run(
        [python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-deps",
         "--no-build-isolation", "--no-index", str(project)],
        check=True, timeout=120,
    )

    assert changes(built, fingerprint(below)) == []
    (site_packages,) = layer.glob("lib/python*/site-packages")
    assert (site_packages / "layered_probe-0.1.dist-info").is_dir()
    # pip in the layer lists both layers, as the language host reads them; the package below
    # imports from there.
    listed = subprocess.run(
        [python, "-m", "pip", "list", "--format", "json", "--disable-pip-version-check"],
        capture_output=True, text=True, check=True,
    )
    names = {package["name"] for package in json.loads(listed.stdout)}
    assert {"layered-probe", "pulumi-incident-statuses", "pulumi"} <= names
    # The commands below are there too, but not pip's: they would install below.
    assert (layer / "bin" / "pulumi-resource-incident-statuses").exists()
    assert not (layer / "bin" / "pip").exists()
