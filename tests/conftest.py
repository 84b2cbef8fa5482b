"""Fixtures shared by every layer of the suite: a real emulator process on loopback, and for
answers it never gives, a scripted server and a fake clock."""

from __future__ import annotations

import itertools
import os
import random
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from incident_statuses_emulator.process import DEFAULT_API_KEY, EmulatorProcess
from incident_statuses_harness.dist import build_distributions
from incident_statuses_harness.engine import ROOT, compile_checkout
from incident_statuses_harness.fakes import FakeTime, ScriptedServer
from incident_statuses_harness.shared import Shared, SharedEnvironments, fingerprint
from incident_statuses_harness.user import (
    USER_VENVS,
    built_fingerprint,
    discard_if_changed,
    installed_venv,
    source_digest,
)

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
ORDER_SEED = "INCIDENT_STATUSES_TEST_ORDER_SEED"
_SESSION_PULUMI_HOME = pytest.StashKey[Path]()


def pytest_addoption(parser: pytest.Parser) -> None:
    """`--test-order`: the planned order below, or reversed or shuffled, to show no test
    depends on another having run first."""
    parser.addoption(
        "--test-order",
        choices=("planned", "reversed", "shuffled"),
        default="planned",
        help="run the tests in the planned order (default), reversed, or shuffled",
    )
    parser.addoption(
        "--test-order-seed",
        type=int,
        default=None,
        help="the seed of a shuffled order, to run it again (default: a new one, in the header)",
    )


def pytest_configure(config: pytest.Config) -> None:
    """Fix, in the process that starts the workers, what they all must agree on; guard the
    virtualenvs they share; forget any incident.io key or endpoint of the shell, so that no test
    can reach a real organisation."""
    for name in ("INCIDENT_API_KEY", "INCIDENT_ENDPOINT"):
        os.environ.pop(name, None)
    # Workers inherit these through the environment: an edit during a run neither rebuilds the
    # virtualenv under running tests nor gives two workers two versions of the package, and
    # every worker collects the same shuffled order, as xdist requires.
    if not hasattr(config, "workerinput"):
        compile_checkout()
        os.environ.setdefault(USER_VENV_DIGEST, source_digest())
        # The CLI writes a log of every command under PULUMI_HOME. A stack's commands get a home
        # under the test's tmp_path; this one takes the rest (the Automation API's `pulumi
        # version`, once a process), which would otherwise go to the user's ~/.pulumi.
        home = config.stash[_SESSION_PULUMI_HOME] = Path(tempfile.mkdtemp(prefix="pulumi-home-"))
        os.environ["PULUMI_HOME"] = str(home)
        seed = config.getoption("test_order_seed")
        os.environ[ORDER_SEED] = str(seed if seed is not None else random.randrange(10**6))
        # Only here, before any worker starts: a test of an earlier run may have changed it
        # (that run failed, naming the test); this run starts from a clean build.
        changed = discard_if_changed(USER_VENVS / os.environ[USER_VENV_DIGEST])
        if changed:
            config.issue_config_time_warning(
                pytest.PytestWarning(
                    "the cached user virtualenv had changed since it was built, so it is built "
                    "again: " + ", ".join(changed)
                ),
                stacklevel=2,
            )
    checkout = ROOT / ".venv"
    at_start = fingerprint(checkout)
    user = USER_VENVS / os.environ[USER_VENV_DIGEST]
    shared = [Shared(checkout, lambda: at_start), Shared(user, lambda: built_fingerprint(user))]
    config.pluginmanager.register(SharedEnvironments(shared), "shared-environments")


def pytest_unconfigure(config: pytest.Config) -> None:
    """Remove the session's PULUMI_HOME."""
    home = config.stash.get(_SESSION_PULUMI_HOME, None)
    if home is not None:
        shutil.rmtree(home, ignore_errors=True)


def pytest_report_header(config: pytest.Config) -> str | None:
    """The order, when not the planned one, and how to run a shuffled one again."""
    order = config.getoption("test_order")
    if order == "shuffled":
        seed = os.environ[ORDER_SEED]
        return f"test order: shuffled (again: --test-order shuffled --test-order-seed {seed})"
    return None if order == "planned" else f"test order: {order}"


@pytest.fixture(scope="session")
def user_venv() -> Path:
    """A user's virtualenv with this checkout pip-installed (not editable), shared by workers.

    Tests only read it: one that needs more installed makes a layer over it (`layered_venv`).
    """
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
    "test_concurrency_engine.py",
    "test_second_week_engine.py",
    "test_projects_engine.py",
    "test_order_engine.py",
    "test_crash_engine.py",
    "test_resource_engine.py",
    "test_languages_engine.py",
    "test_migration_engine.py",
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Waiting and long tests interleaved, then the other engine tests, then the fast ones;
    then reversed or shuffled, if `--test-order` says so."""

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
    order = config.getoption("test_order")
    if order == "reversed":
        items.reverse()
    elif order == "shuffled":
        random.Random(int(os.environ[ORDER_SEED])).shuffle(items)


@pytest.fixture(scope="session")
def dist_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The checkout's wheel and sdist, built once per session (per test worker)."""
    return build_distributions(tmp_path_factory.mktemp("build"))
