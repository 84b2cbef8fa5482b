"""The template: `pulumi new` from it makes a project whose `pulumi up` and `destroy` work.

As a user starting from the template would: `pulumi new <template> --yes` makes the project's own
virtualenv and installs its requirements.txt there, the package from the wheel this checkout
builds (found through PIP_FIND_LINKS) and everything else at the versions of constraints.txt.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from incident_statuses_emulator.process import EmulatorProcess
from incident_statuses_harness.engine import ROOT, server_statuses
from incident_statuses_harness.user import Cli, shell

pytestmark = pytest.mark.engine

TEMPLATE = ROOT / "templates" / "incident-statuses-python"
LIFECYCLE = ["Assessing impact", "Mitigating", "Watching the fix"]


def _live(emulator: EmulatorProcess) -> list[str]:
    statuses = sorted(server_statuses(emulator.url), key=lambda s: s["rank"])
    return [s["name"] for s in statuses if s["category"] == "live"]


def test_pulumi_new_from_the_template_then_up_and_destroy(
    tmp_path: Path, emulator: EmulatorProcess, dist_dir: Path
) -> None:
    project = tmp_path / "project"
    pulumi = shell(tmp_path, project, emulator)
    pulumi.env.pop("VIRTUAL_ENV", None)
    pulumi.env.update(
        PIP_FIND_LINKS=" ".join(filter(None, [str(dist_dir), os.environ.get("PIP_FIND_LINKS")])),
        PIP_CONSTRAINT=str(ROOT / "constraints.txt"),
    )
    new = Cli(tmp_path, pulumi.env)
    new("new", str(TEMPLATE), "--dir", str(project), "--name", "from-template", "--stack", "dev",
        "--yes")

    # The project's virtualenv has the package from the wheel, with its command.
    venv = project / "venv" / "bin"
    where = subprocess.run(
        [venv / "python", "-c", "import pulumi_incident_statuses as p; print(p.__file__)"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert Path(where).is_relative_to(project / "venv"), where
    command = subprocess.run(
        [venv / "incident-statuses", "--help"], capture_output=True, text=True, check=False
    )
    assert command.returncode == 0, command.stderr
    assert "generate" in command.stdout

    up = pulumi("up", "--yes", "--skip-preview").stdout
    assert "5 created" in up
    assert _live(emulator)[: len(LIFECYCLE)] == LIFECYCLE

    destroy = pulumi("destroy", "--yes", "--skip-preview").stdout
    assert "5 deleted" in destroy
    assert not set(LIFECYCLE) & set(_live(emulator))
