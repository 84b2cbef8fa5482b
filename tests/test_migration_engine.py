"""A stack made with release 0.2.0's plugin moves to this release's, through the engine.

Release 0.2.0 called its plugin's package `incident`, as incident.io's own provider is called.
The test builds that release from this repository's history (`git archive` of its commit, a
wheel built as `make dist` builds one), installs it in a layer of its own over the user's
virtualenv and runs a YAML stack with its plugin against the emulator: two statuses and their
order through the default provider, one status through an explicit provider. Then, as an upgrade
leaves things, the old plugin is gone, and the stack moves across the way
`incident-statuses generate --import-file --stack` says, every command as it prints it: nothing is
written to incident.io, the statuses keep their ids, the next `pulumi up` writes nothing and
`pulumi destroy` deletes them.
"""

from __future__ import annotations

import json
import shlex
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from incident_statuses_emulator.process import EmulatorProcess
from incident_statuses_harness.dist import RELEASE_0_2_0, build_release
from incident_statuses_harness.engine import configurable, stats
from incident_statuses_harness.user import Cli, layered_venv, shell
from pulumi_incident_statuses.core import tokens

pytestmark = pytest.mark.engine

PROGRAM = """\
name: statuses
runtime: yaml
plugins:
  providers:
    - name: %(package)s
      path: %(plugins)s
resources:
  org-b:
    type: pulumi:providers:%(package)s
    properties: {endpoint: "%(endpoint)s"}
  fixing:
    type: %(package)s:index:IncidentStatus
    properties: {name: Fixing, description: A fix is under way., category: live}
  monitoring:
    type: %(package)s:index:IncidentStatus
    properties: {name: Monitoring, description: Watching the fix., category: live}
  reviewing:
    type: %(package)s:index:IncidentStatus
    properties: {name: Reviewing, description: Looking back., category: learning}
    options: {provider: "${org-b}"}
  live-order:
    type: %(package)s:index:IncidentStatusOrder
    properties: {category: live, statuses: ["${monitoring.id}", "${fixing.id}"]}
"""
"""One program, as release 0.2.0's plugin took it and, with the package renamed, as this one's."""


def install_release_0_2_0(base: Path, tmp_path: Path) -> Path:
    """Release 0.2.0 built from the repository's history and installed, without its
    requirements, in a virtualenv layered over ``base`` (which has them); that virtualenv."""
    wheel = build_release(RELEASE_0_2_0, tmp_path)
    venv = layered_venv(base, tmp_path / "venv-0.2.0")
    subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "--no-deps",
         "--disable-pip-version-check", str(wheel)],
        check=True,
        timeout=120,
    )
    return venv


def resources(pulumi: Cli) -> list[dict[str, Any]]:
    """The stack's resources as `pulumi stack export` prints them."""
    found: list[dict[str, Any]] = json.loads(pulumi("stack", "export").stdout)["deployment"][
        "resources"
    ]
    return found


def printed_commands(stderr: str) -> list[list[str]]:
    """The `pulumi` commands a message of `incident-statuses` gives, each as its words."""
    lines = (line.strip() for line in stderr.splitlines())
    return [shlex.split(line) for line in lines if line.startswith("pulumi ")]


def test_a_stack_of_release_0_2_0_moves_across_writing_nothing(
    tmp_path: Path, emulator: EmulatorProcess, user_venv: Path
) -> None:
    old = install_release_0_2_0(user_venv, tmp_path)
    folder = tmp_path / "project"
    folder.mkdir()
    program = folder / "Pulumi.yaml"
    settings = {"endpoint": emulator.url}
    program.write_text(
        PROGRAM % {"package": "incident", "plugins": old / "bin", **settings}, "utf-8"
    )
    pulumi = shell(tmp_path, folder, emulator)
    pulumi("stack", "init", "dev")
    pulumi("up", "--yes")
    made = {name: status["id"] for name, status in configurable(emulator.url).items()}
    assert sorted(made) == ["Fixing", "Monitoring", "Reviewing"]
    served = sorted(r["type"] for r in resources(pulumi) if r["type"] != "pulumi:pulumi:Stack")
    assert served == [
        "incident:index:IncidentStatus", "incident:index:IncidentStatus",
        "incident:index:IncidentStatus", "incident:index:IncidentStatusOrder",
        "pulumi:providers:incident", "pulumi:providers:incident",
    ]
    writes = stats(emulator.url)["writes"]

    # The upgrade: release 0.2.0, its plugin with it, is gone.
    shutil.rmtree(old)
    assert shutil.which("pulumi-resource-incident", path=pulumi.env["PATH"]) is None
    generate = pulumi.run(
        user_venv / "bin" / "incident-statuses",
        "generate", "--import-file", "--stack", "dev", "--out", "import.json",
    )
    document = json.loads((folder / "import.json").read_text("utf-8"))
    assert sorted((r["name"], r["id"], r.get("provider")) for r in document["resources"]) == [
        ("fixing", made["Fixing"], None),
        ("monitoring", made["Monitoring"], None),
        ("reviewing", made["Reviewing"], "org-b"),
    ]
    assert {r["type"] for r in document["resources"]} == {tokens.STATUS}
    commands = printed_commands(generate.stderr)
    deletes = [argv[-1] for argv in commands if argv[1:3] == ["state", "delete"]]
    # Dependents first: the order before its statuses, the providers last (in either order).
    assert tokens.resource_name(deletes[0]) == "live-order", generate.stderr
    assert {tokens.resource_name(urn) for urn in deletes[-2:]} == {"default", "org-b"}
    assert [argv[1] for argv in commands[len(deletes):]] == ["up", "import"], generate.stderr

    for argv in commands:
        if argv[1] != "state" and "incident-statuses" not in program.read_text("utf-8"):
            # The program as the message says to change it, before any command that runs it
            # or the new plugin. The key is in the environment, which both releases read.
            program.write_text(
                PROGRAM % {"package": tokens.PACKAGE, "plugins": user_venv / "bin", **settings},
                "utf-8",
            )
        pulumi(*argv[1:])
    assert stats(emulator.url)["writes"] == writes
    legacy = {tokens.LEGACY_STATUS, tokens.LEGACY_ORDER, tokens.LEGACY_PROVIDER}
    assert not [r["urn"] for r in resources(pulumi) if r["type"] in legacy]

    # The next `up` creates the order in the state: the statuses are in its order already.
    pulumi("up", "--yes")
    pulumi("preview", "--expect-no-changes")
    assert stats(emulator.url)["writes"] == writes
    now = resources(pulumi)
    assert sorted(r["id"] for r in now if r["type"] == tokens.STATUS) == sorted(made.values())
    assert not any(r.get("protect") for r in now)

    pulumi("destroy", "--yes")
    assert configurable(emulator.url) == {}
