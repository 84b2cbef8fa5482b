"""Engine values to the plain values the operations take, and back.

The operations (`operations.status`, `operations.order`) read Python values with snake_case
names, see an unknown value as the SDK's ``UNKNOWN`` sentinel string and every number as the
engine sends it (a float). The engine speaks `PropertyValue`s with camelCase names. Secrets are
unwrapped on the way in: no field of a status or an order is secret.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pulumi.provider.experimental.property_value import Computed, PropertyValue

from ..core.inputs import UNKNOWN
from .schema import WIRE_NAMES

_PLAIN_NAMES = {wire: plain for plain, wire in WIRE_NAMES.items()}


def plain(value: PropertyValue) -> Any:
    """``value`` as a Python value; an unknown one as ``UNKNOWN``."""
    inner = value.value
    if isinstance(inner, Computed):
        return UNKNOWN
    if isinstance(inner, Mapping):
        return {key: plain(item) for key, item in inner.items()}
    if isinstance(inner, tuple | list):
        return [plain(item) for item in inner]
    return inner


def plain_map(values: Mapping[str, PropertyValue]) -> dict[str, Any]:
    """Engine properties as the operations' fields (snake_case names)."""
    return {_PLAIN_NAMES.get(key, key): plain(value) for key, value in values.items()}


def wire(value: Any) -> PropertyValue:
    """A Python value as a `PropertyValue`; whole numbers as the engine's floats."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return PropertyValue(value)
    if isinstance(value, int | float):
        return PropertyValue(float(value))
    if isinstance(value, Mapping):
        return PropertyValue({str(key): wire(item) for key, item in value.items()})
    if isinstance(value, list | tuple):
        return PropertyValue([wire(item) for item in value])
    raise TypeError(f"no engine value for a {type(value).__name__}")


def wire_map(fields: Mapping[str, Any], names: tuple[str, ...]) -> dict[str, PropertyValue]:
    """The operations' ``fields`` among ``names`` (snake_case) as engine properties.

    Fields that are None are left out, as the engine leaves out properties never set.
    """
    return {
        WIRE_NAMES.get(name, name): wire(fields[name])
        for name in names
        if fields.get(name) is not None
    }
