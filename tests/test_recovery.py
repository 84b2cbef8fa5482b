"""Which status a killed run's pending create made, and when that run can have run: the matching
`recover` imports, on its own.

The whole flow (kill, `pulumi cancel`, `incident-statuses recover`, `pulumi up`) runs through the
engine in test_crash_engine.py.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pulumi import automation as auto

from pulumi_incident_statuses.core.creation import SERVER_CLOCK_MARGIN
from pulumi_incident_statuses.core.errors import RecoveryError, StackLockedError
from pulumi_incident_statuses.core.stack_state import unfinished_creates
from pulumi_incident_statuses.core.wire import IncidentStatusRecord
from pulumi_incident_statuses.dynamic.resource import RESOURCE_TYPE
from pulumi_incident_statuses.tools import recovery
from pulumi_incident_statuses.tools.cli import main
from pulumi_incident_statuses.tools.matching import (
    RUN_CLOCK_MARGIN,
    Window,
    match_pending_creates,
    window,
)
from pulumi_incident_statuses.tools.recovery import HistoryEntry, PendingCreate, pending_creates

STARTED = datetime(2026, 11, 28, 9, 30, tzinfo=UTC)
URN = f"urn:pulumi:ci::statuses::{RESOURCE_TYPE}::"


def create(resource: str, name: str, rank: int | None = None) -> PendingCreate:
    return PendingCreate(URN + resource, name, "d", "live", rank)


def status(id_: str, name: str, *, seconds: float = 5.0, **overrides: Any) -> IncidentStatusRecord:
    stamp = (STARTED + timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    fields: dict[str, Any] = {
        "id": id_,
        "name": name,
        "description": "d",
        "category": "live",
        "rank": 1,
        "created_at": stamp,
        "updated_at": stamp,
    }
    fields.update(overrides)
    return IncidentStatusRecord(**fields)


def test_only_statuses_made_by_the_run_with_the_declared_inputs_are_matched() -> None:
    creates = [
        create("made", "Made"),
        create("never-landed", "Never landed"),
        create("made-before", "Made before"),
        create("different", "Different"),
        create("held", "Held"),
        create("ranked", "Ranked", rank=7),
    ]
    records = [
        status("01MADE", "Made"),
        status("01BEFORE", "Made before", seconds=-60),
        status("01DIFF", "Different", description="someone else's words"),
        status("01HELD", "Held"),
        status("01RANKED", "Ranked", rank=8),
    ]
    imported, unmatched = match_pending_creates(creates, records, held={"01HELD"}, since=STARTED)
    assert imported == {URN + "made": "01MADE"}
    reasons = {u.create.resource_name: u.reason for u in unmatched}
    assert set(reasons) == {"never-landed", "made-before", "different", "held", "ranked"}
    assert "never landed" in reasons["never-landed"]
    assert "import_id='01BEFORE'" in reasons["made-before"]
    assert "import_id='01DIFF'" in reasons["different"]
    assert "already belongs to another resource" in reasons["held"]


def test_pending_creates_of_other_types_and_operations_are_left_alone() -> None:
    status_resource = {
        "urn": URN + "a",
        "type": RESOURCE_TYPE,
        "inputs": {"name": "A", "description": "d", "category": "live", "rank": 3.0},
    }
    deployment = {
        "pending_operations": [
            {"type": "creating", "resource": status_resource},
            {"type": "updating", "resource": {**status_resource, "urn": URN + "b"}},
            {"type": "creating", "resource": {"urn": "urn:other", "type": "aws:s3:Bucket"}},
        ]
    }
    assert pending_creates(deployment) == [PendingCreate(URN + "a", "A", "d", "live", 3)]


def test_recover_refuses_a_time_without_a_zone(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["recover", "--since", "2026-11-28T09:30:00"])
    assert exit_.value.code == 2
    assert "give a time zone" in capsys.readouterr().err


@pytest.mark.parametrize(
    "failure",
    [
        RecoveryError("cannot tell when the killed run started; pass --since"),
        StackLockedError("stack 'dev' is locked by a run"),
    ],
)
def test_recover_says_why_it_stopped_in_one_line(
    failure: RecoveryError, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def fail(*args: object, **kwargs: object) -> recovery.Recovery:
        raise failure

    monkeypatch.setattr(auto, "select_stack", lambda **kwargs: None)
    monkeypatch.setattr(recovery, "recover", fail)
    assert main(["recover", "--stack", "dev"]) == 1
    assert capsys.readouterr().err == f"incident-statuses: {failure}\n"


def test_a_bug_in_recover_is_not_shown_as_a_one_line_failure(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(*args: object, **kwargs: object) -> recovery.Recovery:
        raise NotImplementedError("a bug")

    monkeypatch.setattr(auto, "select_stack", lambda **kwargs: None)
    monkeypatch.setattr(recovery, "recover", broken)
    with pytest.raises(NotImplementedError):
        main(["recover", "--stack", "dev"])


def test_a_create_matches_only_within_itswindow() -> None:
    creates = [create("early", "Early"), create("inside", "Inside"), create("late", "Late")]
    records = [
        status("01EARLY", "Early", seconds=-1),
        status("01INSIDE", "Inside", seconds=5),
        status("01LATE", "Late", seconds=120),
    ]
    window = Window(STARTED, STARTED + timedelta(seconds=60))
    imported, unmatched = match_pending_creates(
        creates, records, held=set(), windows={c.urn: window for c in creates}
    )
    assert imported == {URN + "inside": "01INSIDE"}
    assert {u.create.resource_name for u in unmatched} == {"early", "late"}


def entry(start: float, end: float, *pending: str) -> HistoryEntry:
    """A finished operation `start` to `end` seconds after STARTED, its checkpoint recording
    the given pending creates."""
    operations = [
        {
            "type": "creating",
            "resource": {
                "urn": URN + name,
                "type": RESOURCE_TYPE,
                "inputs": {"name": name, "description": "d", "category": "live"},
            },
        }
        for name in pending
    ]
    return HistoryEntry(
        start=STARTED + timedelta(seconds=start),
        end=STARTED + timedelta(seconds=end),
        deployment={"pending_operations": operations},
    )


def test_the_killed_run_lies_before_the_first_operation_that_found_its_creates_pending() -> None:
    # An up that finished, the killed run (no entry), then an up and a refresh run after it,
    # both still recording its pending create.
    history = [entry(0, 10), entry(100, 104, "a"), entry(200, 203, "a")]
    margin = RUN_CLOCK_MARGIN + SERVER_CLOCK_MARGIN
    found = window(URN + "a", history, [], None, timedelta(0))
    assert found.since == STARTED + timedelta(seconds=10) - margin
    assert found.until == STARTED + timedelta(seconds=100) + margin + timedelta(seconds=1)
    # Not in any kept checkpoint: the killed run came after the last finished operation.
    latest = window(URN + "b", history, [], None, timedelta(0))
    assert (latest.since, latest.until) == (STARTED + timedelta(seconds=203) - margin, None)
    # The service's clock runs a minute ahead: the window moves with it.
    ahead = window(URN + "a", history, [], None, timedelta(minutes=1))
    assert ahead.since == found.since + timedelta(minutes=1)


def test_creates_a_later_command_dropped_are_found_in_the_history_it_kept() -> None:
    # `pulumi refresh --clear-pending-creates` after a failed `up`: the current checkpoint has
    # no pending create left, the checkpoint that `up` left still has them.
    history = [entry(0, 10), entry(100, 104, "a", "b"), entry(200, 203)]
    current = entry(0, 0, "b").deployment or {}
    found = unfinished_creates(current, history)
    assert [c.resource_name for c in found] == ["b", "a"]
    assert found[1].resource["urn"] == URN + "a"
