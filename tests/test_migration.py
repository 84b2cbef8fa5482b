"""Moving a stack of release 0.2.0's plugin across, without the engine: what the state says, the
import document and the steps `generate --import-file --stack` prints.

The whole way, run through the engine against a build of release 0.2.0, is in
test_migration_engine.py.
"""

from __future__ import annotations

import json
import shlex
from typing import Any

import pytest

from incident_statuses_emulator.process import EmulatorProcess
from incident_statuses_harness.organisation import API_KEY, seed
from pulumi_incident_statuses.core import stack_state, tokens
from pulumi_incident_statuses.core.stack_state import LegacyResource, StackState, from_deployment
from pulumi_incident_statuses.core.wire import IncidentStatusRecord
from pulumi_incident_statuses.tools import cli, codegen

STACK = "urn:pulumi:dev::p::pulumi:pulumi:Stack::p-dev"
DEFAULT = f"urn:pulumi:dev::p::{tokens.LEGACY_PROVIDER}::default"
ORG_B = f"urn:pulumi:dev::p::{tokens.LEGACY_PROVIDER}::org-b"
THEIRS = f"urn:pulumi:dev::p::{tokens.LEGACY_PROVIDER}::default_1_0_0"
"""incident.io's own provider: package `incident` too, since 0.3.0 in the same stack."""


def urn(kind: str, name: str, parent_types: str = "") -> str:
    return f"urn:pulumi:dev::p::{parent_types}{kind}::{name}"


def provider(provider_urn: str) -> dict[str, Any]:
    return {"urn": provider_urn, "type": tokens.LEGACY_PROVIDER, "id": f"id-{provider_urn[-5:]}"}


def served(kind: str, name: str, by: str, status_id: str, **more: Any) -> dict[str, Any]:
    return {
        "urn": urn(kind, name),
        "type": kind,
        "id": status_id,
        "provider": f"{by}::id-{by[-5:]}",
        "parent": STACK,
        **more,
    }


FIXING = served(tokens.LEGACY_STATUS, "fixing", DEFAULT, "01F")
MONITORING = served(tokens.LEGACY_STATUS, "monitoring", DEFAULT, "01M")
ORDER = served(
    tokens.LEGACY_ORDER, "live-order", DEFAULT, "order",
    dependencies=[FIXING["urn"], MONITORING["urn"]],
)
REVIEWING = served(tokens.LEGACY_STATUS, "reviewing", ORG_B, "01R")
SEVERITY = {
    **served("incident:index/severity:Severity", "major", THEIRS, "sev-1"),
    "propertyDependencies": {"description": [FIXING["urn"]]},
}
"""A resource of incident.io's provider that names a 0.2.0 status in its inputs."""


def legacy_deployment() -> dict[str, Any]:
    resources = [
        {"urn": STACK, "type": "pulumi:pulumi:Stack"},
        provider(DEFAULT), provider(ORG_B), provider(THEIRS),
        FIXING, MONITORING, ORDER, REVIEWING, SEVERITY,
    ]
    return {"resources": resources}


def test_the_state_names_release_0_2_0s_resources_in_order_and_who_depends_on_them() -> None:
    state = from_deployment("dev", legacy_deployment())
    assert [resource.urn for resource in state.legacy] == [
        DEFAULT, ORG_B, FIXING["urn"], MONITORING["urn"], ORDER["urn"], REVIEWING["urn"]
    ]
    by_name = {resource.name: resource for resource in state.legacy}
    # The order is 0.2.0's too, and goes first: only incident.io's severity is in the way.
    assert by_name["fixing"].dependents == (SEVERITY["urn"],)
    assert by_name["default"].dependents == ()
    assert by_name["reviewing"].explicit_provider == "org-b"
    assert by_name["fixing"].explicit_provider is None
    assert by_name["fixing"].provider == DEFAULT and by_name["fixing"].parent == STACK
    # The 0.2.0 statuses are the stack's: `generate --stack` declares them no second time.
    assert state.status_ids == frozenset({"01F", "01M", "01R"})


