"""The plugin's Pulumi package schema, served by `get_schema`: package `incident-statuses`.

The engine reads it for `pulumi import` code generation and Pulumi YAML; `pulumi package
gen-sdk` makes each language's SDK from it. Property names are camelCase, as in every Pulumi
package; `WIRE_NAMES` maps the operations' snake_case names to them.
"""

from __future__ import annotations

import functools
import json
from typing import Any

from ..core import spec, versions
from ..core.spec import Door
from ..core.tokens import GET_STATUS, ORDER, PACKAGE, PLUGIN, STATUS

__all__ = [
    "GET_STATUS",
    "ORDER",
    "PACKAGE",
    "PLUGIN",
    "STATUS",
    "WIRE_NAMES",
    "schema",
    "schema_json",
]

REPOSITORY = "https://github.com/pulumi-incident-statuses/pulumi-incident-statuses"
"""Where the project lives; generated SDKs are named after it (e.g. the Go import path)."""

WIRE_NAMES = {
    f.name: f.wire
    for resource in (spec.STATUS, spec.ORDER, spec.CONFIG, spec.GET_STATUS)
    for f in resource.on(Door.PLUGIN)
    if f.wire != f.name
}
"""Operation field names that differ on the wire; every other name is the same on both sides."""


def _property(found: spec.Field, *, output: bool = False) -> dict[str, Any]:
    described: dict[str, Any] = {
        **found.kind.schema,
        "description": (found.output_doc if output else found.doc).format(package=PACKAGE),
    }
    if found.secret:
        described["secret"] = True
    return described


def _properties(resource: spec.Resource, *, output: bool) -> dict[str, Any]:
    return {
        f.wire: _property(f, output=output)
        for f in resource.on(Door.PLUGIN)
        if output or f.input
    }


def _resource(resource: spec.Resource) -> dict[str, Any]:
    outputs = _properties(resource, output=True)
    described: dict[str, Any] = {
        "description": resource.doc,
        "inputProperties": _properties(resource, output=False),
        "requiredInputs": [spec.camel(name) for name in resource.required()],
        "properties": outputs,
        "required": list(outputs),
    }
    if resource.replacing():
        described["replaceOnChanges"] = [spec.camel(name) for name in resource.replacing()]
    return described


def schema() -> dict[str, Any]:
    """The package schema as a JSON-ready dict, from the resources' declarations (`spec`)."""
    config = _properties(spec.CONFIG, output=False)
    status_outputs = _properties(spec.STATUS, output=True)
    found_by = _properties(spec.GET_STATUS, output=False)
    return {
        "name": PACKAGE,
        "displayName": "incident.io statuses",
        "version": versions.package(),
        "description": "incident.io incident statuses and their order, with renames in one "
        "apply and an ownership rule: only what the stack created or imported is written.",
        "keywords": ["incident.io", "category/monitoring"],
        "license": "Apache-2.0",
        "config": {"variables": config},
        "provider": {"description": spec.CONFIG.doc, "inputProperties": config},
        "resources": {STATUS: _resource(spec.STATUS), ORDER: _resource(spec.ORDER)},
        "functions": {
            GET_STATUS: {
                "description": spec.GET_STATUS.doc,
                "inputs": {"properties": found_by},
                "outputs": {
                    "properties": {"id": found_by["id"], **status_outputs},
                    "required": ["id", *status_outputs],
                },
            },
        },
        "repository": REPOSITORY,
        "language": {
            "python": {"packageName": "pulumi_incident_statuses_sdk"},
            "nodejs": {"packageName": "@pulumi-incident-statuses/sdk"},
            "go": {"importBasePath": f"{REPOSITORY.removeprefix('https://')}/sdk/go/incidentstatuses"},
        },
    }


@functools.cache
def schema_json() -> str:
    """The package schema as the JSON text `get_schema` returns (made once per process)."""
    return json.dumps(schema(), indent=2)
