"""What one deployment's provider processes share: which resource declares each name, which keeps
each status, which order lists each status; in files that every provider process the engine
started reads and writes, and that outlive no engine."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from pulumi_incident_statuses.core import deployment
from pulumi_incident_statuses.core.deployment import Deployment, FileLedger, MemoryLedger

ORG = "http://127.0.0.1:1#k"
A = "urn:pulumi:dev::p::pulumi-python:dynamic/incident:IncidentStatus::a"
B = "urn:pulumi:dev::p::incident-statuses:index:IncidentStatus::b"


@pytest.mark.parametrize("ledger", ["memory", "files"])
def test_a_name_declared_twice_names_the_other_resource(ledger: str, tmp_path: Path) -> None:
    shared = MemoryLedger() if ledger == "memory" else FileLedger(tmp_path)
    one, other = Deployment(shared), Deployment(shared)
    assert one.declare_name(ORG, "Fixing", A) == []
    assert one.declare_name(ORG, "Fixing", A) == [], "the same resource again is no clash"
    assert other.declare_name(ORG, "Fixing", B) == [A]
    assert one.declare_name(ORG, "Fixing", A) == [B]
    # Names are unique within an organisation only.
    assert other.declare_name("https://api.incident.io#other", "Fixing", B) == []


def test_holders_and_orders_are_sets(tmp_path: Path) -> None:
    shared = Deployment(FileLedger(tmp_path))
    shared.hold(ORG, "01S", [A, None, "urn:old"])
    shared.hold(ORG, "01S", [B])
    shared.hold(ORG, "01S", [A])
    assert sorted(shared.holders(ORG, "01S")) == sorted([A, "urn:old", B])
    shared.hold(ORG, "01T", [None])
    assert shared.holders(ORG, "01T") == [], "a resource of no known URN records nothing"
    assert shared.claim_order(ORG, "urn:order-1", "01S") == []
    assert shared.claim_order(ORG, "urn:order-2", "01S") == ["urn:order-1"]


def test_another_process_sees_the_same_ledger(tmp_path: Path) -> None:
    script = textwrap.dedent(
        f"""
        from pathlib import Path
        from pulumi_incident_statuses.core.deployment import Deployment, FileLedger
        other = Deployment(FileLedger(Path({str(tmp_path)!r})))
        print(other.declare_name({ORG!r}, "Fixing", {B!r}))
        other.hold({ORG!r}, "01S", [{B!r}])
        """
    )
    mine = Deployment(FileLedger(tmp_path))
    assert mine.declare_name(ORG, "Fixing", A) == []
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == repr([A])
    assert mine.holders(ORG, "01S") == [B]


def test_the_engine_address_is_found_among_a_providers_arguments() -> None:
    address = deployment.engine_address
    assert address(["127.0.0.1:40113"]) == "127.0.0.1:40113"
    assert address(["--logtostderr", "-v=9", "--tracing", "127.0.0.1:9", "127.0.0.1:5"]) == (
        "127.0.0.1:5"
    )
    assert address(["--logflow"]) is None


def test_the_ledgers_of_finished_engines_are_forgotten(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(deployment, "_ledgers", lambda: tmp_path)
    finished = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                              capture_output=True, text=True, check=True).stdout.strip()
    gone = tmp_path / f"127-0-0-1-4000-{finished}"
    live = tmp_path / f"127-0-0-1-4001-{os.getpid()}"
    for folder in (gone, live):
        (folder / "names").mkdir(parents=True)
    monkeypatch.setattr(deployment, "DEPLOYMENT", Deployment())
    deployment.share("127.0.0.1:4002")
    assert not gone.exists() and live.exists()
    ledger = deployment.DEPLOYMENT.ledger
    assert isinstance(ledger, FileLedger) and ledger.root.parent == tmp_path
