"""Bringing a hand-configured organisation under management, through the real engine.

`incident-statuses generate` writes the program; `pulumi up` of it adopts every status without a
single write; a later edit is one update; `pulumi destroy` leaves what was adopted. A stack that
already manages statuses is extended the same way. Lookups reference the statuses incident.io
manages.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pulumi
import pytest
from pulumi import automation as auto

from incident_statuses_emulator.process import EmulatorProcess
from incident_statuses_harness.engine import ROOT, server_statuses, stats, toolchain
from incident_statuses_harness.ordering import held_order
from incident_statuses_harness.organisation import API_KEY, HAND_MADE, seed
from incident_statuses_harness.user import Cli, shell, user_project
from incident_statuses_harness.workspace import PulumiProgram, open_stack, program_from_file
from pulumi_incident_statuses import get_incident_status
from pulumi_incident_statuses.tools import cli

pytestmark = pytest.mark.engine


def stack_of(
    tmp_path: Path,
    emulator: EmulatorProcess,
    program: PulumiProgram,
    *,
    project: str = "adopted",
    config: dict[str, str] | None = None,
) -> auto.Stack:
    return open_stack(
        project,
        "test",
        program,
        toolchain(tmp_path / "state"),
        config={"incident:endpoint": emulator.url, **(config or {})},
        secrets={"incident:apiKey": API_KEY},
    )


def outputs(result: auto.UpResult) -> dict[str, Any]:
    return {key: value.value for key, value in result.outputs.items()}


def writes(emulator: EmulatorProcess) -> int:
    count: int = stats(emulator.url)["writes"]
    return count


def test_generated_program_adopts_every_status_without_a_write(
    tmp_path: Path,
    emulator: EmulatorProcess,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seeded = seed(emulator.url)
    monkeypatch.setenv("INCIDENT_API_KEY", API_KEY)
    monkeypatch.setenv("INCIDENT_ENDPOINT", emulator.url)
    program = tmp_path / "program" / "__main__.py"
    program.parent.mkdir()
    assert cli.main(["generate", "--out", str(program)]) == 0
    before = server_statuses(emulator.url)
    stack = stack_of(tmp_path, emulator, program_from_file(program))

    writes_before = writes(emulator)
    up = stack.up()
    # Every status, one order per category (live, learning), and the stack.
    assert up.summary.resource_changes == {"create": len(HAND_MADE) + 3}
    assert writes(emulator) == writes_before
    assert server_statuses(emulator.url) == before  # not a field touched, not even updated_at
    exported = outputs(up)
    assert sorted(exported.values()) == sorted(status["id"] for status in seeded.values())
    assert exported["evaluation"] == seeded["Évaluation 調査"]["id"]
    assert exported["investigating"] == seeded["Investigating"]["id"]

    preview = stack.preview()
    assert preview.change_summary == {"same": len(HAND_MADE) + 3}

    source = program.read_text(encoding="utf-8")
    old = "description='Writing it up.',"
    assert source.count(old) == 1
    program.write_text(source.replace(old, "description='Writing it up, then sharing it.',"))
    up = stack.up()
    assert up.summary.resource_changes == {"same": len(HAND_MADE) + 2, "update": 1}
    assert writes(emulator) == writes_before + 1
    documenting = next(s for s in server_statuses(emulator.url) if s["name"] == "Documenting")
    assert documenting["description"] == "Writing it up, then sharing it."
    assert documenting["id"] == seeded["Documenting"]["id"] == outputs(up)["documenting"]

    # Once adopted, the import_id lines may go: docs/adopting.md says so.
    edited = program.read_text(encoding="utf-8")
    program.write_text(re.sub(r"(?m)^    import_id=.*\n", "", edited), encoding="utf-8")
    assert "import_id" not in program.read_text(encoding="utf-8").split('"""')[-1]
    assert stack.preview().change_summary == {"same": len(HAND_MADE) + 3}

    # The live order is a list in the file: put its last status first and up reorders them.
    edited = program.read_text(encoding="utf-8")
    listed = re.search(r"(?s)live_order = IncidentStatusOrder\(.*?statuses=\[\n(.*?)    \]", edited)
    assert listed is not None
    lines = listed.group(1).splitlines(keepends=True)
    program.write_text(edited.replace(listed.group(1), "".join([lines[-1], *lines[:-1]])))
    live = held_order(emulator.url, "live")
    stack.up()
    assert held_order(emulator.url, "live") == [live[-1], *live[:-1]]


