"""A name refused for itself is the answer, not a holder to wait for or move."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from pulumi_incident_statuses.core import deployment, renames
from pulumi_incident_statuses.core.errors import ErrorDetail, ValidationError


@dataclass
class NameRefusingClient:
    """Refuses every update's name, and finds nobody holding it."""

    calls: list[str] = field(default_factory=list)

    def update(self, status_id: str, **_: Any) -> Any:
        self.calls.append("PUT")
        raise ValidationError(
            status=422,
            method="PUT",
            path=f"/v1/incident_statuses/{status_id}",
            errors=(ErrorDetail("invalid", "is too long", "name"),),
        )

    def find_by_name(self, _name: str) -> None:
        self.calls.append("LIST")


@dataclass
class FakeConnection:
    client: NameRefusingClient

    def invalidate(self) -> None:
        """Nothing is cached here."""


def test_a_name_refused_with_nobody_holding_it_fails_with_the_apis_message(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(deployment, "DEPLOYMENT", deployment.Deployment())
    client = NameRefusingClient()
    with pytest.raises(ValidationError, match="name: is too long"):
        renames.update(
            FakeConnection(client),  # type: ignore[arg-type]
            "01A",
            name="x" * 300,
            description="d",
            rank=None,
        )
    # One try more in case the holder had just moved away, then the API's own answer.
    assert len(client.calls) <= 6, client.calls
