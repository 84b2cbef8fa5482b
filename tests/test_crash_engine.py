"""`pulumi up` killed hard mid-deployment, then docs/troubleshooting.md's recovery, via the engine.

The provider reaches the emulator through a relay that holds every answer back for a while, so
when the kill lands some creates have been applied by incident.io while their answers are still
on the way: exactly the statuses a crashed CI job leaves behind without recording them. (The
emulator's own latency comes before it applies a request, so a kill during it leaves nothing
applied.) The deployment is `pulumi up` in a user's project folder (its own virtualenv with the
package pip-installed), run as a job of its own, like a CI job; the job's whole process tree is
killed. Then the user does what comes by reflex (`pulumi cancel`, `pulumi up` again, `pulumi
refresh`), and only then `incident-statuses recover` and `pulumi up`: those must still converge
on the declared statuses, recording each status the killed run made under its own id and
creating none twice.
"""

from __future__ import annotations

import contextlib
import json
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psutil
import pytest

from incident_statuses_emulator.process import EmulatorProcess
from incident_statuses_harness.engine import (
    STATUSES_SOURCE,
    configurable,
    server_statuses,
    stats,
)
from incident_statuses_harness.user import Cli, shell, user_project
from pulumi_incident_statuses.core.tokens import PACKAGE, STATUS

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


def crash_mid_up(pulumi: Cli, emulator: EmulatorProcess) -> None:
    """Run `pulumi up` as a job of its own, and SIGKILL all of it after a few creates.

    The engine starts the provider in a process group of its own, so a kill of the job's group
    alone would leave the provider running; a CI runner ends the job's whole process tree.
    """
    job = subprocess.Popen(
        ["pulumi", "up", "--yes", "--skip-preview", "--non-interactive"],
        cwd=pulumi.cwd,
        env=pulumi.env,
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
    # The provider (`pulumi-resource-...`), as the kernel shortens its name.
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


def recorded(pulumi: Cli) -> tuple[dict[str, str], list[str]]:
    """Ids of the statuses in state, by resource name, and the resources with pending operations."""
    deployment = json.loads(pulumi("stack", "export").stdout)["deployment"]
    ids = {
        r["urn"].rsplit("::", 1)[1]: r["id"]
        for r in deployment.get("resources", [])
        if r["type"].endswith("IncidentStatus")
    }
    operations = deployment.get("pending_operations") or []
    pending = [op["resource"]["urn"].rsplit("::", 1)[1] for op in operations]
    return ids, pending


def python_project(folder: Path, specs: list[dict[str, Any]], venv: Path) -> None:
    """The statuses as the Python resources, in a program of the user's virtualenv."""
    user_project(folder, STATUSES_SOURCE, venv)
    (folder / "program.json").write_text(json.dumps(specs), encoding="utf-8")


def yaml_project(folder: Path, specs: list[dict[str, Any]], venv: Path) -> None:
    """The statuses through the provider plugin, in Pulumi YAML; the plugin from the virtualenv."""
    resources = "".join(
        f"  {spec['resource']}:\n    type: {STATUS}\n    properties: "
        + json.dumps({key: value for key, value in spec.items() if key != "resource"})
        + "\n"
        for spec in specs
    )
    folder.mkdir(parents=True)
    (folder / "Pulumi.yaml").write_text(
        f"name: statuses\nruntime: yaml\nplugins:\n  providers:\n    - name: {PACKAGE}\n"
        f"      path: {venv / 'bin'}\nresources:\n{resources}",
        encoding="utf-8",
    )


@pytest.mark.parametrize("project", [python_project, yaml_project], ids=["python", "yaml"])
def test_up_killed_mid_deployment_recovers_whatever_ran_next(
    tmp_path: Path,
    emulator_factory: Callable[..., EmulatorProcess],
    slow_answers: Callable[[str], SlowAnswers],
    user_venv: Path,
    project: Callable[[Path, list[dict[str, Any]], Path], None],
) -> None:
    emulator = emulator_factory()
    relay = slow_answers(emulator.url)
    specs = ten_statuses()
    folder = tmp_path / "statuses"
    project(folder, specs, user_venv)
    pulumi = shell(tmp_path, folder, emulator)
    pulumi.env["INCIDENT_ENDPOINT"] = relay.url
    pulumi("stack", "init", "test")

    crash_mid_up(pulumi, emulator)
    remove_torn_metadata(tmp_path / "state")
    in_state, pending = recorded(pulumi)
    on_server = {name: s["id"] for name, s in configurable(emulator.url).items()}
    unrecorded = {name: id_ for name, id_ in on_server.items() if id_ not in in_state.values()}
    assert pending, "the kill left operations pending"
    assert unrecorded, "some creates were applied but never recorded"
    assert len(on_server) < COUNT, "the kill came before every create"
    print(
        f"killed: {len(in_state)} recorded, {len(unrecorded)} applied but unrecorded, "
        f"{len(pending)} pending"
    )
    by_resource = {spec["name"]: spec["resource"] for spec in specs}

    # What a user does next, by reflex: release the lock, run `up` again, refresh.
    locked = pulumi("up", "--yes", check=False)
    assert locked.returncode != 0 and "the stack is currently locked" in locked.stderr
    pulumi("cancel", "--yes")
    again = pulumi("up", "--yes", "--skip-preview", check=False)
    assert again.returncode != 0
    print(again.stdout)
    # The engine stops at the first status refused; its error names the status and says what
    # to do.
    assert any(
        f"({by_resource[name]}):" in again.stdout and f"the existing status {id_} " in again.stdout
        for name, id_ in unrecorded.items()
    ), again.stdout
    assert "run `incident-statuses recover` in the project folder" in again.stdout
    assert "Traceback" not in again.stdout
    pulumi("refresh", "--yes")
    writes = stats(emulator.url)["writes"]

    recovered = pulumi.run(user_venv / "bin" / "incident-statuses", "recover", check=False)
    assert recovered.returncode == 0, recovered.stderr
    print(recovered.stdout)
    assert stats(emulator.url)["writes"] == writes, "recover writes nothing to incident.io"
    for name, id_ in unrecorded.items():
        assert f"imported {by_resource[name]}: {id_}" in recovered.stdout
    ids_after_recovery, still_pending = recorded(pulumi)
    assert still_pending == []
    made_by_the_killed_run = {**in_state, **{by_resource[n]: id_ for n, id_ in unrecorded.items()}}
    assert made_by_the_killed_run.items() <= ids_after_recovery.items()

    before = stats(emulator.url)
    pulumi("up", "--yes", "--skip-preview")
    after = stats(emulator.url)
    missing = COUNT - len(ids_after_recovery)
    final = configurable(emulator.url)
    names = [s["name"] for s in server_statuses(emulator.url)]
    assert len(names) == len(set(names)), "a name is held twice"
    assert set(final) == {spec["name"] for spec in specs}
    assert recorded(pulumi)[0] == {spec["resource"]: final[spec["name"]]["id"] for spec in specs}
    for name, id_ in on_server.items():
        assert final[name]["id"] == id_, "a status made before the kill was kept, not redone"
    # No create was refused for its name: nothing was taken over, nothing made twice.
    route = "POST /v1/incident_statuses"
    posts = after["by_route"][route] - before["by_route"].get(route, 0)
    refused = after["by_status"].get("422", 0) - before["by_status"].get("422", 0)
    assert (posts, refused) == (missing, 0)
    pulumi("preview", "--expect-no-changes")
