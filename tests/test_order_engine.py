"""`IncidentStatusOrder` through the real engine against the emulator: every change in one up, bad
orders refused, races and faults, two stacks, and the demo's declared order."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pulumi import automation as auto

from incident_statuses_emulator.process import EmulatorProcess
from incident_statuses_harness import order_job
from incident_statuses_harness.engine import (
    ROOT,
    project_stack,
    server_statuses,
    stats,
    status_stack,
)
from incident_statuses_harness.ordering import held_order, ordered_program, specs
from incident_statuses_harness.organisation import edit, seed

pytestmark = pytest.mark.engine

NAMES = ["Alpha", "Bravo", "Charlie", "Delta"]
"""Charlie is created by the stack and never listed."""


def by_name(emulator_url: str) -> dict[str, dict[str, Any]]:
    return {s["name"]: s for s in server_statuses(emulator_url)}


def writes_during(emulator_url: str, operation: Any) -> tuple[Any, int, int]:
    """Run `operation`; its result, the requests and the writes the emulator saw meanwhile."""
    before = stats(emulator_url)
    result = operation()
    after = stats(emulator_url)
    return result, after["total"] - before["total"], after["writes"] - before["writes"]


def test_an_order_applies_every_change_in_one_up_and_touches_nothing_else(
    tmp_path: Path, emulator: EmulatorProcess
) -> None:
    url = emulator.url
    # A status made by hand in the same category, which no list names: never written (point 3).
    hand_made = seed(url, ({"name": "Hand-made", "description": "Mine.", "category": "live"},))
    untouched = hand_made["Hand-made"]
    plan: dict[str, Any] = {
        "statuses": specs(NAMES),
        "orders": [
            {"resource": "live-order", "category": "live", "statuses": ["delta", "bravo", "alpha"]}
        ],
    }
    stack = status_stack(tmp_path, url, ordered_program(plan))

    def apply(order: list[str]) -> int:
        plan["orders"][0]["statuses"] = [n.lower() for n in order]
        up, _, writes = writes_during(url, stack.up)
        assert up.summary.resource_changes.get("update") == 1, up.summary.resource_changes
        assert held_order(url, "live", order) == order
        assert by_name(url)["Hand-made"] == untouched
        assert by_name(url)["Charlie"] == charlie
        return int(writes)

    # Points 1 and 2: the statuses are created in the same up as the order that ranks them.
    up = stack.up()
    assert up.summary.resource_changes == {"create": 6}
    assert held_order(url, "live", ["Delta", "Bravo", "Alpha"]) == ["Delta", "Bravo", "Alpha"]
    assert up.outputs["live-order"].value == [
        up.outputs[r].value for r in ("delta", "bravo", "alpha")
    ]
    assert by_name(url)["Hand-made"] == untouched
    # A status of the stack that no list names is never written either.
    charlie = by_name(url)["Charlie"]

    # Point 4: unchanged, a preview sends nothing and an up writes nothing.
    _, requests_sent, _ = writes_during(url, stack.preview)
    assert requests_sent == 0
    unchanged, _, writes = writes_during(url, stack.up)
    assert writes == 0 and unchanged.summary.resource_changes == {"same": 6}

    # Point 2: a change in one up: an insert of a status created in the same up, and a removal
    # (every other kind of change, each in one update: test_provider_methods.py).
    plan["statuses"] += specs(["Echo"])
    apply(["Delta", "Echo", "Bravo", "Alpha"])
    apply(["Bravo", "Echo", "Delta"])
    # Point 4: moving one status where the order has left room costs one write.
    assert apply(["Echo", "Delta", "Bravo"]) == 1

    # Point 5: a reorder in the dashboard is drift that refresh records and up undoes.
    held = by_name(url)
    last = max(s["rank"] for s in held.values() if s["category"] == "live")
    edit(
        url, held["Echo"]["id"], name="Echo", description=held["Echo"]["description"], rank=last + 1
    )
    drifted = held_order(url, "live", ["Bravo", "Echo", "Delta"])
    assert drifted == ["Delta", "Bravo", "Echo"]
    stack.refresh()
    recorded = stack.export_stack().deployment["resources"]
    order_state = next(r for r in recorded if r["urn"].endswith("::live-order"))
    ids = {held[n]["id"]: n for n in held}
    assert [ids[i] for i in order_state["outputs"]["statuses"]] == drifted
    preview = stack.preview()
    assert preview.change_summary.get("update") == 1
    restored, _, writes = writes_during(url, stack.up)
    assert restored.summary.resource_changes.get("update") == 1
    assert held_order(url, "live", ["Bravo", "Echo", "Delta"]) == ["Echo", "Delta", "Bravo"]
    assert writes >= 1

    # Point 7: deleting the order writes nothing; every status keeps its rank.
    ranks = {n: s["rank"] for n, s in by_name(url).items()}
    plan["orders"] = []
    removed, _, writes = writes_during(url, stack.up)
    assert removed.summary.resource_changes.get("delete") == 1
    assert writes == 0
    assert {n: s["rank"] for n, s in by_name(url).items()} == ranks


def preview_error(stack: auto.Stack) -> str:
    with pytest.raises(auto.CommandError) as caught:
        stack.preview()
    return str(caught.value)


def test_bad_orders_are_refused_naming_the_field_and_the_next_up_finishes(
    tmp_path: Path, emulator: EmulatorProcess
) -> None:
    url = emulator.url
    made = seed(
        url,
        (
            {"name": "Ours", "description": "Live.", "category": "live"},
            {"name": "Theirs", "description": "Live.", "category": "live"},
        ),
    )
    ours, theirs = (f"id:{made[n]['id']}" for n in ("Ours", "Theirs"))
    order = {"resource": "live-order", "category": "live", "statuses": [theirs, ours]}
    plan: dict[str, Any] = {"statuses": [], "orders": [order]}
    stack = status_stack(tmp_path, url, ordered_program(plan))
    before = server_statuses(url)

    # Point 6, at preview: a mistake fails the check, naming its field (each mistake's message:
    # test_provider_methods.py); a status in two orders of the program is one of them.
    plan["orders"].append({"resource": "again", "category": "live", "statuses": [ours]})
    assert "statuses: " in (said := preview_error(stack))
    assert "also listed by the IncidentStatusOrder" in said
    plan["orders"].pop()
    assert server_statuses(url) == before

    # At up, when the id is not known at preview: a status created in the same up, of the wrong
    # category. It is created; the order fails before writing any rank.
    plan["statuses"] = specs(["Later"], category="learning")
    order["statuses"] = [theirs, "later", ours]
    assert stack.preview().change_summary.get("create") == 3
    with pytest.raises(auto.CommandError) as caught:
        stack.up()
    assert "statuses: [1] 'Later'" in str(caught.value)
    assert "is a 'learning' status; this order is of 'live' statuses" in str(caught.value)
    assert {s["id"]: s["rank"] for s in server_statuses(url) if s["name"] != "Later"} == {
        s["id"]: s["rank"] for s in before
    }
    # Fixed, the next up finishes.
    order["statuses"] = [theirs, ours]
    fixed = stack.up()
    assert fixed.summary.resource_changes.get("create") == 1
    assert held_order(url, "live") == ["Theirs", "Ours"]


def test_under_the_rank_race_and_faults_an_order_converges_the_same_everywhere(
    tmp_path: Path,
    emulator: EmulatorProcess,
    emulator_factory: Callable[..., EmulatorProcess],
) -> None:
    names = [f"Stage {n}" for n in range(1, 9)]
    declared = list(reversed(names))
    plan: dict[str, Any] = {
        "statuses": specs(names),
        "orders": [
            {
                "resource": "live-order",
                "category": "live",
                "statuses": [n.lower() for n in declared],
            }
        ],
    }
    faulty = emulator_factory(rank_race=True, fault_rate=0.1, drop_rate=0.05, seed=12)
    # Point 8: eight appends race for ranks, one request in ten fails and one in twenty loses its
    # answer; the up still converges, with no duplicate.
    stack = status_stack(tmp_path / "faulty", faulty.url, ordered_program(plan))
    stack.up()
    # The test reads through a fault-free emulator on the same database.
    observer = emulator_factory(db_path=faulty.db_path)
    held = [s["name"] for s in server_statuses(observer.url) if s["category"] == "live"]
    assert sorted(held) == sorted(names)
    assert held_order(observer.url, "live") == declared
    assert stack.preview().change_summary == {"same": 10}
    outcomes = stats(faulty.url)["by_status"]
    assert outcomes.get("500", 0) + outcomes.get("503", 0) + outcomes.get("dropped", 0) > 0
    assert outcomes.get("422", 0) > 0, "the appends raced"
    # Point 1: the same program gives the same order in another organisation.
    elsewhere = status_stack(tmp_path / "elsewhere", emulator.url, ordered_program(plan))
    elsewhere.up()
    assert held_order(emulator.url, "live") == declared


def test_the_lifecycle_example_comes_out_in_its_declared_order(
    tmp_path: Path, emulator: EmulatorProcess
) -> None:
    # Point 9: what `make demo` runs. Its creates race; the order settles them.
    source = (ROOT / "examples" / "lifecycle" / "__main__.py").read_text(encoding="utf-8")
    stack = project_stack(tmp_path, emulator.url, source)
    stack.up()
    assert held_order(emulator.url, "live") == ["Investigating", "Fixing", "Monitoring"]
    again, _, writes = writes_during(emulator.url, stack.up)
    assert writes == 0 and again.summary.resource_changes == {"same": 7}


def test_orders_of_disjoint_lists_in_two_stacks_run_at_once_and_both_hold(
    tmp_path: Path, emulator_factory: Callable[..., EmulatorProcess]
) -> None:
    # Issue 15, item 4: two teams order their own live statuses of one organisation, both
    # packed in by appends and interleaved, from two stacks running `pulumi up` at once.
    racing = emulator_factory(rank_race=True)
    teams = {
        "payments": [f"Payments {n}" for n in range(6)],
        "search": [f"Search {n}" for n in range(6)],
    }
    interleaved = [name for pair in zip(*teams.values(), strict=True) for name in pair]
    made = seed(
        racing.url,
        tuple({"name": n, "description": f"{n}.", "category": "live"} for n in interleaved),
    )
    jobs = []
    for team, names in teams.items():
        plan = {
            "orders": [
                {
                    "resource": f"{team}-order",
                    "category": "live",
                    "statuses": [f"id:{made[n]['id']}" for n in reversed(names)],
                }
            ],
        }
        plan_file = tmp_path / f"{team}.json"
        plan_file.write_text(json.dumps(plan), encoding="utf-8")
        job = [sys.executable, "-m", order_job.__name__, str(tmp_path / team), racing.url]
        jobs.append(subprocess.Popen([*job, str(plan_file)], stderr=subprocess.PIPE, text=True))
    for job in jobs:
        _, errors = job.communicate(timeout=300)
        assert job.returncode == 0, errors
    assert sorted(held_order(racing.url, "live")) == sorted(interleaved)
    for names in teams.values():
        assert held_order(racing.url, "live", names) == list(reversed(names))


def test_orders_of_two_stacks_naming_the_same_statuses_stop_with_a_clear_error(
    tmp_path: Path, emulator: EmulatorProcess
) -> None:
    # Issue 15, item 4: two stacks' orders list the same two statuses, in opposite orders, and
    # both run `pulumi up --refresh`. Each refresh sees the other's move as drift.
    names = ["Shared A", "Shared B"]
    made = seed(
        emulator.url, tuple({"name": n, "description": f"{n}.", "category": "live"} for n in names)
    )
    stacks = []
    for team, listed in (("north", names), ("south", names[::-1])):
        plan = {
            "orders": [
                {
                    "resource": f"{team}-order",
                    "category": "live",
                    "statuses": [f"id:{made[n]['id']}" for n in listed],
                }
            ]
        }
        stacks.append(status_stack(tmp_path / team, emulator.url, ordered_program(plan)))
    north, south = stacks
    north.up()
    south.up()
    assert held_order(emulator.url, "live", names) == names[::-1]
    # Once, each puts its order back, as after an edit in the dashboard.
    north.up(refresh=True)
    assert held_order(emulator.url, "live", names) == names
    south.up(refresh=True)
    assert held_order(emulator.url, "live", names) == names[::-1]
    # North finds them moved again right after its put-back: a fight. It fails, naming both
    # statuses, and writes nothing, on every run until one order lets go. South's order holds.
    for _ in range(2):
        before = stats(emulator.url)["writes"]
        with pytest.raises(auto.CommandError) as failed:
            north.up(refresh=True)
        assert stats(emulator.url)["writes"] == before
        message = str(failed.value)
        assert "out of its order again" in message and "another stack" in message
        assert all(f"'{n}' ({made[n]['id']})" in message for n in names)
        assert "--replace" in message
        assert south.up(refresh=True).summary.resource_changes == {"same": 2}
    assert held_order(emulator.url, "live", names) == names[::-1]
