"""Programs with `IncidentStatusOrder`s for engine tests, and reading an order back off the wire."""

from __future__ import annotations

from typing import Any

from incident_statuses_harness.engine import DataProgram, server_statuses

ORDERED_SOURCE = '''"""Statuses and orders as program.json plans them (see `ordered_program`)."""

import json
from pathlib import Path

import pulumi

from pulumi_incident_statuses import IncidentStatus, IncidentStatusOrder

plan = json.loads((Path(__file__).parent / "program.json").read_text(encoding="utf-8"))
made = {}
for spec in plan.get("statuses", []):
    args = {key: value for key, value in spec.items() if key != "resource"}
    made[spec["resource"]] = IncidentStatus(spec["resource"], **args)
    pulumi.export(spec["resource"], made[spec["resource"]].id)
for order in plan.get("orders", []):
    ids = [
        ref.removeprefix("id:") if ref.startswith("id:") else made[ref].id
        for ref in order["statuses"]
    ]
    resource = IncidentStatusOrder(order["resource"], category=order["category"], statuses=ids)
    pulumi.export(order["resource"], resource.statuses)
'''


def ordered_program(plan: dict[str, Any]) -> DataProgram:
    """A program of `plan["statuses"]` (specs as for `statuses_program`) and `plan["orders"]`
    (each `{"resource", "category", "statuses"}`, whose entries name a status resource of the
    program or, as `"id:<id>"`, any status).

    The plan is written out before every operation, so a test edits it in between.
    """
    return DataProgram(ORDERED_SOURCE, plan)


def specs(names: list[str], category: str = "live") -> list[dict[str, Any]]:
    """One rank-less status spec per name; the resource is the lower-cased name."""
    return [
        {"resource": n.lower(), "name": n, "description": f"{n}.", "category": category}
        for n in names
    ]


def held_order(emulator_url: str, category: str, names: list[str] | None = None) -> list[str]:
    """The names of the category's statuses in rank order (only `names`, when given)."""
    held = sorted(
        (s for s in server_statuses(emulator_url) if s["category"] == category),
        key=lambda s: s["rank"],
    )
    return [s["name"] for s in held if names is None or s["name"] in names]
