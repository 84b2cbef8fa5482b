"""What a user sees when something is wrong, on the path users type: a project folder with its
own virtualenv (the package pip-installed), the `pulumi` CLI, an emulator process.

`pulumi preview` fails where `up` would (a name held outside the stack, a refused key) with one
list request at most and never a write; a refresh after a dashboard edit shows only what the
program declares. (An unreachable API, no key, and the rest of what a preview must refuse:
test_second_week_engine.py.)
Each failure is this package's message, once per resource, with no Python traceback.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from incident_statuses_emulator.process import EmulatorProcess
from incident_statuses_harness.engine import STATUSES_SOURCE, configurable, stats
from incident_statuses_harness.organisation import edit, seed
from incident_statuses_harness.user import Cli, shell, user_project
from pulumi_incident_statuses.core.settings import ENV_API_KEY, Origin

pytestmark = pytest.mark.engine

ERRORS = "pulumi_incident_statuses."


def project(tmp_path: Path, specs: list[dict[str, Any]], venv: Path) -> Path:
    folder = user_project(tmp_path / "my-statuses", STATUSES_SOURCE, venv)
    write(folder, specs)
    return folder


def write(folder: Path, specs: list[dict[str, Any]]) -> None:
    (folder / "program.json").write_text(json.dumps(specs), encoding="utf-8")


def diagnostic(output: str, resource: str) -> list[str]:
    """The lines the engine's Diagnostics section gives one of our resources."""
    lines = output.splitlines()
    header = f"  pulumi-python:dynamic/incident:IncidentStatus ({resource}):"
    assert header in lines, output
    body: list[str] = []
    for line in lines[lines.index(header) + 1 :]:
        if line.strip() and not line.startswith("    "):
            break
        if line.strip():
            body.append(line.strip())
    return body


def only_error(output: str, resource: str, error_type: str) -> str:
    """The resource's one diagnostic line: our message alone, no trace, no second copy."""
    lines = diagnostic(output, resource)
    assert len(lines) == 1, "\n".join(lines)
    assert lines[0].startswith(f"error: {ERRORS}{error_type}: "), lines[0]
    assert "Traceback" not in output
    return lines[0]


def requests_during(pulumi: Cli, emulator: EmulatorProcess, *args: str) -> tuple[Any, int, int]:
    """Run `pulumi args` (allowed to fail); what it printed, requests and writes it sent."""
    before = stats(emulator.url)
    done = pulumi(*args, check=False)
    after = stats(emulator.url)
    return done, after["total"] - before["total"], after["writes"] - before["writes"]


def test_preview_fails_where_up_would_and_a_refresh_shows_only_declared_fields(
    tmp_path: Path, emulator: EmulatorProcess, user_venv: Path
) -> None:
    held = seed(
        emulator.url, ({"name": "Fixing", "description": "Made by hand", "category": "live"},)
    )["Fixing"]["id"]
    specs: list[dict[str, Any]] = [
        {"resource": "fixing", "name": "Fixing", "description": "Fixing it", "category": "live"},
        {"resource": "mending", "name": "Mending", "description": "Mending", "category": "live"},
        {
            "resource": "after",
            "name": "After",
            "description": "Looking back",
            "category": "learning",
            "rank": 5,
        },
    ]
    folder = project(tmp_path, specs, user_venv)
    pulumi = shell(tmp_path, folder, emulator)
    pulumi("stack", "init", "dev")

    # A name someone else holds: preview fails on that status, with one list and no write.
    preview, sent, written = requests_during(pulumi, emulator, "preview")
    assert preview.returncode != 0
    line = only_error(preview.stdout, "fixing", "StatusConflictError")
    assert f"the existing status {held} (live)" in line and f"import_id={held!r}" in line
    assert (sent, written) == (1, 0)

    # A key the API refuses: the authentication error (the engine stops at the first status
    # that fails), one request.
    pulumi.env[ENV_API_KEY] = "not-the-key"
    refused, sent, written = requests_during(pulumi, emulator, "preview")
    assert refused.returncode != 0
    failing = [r for r in ("fixing", "mending", "after") if f"({r}):" in refused.stdout]
    assert failing, refused.stdout
    for resource in failing:
        line = only_error(refused.stdout, resource, "AuthenticationError")
        assert line.endswith(f" — {Origin(api_key=ENV_API_KEY).key_hint()}")
    assert (sent, written) == (1, 0)

    # Adopt the held status instead; then someone edits one declared without a rank.
    pulumi.env[ENV_API_KEY] = "emulator-api-key"
    specs[0]["import_id"] = held
    write(folder, specs)
    pulumi("up", "--yes")
    mending = configurable(emulator.url)["Mending"]["id"]
    edit(emulator.url, mending, name="Mending", description="Edited in the dashboard")

    refresh = pulumi("refresh", "--yes")
    assert "mending updated (" in refresh.stdout and "[diff: ~description]" in refresh.stdout
    assert "rank" not in refresh.stdout, refresh.stdout
    preview = pulumi("preview", "--diff")
    assert '"Edited in the dashboard" => "Mending"' in preview.stdout, preview.stdout
    assert "rank" not in preview.stdout, preview.stdout
