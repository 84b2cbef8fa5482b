"""A status someone else made is never taken over, through the engine.

A person made "Owned by another team" in the dashboard. A program declares a status with exactly
the same name, description and category and no `import_id`. Equal content does not make it the
stack's: `pulumi up` fails naming the holder and the `import_id` that would adopt it, the holder
is never written, and the stack's `destroy` leaves it where it was.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from pulumi import automation as auto

from incident_statuses_emulator.process import EmulatorProcess
from incident_statuses_harness.engine import configurable, stats, status_stack, statuses_program
from incident_statuses_harness.organisation import seed

pytestmark = pytest.mark.engine

THEIRS = {"name": "Owned by another team", "description": "theirs", "category": "live"}


def test_equal_content_without_import_id_is_a_conflict_and_never_taken(
    tmp_path: Path, emulator: EmulatorProcess
) -> None:
    holder = seed(emulator.url, (THEIRS,))[THEIRS["name"]]
    specs = [
        {"resource": "same-as-theirs", **THEIRS},
        {"resource": "ours", "name": "Ours", "description": "ours", "category": "live"},
    ]
    stack = status_stack(tmp_path, emulator.url, statuses_program(specs))
    writes = stats(emulator.url)["by_route"]

    with pytest.raises(auto.CommandError) as failure:
        stack.up()
    message = str(failure.value)
    assert "IncidentStatus (same-as-theirs)" in message
    assert f"the existing status {holder['id']}" in message
    assert f"import_id='{holder['id']}'" in message
    # Found by the check of the new status, before a create of it was sent and refused; one
    # line, the message alone.
    assert "422" not in message and "Traceback" not in message
    assert "error: pulumi_incident_statuses.StatusConflictError: cannot create" in message
    ids = {key: value.value for key, value in stack.outputs().items()}
    assert holder["id"] not in ids.values(), "the holder is not in the stack's state"
    routes = stats(emulator.url)["by_route"]
    item = "/v1/incident_statuses/{id}"
    for method in ("PUT", "DELETE"):
        assert routes.get(f"{method} {item}", 0) == writes.get(f"{method} {item}", 0)

    stack.destroy()
    kept = configurable(emulator.url)
    assert set(kept) == {THEIRS["name"]}
    assert kept[THEIRS["name"]] == holder, "never written: updated_at and all unchanged"
