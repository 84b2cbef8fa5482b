"""A team's second week, on the path users type: refactors and mistakes never lose or mislabel a
status, and `pulumi preview` fails where `pulumi up` would.

Each test is one stack in a new project folder with the package pip-installed, driven by the
`pulumi` CLI as a person drives it, counting what the emulator is sent: the Python resources
(`IncidentStatus`) and the provider plugin from Pulumi YAML each rename a resource without an
alias (the preview names the old resource and says how to rename it; with the alias, `up` writes
nothing), follow the wrong advice anyway (the status is never deleted), declare one name twice,
rename into a name held outside the stack, and refresh right after an `up` that ordered statuses.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from incident_statuses_emulator.process import EmulatorProcess
from incident_statuses_harness.engine import ROOT, closed_endpoint, configurable, stats
from incident_statuses_harness.organisation import seed
from incident_statuses_harness.user import Cli, names_both, shell, user_project
from pulumi_incident_statuses.core.tokens import PACKAGE, STATUS

pytestmark = pytest.mark.engine

PROGRAM = '''"""Statuses and orders from program.json, each status with the aliases it lists."""

import json
from pathlib import Path

import pulumi

from pulumi_incident_statuses import IncidentStatus, IncidentStatusOrder

spec = json.loads((Path(__file__).parent / "program.json").read_text(encoding="utf-8"))
made = {}
for status in spec["statuses"]:
    declared = dict(status)
    name = declared.pop("resource")
    aliases = [pulumi.Alias(name=alias) for alias in declared.pop("aliases", [])]
    made[name] = IncidentStatus(name, opts=pulumi.ResourceOptions(aliases=aliases), **declared)
    pulumi.export(name, made[name].id)
for order in spec.get("orders", []):
    IncidentStatusOrder(
        order["resource"],
        category=order["category"],
        statuses=[made[resource].id for resource in order["statuses"]],
    )
'''

WATCHING = {"name": "Watching the fix", "description": "Watching.", "category": "live"}
FIXING = {"name": "Fixing", "description": "Fixing it.", "category": "live"}


def write(folder: Path, statuses: list[dict[str, Any]], *orders: dict[str, Any]) -> None:
    program = {"statuses": statuses, "orders": list(orders)}
    (folder / "program.json").write_text(json.dumps(program), encoding="utf-8")


def sent(emulator: EmulatorProcess, before: dict[str, Any]) -> tuple[int, int]:
    """Requests and writes the emulator got since ``before``."""
    after = stats(emulator.url)
    return after["total"] - before["total"], after["writes"] - before["writes"]


def failing(pulumi: Cli, emulator: EmulatorProcess, *args: str) -> tuple[str, int]:
    """Run a `pulumi` command that must fail; its output, and the writes it sent (none)."""
    before = stats(emulator.url)
    done = pulumi(*args, check=False)
    assert done.returncode != 0, done.stdout
    assert "Traceback" not in done.stdout
    return done.stdout, sent(emulator, before)[1]



def test_python_resources_through_a_second_week(
    tmp_path: Path, emulator: EmulatorProcess, user_venv: Path
) -> None:
    theirs = seed(emulator.url, ({"name": "Theirs", "description": ".", "category": "live"},))
    folder = user_project(tmp_path / "my-statuses", PROGRAM, user_venv)
    pulumi = shell(tmp_path, folder, emulator)
    pulumi("stack", "init", "dev")
    order = {"resource": "live-order", "category": "live", "statuses": ["fixing", "watching"]}
    write(folder, [{"resource": "watching", **WATCHING}, {"resource": "fixing", **FIXING}], order)
    pulumi("up", "--yes")
    watching = configurable(emulator.url)["Watching the fix"]["id"]
    # Straight after an `up` that ordered the statuses, a refresh finds nothing changed.
    pulumi("refresh", "--yes", "--expect-no-changes")
    # A new order's preview names the statuses in their new order, not only their ids.
    order["statuses"] = ["watching", "fixing"]
    write(folder, [{"resource": "watching", **WATCHING}, {"resource": "fixing", **FIXING}], order)
    preview = pulumi("preview")
    assert "live-order puts its statuses in this order: 'Watching the fix', 'Fixing'" in (
        preview.stdout
    )

    # A logical rename without an alias: the preview names the old resource, writes nothing.
    order["statuses"] = ["fixing", "watching-fix"]
    moved = {"resource": "watching-fix", **WATCHING}
    write(folder, [moved, {"resource": "fixing", **FIXING}], order)
    said, written = failing(pulumi, emulator, "preview")
    assert written == 0
    assert "It belongs to this stack's resource 'watching'" in said
    assert 'aliases=[pulumi.Alias(name="watching")]' in said and "pulumi state rename" in said
    assert "import_id" not in said and "recover" not in said
    # With the alias, `up` writes nothing.
    renamed = {"resource": "watching-fix", "aliases": ["watching"], **WATCHING}
    write(folder, [renamed, {"resource": "fixing", **FIXING}], order)
    before = stats(emulator.url)
    pulumi("up", "--yes")
    assert sent(emulator, before)[1] == 0

    # The wrong advice, followed anyway: another resource adopts the status by id while the
    # one holding it leaves the program. The status is kept; the old resource leaves the state.
    adopted = {"resource": "watching-again", "import_id": watching, **WATCHING}
    order["statuses"] = ["fixing", "watching-again"]
    write(folder, [adopted, {"resource": "fixing", **FIXING}], order)
    before = stats(emulator.url)
    up = pulumi("up", "--yes")
    assert sent(emulator, before)[1] == 0
    assert f"incident status {watching} was not deleted" in up.stdout
    assert configurable(emulator.url)["Watching the fix"]["id"] == watching
    assert pulumi.outputs()["watching-again"] == watching
    pulumi("preview", "--expect-no-changes")

    # One name declared twice: the preview names both resources.
    twice = {"resource": "fixing-too", **FIXING}
    write(folder, [adopted, {"resource": "fixing", **FIXING}, twice], order)
    said, written = failing(pulumi, emulator, "preview")
    assert names_both(said, "Fixing", "fixing", "fixing-too") and written == 0
    # A rename into a name a status outside the stack holds fails at preview, as `up` would.
    write(folder, [adopted, {"resource": "fixing", **FIXING, "name": "Theirs"}], order)
    said, written = failing(pulumi, emulator, "preview")
    assert f"the status {theirs['Theirs']['id']} (live) holds that name" in said and written == 0


def test_preview_fails_where_up_would_and_settings_follow_pulumis_rule(
    tmp_path: Path, emulator_factory: Callable[..., EmulatorProcess], user_venv: Path
) -> None:
    first = emulator_factory()
    folder = user_project(tmp_path / "my-statuses", PROGRAM, user_venv)
    pulumi = shell(tmp_path, folder, first)
    pulumi("stack", "init", "dev")
    write(folder, [{"resource": "fixing", **FIXING}])

    # No key anywhere: the preview fails with the message `up` gives, sending nothing.
    key = pulumi.env.pop("INCIDENT_API_KEY")
    before = stats(first.url)
    said, _ = failing(pulumi, first, "preview")
    assert "no incident.io API key: set it as a secret in stack config" in said
    assert sent(first, before) == (0, 0)
    pulumi.env["INCIDENT_API_KEY"] = key

    # Nothing listening at the endpoint: the preview fails within seconds, naming it.
    nowhere = closed_endpoint()
    pulumi.env["INCIDENT_ENDPOINT"] = nowhere
    began = time.monotonic()
    said, _ = failing(pulumi, first, "preview")
    print(f"`pulumi preview` against a closed port failed after {time.monotonic() - began:.1f} s")
    assert f"connection refused; the endpoint is {nowhere} (set by the environment variable" in said

    # A value set on the provider (here stack config) wins over the environment.
    pulumi("config", "set", "incident:endpoint", first.url)
    pulumi("up", "--yes")
    assert "Fixing" in configurable(first.url)

    # The organisation moves to another endpoint; a refresh still sends to the one recorded by
    # the last `up`, and says so.
    first.stop()
    moved = emulator_factory(db_path=first.db_path)
    pulumi("config", "set", "incident:endpoint", moved.url)
    said, _ = failing(pulumi, moved, "refresh", "--yes")
    assert "the endpoint recorded by the last `pulumi up`" in said and "--run-program" in said
    pulumi("refresh", "--yes", "--run-program", "--expect-no-changes")

    # The stack removed by force, then made anew: its statuses belong to no stack of the
    # backend, and the advice says so, without `recover`, which would find nothing.
    pulumi("stack", "rm", "dev", "--force", "--yes")
    pulumi("stack", "init", "dev")
    pulumi.env["INCIDENT_ENDPOINT"] = moved.url
    said, _ = failing(pulumi, moved, "preview")
    assert "another stack (or one since removed)" in said and "recover" not in said


YAML = """\
name: my-statuses
runtime: yaml
plugins:
  providers:
    - name: {package}
      path: {plugins}
