"""Reading create and update payloads: presence, JSON types, enums and ranges.

Rules that need the rest of the organisation (unique names, free ranks, managed statuses) belong to
``store``. Every problem found here is reported at once, one entry per field. A JSON ``null`` reads
as an omitted field. Fields the operation does not know, ``category`` in an update among them, are
ignored.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from incident_statuses_emulator.problems import InvalidRequest, Problem, ValidationFailed

CREATABLE_CATEGORIES = ("live", "learning", "closed")
"""The categories a status can be created in; the others belong to incident.io."""

MIN_RANK = 0
"""The lowest rank a payload may ask for."""

MAX_RANK = 999_999
"""The highest rank a payload may ask for."""


@dataclass(frozen=True)
class CreatePayload:
    """A valid body for ``POST /v1/incident_statuses``."""

    name: str
    description: str
    category: str
    rank: int | None


@dataclass(frozen=True)
class UpdatePayload:
    """A valid body for ``PUT /v1/incident_statuses/{id}``."""

    name: str
    description: str
    rank: int | None


def parse_create(body: object) -> CreatePayload:
    """Check a decoded create body, raising with every problem found."""
    name, description, category, rank = _parse(body, with_category=True)
    assert category is not None  # _parse raised otherwise
    return CreatePayload(name=name, description=description, category=category, rank=rank)


def parse_update(body: object) -> UpdatePayload:
    """Check a decoded update body, raising with every problem found."""
    name, description, _, rank = _parse(body, with_category=False)
    return UpdatePayload(name=name, description=description, rank=rank)


def _parse(body: object, *, with_category: bool) -> tuple[str, str, str | None, int | None]:
    # Problems are reported in the order of the fields in the API reference.
    fields = _require_object(body)
    problems: list[Problem] = []
    name = _text(fields, "name", problems)
    description = _text(fields, "description", problems)
    category = _category(fields, problems) if with_category else None
    rank = _rank(fields, problems)
    if problems or name is None or description is None or (with_category and category is None):
        raise ValidationFailed(problems)
    return name, description, category, rank


def _require_object(body: object) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise InvalidRequest([Problem("invalid_body", "The request body must be a JSON object")])
    return body


def _text(fields: dict[str, Any], field: str, problems: list[Problem]) -> str | None:
    value = fields.get(field)
    if value is None:
        problems.append(Problem("is_required", f"{field} is required", field))
        return None
    if not isinstance(value, str):
        problems.append(Problem("is_invalid", f"{field} must be a string", field))
        return None
    if not value.strip():
        problems.append(Problem("is_required", f"{field} must not be blank", field))
        return None
    return value


def _category(fields: dict[str, Any], problems: list[Problem]) -> str | None:
    value = _text(fields, "category", problems)
    if value is not None and value not in CREATABLE_CATEGORIES:
        allowed = ", ".join(CREATABLE_CATEGORIES)
        problems.append(Problem("is_invalid", f"category must be one of {allowed}", "category"))
        return None
    return value


def _rank(fields: dict[str, Any], problems: list[Problem]) -> int | None:
    value = fields.get("rank")
    if value is None:
        return None
    # JSON true decodes to a Python int subclass; the API wants a number.
    if isinstance(value, bool) or not isinstance(value, int):
        problems.append(Problem("is_invalid", "rank must be an integer", "rank"))
        return None
    if not MIN_RANK <= value <= MAX_RANK:
        problems.append(
            Problem("is_invalid", f"rank must be between {MIN_RANK} and {MAX_RANK}", "rank")
        )
        return None
    return value
