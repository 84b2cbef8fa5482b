"""The path users type: `pulumi` commands in a project folder, for the demo stack and every example.

Each project is copied file for file into a temporary folder laid out as in the checkout (with
`.venv` there linking to the checkout's virtualenv), so that edits and stack files stay out of the
checkout, and then driven with the `pulumi` CLI exactly as CONTRIBUTING.md shows: the CLI starts
the Python language host, which runs the program in the project's virtualenv.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from incident_statuses_emulator.process import EmulatorProcess
from incident_statuses_harness.engine import (
    API_KEY,
    ROOT,
    configurable,
    server_statuses,
    write_project,
)
from incident_statuses_harness.organisation import MANAGED, edit, seed
from incident_statuses_harness.user import shell, user_project
from pulumi_incident_statuses.core.tokens import DYNAMIC_ORDER, DYNAMIC_STATUS

pytestmark = pytest.mark.engine


def copy_project(tmp_path: Path, project: str) -> Path:
    """The checkout's project `project` ("." for the root) under `tmp_path`; where to run it."""
    checkout = tmp_path / "checkout"
    checkout.mkdir()
    (checkout / ".venv").symlink_to(ROOT / ".venv")
    if project == ".":
        shutil.copy2(ROOT / "Pulumi.yaml", checkout / "Pulumi.yaml")
        program = "examples/lifecycle"
    else:
        program = project
    shutil.copytree(
        ROOT / program,
        checkout / program,
        symlinks=True,
        ignore=shutil.ignore_patterns("__pycache__", "Pulumi.*.yaml"),
    )
    return checkout / project


def changed_lines(preview: str) -> list[str]:
    """The lines of `pulumi preview --diff` that mark a change (+, -, ~ at their start)."""
    marks = ("+", "-", "~")
    return [line.strip() for line in preview.splitlines() if line.lstrip().startswith(marks)]


# project, the status an edit and a hand edit target, the program file that declares it
PROJECTS = {
    ".": ("Investigating", "examples/lifecycle/__main__.py"),
    "examples/lifecycle": ("Investigating", "examples/lifecycle/__main__.py"),
    "examples/adopt": ("Monitoring", "examples/adopt/__main__.py"),
}


@pytest.mark.parametrize("project", list(PROJECTS))
def test_project_through_the_cli(project: str, tmp_path: Path, emulator: EmulatorProcess) -> None:
    """Every project runs as typed in its own folder; the demo stack (the root) goes through a
    whole week: an edit, a hand edit refreshed, an export and import, a destroy."""
    target, program_file = PROJECTS[project]
    folder = copy_project(tmp_path, project)
    # The root stack keeps its key in secret stack config, the examples in the environment.
    key_in_config = project == "."
    pulumi = shell(tmp_path, folder, emulator, key_in_env=not key_in_config)

    pulumi("stack", "init", "dev")
    if key_in_config:
        pulumi("config", "set", "--secret", "incident:apiKey", API_KEY)
    if project == "examples/adopt":
        made = seed(
            emulator.url,
            ({"name": "Monitoring", "description": "set up by hand", "category": "live"},),
        )
        pulumi("config", "set", "monitoringId", made["Monitoring"]["id"])

    up = pulumi("up", "--yes")
    assert "error" not in up.stdout.lower(), up.stdout
    held = configurable(emulator.url)
    ids = {name: status["id"] for name, status in held.items()}
    assert target in ids
    outputs = pulumi.outputs()
    exported_ids = json.dumps(outputs)
    assert all(status_id in exported_ids for status_id in ids.values())
    if project != ".":
        # The same program as the root's (lifecycle), or one whose own run is tested beside it
        # (adopt, test_adopt_engine.py): that it runs from its folder is what this adds.
        pulumi("preview", "--expect-no-changes")
        pulumi("destroy", "--yes")
        assert configurable(emulator.url) == {}
        return

    # An edit of one description: the diff shows that one field and nothing else.
    program = tmp_path / "checkout" / program_file
    declared = held[target]["description"]
    text = program.read_text(encoding="utf-8")
    assert text.count(declared) == 1, "the test edits the one description it can find"
    program.write_text(text.replace(declared, "Edited in the program."), encoding="utf-8")
    preview = pulumi("preview", "--diff").stdout
    steps = preview.split("--outputs:--")[0].split("\nResources:")[0]
    summary = preview.split("\nResources:")[1]
    assert changed_lines(steps) == [
        "~ pulumi-python:dynamic/incident:IncidentStatus: (update)",
        f'~ description: "{declared}" => "Edited in the program."',
    ], preview
    assert "~ 1 to update" in summary, preview

    # Drift made by hand: refresh records it, up applies the program (the edit included).
    edit(emulator.url, ids[target], name=target, description="changed in the dashboard")
    refresh = pulumi("refresh", "--yes").stdout
    assert "1 updated" in refresh or "~ 1 updated" in refresh, refresh
    pulumi("up", "--yes")
    assert configurable(emulator.url)[target]["description"] == "Edited in the program."
    assert {n: s["id"] for n, s in configurable(emulator.url).items()} == ids

    # Export and import round trip, every resource of ours of our type: nothing to do after.
    exported = tmp_path / "exported.json"
    pulumi("stack", "export", "--file", str(exported))
    resources = json.loads(exported.read_text(encoding="utf-8"))["deployment"]["resources"]
    ours = [r for r in resources if not r["type"].startswith("pulumi:")]
    assert {r["type"] for r in ours} == {DYNAMIC_STATUS, DYNAMIC_ORDER}
    assert {r["id"] for r in ours if r["type"] == DYNAMIC_STATUS} == set(ids.values())
    pulumi("stack", "import", "--file", str(exported))
    pulumi("preview", "--expect-no-changes")

    pulumi("destroy", "--yes")
    assert configurable(emulator.url) == {}
    assert {status["name"] for status in server_statuses(emulator.url)} == set(MANAGED)


