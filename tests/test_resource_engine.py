"""`IncidentStatus` through the real engine against the emulator: the whole lifecycle."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
import requests
from pulumi import automation as auto

from incident_statuses_emulator.process import EmulatorProcess
from incident_statuses_harness.engine import (
    API_KEY,
    configurable,
    server_statuses,
    stats,
    status_stack,
    statuses_program,
    toolchain,
)
from incident_statuses_harness.organisation import MANAGED, edit, seed

pytestmark = pytest.mark.engine


def lifecycle() -> list[dict[str, Any]]:
    return [
        {
            "resource": "investigating",
            "name": "Investigating",
            "description": "Looking",
            "category": "live",
        },
        {"resource": "fixing", "name": "Fixing", "description": "Fixing it", "category": "live"},
        {
            "resource": "documenting",
            "name": "Documenting",
            "description": "Writing up",
            "category": "learning",
        },
    ]


def outputs(result: auto.UpResult) -> dict[str, str]:
    return {key: value.value for key, value in result.outputs.items()}


def made_by_hand(emulator: EmulatorProcess, name: str) -> dict[str, Any]:
    """A live status made outside Pulumi, as the emulator holds it."""
    made: dict[str, Any] = seed(
        emulator.url, ({"name": name, "description": "Made by hand", "category": "live"},)
    )[name]
    return made


def test_one_stack_through_its_whole_lifecycle(tmp_path: Path, emulator: EmulatorProcess) -> None:
    """Create, no-op preview, drift, out-of-band delete, rank, update, replace and destroy, one
    after the other on one stack, as a team's stack lives. (Export and import: the demo stack's
    week in test_projects_engine.py.)"""
    specs = lifecycle()
    specs[1]["rank"] = 7
    stack = status_stack(tmp_path, emulator.url, statuses_program(specs))

    # Creating N statuses is N writes, and one list: the check that no one else holds the names.
    up = stack.up()
    assert up.summary.resource_changes == {"create": 4}
    after_up = stats(emulator.url)
    assert after_up["writes"] == 3
    assert after_up["total"] == 4
    ids = outputs(up)
    held = configurable(emulator.url)
    assert {name: s["id"] for name, s in held.items()} == {
        "Investigating": ids["investigating"],
        "Fixing": ids["fixing"],
        "Documenting": ids["documenting"],
    }
    assert held["Documenting"]["category"] == "learning"
    assert held["Fixing"]["rank"] == 7

    # An unchanged preview makes no calls.
    before_preview = stats(emulator.url)["total"]
    assert stack.preview().change_summary == {"same": 4}
    assert stats(emulator.url)["total"] == before_preview

    # A hand edit is found by refresh (one list serves every read) and undone by up; a reorder
    # in the dashboard of a status whose rank the program leaves unset is not moved back.
    edit(emulator.url, ids["fixing"], name="Fixing (edited)", description="Changed by hand")
    edit(emulator.url, ids["investigating"], name="Investigating", description="Looking", rank=42)
    before = stats(emulator.url)["total"]
    assert stack.refresh().summary.resource_changes == {"same": 3, "update": 1}
    assert stats(emulator.url)["total"] - before <= 2
    assert stack.up().summary.resource_changes == {"same": 3, "update": 1}
    held = configurable(emulator.url)
    assert held["Fixing"]["description"] == "Fixing it"
    assert held["Fixing"]["rank"] == 7
    assert "Fixing (edited)" not in held
    assert held["Investigating"]["rank"] == 42

    # Deleted by hand: refresh drops it from state and up creates it again.
    requests.delete(
        f"{emulator.url}/v1/incident_statuses/{ids['documenting']}",
        headers={"Authorization": f"Bearer {API_KEY}"},
        timeout=10,
    ).raise_for_status()
    assert stack.refresh().summary.resource_changes == {"same": 3, "delete": 1}
    up = stack.up()
    assert up.summary.resource_changes == {"same": 3, "create": 1}
    recreated = outputs(up)["documenting"]
    assert configurable(emulator.url)["Documenting"]["id"] == recreated != ids["documenting"]

    # A description and a declared rank update in place; a category replaces.
    specs[0]["description"] = "Still looking"
    specs[1]["rank"] = 3
    up = stack.up()
    assert up.summary.resource_changes == {"same": 2, "update": 2}
    assert outputs(up)["investigating"] == ids["investigating"]
    assert configurable(emulator.url)["Investigating"]["description"] == "Still looking"
    assert configurable(emulator.url)["Fixing"]["rank"] == 3
    specs[2]["category"] = "closed"
    up = stack.up()
    assert up.summary.resource_changes == {"same": 3, "replace": 1}
    held = configurable(emulator.url)
    assert held["Documenting"]["category"] == "closed"
    assert held["Documenting"]["id"] == outputs(up)["documenting"] != recreated

    # Destroy leaves exactly incident.io's own statuses.
    assert stack.destroy().summary.resource_changes == {"delete": 4}
    assert {s["name"] for s in server_statuses(emulator.url)} == set(MANAGED)


def test_import_id_adopts_an_existing_status_keeping_its_id(
    tmp_path: Path, emulator: EmulatorProcess
) -> None:
    created = made_by_hand(emulator, "Monitoring")
    specs = [
        {
            "resource": "monitoring",
            "name": "Monitoring",
            "description": "Watching the fix",
            "category": "live",
            "import_id": created["id"],
        }
    ]
    stack = status_stack(tmp_path, emulator.url, statuses_program(specs))
    before = stats(emulator.url)

    up = stack.up()
    assert outputs(up)["monitoring"] == created["id"]
    held = configurable(emulator.url)
    assert list(held) == ["Monitoring"]
    assert held["Monitoring"]["description"] == "Watching the fix"
    after = stats(emulator.url)
    assert after["writes"] - before["writes"] == 1  # one PUT, no POST
    assert stack.preview().change_summary == {"same": 2}


def _exported_with_secrets(tmp_path: Path, stack: auto.Stack) -> dict[str, Any]:
    chain = toolchain(tmp_path / "state")
    exported = subprocess.run(
        [str(chain.pulumi), "stack", "export", "--show-secrets", "--stack", "test"],
        cwd=stack.workspace.work_dir,
        env={**os.environ, **chain.env()},
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    state: dict[str, Any] = json.loads(exported)
    return state


def _exercise(
    tmp_path: Path, emulator_factory: Any, secret_key: str, *, key_from_env: bool
) -> tuple[EmulatorProcess, auto.Stack, list[str]]:
    """An emulator and a stack with key `secret_key`, put through up, change, up and refresh
    with every log on; what they printed."""
    emulator = emulator_factory(api_key=secret_key)
    specs = lifecycle()
    program = statuses_program(specs)
    stack = status_stack(
        tmp_path, emulator.url, program, api_key=secret_key, key_from_env=key_from_env
    )
    printed: list[str] = []
    capture: dict[str, Any] = {"on_output": printed.append, "on_error": printed.append}
    stack.up(log_verbosity=9, log_to_std_err=True, debug=True, **capture)
    specs[0]["description"] = "changed"
    stack.up(**capture)
    stack.refresh(log_verbosity=9, log_to_std_err=True, **capture)
    return emulator, stack, printed


def test_api_key_from_the_environment_is_nowhere_in_state_or_output(
    tmp_path: Path, emulator_factory: Any
) -> None:
    secret_key = "sk-live-do-not-leak-7f3a9c"
    emulator, stack, printed = _exercise(tmp_path, emulator_factory, secret_key, key_from_env=True)
    assert configurable(emulator.url, secret_key)["Investigating"]["description"] == "changed"

    state = _exported_with_secrets(tmp_path, stack)
    assert any("__provider" in (r.get("inputs") or {}) for r in state["deployment"]["resources"])
    assert secret_key not in json.dumps(state)
    for path in (tmp_path / "state").rglob("*"):
        if path.is_file():
            assert secret_key.encode() not in path.read_bytes(), path
    stack.destroy(on_output=printed.append, on_error=printed.append)
    assert secret_key not in "\n".join(printed)


def test_api_key_from_stack_config_stays_out_of_resources_and_output(
    tmp_path: Path, emulator_factory: Any
) -> None:
    secret_key = "sk-live-do-not-leak-2b8e41"
    _emulator, stack, printed = _exercise(
        tmp_path, emulator_factory, secret_key, key_from_env=False
    )
    assert secret_key not in "\n".join(printed)

    holders = [
        r["urn"]
        for r in _exported_with_secrets(tmp_path, stack)["deployment"]["resources"]
        if secret_key in json.dumps(r)
    ]
    # The engine copies all stack config into its default dynamic provider's inputs (see
    # docs/stacks-ci-and-keys.md, "The API key"); no resource of ours, nor the pickled provider,
    # holds the key.
    assert holders in ([], ["urn:pulumi:test::statuses::pulumi:providers:pulumi-python::default"])


def test_api_rejection_at_up_names_resource_message_and_request_id(
    tmp_path: Path, emulator: EmulatorProcess
) -> None:
    specs = [
        {"resource": "first", "name": "First", "description": "d", "category": "live", "rank": 5},
        {"resource": "second", "name": "Second", "description": "d", "category": "live", "rank": 5},
    ]
    stack = status_stack(tmp_path, emulator.url, statuses_program(specs))
    with pytest.raises(auto.CommandError) as failure:
        stack.up()
    message = str(failure.value)
    assert "Can't have more than one status with the same rank" in message
    assert "422 validation_error, request " in message
    assert "IncidentStatus (first)" in message or "IncidentStatus (second)" in message


def test_many_rankless_creates_in_one_category_survive_the_rank_race(
    tmp_path: Path, emulator_factory: Any
) -> None:
    racing = emulator_factory(rank_race=True)
    specs = [
        {"resource": f"s{i}", "name": f"Status {i}", "description": "d", "category": "live"}
        for i in range(12)
    ]
    stack = status_stack(tmp_path, racing.url, statuses_program(specs))

    assert stack.up().summary.resource_changes == {"create": 13}
    held = configurable(racing.url)
    assert sorted(held) == sorted(spec["name"] for spec in specs)
    assert len({s["rank"] for s in held.values()}) == 12
    assert stats(racing.url)["by_status"].get("422", 0) > 0  # the race did happen
