"""Hundreds of `IncidentStatus` beside a dynamic provider the user wrote in the program file.

The SDK wraps the pickler once more for every dynamic resource it serializes (pulumi/pulumi#17803);
a provider pickled by value walks every wrap. Our resources leave the pickler as they found it,
so the user's provider serializes after any number of them: through `pulumi up` in a project
folder, and in an Automation API process that runs `up` again and again.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from incident_statuses_emulator.process import DEFAULT_API_KEY, EmulatorProcess
from incident_statuses_harness.engine import (
    ROOT,
    ProjectStack,
    configurable,
    toolchain,
    write_project,
)
from incident_statuses_harness.workspace import open_stack

pytestmark = pytest.mark.engine

USER_PROVIDER = '''
import pulumi
from pulumi.dynamic import CreateResult, Resource, ResourceProvider

from pulumi_incident_statuses import IncidentStatus

THRESHOLD = 3


class Pager(ResourceProvider):
    """A user's own provider, pickled by value because it lives in the program file."""

    def create(self, props):
        return CreateResult(f"pager-{props['team']}", {**props, "threshold": THRESHOLD})


class PagerRule(Resource):
    def __init__(self, name, team):
        super().__init__(Pager(), name, {"team": team, "threshold": None})


def declare(count):
    for i in range(count):
        IncidentStatus(
            f"status-{i:03d}",
            name=f"Mixed status {i:03d}",
            description=f"Declared beside a user's provider, number {i}.",
            category="live",
        )
    rule = PagerRule("pager", "on-call")
    pulumi.export("threshold", rule.threshold)
'''


def project(folder: Path, count: int) -> Path:
    """A project folder as `pulumi new` would leave it, with `count` statuses in the program."""
    return write_project(folder, USER_PROVIDER + f"\n\ndeclare({count})\n", name="mixed")


def test_500_statuses_then_a_user_provider_up_and_destroy(
    tmp_path: Path, emulator: EmulatorProcess
) -> None:
    folder = project(tmp_path / "mixed", 500)
    stack = ProjectStack(
        open_stack(
            "mixed",
            "test",
            None,
            # The file backend rewrites the whole snapshot after every step, which for 500
            # creates is 80% of the run's CPU (53 s against 9 s measured); the engine's own
            # switch to save it once at the end keeps this test about pickling.
            toolchain(
                tmp_path / "state",
                {"INCIDENT_API_KEY": DEFAULT_API_KEY, "PULUMI_SKIP_CHECKPOINTS": "true"},
            ),
            work_dir=folder,
            config={"incident:endpoint": emulator.url},
        ),
        folder,
    )

    up = stack.up()
    assert up.summary.resource_changes == {"create": 502}
    assert up.outputs["threshold"].value == 3
    assert len(configurable(emulator.url)) == 500

    destroy = stack.destroy()
    assert destroy.summary.resource_changes == {"delete": 502}
    assert configurable(emulator.url) == {}


AUTOMATION_PROCESS = '''
import pickle
import sys

from incident_statuses_harness.workspace import Toolchain, open_stack

{user_provider}

root, state, runs, count = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
stack = open_stack("mixed", "test", lambda: declare(count), Toolchain.for_checkout(
    __import__("pathlib").Path(root), state_dir=__import__("pathlib").Path(state)))



def sorting_wraps():
    """How many closures the SDK has stacked on `pickle._Pickler._batch_setitems` here."""
    depth, method = 0, pickle._Pickler._batch_setitems
    while method.__closure__:
        depth += 1
        method = method.__closure__[0].cell_contents
    return depth


for run in range(runs):
    changes = stack.up().summary.resource_changes
    print(run, sorted(changes.items()), sorting_wraps(), flush=True)
'''


def test_automation_process_runs_up_3_times(tmp_path: Path, emulator: EmulatorProcess) -> None:
    # Without the fix every status stacks a wrap that outlives its run: 100 a run here, counted
    # below; at 300 a run, 4 runs pass Python's recursion limit (`make bench` runs 2,000).
    script = tmp_path / "automation.py"
    script.write_text(
        AUTOMATION_PROCESS.format(user_provider=textwrap.indent(USER_PROVIDER, "").strip())
    )
    env = {
        **os.environ,
        "INCIDENT_API_KEY": DEFAULT_API_KEY,
        "INCIDENT_ENDPOINT": emulator.url,
    }
    finished = subprocess.run(
        [sys.executable, str(script), str(ROOT), str(tmp_path / "state"), "3", "100"],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert finished.returncode == 0, finished.stdout[-3000:] + finished.stderr[-3000:]
    # Each run's user resource adds the SDK's one wrap; the statuses add none.
    assert finished.stdout.splitlines() == [
        f"{run} [('{'create' if run == 0 else 'same'}', 102)] {run + 1}" for run in range(3)
    ]
    assert len(configurable(emulator.url)) == 100
