"""Fixtures shared by every layer of the suite: a real emulator process on loopback, and for
answers it never gives, a scripted server and a fake clock."""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from incident_statuses_emulator.process import DEFAULT_API_KEY, EmulatorProcess
from incident_statuses_harness.dist import build_distributions
from incident_statuses_harness.fakes import FakeTime, ScriptedServer
from incident_statuses_harness.user import installed_venv, source_digest

API_KEY = DEFAULT_API_KEY


@pytest.fixture(scope="session")
def _shared_emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmulatorProcess]:
    db = tmp_path_factory.mktemp("emulator") / "statuses.db"
    with EmulatorProcess(db_path=db) as process:
        yield process


@pytest.fixture
def emulator(_shared_emulator: EmulatorProcess) -> EmulatorProcess:
    """The session's emulator, reset to a fresh organisation before the test."""
    requests.post(f"{_shared_emulator.url}/_emulator/reset", timeout=10).raise_for_status()
    return _shared_emulator


USER_VENV_DIGEST = "INCIDENT_STATUSES_USER_VENV_DIGEST"


def pytest_configure(config: pytest.Config) -> None:
    """Take the package's source digest once, in the process that starts the workers."""
    # Workers inherit it: an edit during a run neither rebuilds the virtualenv under running
    # tests nor gives two workers two versions of the package.
    if not hasattr(config, "workerinput"):
        os.environ.setdefault(USER_VENV_DIGEST, source_digest())


@pytest.fixture(scope="session")
def user_venv() -> Path:
    """A user's virtualenv with this checkout pip-installed (not editable), shared by workers."""
    return installed_venv(os.environ[USER_VENV_DIGEST])


@pytest.fixture
def emulator_factory(tmp_path: Path) -> Iterator[Callable[..., EmulatorProcess]]:
    """Starts emulators with the given flags (faults, latency, rate limit); stops them after."""
    started: list[EmulatorProcess] = []

    def start(**options: Any) -> EmulatorProcess:
        options.setdefault("db_path", tmp_path / f"emulator-{len(started)}.db")
        process = EmulatorProcess(**options)
        process.start()
        started.append(process)
        return process

    yield start
    for process in started:
        process.stop()


@pytest.fixture
def canned() -> Iterator[ScriptedServer]:
    """A scripted HTTP server on loopback (see `incident_statuses_harness.canned`)."""
    with ScriptedServer.running() as server:
        yield server


@pytest.fixture
def fake_time() -> FakeTime:
    """A clock that moves only when slept on."""
    return FakeTime()


# xdist hands tests out one at a time (`--maxschedchunk 1` in the Makefile) in the order below.
# The machine's two cores are the limit, so the tests that mostly wait (rate limits, a server that
# is down) start interleaved with the longest CPU-bound ones: the waiting never holds every worker
# at once, and no long test is left running alone at the end.
MOSTLY_WAITING = (
    "test_faults_engine.py",
    "test_errors_engine.py",
    "test_user_errors_engine.py",
)
LONGEST_FIRST = (
    "test_mixed_engine.py",
    "test_projects_engine.py",
    "test_concurrency_engine.py",
    "test_order_engine.py",
    "test_resource_engine.py",
    "test_languages_engine.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Waiting and long tests interleaved, then the other engine tests, then the fast ones."""
    def first_in(names: tuple[str, ...]) -> list[pytest.Item]:
        chosen = (item for item in items if item.path.name in names)
        return sorted(chosen, key=lambda item: names.index(item.path.name))

    waiting, longest = first_in(MOSTLY_WAITING), first_in(LONGEST_FIRST)
    rest = sorted(
        (item for item in items if item not in waiting and item not in longest),
        key=lambda item: item.get_closest_marker("engine") is None,
    )
    interleaved = [
        item for pair in itertools.zip_longest(longest, waiting) for item in pair if item
    ]
    items[:] = interleaved + rest


@pytest.fixture(scope="session")
def dist_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The checkout's wheel and sdist, built once per session (per test worker)."""
    return build_distributions(tmp_path_factory.mktemp("build"))
