"""This project's plugin beside incident.io's own provider in one stack, through the engine.

incident.io's provider is package `incident`, its plugin `pulumi-resource-incident`, fetched from
GitHub when its SDK is installed (which these machines cannot reach). Its place is taken by a
stand-in of that name on `PATH` (`incident_statuses_harness.incident_standin`) serving a resource
of incident.io's package, `incident:index/status:Status`, that only records its inputs. One YAML
stack declares a resource of each package; `pulumi up` and `pulumi destroy` run, and each plugin
serves its own resource with its own settings: `incident:apiKey` for incident.io's,
`incident-statuses:apiKey` and `incident-statuses:endpoint` for this one.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from incident_statuses_emulator.process import EmulatorProcess
from incident_statuses_harness import incident_standin
from incident_statuses_harness.engine import API_KEY, configurable
from incident_statuses_harness.user import shell
from pulumi_incident_statuses.core import tokens

pytestmark = pytest.mark.engine

THEIR_KEY = "key-for-incident-ios-own-provider"
"""The key in `incident:apiKey`: the emulator refuses it, so this plugin must not send it."""

PROGRAM = """\
name: beside
runtime: yaml
plugins:
  providers:
    - name: incident-statuses
      path: %(plugins)s
resources:
  theirs:
    type: incident:index/status:Status
    properties: {name: Theirs, description: Served by incident.io's provider., category: live}
  ours:
    type: incident-statuses:index:IncidentStatus
    properties: {name: Ours, description: Served by this package's plugin., category: live}
outputs:
  theirs: ${theirs.id}
  ours: ${ours.id}
"""


def test_a_stack_holds_a_resource_of_each_package(
    tmp_path: Path, emulator: EmulatorProcess, user_venv: Path
) -> None:
    standin = incident_standin.launcher(tmp_path / "incident-provider")
    record = tmp_path / "standin.jsonl"
    folder = tmp_path / "project"
    folder.mkdir()
    (folder / "Pulumi.yaml").write_text(PROGRAM % {"plugins": user_venv / "bin"}, "utf-8")
    pulumi = shell(tmp_path, folder, emulator, key_in_env=False)
    del pulumi.env["INCIDENT_ENDPOINT"]
    pulumi.env["PATH"] = f"{standin.parent}:{pulumi.env['PATH']}"
    pulumi.env[incident_standin.RECORD] = str(record)
    pulumi("stack", "init", "dev")
    pulumi("config", "set", "--secret", "incident:apiKey", THEIR_KEY)
    pulumi("config", "set", "--secret", "incident-statuses:apiKey", API_KEY)
    pulumi("config", "set", "incident-statuses:endpoint", emulator.url)

    up = pulumi("up", "--yes")
    assert f"using pulumi-resource-incident from $PATH at {standin}" in up.stdout, up.stdout
    outputs = pulumi.outputs()
    held = configurable(emulator.url)
    assert list(held) == ["Ours"] and outputs["ours"] == held["Ours"]["id"]
    calls = incident_standin.records(record)
    assert {"apiKey": THEIR_KEY} in [call["args"] for call in calls if call["call"] == "configure"]
    [created] = [call for call in calls if call["call"] == "create"]
    assert created["inputs"] == {
        "name": "Theirs", "description": "Served by incident.io's provider.", "category": "live"
    }
    assert outputs["theirs"] == created["id"]
    state = json.loads(pulumi("stack", "export").stdout)["deployment"]["resources"]
    providers = {r["urn"].rsplit("::", 1)[-1]: r["provider"] for r in state if "provider" in r}
    assert providers["theirs"].split("::")[2] == "pulumi:providers:incident"
    assert providers["ours"].split("::")[2] == tokens.PROVIDER

    pulumi("destroy", "--yes")
    assert configurable(emulator.url) == {}
    deleted = [call for call in incident_standin.records(record) if call["call"] == "delete"]
    assert [call["id"] for call in deleted] == [created["id"]]
