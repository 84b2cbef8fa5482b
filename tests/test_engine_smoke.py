"""The real engine, offline: up, preview, destroy of a trivial dynamic resource, run by the pinned
CLI that the harness's toolchain finds."""

from __future__ import annotations

from pathlib import Path

import pytest

from incident_statuses_harness.engine import toolchain
from incident_statuses_harness.noop_provider import NoopStatus
from incident_statuses_harness.workspace import open_stack

pytestmark = pytest.mark.engine


def test_up_preview_destroy_of_a_trivial_dynamic_resource(tmp_path: Path) -> None:
    def program() -> None:
        NoopStatus("one", name="One", description="first")

    stack = open_stack("smoke", "dev", program, toolchain(tmp_path))

    up = stack.up()
    assert up.summary.resource_changes == {"create": 2}  # the stack and the resource
    # The toolchain ran the pinned engine, offline, with the checkout's interpreter.
    ran = up.summary.environment
    assert ran["pulumi.version"] == "v3.274.1"
    assert ran["pulumi.env.PULUMI_SKIP_UPDATE_CHECK"] == "true"
    assert ran["pulumi.env.PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION"] == "true"

    preview = stack.preview()
    assert preview.change_summary == {"same": 2}

    deployment = stack.export_stack().deployment
    types = [r["type"] for r in deployment["resources"]]
    assert "pulumi-python:dynamic/bench:NoopStatus" in types

    destroy = stack.destroy()
    assert destroy.summary.resource_changes == {"delete": 2}
    assert stack.export_stack().deployment.get("resources") in (None, [])