EXISTING_PROGRAM = '''"""A stack that already manages statuses of its own, and orders them."""

from pulumi_incident_statuses import IncidentStatus, IncidentStatusOrder

investigating = IncidentStatus(
    "investigating", name="Investigating", description="Looking.", category="live"
)
fixing = IncidentStatus("fixing", name="Fixing", description="On it.", category="live")
archived = IncidentStatus(
    "archived", name="Archived", description="Kept for the record.", category="closed"
)
IncidentStatusOrder("live-order", category="live", statuses=[investigating.id, fixing.id])
'''


OTHER_TEAM = '''"""Another team's stack: it adopted one status."""

from pulumi_incident_statuses import IncidentStatus

IncidentStatus(
    "wont-fix",
    name="Won't fix",
    description="Left as it is.",
    category="closed",
    import_id="%s",
)
'''


def test_generate_for_a_stack_extends_it_and_destroy_leaves_what_was_adopted(
    tmp_path: Path, emulator: EmulatorProcess, user_venv: Path
) -> None:
    folder = user_project(tmp_path / "my-statuses", EXISTING_PROGRAM, user_venv)
    pulumi = shell(tmp_path, folder, emulator)
    pulumi("stack", "init", "dev")
    pulumi("up", "--yes")
    # Made in the dashboard meanwhile: `fixing` is also the name of a resource of the stack.
    made = seed(
        emulator.url,
        (
            {"name": "fixing", "description": "Lower case.", "category": "live"},
            {"name": "Monitoring", "description": "Watching.", "category": "live"},
            {"name": "Documenting", "description": "Writing.", "category": "learning"},
            {"name": "Won't fix", "description": "Left as it is.", "category": "closed"},
        ),
    )

    command = str(user_venv / "bin" / "incident-statuses")
    listed = pulumi.run(command, "list")
    header, *rows = listed.stdout.splitlines()
    assert header.split()[-1] == "OWNER"
    owners = {row.split()[0]: row.rsplit("  ", 1)[-1] for row in rows}
    ids = {status["name"]: status["id"] for status in server_statuses(emulator.url)}
    # A `closed` status the stack created, and one made in the dashboard, are the organisation's.
    for name in ("Archived", "Won't fix", "Monitoring", "Investigating"):
        assert owners[ids[name]] == "your organisation"
    for name in ("Closed", "Triage"):
        assert owners[ids[name]] == "incident.io"

    # Another team's stack, in the same backend, adopted one of them meanwhile.
    other = user_project(tmp_path / "team-b", OTHER_TEAM % ids["Won't fix"], user_venv)
    team_b = Cli(other, pulumi.env)
    team_b("stack", "init", "team-b")
    team_b("up", "--yes")

    generated = pulumi.run(command, "generate", "--stack", "dev", "--out", "statuses.py")
    read, wrote = generated.stderr.splitlines()
    assert read.startswith("incident-statuses: read the stacks 'dev', ") and "team-b" in read
    assert wrote == (
        "incident-statuses: wrote statuses.py: 3 statuses to adopt, 6 managed by incident.io and "
        "3 the stack 'dev' manages already and 1 other stacks manage left out; its first `pulumi "
        "up` adopts them without creating any"
    )
    source = (folder / "statuses.py").read_text(encoding="utf-8")
    assert source.count("opts=pulumi.ResourceOptions(protect=True)") == 3
    assert "other stacks of the backend manage them: Won't fix (stack " in " ".join(source.split())
    # live is ordered by the stack's own order already: no second one over its statuses.
    assert re.findall(r"IncidentStatusOrder\(\n    '([^']*)',\n    category='(\w+)'", source) == [
        ("learning-order", "learning")
    ]
    program = folder / "__main__.py"
    program.write_text(program.read_text(encoding="utf-8") + "import statuses  # noqa: F401\n")

    held = server_statuses(emulator.url)
    writes_before = writes(emulator)
    up = pulumi("up", "--yes", "--skip-preview")
    assert writes(emulator) == writes_before
    assert server_statuses(emulator.url) == held
    # The four statuses and the learning order are new to the stack; nothing else changed.
    assert "+ 4 created" in up.stdout and "5 unchanged" in up.stdout, up.stdout
    pulumi("preview", "--expect-no-changes")

    # Destroy refuses to delete an adopted status, names it, and deletes nothing.
    destroy = pulumi("destroy", "--yes", check=False)
    assert destroy.returncode != 0
    for name in ("fixing-2", "monitoring", "documenting"):
        assert (
            f'"urn:pulumi:dev::my-statuses::pulumi-python:dynamic/incident:IncidentStatus::{name}"'
            " cannot be deleted\n    because it is protected." in destroy.stdout
        ), destroy.stdout
    assert writes(emulator) == writes_before
    # With --exclude-protected it deletes what the stack made and keeps what it adopted.
    destroy = pulumi("destroy", "--yes", "--exclude-protected")
    assert (
        "All unprotected resources were destroyed. There are still 5 protected resources "
        "associated with this stack." in destroy.stdout
    ), destroy.stdout
    remaining = {s["name"]: s["id"] for s in server_statuses(emulator.url)}
    assert {name: remaining.get(name) for name in made} == {
        name: status["id"] for name, status in made.items()
    }
    assert not {"Investigating", "Fixing", "Archived"} & set(remaining)


