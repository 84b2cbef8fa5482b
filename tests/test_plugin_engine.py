"""The provider plugin on the path users type: a project folder, the `pulumi` CLI, the emulator.

The engine starts `pulumi-resource-incident-statuses` as it starts any provider binary: found on
`PATH` (the checkout's `.venv/bin`), or in the folder `Pulumi.yaml` names under
`plugins.providers`.
Pulumi YAML projects run with the `pulumi-language-yaml` host that `make setup` builds; the
Python project uses the SDK `pulumi package gen-sdk` makes from the plugin's schema. TypeScript and
Go projects are in test_languages_engine.py.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from incident_statuses_emulator.process import EmulatorProcess
from incident_statuses_harness.engine import ROOT, configurable, server_statuses, stats
from incident_statuses_harness.organisation import MANAGED, edit, seed
from incident_statuses_harness.user import Cli, layered_venv, names_both, shell, user_project
from pulumi_incident_statuses.plugin.schema import PACKAGE, STATUS

pytestmark = pytest.mark.engine

PROJECT = "name: statuses\nruntime: yaml\n"
"""The start of a Pulumi YAML project file."""


def yaml_project(folder: Path, text: str) -> Path:
    """A Pulumi YAML project: `Pulumi.yaml` is the program."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "Pulumi.yaml").write_text(text, "utf-8")
    return folder


def yaml_stack(tmp_path: Path, emulator: EmulatorProcess, body: str) -> tuple[Path, Cli]:
    """A YAML project's folder and a shell there, its stack `dev` created."""
    folder = yaml_project(tmp_path / "project", body)
    pulumi = shell(tmp_path, folder, emulator)
    pulumi("stack", "init", "dev")
    return folder, pulumi


def changed_lines(preview: str) -> list[str]:
    """The lines of `pulumi preview --diff` that mark a change (+, -, ~ at their start)."""
    steps = preview.split("\nResources:")[0]
    marks = ("+", "-", "~")
    return [line.strip() for line in steps.splitlines() if line.lstrip().startswith(marks)]


LIFECYCLE = (ROOT / "examples" / "yaml" / "Pulumi.yaml").read_text("utf-8")
"""The YAML example: two statuses, their order, and a lookup of incident.io's Triage."""


def test_a_yaml_project_lifecycle(tmp_path: Path, emulator: EmulatorProcess) -> None:
    hand_made = seed(emulator.url, ({"name": "Investigating", "description": "By hand.",
                                     "category": "live"},))["Investigating"]
    folder, pulumi = yaml_stack(tmp_path, emulator, LIFECYCLE)

    pulumi("up", "--yes")
    held = configurable(emulator.url)
    ids = pulumi.outputs()
    triage = next(s for s in server_statuses(emulator.url) if s["name"] == "Triage")
    assert ids == {"fixing": held["Fixing"]["id"], "monitoring": held["Monitoring"]["id"],
                   "triage": triage["id"]}
    assert held["Monitoring"]["rank"] < held["Fixing"]["rank"]

    # One description edited: the diff shows that one field.
    program = folder / "Pulumi.yaml"
    program.write_text(program.read_text("utf-8").replace("A fix is under way.", "Shipping."))
    preview = pulumi("preview", "--diff").stdout
    assert changed_lines(preview) == [
        "~ incident-statuses:index:IncidentStatus: (update)",
        '~ description: "A fix is under way." => "Shipping."',
    ], preview

    # A dashboard edit: refresh records it in the state.
    edit(emulator.url, ids["monitoring"], name="Monitoring", description="Edited by hand.")
    pulumi("refresh", "--yes")
    state = json.loads(pulumi("stack", "export").stdout)["deployment"]["resources"]
    monitoring = next(r for r in state if r.get("id") == ids["monitoring"])
    assert monitoring["outputs"]["description"] == "Edited by hand."

    # Destroy removes what the stack made, and nothing else.
    pulumi("destroy", "--yes")
    assert list(configurable(emulator.url)) == ["Investigating"]
    assert configurable(emulator.url)["Investigating"] == hand_made


