"""A name refused for itself is the answer, not a holder to wait for or move."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from pulumi_incident_statuses.core import deployment, renames
from pulumi_incident_statuses.core.errors import ErrorDetail, StatusConflictError, ValidationError
from pulumi_incident_statuses.core.wire import IncidentStatusRecord


@dataclass
class NameRefusingClient:
    """Refuses every update's name, and finds nobody holding it."""

    calls: list[str] = field(default_factory=list)

    def update(self, status_id: str, **_: Any) -> Any:
        self.calls.append(f"PUT {status_id}")
        raise ValidationError(
            status=422,
            method="PUT",
            path=f"/v1/incident_statuses/{status_id}",
            errors=(ErrorDetail("invalid", "is too long", "name"),),
        )

    def find_by_name(self, _name: str) -> None:
        self.calls.append("LIST")


@dataclass
class HeldNameClient(NameRefusingClient):
    """Refuses every update's name: a status nobody in the deployment renames holds it."""

    def find_by_name(self, name: str) -> IncidentStatusRecord:
        self.calls.append("LIST")
        return IncidentStatusRecord(
            "01THEIRS", name, "Not ours.", "live", 1, "2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z"
        )


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


def test_a_name_held_by_a_status_no_resource_renames_is_a_conflict_naming_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(deployment, "DEPLOYMENT", deployment.Deployment())
    monkeypatch.setattr(renames, "_INTENT_WAIT_SECONDS", 0.01)
    client = HeldNameClient()
    with pytest.raises(StatusConflictError) as caught:
        renames.update(
            FakeConnection(client),  # type: ignore[arg-type]
            "01MINE",
            name="Theirs",
            description="d",
            rank=None,
        )
    assert caught.value.holder.status_id == "01THEIRS"
    assert (
        "cannot rename incident status 01MINE to 'Theirs': the status 01THEIRS (live) holds "
        "that name and this stack does not rename it"
    ) in str(caught.value)
    # The holder's intent is awaited, then the answer: the holder is never written.
    assert "PUT 01THEIRS" not in client.calls and "LIST" in client.calls, client.calls
