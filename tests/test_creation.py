"""Creation safety (the `creation` module): what a create may take as its own, and when it resends.

A status counts as made by a create only on evidence tied to that request: exact content and a
`created_at` not before the first POST was sent, on the service's clock. Checked here against the
real emulator with faults injected, and the clock rule on its own with the service's clock far
from ours.
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
from incident_statuses_harness.fakes import FakeTime
from incident_statuses_harness.organisation import seed
from pulumi_incident_statuses.client import IncidentStatusesClient
from pulumi_incident_statuses.creation import CreateGuard, Listing
from pulumi_incident_statuses.errors import StatusConflictError
from pulumi_incident_statuses.wire import IncidentStatusRecord

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