resources:
{resources}
"""


def yaml_status(resource: str, fields: dict[str, Any], options: str = "") -> str:
    properties = ", ".join(f"{key}: {json.dumps(value)}" for key, value in fields.items())
    body = f"  {resource}:\n    type: {STATUS}\n    properties: {{{properties}}}\n"
    return body + (f"    options:\n{options}" if options else "")


def test_yaml_through_the_plugin_renames_declares_twice_and_imports_a_wrong_id(
    tmp_path: Path, emulator: EmulatorProcess
) -> None:
    folder = tmp_path / "my-statuses"
    folder.mkdir()
    pulumi = shell(tmp_path, folder, emulator)

    def declare(*resources: str) -> None:
        text = YAML.format(
            package=PACKAGE, plugins=ROOT / ".venv" / "bin", resources="".join(resources)
        )
        (folder / "Pulumi.yaml").write_text(text, encoding="utf-8")

    declare(yaml_status("watching", WATCHING), yaml_status("fixing", FIXING))
    pulumi("stack", "init", "dev")
    pulumi("up", "--yes")
    pulumi("refresh", "--yes", "--expect-no-changes")

    declare(yaml_status("watching-fix", WATCHING), yaml_status("fixing", FIXING))
    said, written = failing(pulumi, emulator, "preview")
    old = f"urn:pulumi:dev::my-statuses::{STATUS}::watching"
    assert f'`aliases: ["{old}"]`' in said and "pulumi state rename" in said and written == 0
    assert "pulumi import" not in said and "recover" not in said
    declare(
        yaml_status("watching-fix", WATCHING, f"      aliases:\n        - {old}\n"),
        yaml_status("fixing", FIXING),
    )
    before = stats(emulator.url)
    pulumi("up", "--yes")
    assert sent(emulator, before)[1] == 0

    declare(
        yaml_status("watching-fix", WATCHING),
        yaml_status("fixing", FIXING),
        yaml_status("fixing-too", FIXING),
    )
    said, written = failing(pulumi, emulator, "preview")
    assert names_both(said, "Fixing", "fixing", "fixing-too") and written == 0

    # `pulumi import` of an id no status has fails, and leaves nothing in the state.
    declare(yaml_status("watching-fix", WATCHING), yaml_status("fixing", FIXING))
    missing = "01NOSUCHSTATUS000000000000"
    said, _ = failing(pulumi, emulator, "import", STATUS, "ghost", missing, "--yes")
    assert f"no incident status with id '{missing}' in this organisation" in said
    state = json.loads(pulumi("stack", "export").stdout)["deployment"]["resources"]
    assert not [r for r in state if r["urn"].endswith("::ghost")]
    pulumi("preview", "--expect-no-changes")
