"""An organisation configured by hand in the dashboard, as teams adopting the package have one."""

from __future__ import annotations

from typing import Any

import requests

from incident_statuses_emulator.process import DEFAULT_API_KEY as API_KEY

MANAGED = {
    "Triage": "triage",
    "Declined": "declined",
    "Merged": "merged",
    "Canceled": "canceled",
    "Paused": "paused",
    "Closed": "closed",
}
"""A fresh organisation: incident.io's own statuses, name to category, and nothing else."""

HAND_MADE: tuple[dict[str, Any], ...] = (
    {
        "name": "Investigating",
        "description": "We're working out **what is broken**.\n\n- check `status page`\n"
        '- page the "owning" team',
        "category": "live",
    },
    {
        "name": "Évaluation 調査",
        "description": "Évaluer l'impact — 影響を調査中",
        "category": "live",
    },
    {"name": "Fixing", "description": "A fix is under way.", "category": "live", "rank": 7},
    {"name": "調査中", "description": "Japanese only: no ASCII slug.", "category": "live"},
    {"name": "Documenting", "description": "Writing it up.", "category": "learning"},
)
"""Statuses a team made by hand: markdown, quotes, non-ASCII and a name with no ASCII at all."""


def seed(emulator_url: str, specs: tuple[dict[str, Any], ...] = HAND_MADE) -> dict[str, Any]:
    """Create ``specs`` over HTTP, as the dashboard would; the created statuses by name."""
    return {
        spec["name"]: _by_hand("POST", f"{emulator_url}/v1/incident_statuses", spec)
        for spec in specs
    }


def edit(emulator_url: str, status_id: str, **body: Any) -> None:
    """Change a status over HTTP, as someone in the dashboard would (`PUT`, name and description
    required)."""
    _by_hand("PUT", f"{emulator_url}/v1/incident_statuses/{status_id}", body)


def _by_hand(method: str, url: str, body: dict[str, Any]) -> Any:
    response = requests.request(
        method, url, json=body, headers={"Authorization": f"Bearer {API_KEY}"}, timeout=10
    )
    response.raise_for_status()
    return response.json()["incident_status"]
