"""The plugin's Pulumi package schema, served by `get_schema`: package `incident-statuses`.

The engine reads it for `pulumi import` code generation and Pulumi YAML; `pulumi package
gen-sdk` makes each language's SDK from it. Property names are camelCase, as in every Pulumi
package; `WIRE_NAMES` maps the operations' snake_case names to them.
"""

from __future__ import annotations

import json
from importlib import metadata
from typing import Any

from ..tokens import GET_STATUS, ORDER, PACKAGE, PLUGIN, STATUS

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

WIRE_NAMES = {"created_at": "createdAt", "updated_at": "updatedAt", "moved_outside": "movedOutside"}
"""Operation field names that differ on the wire; every other name is the same on both sides."""


def version() -> str:
    """The plugin's version: the installed distribution's."""
    try:
        return metadata.version("pulumi-incident-statuses")
    except metadata.PackageNotFoundError:
        return "0.0.0"


def _string(description: str, **extra: Any) -> dict[str, Any]:
    return {"type": "string", "description": description, **extra}


def _integer(description: str) -> dict[str, Any]:
    return {"type": "integer", "description": description}


def _strings(description: str) -> dict[str, Any]:
    return {"type": "array", "items": {"type": "string"}, "description": description}


_API_KEY = _string(
    f"incident.io API key; stack config `{PACKAGE}:apiKey` (set it with --secret) for the "
    "default provider. Unset: the environment variable INCIDENT_API_KEY.",
    secret=True,
)
_ENDPOINT = _string(
    "incident.io API endpoint, https:// (http:// only to a loopback address such as an "
    f"emulator); stack config `{PACKAGE}:endpoint` for the default provider. Unset: the "
    "environment variable INCIDENT_ENDPOINT, else https://api.incident.io."
)

_STATUS_INPUTS = {
    "name": _string('Unique name of the status, e.g. "Investigating".'),
    "description": _string("Rich-text description shown to responders."),
    "category": _string("`live`, `learning` or `closed`. Changing it replaces the status."),
    "rank": _integer(
        "Order within the category (0..999999). Unset: appended on create, never reordered."
    ),
}
_STATUS_OUTPUTS = {
    **_STATUS_INPUTS,
    "rank": _integer("Order within the category, as incident.io holds it."),
    "createdAt": _string("When the status was created (RFC 3339)."),
    "updatedAt": _string("When the status last changed (RFC 3339)."),
}

_ORDER_INPUTS = {
    "category": _string("`live` or `learning`. Changing it replaces the order."),
    "statuses": _strings("Status ids, top first."),
}
_ORDER_OUTPUTS = {
    **_ORDER_INPUTS,
    "statuses": _strings(
        "The listed status ids, top first (after a refresh: in the order incident.io holds)."
    ),
    "ranks": {
        "type": "array",
        "items": {"type": "integer"},
        "description": "The rank of each listed status, as incident.io holds it.",
    },
    "declared": _strings("The list as the last `pulumi up` applied it."),
    "movedOutside": {
        "type": "boolean",
        "description": "Whether the last refresh found the statuses out of the declared order.",
    },
    "restores": _integer(
        "How many `pulumi up`s in a row put the order back after a move outside the stack."
    ),
}


def schema() -> dict[str, Any]:
    """The package schema as a JSON-ready dict."""
    return {
        "name": PACKAGE,
        "displayName": "incident.io statuses",
        "version": version(),
        "description": "incident.io incident statuses and their order, with renames in one "
        "apply and an ownership rule: only what the stack created or imported is written.",
        "keywords": ["incident.io", "category/monitoring"],
        "license": "Apache-2.0",
        "config": {"variables": {"apiKey": _API_KEY, "endpoint": _ENDPOINT}},
        "provider": {
            "description": "The incident.io organisation an API key opens.",
            "inputProperties": {"apiKey": _API_KEY, "endpoint": _ENDPOINT},
        },
        "resources": {
            STATUS: {
                "description": "An incident.io incident status (Investigating, Fixing, ...).",
                "inputProperties": _STATUS_INPUTS,
                "requiredInputs": ["name", "description", "category"],
                "properties": _STATUS_OUTPUTS,
                "required": list(_STATUS_OUTPUTS),
            },
            ORDER: {
                "description": "The order of some statuses within one category: the first "
                "listed is the top. Statuses it does not list are never written; deleting it "
                "leaves every rank as it is.",
                "inputProperties": _ORDER_INPUTS,
                "requiredInputs": list(_ORDER_INPUTS),
                "properties": _ORDER_OUTPUTS,
                "required": list(_ORDER_OUTPUTS),
            },
        },
        "functions": {
            GET_STATUS: {
                "description": "A status the program does not manage, by exact name or by id "
                "(give one of them).",
                "inputs": {
                    "properties": {
                        "name": _string("The status's exact name."),
                        "id": _string("The status's id."),
                    },
                },
                "outputs": {
                    "properties": {"id": _string("The status's id."), **_STATUS_OUTPUTS},
                    "required": ["id", *_STATUS_OUTPUTS],
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


def schema_json() -> str:
    """The package schema as the JSON text `get_schema` returns."""
    return json.dumps(schema(), indent=2)
