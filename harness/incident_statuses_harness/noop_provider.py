"""A dynamic resource whose provider does no I/O: the engine's own floor.

Used by the engine smoke test and as the benchmark baseline. It lives in an importable module
(not the program) so dill pickles the provider by reference, as it does ours, and it has the
same inputs and outputs as `IncidentStatus`, so that the engine and the SDK do the same work per
property on both sides and only the provider's own work differs.
"""

from __future__ import annotations

from typing import Any

import pulumi
from pulumi.dynamic import (
    CreateResult,
    DiffResult,
    ReadResult,
    Resource,
    ResourceProvider,
    UpdateResult,
)

_FIELDS = ("name", "description", "category")
_STAMP = "2026-01-01T00:00:00Z"


def _outputs(props: dict[str, Any]) -> dict[str, Any]:
    """What `IncidentStatus` outputs, with fixed rank and times."""
    return {
        **{k: props.get(k) for k in _FIELDS},
        "rank": props.get("rank") or 0,
        "created_at": _STAMP,
        "updated_at": _STAMP,
        "import_id": None,
    }


class NoopProvider(ResourceProvider):
    """Echoes its inputs; the id is derived from the name."""

    def create(self, props: dict[str, Any]) -> CreateResult:
        return CreateResult(f"noop-{props['name']}", _outputs(props))

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        changes = [k for k in _FIELDS if olds.get(k) != news.get(k)]
        return DiffResult(changes=bool(changes), replaces=[], delete_before_replace=False)

    def update(self, _id: str, _olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        return UpdateResult(_outputs(news))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        return ReadResult(id_, _outputs(props))

    def delete(self, _id: str, _props: dict[str, Any]) -> None:
        return None


class NoopStatus(Resource, module="bench", name="NoopStatus"):
    """A status-shaped resource that touches nothing."""

    name: pulumi.Output[str]
    rank: pulumi.Output[int]

    def __init__(
        self,
        resource_name: str,
        name: str,
        description: str,
        category: str = "live",
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        props = {
            "name": name,
            "description": description,
            "category": category,
            "rank": None,
            "import_id": None,
            "created_at": None,
            "updated_at": None,
        }
        super().__init__(NoopProvider(), resource_name, props, opts)
