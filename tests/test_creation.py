"""Creation safety (the `creation` module): what a create may take as its own, and when it resends.

A status counts as made by a create only on evidence tied to that request: exact content and a
`created_at` not before the first POST was sent, on the service's clock. Checked here against the
real emulator with faults injected, step by step against scripted answers, and the clock rule on
its own with the service's clock far from ours.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests

from incident_statuses_emulator.process import DEFAULT_API_KEY, EmulatorProcess
from incident_statuses_harness.canned import (
    STATUSES,
    client_for,
    created,
    error_body,
    ok_list,
    rate_limited,
    refused,
    status_json,
)
from incident_statuses_harness.fakes import Canned, FakeTime, ScriptedServer
from incident_statuses_harness.organisation import seed
from pulumi_incident_statuses.core.client import IncidentStatusesClient
from pulumi_incident_statuses.core.creation import CreateGuard, Listing
from pulumi_incident_statuses.core.errors import (
    RankRaceError,
    StatusConflictError,
    ValidationError,
)
from pulumi_incident_statuses.core.wire import IncidentStatusRecord

POST = "POST /v1/incident_statuses"
DECLARED = {"name": "Owned elsewhere", "description": "theirs", "category": "live"}


class LosesFirstPost(requests.Session):
    """A session whose first POST fails with a dropped connection before reaching the server."""

    def __init__(self) -> None:
        super().__init__()
        self.lost = 0

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> Any:
        if method == "POST" and not self.lost:
            self.lost += 1
            raise requests.ConnectionError("connection reset by peer")
        return super().request(method, url, *args, **kwargs)


def named(emulator: EmulatorProcess, name: str) -> list[IncidentStatusRecord]:
    with IncidentStatusesClient(DEFAULT_API_KEY, emulator.url) as client:
        return [status for status in client.list() if status.name == name]


def test_answer_dropped_after_apply_still_makes_exactly_one(
    emulator_factory: Callable[..., EmulatorProcess],
) -> None:
    # Every write is applied and then its connection closed: no create ever gets its answer.
    emulator = emulator_factory(drop_rate=1.0)
    with IncidentStatusesClient(DEFAULT_API_KEY, emulator.url) as client:
        made = client.create(**DECLARED)
    assert [status.id for status in named(emulator, DECLARED["name"])] == [made.id]
    stats = emulator.stats()
    assert stats["by_route"][POST] == 1, "recognised, not sent again"
    assert stats["by_status"]["dropped"] == 1


def test_equal_status_made_before_is_a_conflict_even_after_a_lost_answer(
    emulator: EmulatorProcess,
) -> None:
    holder = seed(emulator.url, (DECLARED,))[DECLARED["name"]]
    # The evidence window reaches up to 1.5 s before the first POST (a whole-second Date and
    # the margin): a status made by someone else within it is indistinguishable by time.
    time.sleep(2.0)
    session = LosesFirstPost()
    with IncidentStatusesClient(DEFAULT_API_KEY, emulator.url, session=session) as client:
        with pytest.raises(StatusConflictError) as caught:
            client.create(**DECLARED)
    assert session.lost == 1, "the create did not know whether its first POST landed"
    assert caught.value.holder_id == holder["id"]
    assert f"import_id={holder['id']!r}" in str(caught.value)
    [kept] = named(emulator, DECLARED["name"])
    assert (kept.id, kept.updated_at) == (holder["id"], holder["updated_at"])


def test_equal_status_is_a_conflict_on_a_plain_refusal(emulator: EmulatorProcess) -> None:
    holder = seed(emulator.url, (DECLARED,))[DECLARED["name"]]
    with IncidentStatusesClient(DEFAULT_API_KEY, emulator.url) as client:
        with pytest.raises(StatusConflictError) as caught:
            client.create(**DECLARED)
    assert caught.value.holder_id == holder["id"]
    assert emulator.stats()["by_route"][POST] == 2, "the seed's and the refused one; no resend"


def test_concurrent_appends_to_one_category_all_land(
    emulator_factory: Callable[..., EmulatorProcess],
) -> None:
    emulator = emulator_factory(rank_race=True)
    made: list[IncidentStatusRecord] = []
    failures: list[BaseException] = []

    def append(n: int) -> None:
        try:
            with IncidentStatusesClient(DEFAULT_API_KEY, emulator.url) as client:
                made.append(client.create(name=f"Append {n}", description="d", category="live"))
        except BaseException as error:
            failures.append(error)

    threads = [threading.Thread(target=append, args=(n,)) for n in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert len({status.rank for status in made}) == 12
    stats = emulator.stats()
    assert stats["by_status"].get("422", 0) > 0, "the appends did race"
    assert stats["by_status"]["201"] == 12


# --- the clock rule on its own ------------------------------------------------------------


def record(created_at: datetime, **overrides: Any) -> IncidentStatusRecord:
    fields: dict[str, Any] = {
        "id": "01X",
        "rank": 3,
        "created_at": created_at.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "updated_at": created_at.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        **DECLARED,
    }
    fields.update(overrides)
    return IncidentStatusRecord(**fields)


@pytest.mark.parametrize("service_ahead", [timedelta(hours=-3), timedelta(0), timedelta(days=2)])
def test_evidence_reads_the_service_clock_never_ours(service_ahead: timedelta) -> None:
    ticks = FakeTime(now=1000.0)
    guard = CreateGuard(**DECLARED, clock=ticks)
    guard.sending()
    guard.lost()
    sent = datetime.now(UTC) + service_ahead  # the service's time when the POST left here
    ticks.now += 4.0
    date = (sent + timedelta(seconds=4)).replace(microsecond=0)  # Date: whole seconds, floored
    own = record(sent + timedelta(milliseconds=30), id="01OWN")
    earlier = record(sent - timedelta(seconds=3), id="01EARLIER")
    assert guard.made_by_this(Listing([earlier, own], date, ticks.now)) == own
    assert guard.made_by_this(Listing([earlier], date, ticks.now)) is None
    # Content must be exact too.
    moved = record(sent + timedelta(milliseconds=30), description="changed")
    assert guard.made_by_this(Listing([moved], date, ticks.now)) is None


def test_no_evidence_without_the_service_time() -> None:
    ticks = FakeTime(now=1000.0)
    guard = CreateGuard(**DECLARED, clock=ticks)
    guard.sending()
    guard.lost()
    own = record(datetime.now(UTC))
    assert guard.made_by_this(Listing([own], None, ticks.now)) is None


# --- step by step, against scripted answers ------------------------------------------------


def server_now(seconds: float = 0.0) -> str:
    """An instant on the canned server's clock (this machine's: it stamps ``Date``)."""
    instant = datetime.now(UTC) + timedelta(seconds=seconds)
    return instant.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def mine(**overrides: Any) -> dict[str, Any]:
    """What the create under test makes, stamped now, as the service would stamp it."""
    fields: dict[str, Any] = {
        "id": "01MINE",
        "name": "Investigating",
        "description": "Looking into it",
        "rank": 4,
        "created_at": server_now(),
    }
    fields.update(overrides)
    return status_json(**fields)


def _create(client: IncidentStatusesClient, **overrides: Any) -> Any:
    arguments: dict[str, Any] = {
        "name": "Investigating",
        "description": "Looking into it",
        "category": "live",
    }
    arguments.update(overrides)
    return client.create(**arguments)


OTHER = status_json(id="01OTHER", name="Fixing", description="On it", rank=5)
NAME_TAKEN = refused("name", "must be unique", code="conflict")
LOST = Canned(0, hang_up=True)
FAILED = Canned(500, error_body(500, "api_error"))
SENT, LISTED = ("POST", STATUSES), ("GET", STATUSES)
STATUS_ID = status_json()["id"]


def undated(*statuses: dict[str, Any]) -> Canned:
    listed = ok_list(*statuses)
    return Canned(listed.status, listed.body, (("Date", "not a date"),))


# Scripts are built when the test runs: `mine()` is stamped with the time of its create.
MADE = [
    pytest.param(
        lambda: [rate_limited("1"), created()],
        STATUS_ID,
        [SENT, SENT],
        id="429-sent-again-without-listing",
    ),
    pytest.param(
        lambda: [LOST, ok_list(OTHER, mine())],
        "01MINE",
        [SENT, LISTED],
        id="lost-answer-found-in-the-list",
    ),
    pytest.param(
        lambda: [Canned(503), ok_list(OTHER), created(id="01NEW")],
        "01NEW",
        [SENT, LISTED, SENT],
        id="5xx-not-applied-sent-again",
    ),
    pytest.param(
        lambda: [LOST, ok_list(OTHER), NAME_TAKEN, ok_list(OTHER, mine())],
        "01MINE",
        [SENT, LISTED] * 2,
        id="name-taken-after-a-lost-answer-looks-again",
    ),
    pytest.param(
        lambda: [LOST, Canned(500), ok_list(mine())],
        "01MINE",
        [SENT, LISTED, LISTED],
        id="failed-lookup-retried-before-sending-again",
    ),
    pytest.param(
        # 5xx: may have landed, look; 429s: refused unapplied, the list showed nothing: send
        # again; 5xx: look again. The list is read once per unknown outcome.
        lambda: [
            FAILED,
            ok_list(),
            rate_limited("1"),
            rate_limited("1"),
            FAILED,
            ok_list(),
            created(),
        ],
        STATUS_ID,
        [SENT, LISTED, SENT, SENT, SENT, LISTED, SENT],
        id="the-list-is-read-once-per-unknown-outcome",
    ),
]


@pytest.mark.parametrize(("script", "made", "calls"), MADE)
def test_a_create_makes_its_status_exactly_once(
    canned: ScriptedServer,
    fake_time: FakeTime,
    script: Callable[[], list[Canned]],
    made: str,
    calls: list[tuple[str, str]],
) -> None:
    canned.answer(*script())
    with client_for(canned, fake_time) as client:
        assert _create(client).id == made
    assert canned.calls() == calls


CONFLICTS = [
    pytest.param(
        # Same content, but made a minute before this create was sent: someone else's.
        lambda: [
            LOST,
            ok_list(mine(id="01THEIRS", created_at=server_now(-60))),
            NAME_TAKEN,
            ok_list(mine(id="01THEIRS", created_at=server_now(-60))),
        ],
        "01THEIRS",
        id="equal-status-made-before-the-create",
    ),
    pytest.param(
        lambda: [LOST, ok_list(), NAME_TAKEN, ok_list(mine(id="01THEIRS", description="Not ours"))],
        "01THEIRS",
        id="someone-else-holds-the-name-after-a-lost-answer",
    ),
    pytest.param(
        # Without the service's time the list cannot tie a status to this create: no takeover.
        lambda: [LOST, undated(mine()), NAME_TAKEN, undated(mine())],
        "01MINE",
        id="a-list-without-a-date-shows-no-evidence",
    ),
]


@pytest.mark.parametrize(("script", "holder"), CONFLICTS)
def test_a_name_held_by_a_status_this_create_cannot_prove_its_own_is_a_conflict(
    canned: ScriptedServer, fake_time: FakeTime, script: Callable[[], list[Canned]], holder: str
) -> None:
    canned.answer(*script())
    with client_for(canned, fake_time) as client, pytest.raises(StatusConflictError) as caught:
        _create(client)
    assert caught.value.holder_id == holder
    assert f"import_id={holder!r}" in str(caught.value)
    assert canned.calls() == [SENT, LISTED] * 2


def test_name_taken_on_the_first_attempt_is_a_conflict_whatever_the_content(
    canned: ScriptedServer, fake_time: FakeTime
) -> None:
    # The holder has exactly the declared content and was made just now; still not ours, since
    # the only POST was answered: it was refused.
    canned.answer(NAME_TAKEN, ok_list(mine()))
    with client_for(canned, fake_time) as client, pytest.raises(StatusConflictError) as caught:
        _create(client)
    assert caught.value.holder_id == "01MINE"
    assert canned.calls() == [SENT, LISTED]


def test_create_match_needs_same_description_category_and_rank(
    canned: ScriptedServer, fake_time: FakeTime
) -> None:
    near_misses = [
        mine(id="01A", description="Different"),
        mine(id="01B", category="learning"),
        mine(id="01C", rank=9),
    ]
    canned.answer(LOST, ok_list(*near_misses), created(id="01NEW", rank=4))
    with client_for(canned, fake_time) as client:
        assert _create(client, rank=4).id == "01NEW"
    assert canned.seen[2].json()["rank"] == 4


def test_lost_rank_races_are_sent_again_until_one_wins(
    canned: ScriptedServer, fake_time: FakeTime
) -> None:
    # More losses than max_attempts: a lost race is bounded by time, not counted.
    canned.answer(*[refused("rank")] * 12, created(id="01NEW"))
    with client_for(canned, fake_time, max_attempts=3) as client:
        assert _create(client).id == "01NEW"
    assert canned.calls() == [SENT] * 13
    assert len(fake_time.sleeps) == 12 and fake_time.sleeps == sorted(fake_time.sleeps)


def test_rank_race_lost_until_the_time_runs_out_says_the_next_run_finishes_it(
    canned: ScriptedServer, fake_time: FakeTime
) -> None:
    canned.answer(refused("rank"))
    with client_for(canned, fake_time, max_total=10.0) as client:
        with pytest.raises(RankRaceError) as caught:
            _create(client)
    assert isinstance(caught.value, ValidationError)
    assert "nothing was created, and running it again finishes it" in str(caught.value)
    assert sum(fake_time.sleeps) <= 10.0
    assert {method for method, _ in canned.calls()} == {"POST"}


def test_rank_taken_for_an_explicit_rank_is_not_sent_again(
    canned: ScriptedServer, fake_time: FakeTime
) -> None:
    canned.answer(refused("rank"), created())
    with client_for(canned, fake_time) as client, pytest.raises(ValidationError) as caught:
        _create(client, rank=4)
    assert type(caught.value) is ValidationError
    assert canned.calls() == [SENT]
