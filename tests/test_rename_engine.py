"""Names passed between statuses of one stack in one `pulumi up`: swaps, rotations, chains."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import pytest
from pulumi import automation as auto

from incident_statuses_emulator.process import EmulatorProcess
from incident_statuses_harness.engine import configurable, status_stack, statuses_program
from incident_statuses_harness.organisation import seed

pytestmark = pytest.mark.engine

# A swap, a rotation of three and a chain of three (each takes the next one's name, the last a
# new one): eight updates, more than the provider host has threads.
GROUPS = {
    "swap": ["Red", "Blue"],
    "rotation": ["North", "East", "South"],
    "chain": ["One", "Two", "Three"],
}


def declared(names: dict[str, str]) -> list[dict[str, Any]]:
    return [
        {"resource": resource, "name": name, "description": f"{resource}.", "category": "live"}
        for resource, name in names.items()
    ]


def test_swaps_rotations_and_chains_of_names_apply_in_one_up(
    tmp_path: Path, emulator: EmulatorProcess
) -> None:
    before = {name.lower(): name for names in GROUPS.values() for name in names}
    specs = declared(before)
    stack = status_stack(tmp_path, emulator.url, statuses_program(specs))
    ids = {k: v.value for k, v in stack.up().outputs.items()}

    after = dict(before)
    after["red"], after["blue"] = "Blue", "Red"
    after["north"], after["east"], after["south"] = "East", "South", "North"
    chain = GROUPS["chain"]
    for resource, successor in itertools.pairwise(chain):
        after[resource.lower()] = successor
    after["three"] = "Four"
    specs[:] = declared(after)

    up = stack.up()
    assert up.summary.resource_changes == {"same": 1, "update": 8}
    held = configurable(emulator.url)
    assert {s["id"]: name for name, s in held.items()} == {ids[r]: after[r] for r in after}
    assert not any(name.startswith("renaming ") for name in held)
    assert stack.preview().change_summary == {"same": 9}

    # Swapped back in one up as well.
    specs[:] = declared(before)
    assert stack.up().summary.resource_changes == {"same": 1, "update": 8}
    assert {s["id"]: name for name, s in configurable(emulator.url).items()} == {
        ids[r]: before[r] for r in before
    }


def test_a_name_held_by_a_status_the_stack_does_not_manage_stays_a_conflict(
    tmp_path: Path, emulator: EmulatorProcess
) -> None:
    theirs = seed(
        emulator.url, ({"name": "Theirs", "description": "Not ours.", "category": "live"},)
    )
    names = {"mine": "Mine", "other": "Other"}
    specs = declared(names)
    stack = status_stack(tmp_path, emulator.url, statuses_program(specs))
    stack.up()

    # "Mine" wants the hand-made status's name; "Other" wants the name "Mine" leaves.
    specs[:] = declared({"mine": "Theirs", "other": "Mine"})
    with pytest.raises(auto.CommandError) as caught:
        stack.up()
    message = str(caught.value)
    assert "StatusConflictError" in message and theirs["Theirs"]["id"] in message
    # The engine takes `mine` and `other` in the order the program registers them: `mine`'s check
    # always fails; `other`'s update, if it came first, finds "Mine" not moving and fails saying
    # so (`test_renames.py`).
    assert "holds that name and this stack does not manage it" in message, message
    held = configurable(emulator.url)
    assert held["Theirs"] == theirs["Theirs"]
    assert not any(name.startswith("renaming ") for name in held)

    specs[:] = declared({"mine": "Mine 2", "other": "Mine"})
    stack.up()
    assert set(configurable(emulator.url)) == {"Theirs", "Mine 2", "Mine"}