def test_incident_ios_provider_is_never_taken_for_release_0_2_0s() -> None:
    theirs_only = {"resources": [provider(THEIRS), SEVERITY]}
    assert from_deployment("dev", theirs_only).legacy == ()
    # One `pulumi:providers:incident` serving both kinds cannot be 0.2.0's alone: it stays.
    shared = {**MONITORING, "provider": SEVERITY["provider"]}
    state = from_deployment("dev", {"resources": [provider(THEIRS), SEVERITY, shared]})
    assert [resource.urn for resource in state.legacy] == [MONITORING["urn"]]


def record(name: str, status_id: str, category: str = "live") -> IncidentStatusRecord:
    made = "2026-01-01T00:00:00Z"
    return IncidentStatusRecord(status_id, name, "d", category, 0, made, made)


RECORDS = [record("Fixing", "01F"), record("Monitoring", "01M"),
           record("Reviewing", "01R", "learning"), record("Documenting", "01D", "learning")]


def test_the_import_document_moves_each_status_under_its_name_provider_and_parent() -> None:
    in_component = {
        **served(tokens.LEGACY_STATUS, "paused", DEFAULT, "01P"),
        "urn": urn(tokens.LEGACY_STATUS, "paused", "my:index:Lifecycle$"),
        "parent": urn("my:index:Lifecycle", "lifecycle"),
    }
    # A status of the organisation named like the explicit provider takes that name first.
    records = [*RECORDS, record("Paused", "01P"), record("org b", "01O")]
    deployment = legacy_deployment()
    deployment["resources"].append(in_component)
    plan = codegen.plan(records, stack=from_deployment("dev", deployment))
    document = json.loads(codegen.import_document(plan))
    assert document["nameTable"] == {
        "org-b-2": f"urn:pulumi:dev::p::{tokens.PROVIDER}::org-b",
        "lifecycle": urn("my:index:Lifecycle", "lifecycle"),
    }
    assert document["resources"] == [
        {"type": tokens.STATUS, "name": "fixing", "id": "01F"},
        {"type": tokens.STATUS, "name": "monitoring", "id": "01M"},
        {"type": tokens.STATUS, "name": "reviewing", "id": "01R", "provider": "org-b-2"},
        {"type": tokens.STATUS, "name": "paused", "id": "01P", "parent": "lifecycle"},
        {"type": tokens.STATUS, "name": "org-b", "id": "01O"},
        {"type": tokens.STATUS, "name": "documenting", "id": "01D"},
    ]


def test_a_status_incident_io_no_longer_has_is_not_imported() -> None:
    state = from_deployment("dev", legacy_deployment())
    plan = codegen.plan([record("Fixing", "01F")], stack=state)
    assert [move.name for move in plan.migrated] == ["fixing"]


def test_the_steps_drop_dependents_first_then_import() -> None:
    plan = codegen.plan(RECORDS, stack=from_deployment("dev", legacy_deployment()))
    steps = codegen.migration_steps(plan, stack="dev", import_file="import file.json")
    commands = [shlex.split(line) for line in steps if line.strip().startswith("pulumi ")]
    deletes = [argv[-1] for argv in commands if argv[1:3] == ["state", "delete"]]
    assert deletes == [
        REVIEWING["urn"], ORDER["urn"], MONITORING["urn"], FIXING["urn"], ORG_B, DEFAULT
    ]
    assert all(argv[:7] == ["pulumi", "state", "delete", "--stack", "dev", "--force", "--yes"]
               for argv in commands[: len(deletes)])
    assert commands[len(deletes):] == [
        ["pulumi", "up", "--stack", "dev", "--yes", "--target",
         f"urn:pulumi:dev::p::{tokens.PROVIDER}::org-b"],
        ["pulumi", "import", "--stack", "dev", "--yes", "--file", "import file.json"],
    ]
    said = " ".join(steps)
    assert f"{SEVERITY['urn']} on {FIXING['urn']}" in said
    for old, new in (("incident:apiKey", "incident-statuses:apiKey"),
                     (tokens.LEGACY_PROVIDER, tokens.PROVIDER)):
        assert f"`{old}`" in said and f"`{new}`" in said


