"""Answers in incident.io's shapes for the `ScriptedServer`, and a client on a fake clock."""

from __future__ import annotations

import json
from typing import Any

from incident_statuses_harness.fakes import Canned, FakeTime, ScriptedServer
from pulumi_incident_statuses.core.client import IncidentStatusesClient

__all__ = [
    "KEY",
    "STATUSES",
    "client_for",
    "created",
    "error_body",
    "ok_list",
    "ok_one",
    "rate_limited",
    "refused",
    "status_json",
]

KEY = "sk_live_DO-NOT-LEAK-4f1c9a77"
"""The API key of `client_for`'s clients; no message may ever show it."""
STATUSES = "/v1/incident_statuses"


def status_json(**overrides: Any) -> dict[str, Any]:
    """A well-formed status object."""
    status: dict[str, Any] = {
        "id": "01HZX0000000000000000000AA",
        "name": "Investigating",
        "description": "Looking into it",
        "category": "live",
        "rank": 1,
        "created_at": "2026-08-01T10:00:00.000000Z",
        "updated_at": "2026-08-01T10:00:00.000000Z",
    }
    status.update(overrides)
    return status


def ok_one(status: int = 200, **overrides: Any) -> Canned:
    """One status answered, as a get, an update (200) or a create (201) answers it."""
    return Canned(status, json.dumps({"incident_status": status_json(**overrides)}).encode())


def created(**overrides: Any) -> Canned:
    """A create's answer."""
    return ok_one(201, **overrides)


def ok_list(*statuses: dict[str, Any]) -> Canned:
    """A list's answer."""
    return Canned(200, json.dumps({"incident_statuses": list(statuses)}).encode())


def error_body(status: int, kind: str, *errors: dict[str, Any], request_id: str = "") -> bytes:
    """An incident.io error body."""
    return json.dumps(
        {
            "type": kind,
            "status": status,
            "request_id": request_id or "631766c4-9a3b-4b8e-8f00-000000000000",
            "errors": list(errors),
        }
    ).encode()


def refused(field: str, message: str = "same rank", code: str = "invalid") -> Canned:
    """A 422 about one field (``name``: held; ``rank``: taken)."""
    detail = {"code": code, "message": message, "source": {"field": field, "pointer": f"/{field}"}}
    return Canned(422, error_body(422, "validation_error", detail))


def rate_limited(retry_after: str | None) -> Canned:
    """A 429, with ``Retry-After`` when given."""
    headers = (("Retry-After", retry_after),) if retry_after is not None else ()
    return Canned(
        429,
        error_body(429, "too_many_requests", {"code": "rate_limited", "message": "slow down"}),
        headers,
    )


def client_for(server: ScriptedServer, time: FakeTime, **options: Any) -> IncidentStatusesClient:
    """A client of ``server`` whose retries sleep on ``time``; ``options`` tune its policy."""
    timeout = options.pop("timeout", 5.0)
    return IncidentStatusesClient(KEY, server.url, timeout=timeout, retry=time.policy(**options))
