"""A dynamic resource whose provider does no I/O: the engine's own floor.

Used by the engine smoke test and as the benchmark baseline. It lives in an importable module
(not the program) so dill pickles the provider by reference, as it does ours.
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


class NoopProvider(ResourceProvider):
    """Echoes its inputs; the id is derived from the name."""

    def create(self, props: dict[str, Any]) -> CreateResult:
        return CreateResult(f"noop-{props['name']}", {k: props.get(k) for k in _FIELDS})

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        changes = [k for k in _FIELDS if olds.get(k) != news.get(k)]
        return DiffResult(changes=bool(changes), replaces=[], delete_before_replace=False)

    def update(self, _id: str, _olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        return UpdateResult({k: news.get(k) for k in _FIELDS})

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        return ReadResult(id_, {k: props.get(k) for k in _FIELDS})

    def delete(self, _id: str, _props: dict[str, Any]) -> None:
        return None


class NoopStatus(Resource, module="bench", name="NoopStatus"):
    """A status-shaped resource that touches nothing."""

    name: pulumi.Output[str]

    def __init__(
        self,
        resource_name: str,
        name: str,
        description: str,
        category: str = "live",
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        props = {"name": name, "description": description, "category": category}
        super().__init__(NoopProvider(), resource_name, props, opts)