def test_urns_are_single_quoted_for_the_shell() -> None:
    nested = urn(tokens.LEGACY_STATUS, "it's", "my:index:Lifecycle$")
    state = StackState("dev", legacy=(LegacyResource(nested, tokens.LEGACY_STATUS, "01X"),))
    [_, _, delete, *_] = codegen.migration_steps(
        codegen.plan([], stack=state), stack="dev", import_file="i.json"
    )
    assert shlex.split(delete)[-1] == nested
    assert delete.endswith("'urn:pulumi:dev::p::my:index:Lifecycle$incident:index:IncidentStatus"
                           "::it'\\''s'")


def test_a_stack_without_release_0_2_0s_resources_gets_no_steps() -> None:
    assert codegen.migration_steps(codegen.plan(RECORDS), stack="dev", import_file="i") == []
    plan = codegen.plan(RECORDS, stack=StackState("dev"))
    assert codegen.migration_steps(plan, stack="dev", import_file="i") == []


@pytest.fixture
def legacy_stack(monkeypatch: pytest.MonkeyPatch, emulator: EmulatorProcess) -> dict[str, Any]:
    """A stack of release 0.2.0 holding two statuses of the emulator's organisation, read as
    `pulumi stack export` would print it."""
    made = seed(emulator.url, ({"name": "Fixing", "description": "d", "category": "live"},
                               {"name": "Documenting", "description": "d", "category": "learning"}))
    fixing = {**FIXING, "id": made["Fixing"]["id"]}
    deployment = {"resources": [provider(DEFAULT), fixing]}
    monkeypatch.setattr(stack_state, "export", lambda name, cwd: from_deployment(name, deployment))
    monkeypatch.setattr(stack_state, "stack_names", lambda cwd: ["dev"])
    monkeypatch.setenv("INCIDENT_API_KEY", API_KEY)
    monkeypatch.setenv("INCIDENT_ENDPOINT", emulator.url)
    return made


def test_generate_import_file_says_how_to_move_across(
    legacy_stack: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["generate", "--import-file", "--stack", "dev"]) == 0
    out, err = capsys.readouterr()
    assert json.loads(out)["resources"] == [
        {"type": tokens.STATUS, "name": "fixing", "id": legacy_stack["Fixing"]["id"]},
        {"type": tokens.STATUS, "name": "documenting", "id": legacy_stack["Documenting"]["id"]},
    ]
    lines = err.splitlines()
    start = next(i for i, line in enumerate(lines) if "release 0.2.0's plugin" in line)
    assert lines[start].startswith("incident-statuses: the stack 'dev' holds resources of")
    assert "1 status, 1 provider" in lines[start]
    assert [line.strip() for line in lines if line.strip().startswith("pulumi ")] == [
        f"pulumi state delete --stack dev --force --yes '{FIXING['urn']}'",
        f"pulumi state delete --stack dev --force --yes '{DEFAULT}'",
        "pulumi import --stack dev --yes --file FILE",
    ]


def test_generate_of_a_program_points_to_the_import_file(
    legacy_stack: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["generate", "--stack", "dev"]) == 0
    out, err = capsys.readouterr()
    assert "import_id=" + repr(legacy_stack["Documenting"]["id"]) in out
    assert legacy_stack["Fixing"]["id"] not in out
    assert (
        "incident-statuses: the stack 'dev' holds resources of release 0.2.0's plugin, left out "
        "here: move them across with --import-file" in err
    )
