"""Several stacks, one organisation: concurrent `pulumi up`s appending to one category converge.

Each stack is a project folder run by `pulumi up` as users run it, in its own process. In every
round all stacks start `up` at the same moment, each appending 15 `live` statuses (no rank) to
the same category, against an emulator that races rank-less creates for the next rank as
incident.io does (`--rank-race`), with faults as well in the second setting. Every `up` must
succeed the first time and the organisation must then hold each declared status exactly once,
with distinct ranks. Each round replaces the previous round's statuses with new ones, so that it
also deletes while the other stacks append.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from incident_statuses_emulator.process import EmulatorProcess
from incident_statuses_harness.engine import (
    API_KEY,
    ProjectStack,
    Run,
    configurable,
    stats,
    toolchain,
    write_project,
)
from incident_statuses_harness.workspace import open_stack

pytestmark = pytest.mark.engine

PER_STACK = 15
TEAMS = 3
ROUNDS = 3
"""Stacks and rounds a run of the suite holds; `make soak` (bench/soak.py) runs many more rounds,
of 2 stacks and of 3, for depth."""

PROGRAM = """\
import json
import pathlib

from pulumi_incident_statuses import IncidentStatus

for spec in json.loads(pathlib.Path("statuses.json").read_text()):
    IncidentStatus(spec["resource"], name=spec["name"], description="d", category="live")
"""


def folder_stack(root: Path, team: int, endpoint: str) -> ProjectStack:
    """Team ``team``'s stack: a project folder of its own, sharing the backend with the others."""
    folder = write_project(root / f"team-{team}", PROGRAM, name=f"team-{team}")
    (folder / "statuses.json").write_text("[]")
    stack = open_stack(
        f"team-{team}",
        "ci",
        None,
        toolchain(root / "state", {"INCIDENT_API_KEY": API_KEY}),
        work_dir=folder,
        config={"incident:endpoint": endpoint},
    )
    return ProjectStack(stack, folder)


def declare(stack: ProjectStack, names: list[str]) -> None:
    specs = [{"resource": name.lower().replace(" ", "-"), "name": name} for name in names]
    (stack.folder / "statuses.json").write_text(json.dumps(specs))


def all_at_once(stacks: list[ProjectStack]) -> list[Run | BaseException]:
    """`up` of every stack, started together; each one's result or exception."""
    results: list[Run | BaseException] = [RuntimeError("not run")] * len(stacks)
    start = threading.Barrier(len(stacks))

    def run(index: int) -> None:
        start.wait()
        try:
            results[index] = stacks[index].up()
        except BaseException as error:
            results[index] = error

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(stacks))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def run_rounds(
    root: Path, emulator: EmulatorProcess, observer: EmulatorProcess, teams: int, rounds: int
) -> list[dict[str, Any]]:
    """``rounds`` rounds of ``teams`` concurrent appends; what each round's `up`s reported."""
    stacks = [folder_stack(root, team, emulator.url) for team in range(teams)]
    previous = 0
    reports: list[dict[str, Any]] = []
    for round_ in range(rounds):
        names = {
            team: [f"Team {team} round {round_} status {n}" for n in range(PER_STACK)]
            for team in range(teams)
        }
        for team, stack in enumerate(stacks):
            declare(stack, names[team])
        before = stats(emulator.url)["by_status"]
        results = all_at_once(stacks)
        failures = [str(r) for r in results if isinstance(r, BaseException)]
        assert failures == [], f"round {round_}: {failures}"
        for result in results:
            assert isinstance(result, Run)
            expected = {"create": PER_STACK, "same": 1} if round_ else {"create": PER_STACK + 1}
            if previous:
                expected["delete"] = previous
            assert result.summary.resource_changes == expected
        held = configurable(observer.url)
        declared = {name for team in names.values() for name in team}
        assert set(held) == declared, f"round {round_}: exactly the declared statuses"
        ranks = [status["rank"] for status in held.values()]
        assert len(ranks) == len(set(ranks)), f"round {round_}: a rank is held twice"
        after = stats(emulator.url)["by_status"]
        reports.append({k: after.get(k, 0) - before.get(k, 0) for k in after})
        previous = PER_STACK
    return reports


def test_concurrent_appends_from_several_stacks_all_succeed(
    tmp_path: Path, emulator_factory: Callable[..., EmulatorProcess]
) -> None:
    emulator = emulator_factory(rank_race=True)
    reports = run_rounds(tmp_path, emulator, emulator, TEAMS, ROUNDS)
    print(f"{TEAMS} stacks: {reports}")
    assert sum(report.get("422", 0) for report in reports) > 0, "the appends did race"


def test_concurrent_appends_converge_under_faults(
    tmp_path: Path, emulator_factory: Callable[..., EmulatorProcess]
) -> None:
    emulator = emulator_factory(rank_race=True, fault_rate=0.1, drop_rate=0.05, seed=TEAMS)
    # The test reads through a fault-free emulator on the same database.
    observer = emulator_factory(db_path=emulator.db_path)
    reports = run_rounds(tmp_path, emulator, observer, TEAMS, ROUNDS)
    faulty = stats(emulator.url)["by_status"]
    print(f"{TEAMS} stacks under faults: {faulty}")
    assert faulty.get("dropped", 0) > 0 and faulty.get("500", 0) + faulty.get("503", 0) > 0
    assert sum(report.get("422", 0) for report in reports) > 0, "the appends did race"
