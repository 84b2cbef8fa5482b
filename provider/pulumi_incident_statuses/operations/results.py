"""What the operations return beyond plain dicts: a check's verdict, a diff, a resource made or
found. Plain dataclasses; each adapter turns them into its own response types."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..connection import Connection

Connect = Callable[[], "Connection"]
"""How an operation reaches incident.io: called only when it must (a preview mostly need not)."""


@dataclass(frozen=True)
class Failure:
    """One input `check` rejects: the field, and a reason that starts with its name."""

    property: str
    reason: str


@dataclass
class Checked:
    """The inputs `check` normalised, and what it rejects in them (nothing: they are good)."""

    inputs: dict[str, Any]
    failures: list[Failure] = field(default_factory=list)


@dataclass(frozen=True)
class Diff:
    """The declared fields that change in place, and those whose change replaces the resource."""

    changes: list[str]
    replaces: list[str]
    delete_before_replace: bool = False

    @property
    def changed(self) -> bool:
        """Whether anything changes."""
        return bool(self.changes or self.replaces)


@dataclass(frozen=True)
class Made:
    """A resource `create` made: its id and outputs."""

    id: str
    outs: dict[str, Any]


@dataclass(frozen=True)
class Found:
    """A resource `read` found: its id, its outputs, and the inputs they give it."""

    id: str
    outs: dict[str, Any]
    inputs: dict[str, Any]
