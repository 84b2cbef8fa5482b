"""`pulumi up` killed hard mid-deployment, then docs/troubleshooting.md's recovery, via the engine.

The provider reaches the emulator through a relay that holds every answer back for a while, so
when the kill lands some creates have been applied by incident.io while their answers are still
on the way: exactly the statuses a crashed CI job leaves behind without recording them. (The
emulator's own latency comes before it applies a request, so a kill during it leaves nothing
applied.) The deployment runs as its own process group, like a CI job: this module, run as a
script, is that job. The whole group is killed, and the recovery must then converge on the
declared statuses without creating any twice.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psutil
import pytest
from pulumi import automation as auto

from incident_statuses_emulator.process import EmulatorProcess
from incident_statuses_harness.engine import (
    API_KEY,
    ROOT,
    configurable,
    server_statuses,
    stats,
    statuses_program,
    toolchain,
)
from incident_statuses_harness.workspace import open_stack

pytestmark = pytest.mark.engine

COUNT = 10
KILL_AFTER_WRITES = 6
ANSWER_DELAY = 1.5
"""Seconds the relay holds each answer: the window in which an applied create is unrecorded."""


class SlowAnswers:
    """A TCP relay on loopback that passes requests at once and answers ``delay`` seconds late."""

    def __init__(self, upstream: str, delay: float) -> None:
        host, _, port = upstream.removeprefix("http://").partition(":")
        self._upstream = (host, int(port))
        self._delay = delay
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._sockets: list[socket.socket] = []
        self._closed = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self) -> str:
        """Where the provider is pointed instead of the emulator."""
        return f"http://127.0.0.1:{self._listener.getsockname()[1]}"

    def close(self) -> None:
        """Stop relaying and close every connection."""
        self._closed.set()
        for sock in [self._listener, *self._sockets]:
            with contextlib.suppress(OSError):
                sock.close()

    def _accept(self) -> None:
        while not self._closed.is_set():
            try:
                client, _ = self._listener.accept()
                server = socket.create_connection(self._upstream)
            except OSError:
                return
            self._sockets += [client, server]
            threading.Thread(target=self._pump, args=(client, server, 0.0), daemon=True).start()
            threading.Thread(
                target=self._pump, args=(server, client, self._delay), daemon=True
            ).start()

    def _pump(self, source: socket.socket, sink: socket.socket, delay: float) -> None:
        try:
            while chunk := source.recv(65536):
                time.sleep(delay)
                sink.sendall(chunk)
        except OSError:
            pass
        for sock in (source, sink):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)


@pytest.fixture
def slow_answers() -> Iterator[Callable[[str], SlowAnswers]]:
    relays: list[SlowAnswers] = []

    def start(upstream: str) -> SlowAnswers:
        relays.append(SlowAnswers(upstream, ANSWER_DELAY))
        return relays[-1]

    yield start
    for relay in relays:
        relay.close()


def ten_statuses() -> list[dict[str, Any]]:
    return [
        {
            "resource": f"status-{n}",
            "name": f"Status {n}",
            "description": f"Step {n}",
            "category": ("live", "learning", "closed")[n % 3],
            **({"rank": 100 + n} if n % 2 else {}),
        }
        for n in range(COUNT)
    ]


def ten_statuses_stack(root: Path, endpoint: str) -> auto.Stack:
    """The stack under test, its config kept in `root/work` so that two processes share it."""
    (root / "work").mkdir(exist_ok=True)
    return open_stack(
        "statuses",
        "test",
        statuses_program(ten_statuses()),
        toolchain(root / "state"),
        work_dir=root / "work",
        config={"incident:endpoint": endpoint},
        secrets={"incident:apiKey": API_KEY},
    )


def crash_mid_up(root: Path, endpoint: str, emulator: EmulatorProcess) -> None:
    """Run `up` as a job of its own, and SIGKILL all of it after a few creates.

    The engine starts the provider in a process group of its own, so a kill of the job's group
    alone would leave the provider running; a CI runner ends the job's whole process tree.
    """
    job = subprocess.Popen(
        [sys.executable, __file__, str(root), endpoint],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    tree: list[psutil.Process] = [psutil.Process(job.pid)]
    try:
        deadline = time.monotonic() + 120
        while stats(emulator.url)["writes"] < KILL_AFTER_WRITES:
            assert job.poll() is None, "up ended before the kill"
            assert time.monotonic() < deadline, "no creates reached the emulator"
            time.sleep(0.02)
        tree += tree[0].children(recursive=True)
        names = [process.name() for process in tree]
    finally:
        for process in tree:
            with contextlib.suppress(psutil.NoSuchProcess):
                process.send_signal(signal.SIGKILL)
        job.wait(30)
    _, alive = psutil.wait_procs(tree, timeout=10)
    assert not alive, "nothing of the job survives"
    assert "pulumi" in names, "the CLI was running"
    # The launcher `pulumi-resource-pulumi-python`, as the kernel shortens its name.
    assert "pulumi-resource" in names, "the provider was running"


def remove_torn_metadata(state_dir: Path) -> list[Path]:
    """Delete the empty `.attrs` files a kill can leave in a `file://` backend.

    The file backend writes each checkpoint atomically but rewrites its `.attrs` sidecar (content
    type and checksum) in place, so a kill at that moment leaves it empty and every later command
    fails with "failed to load checkpoint: EOF". Without the sidecar the checkpoint reads fine.
    """
    torn = [path for path in state_dir.rglob("*.attrs") if path.stat().st_size == 0]
    for path in torn:
        path.unlink()
    return torn


def recorded(stack: auto.Stack) -> tuple[dict[str, str], list[str]]:
    """Ids of the statuses in state, by resource name, and the resources with pending operations."""
    deployment = stack.export_stack().deployment
    ids = {
        r["urn"].rsplit("::", 1)[1]: r["id"]
        for r in deployment.get("resources", [])
        if r["type"].endswith("IncidentStatus")
    }
    operations = deployment.get("pending_operations") or []
    pending = [op["resource"]["urn"].rsplit("::", 1)[1] for op in operations]
    return ids, pending


def recover(root: Path, *flags: str) -> subprocess.CompletedProcess[str]:
    """`incident-statuses recover` in the project folder, as a user runs it after the kill."""
    return subprocess.run(
        [str(ROOT / ".venv" / "bin" / "incident-statuses"), "recover", "--cwd", str(root), *flags],
        env={**os.environ, **toolchain(root.parent / "state").env()},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_up_killed_mid_deployment_recovers_without_duplicates_or_takeovers(
    tmp_path: Path,
    emulator_factory: Callable[..., EmulatorProcess],
    slow_answers: Callable[[str], SlowAnswers],
) -> None:
    emulator = emulator_factory()
    relay = slow_answers(emulator.url)
    specs = ten_statuses()

    crash_mid_up(tmp_path, relay.url, emulator)
    remove_torn_metadata(tmp_path / "state")
    stack = ten_statuses_stack(tmp_path, relay.url)
    in_state, pending = recorded(stack)
    on_server = {name: s["id"] for name, s in configurable(emulator.url).items()}
    unrecorded = {name: id_ for name, id_ in on_server.items() if id_ not in in_state.values()}
    assert pending, "the kill left operations pending"
    assert unrecorded, "some creates were applied but never recorded"
    assert len(on_server) < COUNT, "the kill came before every create"
    print(
        f"killed: {len(in_state)} recorded, {len(unrecorded)} applied but unrecorded, "
        f"{len(pending)} pending"
    )

    # The recovery docs/troubleshooting.md gives: release the dead run's lock, recover, up.
    with pytest.raises(auto.CommandError, match="the stack is currently locked"):
        stack.up()
    stack.cancel()
    writes = stats(emulator.url)["writes"]
    recovered = recover(tmp_path / "work", "--stack", "test")
    assert recovered.returncode == 0, recovered.stderr
    assert stats(emulator.url)["writes"] == writes, "recover writes nothing to incident.io"
    by_resource = {spec["name"]: spec["resource"] for spec in specs}
    for name, id_ in unrecorded.items():
        assert f"imported {by_resource[name]}: {id_}" in recovered.stdout
    ids_after_recovery, still_pending = recorded(stack)
    assert still_pending == []
    assert ids_after_recovery == {
        **in_state,
        **{by_resource[name]: id_ for name, id_ in unrecorded.items()},
    }

    before = stats(emulator.url)
    up = stack.up()
    after = stats(emulator.url)
    missing = COUNT - len(on_server)
    assert up.summary.resource_changes == {"same": len(on_server) + 1, "create": missing}
    final = configurable(emulator.url)
    names = [s["name"] for s in server_statuses(emulator.url)]
    assert len(names) == len(set(names)), "a name is held twice"
    assert set(final) == {spec["name"] for spec in specs}
    ids = {key: output.value for key, output in up.outputs.items()}
    assert ids == {spec["resource"]: final[spec["name"]]["id"] for spec in specs}
    assert recorded(stack) == (ids, [])
    for name, id_ in on_server.items():
        assert final[name]["id"] == id_, "a status made before the kill was kept, not redone"
    # No create was refused for its name: nothing was taken over, nothing made twice.
    route = "POST /v1/incident_statuses"
    posts = after["by_route"][route] - before["by_route"].get(route, 0)
    refused = after["by_status"].get("422", 0) - before["by_status"].get("422", 0)
    assert (posts, refused) == (missing, 0)
    assert stack.preview().change_summary == {"same": COUNT + 1}


if __name__ == "__main__":
    # The CI job that crash_mid_up starts and kills: `up` of the stack in the folder given.
    ten_statuses_stack(Path(sys.argv[1]), sys.argv[2]).up()
