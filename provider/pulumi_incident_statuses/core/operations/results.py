"""What the operations take beyond plain values (`Reach`: how to reach incident.io, and which
resource asks) and return beyond plain dicts: a check's verdict, a diff, a resource made or found.
Plain dataclasses; each adapter builds a `Reach` and turns the results into its own responses."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from ..errors import APIConnectionError
from ..settings import ENDPOINT_FLAG, ENV_ENDPOINT

if TYPE_CHECKING:
    from ..connection import Connection
    from ..settings import Settings

_T = TypeVar("_T")

RECORDED_SETTINGS = (
    "`pulumi refresh` and `pulumi destroy` send to the endpoint recorded by the last `pulumi "
    "up`: if you changed it since, run `pulumi up` first, or add --run-program"
)
"""Said when a refresh or a destroy cannot reach an endpoint the stack's settings gave."""


def recorded_settings(reach: Reach, call: Callable[[], _T]) -> _T:
    """``call()``, for a refresh or a destroy: when it reaches no endpoint set by the provider
    (not by the environment), the error says those commands use the settings recorded at the
    last `pulumi up`."""
    try:
        return call()
    except APIConnectionError as error:
        if reach.settings.origin.endpoint in (ENV_ENDPOINT, ENDPOINT_FLAG):
            raise
        raise error.with_note(RECORDED_SETTINGS) from None


@dataclass(frozen=True)
class Reach:
    """How an operation reaches incident.io, and which resource it runs for."""

    settings: Settings
    """The key and endpoint the resource's provider resolved (the key may be missing)."""
    connect: Callable[[], Connection]
    """This process's connection for ``settings``: called only when an operation must send
    something (a preview mostly need not); raises `MissingAPIKeyError` without a key."""
    urns: tuple[str, ...] = ()
    """The resource's URN, then any it had before (an alias, a `pulumi state rename`); empty
    when not known (a resource recorded by release 0.2.0)."""

    @property
    def urn(self) -> str | None:
        """The resource's URN, if known."""
        return self.urns[0] if self.urns else None

    @property
    def organisation(self) -> str:
        """What tells organisations apart: the endpoint and a digest of the key, never the key."""
        key = hashlib.sha256((self.settings.api_key or "").encode()).hexdigest()[:16]
        return f"{self.settings.endpoint}#{key}"


@dataclass(frozen=True)
class Failure:
    """One input `check` rejects: the field, and a reason that starts with its name."""

    property: str
    reason: str


@dataclass
class Checked:
    """The inputs `check` normalised, what it rejects in them (nothing: they are good), and what
    the person running it should hear even so."""

    inputs: dict[str, Any]
    failures: list[Failure] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    """Checks that could not be made (incident.io did not answer), said as warnings."""


@dataclass(frozen=True)
class Diff:
    """The declared fields that change in place, and those whose change replaces the resource."""

    changes: list[str]
    replaces: list[str]
    delete_before_replace: bool = False
    notes: tuple[str, ...] = ()
    """What the change will do, in words the ids alone do not give (e.g. the statuses an order
    moves, by name)."""

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
