"""The real engine, offline: up, preview, destroy of a trivial dynamic resource."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from incident_statuses_harness.engine import ROOT, toolchain
from incident_statuses_harness.noop_provider import NoopStatus
from incident_statuses_harness.workspace import open_stack

pytestmark = pytest.mark.engine


def test_cli_reports_the_pinned_version() -> None:
    out = subprocess.run(
        [str(ROOT / ".venv" / "bin" / "pulumi"), "version"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    assert out == "v3.274.1"


def test_up_preview_destroy_of_a_trivial_dynamic_resource(tmp_path: Path) -> None:
    def program() -> None:
        NoopStatus("one", name="One", description="first")

    stack = open_stack("smoke", "dev", program, toolchain(tmp_path))

    up = stack.up()
    assert up.summary.resource_changes == {"create": 2}  # the stack and the resource

    preview = stack.preview()
    assert preview.change_summary == {"same": 2}

    deployment = stack.export_stack().deployment
    types = [r["type"] for r in deployment["resources"]]
    assert "pulumi-python:dynamic/bench:NoopStatus" in types

    destroy = stack.destroy()
    assert destroy.summary.resource_changes == {"delete": 2}
    assert stack.export_stack().deployment.get("resources") in (None, [])
