"""Wrong API key, wrong endpoint, server down: through the engine, one clear error each.

Each run fails with a message that says what went wrong and what to do, leaves no status behind
and no operation pending, and never quotes the key. Once the cause is fixed, `up` converges.
Whatever the operation (`up`, `preview`, `refresh`, `destroy`), the engine's diagnostic for the
resource is our message alone, once, with no Python traceback.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pulumi import automation as auto

from incident_statuses_emulator.process import EmulatorProcess
from incident_statuses_harness.engine import (
    configurable,
    free_port,
    stats,
    status_stack,
    statuses_program,
)
from pulumi_incident_statuses.core.settings import CONFIG_API_KEY, Origin

pytestmark = pytest.mark.engine

WRONG_KEY = "sk-live-wrong-but-still-secret-4d1e"


def one_status() -> list[dict[str, Any]]:
    return [
        {"resource": "fixing", "name": "Fixing", "description": "Fixing it", "category": "live"}
    ]


def failed_up(stack: auto.Stack) -> str:
    """The message of an `up` that must fail."""
    with pytest.raises(auto.CommandError) as failure:
        stack.up()
    return str(failure.value)


def diagnostic(output: str, resource: str = "fixing") -> list[str]:
    """The lines of the engine's diagnostic for one of our resources, `error: ` prefix and all."""
    header = f"  pulumi-python:dynamic/incident:IncidentStatus ({resource}):"
    lines = output.splitlines()
    assert header in lines, output
    body: list[str] = []
    for line in lines[lines.index(header) + 1 :]:
        if line.strip() and not line.startswith("    "):
            break
        body.append(line.strip())
    while body and not body[-1]:
        body.pop()
    return body


def assert_message_first(output: str, error_type: str, start: str, resource: str = "fixing") -> str:
    """Our message is the diagnostic, alone: no trace, no second copy."""
    lines = diagnostic(output, resource)
    assert len(lines) == 1, "\n".join(lines)
    first = lines[0]
    prefix = f"error: pulumi_incident_statuses.{error_type}: "
    # A call retried says how many attempts it made before what went wrong.
    said = re.sub(r"^after \d+ attempts, ", "", first.removeprefix(prefix))
    assert first.startswith(prefix) and said.startswith(start), "\n".join(lines)
    assert "Traceback" not in output
    return first


def assert_nothing_half_done(stack: auto.Stack, emulator: EmulatorProcess) -> None:
    deployment = stack.export_stack().deployment
    assert not deployment.get("pending_operations")
    types = {r["type"] for r in deployment.get("resources") or []}
    assert not any(t.endswith("IncidentStatus") for t in types)
    assert configurable(emulator.url) == {}



def test_wrong_api_key(tmp_path: Path, emulator: EmulatorProcess) -> None:
    specs = one_status()
    stack = status_stack(tmp_path, emulator.url, statuses_program(specs), api_key=WRONG_KEY)

    message = failed_up(stack)
    # The check of the new status lists once, and the key is refused there.
    first = assert_message_first(
        message, "AuthenticationError", "incident.io rejected GET /v1/incident_statuses (401"
    )
    assert first.endswith(" — " + str(Origin(api_key=CONFIG_API_KEY).key_hint()))
    assert WRONG_KEY not in message
    assert stats(emulator.url)["by_status"] == {"401": 1}, "a 401 is not retried"
    assert_nothing_half_done(stack, emulator)


def test_wrong_endpoint(tmp_path: Path, emulator: EmulatorProcess) -> None:
    nowhere = f"http://127.0.0.1:{free_port()}"
    stack = status_stack(tmp_path, nowhere, statuses_program(one_status()))

    message = failed_up(stack)
    # Nothing answers at the endpoint: the name check fails as the create would, before it.
    assert (
        "could not get a response from incident.io for GET "
        f"/v1/incident_statuses: connection refused; the endpoint is {nowhere} "
        "(set by stack config incident:endpoint)"
    ) in message
    assert_message_first(
        message, "APIConnectionError", "could not get a response from incident.io for"
    )
    assert_nothing_half_done(stack, emulator)

    stack.set_config("incident:endpoint", auto.ConfigValue(emulator.url))
    assert stack.up().summary.resource_changes == {"same": 1, "create": 1}


def test_server_down_for_up_refresh_and_destroy_then_back(
    tmp_path: Path, emulator_factory: Callable[..., EmulatorProcess]
) -> None:
    port = free_port()
    emulator = emulator_factory(port=port)
    specs = one_status()
    stack = status_stack(tmp_path, emulator.url, statuses_program(specs))
    first = stack.up().outputs["fixing"].value
    url = emulator.url

    emulator.stop()
    specs[0]["description"] = "Fixing it, carefully"
    message = failed_up(stack)
    assert (
        f"could not get a response from incident.io for PUT /v1/incident_statuses/{first}: "
        "connection refused"
    ) in message
    assert_message_first(
        message, "APIConnectionError", "could not get a response from incident.io for PUT"
    )

    deployment = stack.export_stack().deployment
    assert not deployment.get("pending_operations")
    [recorded] = [r for r in deployment["resources"] if r["type"].endswith("IncidentStatus")]
    assert (recorded["id"], recorded["outputs"]["description"]) == (first, "Fixing it")

    for operation in (stack.refresh, stack.destroy):
        with pytest.raises(auto.CommandError) as failure:
            operation()
        assert_message_first(
            str(failure.value),
            "APIConnectionError",
            "could not get a response from incident.io for ",
        )
        assert "connection refused" in diagnostic(str(failure.value))[0]

    back = emulator_factory(port=port, db_path=emulator.db_path)
    assert back.url == url
    assert stack.up().summary.resource_changes == {"same": 1, "update": 1}
    assert configurable(back.url)["Fixing"] == {
        **configurable(back.url)["Fixing"],
        "id": first,
        "description": "Fixing it, carefully",
    }


def test_missing_key_at_up_and_refresh(tmp_path: Path, emulator: EmulatorProcess) -> None:
    specs = one_status()
    stack = status_stack(tmp_path, emulator.url, statuses_program(specs), key_from_env=True)
    stack.up()

    keyless = status_stack(
        tmp_path, emulator.url, statuses_program(specs), api_key="", key_from_env=True
    )
    with pytest.raises(auto.CommandError) as refresh:
        keyless.refresh()
    assert_message_first(str(refresh.value), "MissingAPIKeyError", "no incident.io API key: ")

    specs[0]["description"] = "Fixing it, keylessly"
    with pytest.raises(auto.CommandError) as up:
        keyless.up()
    assert_message_first(str(up.value), "MissingAPIKeyError", "no incident.io API key: ")


def test_bad_input_at_preview(tmp_path: Path, emulator: EmulatorProcess) -> None:
    specs = one_status()
    specs[0]["category"] = "triage"
    specs[0]["name"] = " "
    stack = status_stack(tmp_path, emulator.url, statuses_program(specs))

    with pytest.raises(auto.CommandError) as failure:
        stack.preview()
    lines = diagnostic(str(failure.value))
    assert len(lines) <= 3, "\n".join(lines)
    assert all(line.startswith("error: ") for line in lines)
    text = "\n".join(lines)
    assert "name: must not be empty" in text
    assert "category: 'triage' statuses are managed by incident.io" in text
    assert "Traceback" not in str(failure.value)
