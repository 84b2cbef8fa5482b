"""The real engine against an emulator that fails, drops answers and rate-limits.

Each seed runs `up` of 30 statuses, an update of every description and `destroy` against an
emulator told to answer a fifth of requests 500/503, to apply and then drop a twentieth of writes,
and to allow 120 requests a minute. Another job sharing the key keeps the minute's allowance
spent until the stack's first request, so the whole run is throttled to two requests a second.
After each step the organisation must hold exactly what the program declares, under the ids the
state records, and a preview must find nothing to do. The test looks through a second,
fault-free emulator on the same database, so that its own reads neither fail nor use up the
faulty emulator's faults and rate limit.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import requests
from pulumi import automation as auto

from incident_statuses_emulator.process import EmulatorProcess
from incident_statuses_harness.engine import (
    API_KEY,
    MANAGED_NAMES,
    configurable,
    server_statuses,
    stats,
    status_stack,
    statuses_program,
)

pytestmark = pytest.mark.engine

SEEDS = (3, 17, 29)
DEPTH_SEEDS = (41, 58)
"""`make test` runs `SEEDS`; `make test-depth` the others, other patterns of the same faults."""
COUNT = 30
CATEGORIES = ("live", "learning", "closed")


def thirty_statuses() -> list[dict[str, Any]]:
    """Ten per category; every other one with a rank, the rest appended by the service."""
    specs: list[dict[str, Any]] = []
    for n in range(COUNT):
        spec: dict[str, Any] = {
            "resource": f"status-{n:02d}",
            "name": f"Status {n:02d}",
            "description": f"Step {n} of the incident",
            "category": CATEGORIES[n % 3],
        }
        if n % 2:
            spec["rank"] = 500 + n
        specs.append(spec)
    return specs


def assert_converged(
    stack: auto.Stack, observer: EmulatorProcess, specs: list[dict[str, Any]]
) -> None:
    """The server holds exactly the declared statuses, under the ids in state; nothing to do."""
    held = server_statuses(observer.url)
    names = [s["name"] for s in held if s["name"] not in MANAGED_NAMES]
    assert len(names) == len(set(names)), "a name is held twice"
    by_name = configurable(observer.url)
    assert set(by_name) == {spec["name"] for spec in specs}
    for spec in specs:
        status = by_name[spec["name"]]
        assert (status["description"], status["category"]) == (
            spec["description"],
            spec["category"],
        )
        if "rank" in spec:
            assert status["rank"] == spec["rank"]
    in_state = {key: value.value for key, value in stack.outputs().items()}
    assert in_state == {spec["resource"]: by_name[spec["name"]]["id"] for spec in specs}
    assert stack.preview().change_summary == {"same": COUNT + 1}


@contextmanager
def another_job_sharing_the_key(emulator: EmulatorProcess) -> Iterator[None]:
    """Keep the key's bucket empty, as another job sharing the key would, until the stack's first
    request arrives: however long the stack takes to start, it starts throttled."""
    arrived = threading.Event()
    before = stats(emulator.url)["total"]

    def spend() -> None:
        deadline = time.monotonic() + 300
        sent = 0
        with requests.Session() as session:
            while not arrived.is_set() and time.monotonic() < deadline:
                answer = session.get(
                    f"{emulator.url}/v1/incident_statuses",
                    headers={"Authorization": f"Bearer {API_KEY}"},
                    timeout=10,
                )
                sent += 1
                if answer.status_code == 429:
                    # Any request not this job's is the stack's: from then on they share the
                    # refills, as two jobs would, instead of this one taking every token.
                    if stats(emulator.url)["total"] - before > sent:
                        return
                    time.sleep(0.1)

    spender = threading.Thread(target=spend, name="another-job", daemon=True)
    spender.start()
    try:
        yield
    finally:
        arrived.set()
        spender.join()


def injected(emulator: EmulatorProcess, since: dict[str, Any]) -> dict[str, int]:
    """The requests the emulator has answered, and the failures it dealt, after ``since``."""
    now = stats(emulator.url)
    counts = {"requests": now["total"] - since["total"]}
    for kind in ("500", "503", "dropped", "429"):
        counts[kind] = now["by_status"].get(kind, 0) - since["by_status"].get(kind, 0)
    return counts


@pytest.mark.parametrize(
    "seed", [*SEEDS, *(pytest.param(seed, marks=pytest.mark.depth) for seed in DEPTH_SEEDS)]
)
def test_up_update_destroy_converge_under_faults(
    tmp_path: Path, emulator_factory: Callable[..., EmulatorProcess], seed: int
) -> None:
    emulator = emulator_factory(fault_rate=0.2, drop_rate=0.05, rate_limit=120, seed=seed)
    observer = emulator_factory(db_path=emulator.db_path)
    before = stats(emulator.url)
    specs = thirty_statuses()
    stack = status_stack(tmp_path, emulator.url, statuses_program(specs), key_from_env=True)

    with another_job_sharing_the_key(emulator):
        up = stack.up()
    assert up.summary.resource_changes == {"create": COUNT + 1}
    assert_converged(stack, observer, specs)
    created = {name: status["id"] for name, status in configurable(observer.url).items()}

    for spec in specs:
        spec["description"] += " (revised)"
    up = stack.up()
    assert up.summary.resource_changes == {"same": 1, "update": COUNT}
    assert_converged(stack, observer, specs)
    assert {name: s["id"] for name, s in configurable(observer.url).items()} == created

    destroy = stack.destroy()
    assert destroy.summary.resource_changes == {"delete": COUNT + 1}
    assert {s["name"] for s in server_statuses(observer.url)} == MANAGED_NAMES

    dealt = injected(emulator, before)
    print(f"seed {seed}: {dealt}")
    assert dealt["500"] + dealt["503"] > 0
    assert dealt["429"] > 0