NEW_PROJECT = '''"""A user's first stack."""

import pulumi

from pulumi_incident_statuses import IncidentStatus

triaging = IncidentStatus(
    "triaging",
    name="Triaging",
    description="Someone is looking at it.",
    category="live",
)
pulumi.export("triaging", triaging.id)
'''


def test_a_new_project_with_the_package_pip_installed(
    tmp_path: Path, emulator: EmulatorProcess, user_venv: Path
) -> None:
    # The product alone: neither the emulator nor its HTTP server comes with it.
    probe = (
        "import importlib.util as u; "
        "print(u.find_spec('aiohttp'), u.find_spec('incident_statuses_emulator'))"
    )
    python = str(user_venv / "bin" / "python")
    found = subprocess.run([python, "-c", probe], capture_output=True, text=True)
    assert found.stdout == "None None\n", found.stderr
    folder = user_project(tmp_path / "my-statuses", NEW_PROJECT, user_venv)
    pulumi = shell(tmp_path, folder, emulator)
    pulumi("stack", "init", "dev")
    # The language host takes a package named pulumi-* for a provider unless it says otherwise.
    about = json.loads(pulumi("about", "--json").stdout)
    assert [plugin["name"] for plugin in about["plugins"]] == ["python"]
    pulumi("up", "--yes")
    held = configurable(emulator.url)
    assert list(held) == ["Triaging"]
    assert pulumi.outputs() == {"triaging": held["Triaging"]["id"]}
    pulumi("preview", "--expect-no-changes")
    pulumi("destroy", "--yes")
    assert configurable(emulator.url) == {}


def test_rotating_the_key_in_stack_config(tmp_path: Path, emulator_factory: Any) -> None:
    organisation = tmp_path / "organisation.db"
    before = emulator_factory(db_path=organisation, api_key="key-before-rotation")
    folder = write_project(tmp_path / "project", NEW_PROJECT, name="rotation")
    pulumi = shell(tmp_path, folder, before, key_in_env=False)
    pulumi("stack", "init", "dev")
    pulumi("config", "set", "--secret", "incident:apiKey", "key-before-rotation")
    pulumi("up", "--yes")

    # The organisation revokes the old key and issues a new one; the user puts it in config.
    before.stop()
    after = emulator_factory(db_path=organisation, api_key="key-after-rotation")
    pulumi.env["INCIDENT_ENDPOINT"] = after.url
    pulumi("config", "set", "--secret", "incident:apiKey", "key-after-rotation")

    # Refresh and destroy configure the provider from state: the old key, now refused.
    for command in ("refresh", "destroy"):
        refused = pulumi(command, "--yes", check=False)
        assert refused.returncode != 0
        assert "401 authentication_error" in refused.stdout, refused.stdout
        assert "add --run-program" in refused.stdout
    assert list(configurable(after.url, "key-after-rotation")) == ["Triaging"]

    # With the program run, they use the stack config as it is now; and so does what follows.
    pulumi("refresh", "--yes", "--run-program")
    pulumi("destroy", "--yes")
    assert configurable(after.url, "key-after-rotation") == {}
