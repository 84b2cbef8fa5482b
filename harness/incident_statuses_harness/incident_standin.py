"""A stand-in for incident.io's own provider plugin: package `incident`, one resource of its own.

incident.io's plugin is downloaded from GitHub when its SDK is installed, which these machines
cannot reach. A test that shows this project's plugin beside it needs only what the engine sees:
an executable `pulumi-resource-incident` on `PATH` serving package `incident` with a resource
`incident:index/status:Status` (name, description, category, as incident.io's is). This one
touches nothing: it records what it is given, one JSON object a line, in the file named by
`RECORD`, and keeps its resources' inputs as their outputs.

    python -m incident_statuses_harness.incident_standin ENGINE_ADDRESS

`launcher(folder)` writes the executable that runs it, for a folder the test puts on `PATH`.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pulumi.provider.experimental import provider as rpc
from pulumi.provider.experimental.property_value import Computed, PropertyValue

PACKAGE = "incident"
STATUS = "incident:index/status:Status"
EXECUTABLE = f"pulumi-resource-{PACKAGE}"
VERSION = "0.0.1"
RECORD = "INCIDENT_STANDIN_RECORD"
"""The environment variable naming the file the stand-in appends its calls to."""

_FIELDS = ("name", "description", "category")
_STRING = {"type": "string"}


def schema() -> dict[str, Any]:
    """Package `incident` with the one resource, as much as Pulumi YAML needs to type it."""
    fields = {name: _STRING for name in _FIELDS}
    return {
        "name": PACKAGE,
        "version": VERSION,
        "config": {"variables": {"apiKey": _STRING | {"secret": True}, "endpoint": _STRING}},
        "provider": {"inputProperties": {"apiKey": _STRING | {"secret": True}}},
        "resources": {
            STATUS: {
                "description": "A status, kept in the stand-in's record only.",
                "properties": fields,
                "required": list(_FIELDS),
                "inputProperties": fields,
                "requiredInputs": list(_FIELDS),
            }
        },
    }


def _plain(value: PropertyValue) -> Any:
    inner = value.value
    if isinstance(inner, Computed):
        return None
    if isinstance(inner, Mapping):
        return {key: _plain(item) for key, item in inner.items()}
    if isinstance(inner, tuple | list):
        return [_plain(item) for item in inner]
    return inner


def _record(call: str, **fields: Any) -> None:
    path = os.environ.get(RECORD)
    if path:
        with open(path, "a", encoding="utf-8") as file:
            file.write(json.dumps({"call": call, **fields}) + "\n")


class StandinProvider(rpc.Provider):
    """Serves `incident:index/status:Status` from its inputs alone."""

    async def get_schema(self, request: rpc.GetSchemaRequest) -> rpc.GetSchemaResponse:
        """The package's schema."""
        return rpc.GetSchemaResponse(schema=json.dumps(schema()))

    async def configure(self, request: rpc.ConfigureRequest) -> rpc.ConfigureResponse:
        """Record the settings it was given (its own namespace's, as the engine sends them)."""
        _record("configure", args={key: _plain(value) for key, value in request.args.items()})
        return await super().configure(request)

    async def check(self, request: rpc.CheckRequest) -> rpc.CheckResponse:
        """Every input as it comes; a missing field fails, naming it."""
        missing = [name for name in _FIELDS if name not in request.new_inputs]
        failures = [rpc.CheckFailure(name, f"{name} is required") for name in missing]
        return rpc.CheckResponse(inputs=request.new_inputs, failures=failures)

    async def diff(self, request: rpc.DiffRequest) -> rpc.DiffResponse:
        """A change of any field replaces the resource (it has no update)."""
        changed = [
            name
            for name in _FIELDS
            if request.old_state.get(name) != request.new_inputs.get(name)
        ]
        return rpc.DiffResponse(
            changes=bool(changed), replaces=changed, delete_before_replace=bool(changed)
        )

    async def create(self, request: rpc.CreateRequest) -> rpc.CreateResponse:
        """Record the inputs; the id is made from the name."""
        inputs = {key: _plain(value) for key, value in request.properties.items()}
        resource_id = f"standin-{inputs.get('name')}"
        if not request.preview:
            _record("create", urn=request.urn, id=resource_id, inputs=inputs)
        return rpc.CreateResponse(resource_id=resource_id, properties=request.properties)

    async def read(self, request: rpc.ReadRequest) -> rpc.ReadResponse:
        """What the state holds: nothing is kept anywhere else."""
        return rpc.ReadResponse(
            resource_id=request.resource_id,
            properties=request.properties,
            inputs=request.inputs,
        )

    async def delete(self, request: rpc.DeleteRequest) -> None:
        """Record the delete."""
        _record("delete", urn=request.urn, id=request.resource_id)


def launcher(folder: Path) -> Path:
    """Write `pulumi-resource-incident` into ``folder``: it runs the stand-in with this Python."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / EXECUTABLE
    path.write_text(
        f"#!/bin/sh\nexec '{sys.executable}' -m incident_statuses_harness.incident_standin "
        '"$@"\n',
        encoding="utf-8",
    )
    path.chmod(0o755)
    return path


def records(path: Path) -> list[dict[str, Any]]:
    """The calls the stand-in recorded in ``path``, in order (none if it never wrote)."""
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line]


def main() -> None:
    """Serve the stand-in for the engine whose address is the first argument."""
    from pulumi.provider.experimental.server import main as serve

    serve(sys.argv[1:], VERSION, StandinProvider())


if __name__ == "__main__":
    main()