def test_pulumi_import_adopts_without_writing(tmp_path: Path, emulator: EmulatorProcess) -> None:
    made = seed(
        emulator.url,
        (
            {"name": "Investigating", "description": "By hand.", "category": "live"},
            {"name": "Fixing", "description": "Also by hand.", "category": "live"},
            {"name": "Documenting", "description": "Writing it up.", "category": "learning"},
        ),
    )
    folder, pulumi = yaml_stack(tmp_path, emulator, PROJECT)
    writes = stats(emulator.url)["writes"]

    # One status: the code to paste is printed after the import.
    one = pulumi("import", "incident-statuses:index:IncidentStatus", "investigating",
                 made["Investigating"]["id"], "--yes").stdout
    code = one[one.index("\nresources:\n") + 1 :]
    assert "type: incident-statuses:IncidentStatus" in code and "protect: true" in code, one

    # Many at once from the file `incident-statuses generate --import-file` writes (less the
    # status imported alone above).
    pulumi.run(ROOT / ".venv" / "bin" / "incident-statuses", "generate", "--import-file",
               "--out", str(tmp_path / "generated.json"))
    listing = json.loads((tmp_path / "generated.json").read_text("utf-8"))
    assert [r["name"] for r in listing["resources"]] == ["investigating", "fixing", "documenting"]
    listing["resources"] = listing["resources"][1:]
    (tmp_path / "import.json").write_text(json.dumps(listing), "utf-8")
    pulumi("import", "--file", str(tmp_path / "import.json"), "--yes",
           "--out", str(tmp_path / "many.yaml"))
    assert stats(emulator.url)["writes"] == writes

    state = json.loads(pulumi("stack", "export").stdout)["deployment"]["resources"]
    imported = [r for r in state if r["type"] == "incident-statuses:index:IncidentStatus"]
    assert sorted(r["id"] for r in imported) == sorted(s["id"] for s in made.values())
    assert all(r.get("protect") for r in imported)

    # The code pasted into the program: nothing to change.
    many = (tmp_path / "many.yaml").read_text("utf-8").removeprefix("resources:\n")
    (folder / "Pulumi.yaml").write_text(
        (folder / "Pulumi.yaml").read_text("utf-8") + code + many, "utf-8"
    )
    pulumi("preview", "--expect-no-changes")
    assert stats(emulator.url)["writes"] == writes


TWO_ORGANISATIONS = PROJECT + """\
config:
  keyA:
    type: string
    secret: true
  keyB:
    type: string
    secret: true
resources:
  org-a:
    type: pulumi:providers:incident-statuses
    properties:
      apiKey: ${keyA}
      endpoint: %(a)s
  org-b:
    type: pulumi:providers:incident-statuses
    properties:
      apiKey: ${keyB}
      endpoint: %(b)s
  fixing-a:
    type: incident-statuses:index:IncidentStatus
    properties: {name: Fixing, description: In organisation A., category: live}
    options: {provider: "${org-a}"}
  fixing-b:
    type: incident-statuses:index:IncidentStatus
    properties: {name: Fixing, description: In organisation B., category: live}
    options: {provider: "${org-b}"}
outputs:
  a: ${fixing-a.id}
  b: ${fixing-b.id}
"""

KEYS = {"a": "key-of-organisation-a", "b": "key-of-organisation-b"}


def two_organisations(
    emulator_factory: Callable[..., EmulatorProcess],
) -> dict[str, EmulatorProcess]:
    return {org: emulator_factory(api_key=key) for org, key in KEYS.items()}


def assert_keys_secret(pulumi: Cli) -> None:
    exported = pulumi("stack", "export").stdout
    assert not any(key in exported for key in KEYS.values())
    providers = [
        r for r in json.loads(exported)["deployment"]["resources"]
        if r["type"] == "pulumi:providers:incident-statuses"
    ]
    assert providers and all("ciphertext" in r["inputs"]["apiKey"] for r in providers)


def test_two_organisations_in_one_yaml_stack(
    tmp_path: Path, emulator_factory: Callable[..., EmulatorProcess]
) -> None:
    orgs = two_organisations(emulator_factory)
    body = TWO_ORGANISATIONS % {org: emulator.url for org, emulator in orgs.items()}
    folder = yaml_project(tmp_path / "project", body)
    pulumi = shell(tmp_path, folder, orgs["a"], key_in_env=False)
    del pulumi.env["INCIDENT_ENDPOINT"]
    pulumi("stack", "init", "dev")
    pulumi("config", "set", "--secret", "keyA", KEYS["a"])
    pulumi("config", "set", "--secret", "keyB", KEYS["b"])

    pulumi("up", "--yes")
    ids = pulumi.outputs()
    for org, emulator in orgs.items():
        held = configurable(emulator.url, KEYS[org])
        assert held["Fixing"]["id"] == ids[org]
        assert held["Fixing"]["description"] == f"In organisation {org.upper()}."
    assert_keys_secret(pulumi)


