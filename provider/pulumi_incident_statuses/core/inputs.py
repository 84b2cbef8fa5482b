"""Resource inputs as the engine hands them over, read once: unknowns, numbers and quoting.

At preview, a value that depends on another resource arrives as the engine's ``UNKNOWN`` sentinel
(each way in turns its own spelling of an unknown into it), and the engine carries every number
as a float. ``check`` of each resource names bad values with :func:`describe`; the operations
after it read an `IncidentStatus`'s checked inputs as one :class:`StatusInputs`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
"""The engine's sentinel for a value not known yet (the SDK's ``pulumi.runtime.rpc.UNKNOWN``)."""

__all__ = ["UNKNOWN", "StatusInputs", "as_int", "describe", "is_unknown"]


def is_unknown(value: object) -> bool:
    """Whether ``value`` is not known yet (a preview of something that depends on another)."""
    return value == UNKNOWN


def as_int(value: object) -> int | None:
    """``value`` as a whole number (3.0 is 3), or None if it is not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return int(value)
    return None


def describe(value: object) -> str:
    """``value`` quoted for an error message: its repr, at most 40 characters."""
    try:
        text = repr(value)
    except ValueError:
        # An integer too long to print (over 4300 digits).
        text = f"a {type(value).__name__} too long to show"
    return text if len(text) <= 40 else text[:37] + "..."


@dataclass(frozen=True)
class StatusInputs:
    """An `IncidentStatus`'s inputs once ``check`` accepted them (see `IncidentStatusArgs`).

    At preview ``name``, ``description`` and ``category`` may be ``UNKNOWN``, and
    ``rank_unknown`` says the rank is.
    """

    name: str
    description: str
    category: str
    rank: int | None = None
    import_id: str | None = None
    rank_unknown: bool = False

    @classmethod
    def of(cls, props: Mapping[str, Any]) -> StatusInputs:
        """The inputs among ``props`` (the engine's news, or a resource's recorded inputs)."""
        rank = props.get("rank")
        return cls(
            name=props["name"],
            description=props["description"],
            category=props["category"],
            rank=as_int(rank),
            import_id=props.get("import_id"),
            rank_unknown=is_unknown(rank),
        )
