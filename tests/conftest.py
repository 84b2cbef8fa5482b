"""Fixtures shared by every layer of the suite: a real emulator process on loopback."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from incident_statuses_emulator.process import DEFAULT_API_KEY, EmulatorProcess

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
