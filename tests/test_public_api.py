"""The package's public face: every advertised name resolves, and importing it stays light."""

from __future__ import annotations

import subprocess
import sys

import pytest

import pulumi_incident_statuses
from pulumi_incident_statuses import StatusLookupError, get_incident_status


def test_every_public_name_resolves() -> None:
    for name in pulumi_incident_statuses.__all__:
        # The errors name themselves as the package's own, where they are imported from.
        assert getattr(pulumi_incident_statuses, name).__module__.startswith(
            "pulumi_incident_statuses"
        ), name


def test_emulator_and_cli_start_without_importing_pulumi() -> None:
    probe = (
        "import sys, incident_statuses_emulator, pulumi_incident_statuses.tools.cli;"
        "print('pulumi' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", probe], check=True, capture_output=True, text=True)
    assert out.stdout.strip() == "False"


def test_lookup_needs_exactly_one_of_name_and_id() -> None:
    with pytest.raises(StatusLookupError, match="exactly one of name= or id="):
        get_incident_status()
    with pytest.raises(StatusLookupError, match="exactly one of name= or id="):
        get_incident_status(name="Triage", id="01FCNDV6P870EA6S7TK1DSYD5H")
    with pytest.raises(StatusLookupError, match="name must not be empty"):
        get_incident_status(name=" ")