SDK_PROGRAM = '''"""Two organisations through the plugin's SDK, a dynamic status beside them."""

import pulumi
import pulumi_incident_statuses_sdk as incident

from pulumi_incident_statuses import IncidentStatus

config = pulumi.Config()
for org in ("a", "b"):
    organisation = incident.Provider(
        f"org-{org}",
        api_key=config.require_secret(f"key_{org}"),
        endpoint=config.require(f"endpoint_{org}"),
    )
    fixing = incident.IncidentStatus(
        f"fixing-{org}",
        name="Fixing",
        description=f"In organisation {org.upper()}.",
        category="live",
        opts=pulumi.ResourceOptions(provider=organisation),
    )
    pulumi.export(org, fixing.id)

# The stack config incident:apiKey and incident:endpoint serve the dynamic resource; the plugin's
# default provider reads its own, incident-statuses:apiKey and incident-statuses:endpoint.
reviewing = IncidentStatus(
    "reviewing", name="Reviewing", description="Made by the dynamic resource.", category="learning"
)
pulumi.export("reviewing", reviewing.id)
pulumi.export("found", incident.get_incident_status_output(id=reviewing.id).name)
if config.get_bool("twice"):
    # A dynamic resource declaring the name the plugin's `fixing-a` declares, in organisation A.
    IncidentStatus("fixing-twice", name="Fixing", description="Again.", category="live")
'''


def test_python_sdk_beside_the_dynamic_resource(
    tmp_path: Path, user_venv: Path, emulator_factory: Callable[..., EmulatorProcess]
) -> None:
    orgs = two_organisations(emulator_factory)
    # The SDK goes into a layer of this test's own: in the shared virtualenv, every later test's
    # language host would find one more provider package.
    venv = layered_venv(user_venv, tmp_path / "venv")
    folder = user_project(tmp_path / "project", SDK_PROGRAM, venv)
    # The executable `pip install` put in the project's virtualenv, named in Pulumi.yaml.
    with (folder / "Pulumi.yaml").open("a", encoding="utf-8") as project:
        project.write(f"plugins:\n  providers:\n    - name: {PACKAGE}\n      path: venv/bin\n")
    pulumi = shell(tmp_path, folder, orgs["a"], key_in_env=False)
    del pulumi.env["INCIDENT_ENDPOINT"]
    pulumi("package", "gen-sdk", str(venv / "bin" / "pulumi-resource-incident-statuses"),
           "--language", "python", "--out", str(tmp_path / "sdk"))
    subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet",
         "--disable-pip-version-check", "--no-deps", str(tmp_path / "sdk" / "python")],
        check=True,
        timeout=120,
    )
    pulumi("stack", "init", "dev")
    for org, emulator in orgs.items():
        pulumi("config", "set", "--secret", f"key_{org}", KEYS[org])
        pulumi("config", "set", f"endpoint_{org}", emulator.url)
    for namespace in ("incident", "incident-statuses"):
        pulumi("config", "set", "--secret", f"{namespace}:apiKey", KEYS["a"])
        pulumi("config", "set", f"{namespace}:endpoint", orgs["a"].url)

    up = pulumi("up", "--yes")
    assert "using pulumi-resource-incident-statuses from $PATH" not in up.stdout
    outputs = pulumi.outputs()
    held = {org: configurable(emulator.url, KEYS[org]) for org, emulator in orgs.items()}
    assert held["a"]["Fixing"]["id"] == outputs["a"] and held["b"]["Fixing"]["id"] == outputs["b"]
    assert held["a"]["Reviewing"]["id"] == outputs["reviewing"]
    assert outputs["found"] == "Reviewing" and "Reviewing" not in held["b"]
    assert_keys_secret(pulumi)
    pulumi("preview", "--expect-no-changes")

    # One name declared by a resource of each way in: the preview fails naming both.
    pulumi("config", "set", "twice", "true")
    writes = {org: stats(emulator.url)["writes"] for org, emulator in orgs.items()}
    twice = pulumi("preview", check=False)
    assert twice.returncode != 0
    assert names_both(twice.stdout, "Fixing", "fixing-a", "fixing-twice"), twice.stdout
    assert {org: stats(emulator.url)["writes"] for org, emulator in orgs.items()} == writes


def test_errors_reach_the_user_message_first(tmp_path: Path, emulator: EmulatorProcess) -> None:
    held = seed(emulator.url, ({"name": "Fixing", "description": "By hand.",
                                "category": "live"},))["Fixing"]
    _, pulumi = yaml_stack(tmp_path, emulator, LIFECYCLE)
    failed = pulumi("up", "--yes", check=False)
    assert failed.returncode != 0
    assert "Traceback" not in failed.stdout and 'File "' not in failed.stdout, failed.stdout
    # The status the stack did not create keeps its name and content; the way to adopt it is said,
    # by the check of the new status, before any create is sent.
    assert f"the existing status {held['id']} (live) already holds that name" in failed.stdout
    assert f"pulumi import {STATUS} fixing {held['id']}" in failed.stdout
    assert configurable(emulator.url)["Fixing"] == held
    assert {s["name"] for s in server_statuses(emulator.url)} >= set(MANAGED)