def test_lookup_references_statuses_the_program_does_not_manage(
    tmp_path: Path, emulator: EmulatorProcess
) -> None:
    seeded = seed(emulator.url)

    def program() -> None:
        pulumi.export("triage", get_incident_status(name="Triage").id)
        by_id = get_incident_status(id=seeded["Évaluation 調査"]["id"])
        pulumi.export("evaluation", by_id.apply(lambda record: [record.name, record.category]))

    stack = stack_of(tmp_path, emulator, program)
    up = stack.up()
    triage = next(s for s in server_statuses(emulator.url) if s["name"] == "Triage")
    assert outputs(up) == {"triage": triage["id"], "evaluation": ["Évaluation 調査", "live"]}
    assert up.summary.resource_changes == {"create": 1}


@pytest.mark.parametrize(
    ("lookup", "said"),
    [
        pytest.param(
            {"name": "triage "},
            "error: get_incident_status(name='triage '): no incident status is named 'triage '; "
            "did you mean 'Triage'?",
            id="a-missing-name-names-the-close-ones",
        ),
        pytest.param(
            {"id": "01NOSUCHSTATUS"},
            "error: get_incident_status(id='01NOSUCHSTATUS'): no incident status has id "
            "'01NOSUCHSTATUS'",
            id="a-missing-id-is-named",
        ),
    ],
)
def test_a_failed_lookup_fails_the_run_with_its_message_alone(
    tmp_path: Path, emulator: EmulatorProcess, lookup: dict[str, str], said: str
) -> None:
    def program() -> None:
        pulumi.export("found", get_incident_status(**lookup).id)

    stack = stack_of(tmp_path, emulator, program)
    with pytest.raises(auto.CommandError) as failure:
        stack.up()
    assert said in str(failure.value)
    assert "Traceback" not in str(failure.value)


def test_adopt_example_adopts_by_config_id_and_looks_up_closed(
    tmp_path: Path, emulator: EmulatorProcess
) -> None:
    seeded = seed(
        emulator.url,
        ({"name": "Monitoring", "description": "Watching (typed by hand)", "category": "live"},),
    )
    monitoring_id = seeded["Monitoring"]["id"]
    stack = stack_of(
        tmp_path,
        emulator,
        program_from_file(ROOT / "examples" / "adopt" / "__main__.py"),
        project="adopt",
        config={"adopt:monitoringId": monitoring_id},
    )
    writes_before = writes(emulator)
    up = stack.up()
    closed = next(s for s in server_statuses(emulator.url) if s["name"] == "Closed")
    assert outputs(up) == {
        "monitoring": monitoring_id,
        "closed": {"id": closed["id"], "description": closed["description"]},
    }
    # Adopted, not created: the same id, brought to the declared description by one update.
    assert writes(emulator) == writes_before + 1
    monitoring = next(s for s in server_statuses(emulator.url) if s["id"] == monitoring_id)
    assert monitoring["description"] == "A fix is out; we're watching to be sure it holds."
    assert stack.preview().change_summary == {"same": 2}
