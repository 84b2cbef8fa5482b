"""Every retry case: the one policy on a fake clock, then each kind of answer the client meets
(429 with `Retry-After` seconds or dates, 5xx, no response, a lost rank) from a canned server and
the emulator, and the order's rank writes, retried by that one policy as one call.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import pytest

from incident_statuses_emulator.process import DEFAULT_API_KEY, EmulatorProcess
from incident_statuses_harness.canned import (
    KEY,
    STATUSES,
    client_for,
    error_body,
    ok_list,
    ok_one,
    rate_limited,
    refused,
    status_json,
)
from incident_statuses_harness.engine import free_port
from incident_statuses_harness.fakes import Canned, FakeTime, ScriptedServer
from pulumi_incident_statuses.core.client import IncidentStatusesClient
from pulumi_incident_statuses.core.errors import (
    APIConnectionError,
    AuthenticationError,
    MalformedResponseError,
    NotFoundError,
    RankTakenError,
    RateLimitError,
    ServerError,
    ValidationError,
)
from pulumi_incident_statuses.core.operations.order import put_in_order
from pulumi_incident_statuses.core.retry import Reachability, RetryPolicy
from pulumi_incident_statuses.core.wire import parse_retry_after


def client_of(emulator: EmulatorProcess, **options: Any) -> IncidentStatusesClient:
    return IncidentStatusesClient(DEFAULT_API_KEY, emulator.url, **options)


def server_error(retry_after: float | None = None) -> ServerError:
    return ServerError(status=503, method="GET", path=STATUSES, retry_after=retry_after)


def rate_limit(retry_after: float | None) -> RateLimitError:
    return RateLimitError(status=429, method="GET", path=STATUSES, retry_after=retry_after)


# --- the policy ----------------------------------------------------------------------------


def test_backoff_doubles_up_to_the_cap_and_is_jittered() -> None:
    low = RetryPolicy(random=lambda: 0.0)
    high = RetryPolicy(random=lambda: 0.999999)
    assert [low.backoff(n) for n in range(1, 8)] == pytest.approx(
        [0.1, 0.2, 0.4, 0.8, 1.6, 2.5, 2.5]
    )
    assert [high.backoff(n) for n in range(1, 8)] == pytest.approx(
        [0.2, 0.4, 0.8, 1.6, 3.2, 5.0, 5.0], rel=1e-5
    )
    assert high.backoff(10_000) == pytest.approx(5.0, rel=1e-5)


def test_what_is_retried() -> None:
    policy = RetryPolicy()
    retried = [
        server_error(),
        ServerError(status=500, method="POST", path=STATUSES),
        rate_limit(None),
        APIConnectionError(method="GET", path=STATUSES, reason="connection reset"),
    ]
    not_retried = [
        ValidationError(status=422, method="POST", path=STATUSES),
        NotFoundError(status=404, method="GET", path=STATUSES),
        AuthenticationError(status=401, method="GET", path=STATUSES),
        MalformedResponseError(status=200, method="GET", path=STATUSES, reason="x", snippet=""),
    ]
    assert all(policy.should_retry(error) for error in retried)
    assert not any(policy.should_retry(error) for error in not_retried)
    assert all(policy.next_delay(e, attempt=1, started=0.0) is None for e in not_retried)


def test_attempts_are_bounded() -> None:
    clock = FakeTime(now=100.0)
    policy = RetryPolicy(max_attempts=3, clock=clock, random=lambda: 0.5)
    assert policy.next_delay(server_error(), attempt=1, started=clock.now) is not None
    assert policy.next_delay(server_error(), attempt=2, started=clock.now) is not None
    assert policy.next_delay(server_error(), attempt=3, started=clock.now) is None
    # Attempts answered 429 do not count: two failures among five attempts leave one more.
    assert policy.next_delay(server_error(), attempt=5, started=clock.now, throttled=3) is not None
    assert policy.next_delay(rate_limit(1.0), attempt=9, started=clock.now, throttled=7)
    assert policy.next_delay(server_error(), attempt=6, started=clock.now, throttled=3) is None


def test_total_time_is_bounded() -> None:
    clock = FakeTime(now=100.0)
    policy = RetryPolicy(max_attempts=100, max_total=10.0, clock=clock, random=lambda: 0.5)
    started = clock.now
    clock.now += 9.0
    assert policy.next_delay(server_error(), attempt=1, started=started) == pytest.approx(0.15)
    clock.now += 0.9
    assert policy.next_delay(server_error(), attempt=1, started=started) is None
    assert policy.next_delay(rate_limit(2.0), attempt=1, started=started - 5) is None


def test_retry_after_is_honoured_and_capped() -> None:
    policy = RetryPolicy(max_retry_after=30.0, random=lambda: 0.5)
    assert policy.next_delay(rate_limit(7.0), attempt=1, started=policy.clock()) == 7.0
    # Never sooner than the backoff, so that "come back now" cannot make a tight loop.
    assert policy.next_delay(rate_limit(0.0), attempt=1, started=policy.clock()) == (
        pytest.approx(0.15)
    )
    # However long a call has waited, it comes back when told, no later than a fresh call would.
    assert policy.next_delay(rate_limit(1.0), attempt=9, started=policy.clock(), throttled=9) == 1
    assert policy.next_delay(rate_limit(3600.0), attempt=1, started=policy.clock()) == 30.0
    assert policy.next_delay(rate_limit(None), attempt=3, started=policy.clock()) == (
        pytest.approx(0.6)
    )
    assert policy.next_delay(server_error(2.0), attempt=1, started=policy.clock()) == 2.0


def test_retry_policy_rejects_nonsense() -> None:
    with pytest.raises(ValueError):
        RetryPolicy(max_attempts=0)
    with pytest.raises(ValueError):
        RetryPolicy(base_delay=-1)


NOW = datetime(2025, 4, 17, 11, 17, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("7", 7.0),
        (" 12 ", 12.0),
        ("0", 0.0),
        ("1.5", 1.5),
        ("Thu, 17 Apr 2025 11:17:18 UTC", 18.0),
        ("Thu, 17 Apr 2025 11:17:18 GMT", 18.0),
        ("Thu, 17 Apr 2025 11:18:00 +0000", 60.0),
        ("Thu, 17 Apr 2025 11:16:00 GMT", 0.0),
        (None, None),
        ("", None),
        ("-5", None),
        ("soon", None),
        ("Thu, 99 Apr 2025 11:17:18 GMT", None),
    ],
)
def test_parse_retry_after(value: str | None, seconds: float | None) -> None:
    assert parse_retry_after(value, now=NOW) == seconds


# --- the client: what the defaults promise -------------------------------------------------


def test_by_default_a_down_server_is_given_up_after_ten_attempts_and_20_s_of_backoff(
    emulator_factory: Callable[..., EmulatorProcess],
) -> None:
    emulator = emulator_factory(fault_rate=1.0)
    clock = FakeTime(now=100.0)
    slept = clock.sleeps
    policy = clock.policy()
    with client_of(emulator, retry=policy) as client, pytest.raises(ServerError):
        client.list()
    assert slept == pytest.approx([0.15, 0.3, 0.6, 1.2, 2.4, 3.75, 3.75, 3.75, 3.75])
    assert emulator.stats()["total"] == 10

    slept.clear()
    with client_of(emulator, retry=replace(policy, max_total=1.0)) as client:
        with pytest.raises(ServerError):
            client.list()
    assert slept == pytest.approx([0.15, 0.3]), "a third wait would end after 1 s"


def test_by_default_a_429_waits_at_most_30_s_at_a_time_and_a_minute_in_all(
    emulator_factory: Callable[..., EmulatorProcess],
) -> None:
    emulator = emulator_factory(rate_limit=1)
    clock = FakeTime(now=100.0)
    # A 429 is not held to max_attempts, only to max_total.
    policy = RetryPolicy(max_attempts=2, sleep=clock.sleep, clock=clock)
    with client_of(emulator, retry=policy) as client:
        client.list()
        with pytest.raises(RateLimitError) as caught:
            client.list()
    # One token a minute: the server asks for about 60 s, the policy waits at most 30 at a time
    # and 60 in all.
    assert caught.value.retry_after is not None and caught.value.retry_after > 30
    assert clock.sleeps == [30.0, 30.0]


def test_rate_limited_calls_wait_and_succeed(
    emulator_factory: Callable[..., EmulatorProcess],
) -> None:
    # A bucket of 120 refilling 2 a second: the last few calls wait about a second each.
    emulator = emulator_factory(rate_limit=120)
    with client_of(emulator) as client:
        made = client.create(name="Busy", description="b", category="live")
        for _ in range(121):
            assert client.get(made.id).name == "Busy"
        client.update(made.id, name="Busier", description="b")
        assert client.find_by_name("Busier") is not None
        client.delete(made.id)
        assert client.find_by_name("Busier") is None
    assert emulator.stats()["by_status"].get("429", 0) >= 1


# --- the client: canned answers ------------------------------------------------------------


def test_503_html_is_retried_then_raised(canned: ScriptedServer, fake_time: FakeTime) -> None:
    canned.answer(Canned(503, b"<html><h1>503 Service Unavailable</h1></html>"))
    with (
        client_for(canned, fake_time, max_attempts=4) as client,
        pytest.raises(ServerError) as caught,
    ):
        client.list()
    assert caught.value.status == 503
    assert "503 Service Unavailable" in str(caught.value)
    assert len(canned.seen) == 4
    assert fake_time.sleeps == pytest.approx([0.15, 0.3, 0.6])


@pytest.mark.parametrize(
    ("first", "expected_sleep"),
    [
        pytest.param(
            Canned(500, error_body(500, "api_error", {"code": "internal", "message": "oops"})),
            0.15,
            id="500",
        ),
        pytest.param(Canned(0, hang_up=True), 0.15, id="hang-up"),
        pytest.param(rate_limited("7"), 7.0, id="429-seconds"),
        pytest.param(rate_limited("0"), 0.15, id="429-now-is-the-backoff"),
        pytest.param(rate_limited("120"), 30.0, id="429-capped"),
        pytest.param(rate_limited(None), 0.15, id="429-unsaid"),
        pytest.param(rate_limited("soon"), 0.15, id="429-unreadable"),
    ],
)
def test_a_read_is_answered_after_one_retry(
    canned: ScriptedServer, fake_time: FakeTime, first: Canned, expected_sleep: float
) -> None:
    canned.answer(first, ok_one())
    with client_for(canned, fake_time) as client:
        assert client.get("01HZX0000000000000000000AA").name == "Investigating"
    assert len(canned.seen) == 2
    assert fake_time.sleeps == pytest.approx([expected_sleep])


@pytest.mark.parametrize("zone", ["UTC", "GMT"])
def test_429_with_http_date_retry_after(
    canned: ScriptedServer, fake_time: FakeTime, zone: str
) -> None:
    when = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=5)
    date = format_datetime(when, usegmt=True).replace("GMT", zone)
    canned.answer(rate_limited(date), ok_list())
    with client_for(canned, fake_time) as client:
        assert client.list() == []
    [slept] = fake_time.sleeps
    assert 3.0 <= slept <= 5.0


def test_429_is_held_to_the_time_budget_not_to_max_attempts(
    canned: ScriptedServer, fake_time: FakeTime
) -> None:
    canned.answer(rate_limited("2"))
    with (
        client_for(canned, fake_time, max_attempts=3, max_total=20.0) as client,
        pytest.raises(RateLimitError) as caught,
    ):
        client.list()
    assert caught.value.retry_after == 2.0 and caught.value.attempts == 11
    assert fake_time.sleeps == [2.0] * 10, "an eleventh wait would end after 20 s"
    assert len(canned.seen) == 11


def test_retries_stop_at_the_total_time_budget(canned: ScriptedServer, fake_time: FakeTime) -> None:
    canned.answer(rate_limited("4"))
    with client_for(canned, fake_time, max_total=10.0) as client, pytest.raises(RateLimitError):
        client.list()
    assert fake_time.sleeps == [4.0, 4.0], "a third wait would end after 10 s"


def test_connection_refused(fake_time: FakeTime) -> None:
    port = free_port()
    policy = fake_time.policy(max_attempts=3)
    with IncidentStatusesClient(KEY, f"http://127.0.0.1:{port}", retry=policy) as client:
        with pytest.raises(APIConnectionError) as caught:
            client.list()
    assert (caught.value.method, caught.value.path) == ("GET", STATUSES)
    assert caught.value.reason == "connection refused"
    # The error raised after retries says how many attempts were made.
    assert str(caught.value) == (
        f"after 3 attempts, could not get a response from incident.io for GET {STATUSES}: "
        f"connection refused; the endpoint is http://127.0.0.1:{port}"
    )
    assert caught.value.attempts == 3 and caught.value.unreachable
    assert len(fake_time.sleeps) == 2


def test_timeout(canned: ScriptedServer, fake_time: FakeTime) -> None:
    canned.answer(Canned(0, stall=True))
    with client_for(canned, fake_time, timeout=0.2, max_attempts=1) as client:
        with pytest.raises(APIConnectionError) as caught:
            client.list()
    assert caught.value.reason == "no response within 0.2s"


def test_delete_whose_answer_was_lost_then_404_raises_not_found(
    canned: ScriptedServer, fake_time: FakeTime
) -> None:
    canned.answer(
        Canned(0, hang_up=True),
        Canned(404, error_body(404, "not_found", {"code": "not_found", "message": "Not found"})),
    )
    with client_for(canned, fake_time) as client, pytest.raises(NotFoundError):
        client.delete("01HZX0000000000000000000AA")
    assert len(canned.seen) == 2


# --- an order's rank writes: one call, one loop --------------------------------------------

A = status_json(id="01A", name="A", rank=0)
B = status_json(id="01B", name="B", rank=100)
# Listing B before A keeps B at 100 and moves A to the end of the category: one PUT.
A_MOVED = ok_one(id="01A", name="A", rank=200)
PUT_A = ("PUT", f"{STATUSES}/01A")
GET = ("GET", STATUSES)


def test_an_order_whose_planned_rank_was_taken_plans_again_from_a_fresh_list(
    canned: ScriptedServer, fake_time: FakeTime
) -> None:
    canned.answer(ok_list(A, B), refused("rank"), ok_list(A, B), A_MOVED)
    with client_for(canned, fake_time) as client:
        assert put_in_order(client, "live", ["01B", "01A"]) == {"01B": 100, "01A": 200}
    assert canned.calls() == [GET, PUT_A, GET, PUT_A]
    assert canned.seen[1].json() == {"name": "A", "description": "Looking into it", "rank": 200}
    assert fake_time.sleeps == pytest.approx([0.15])


def test_an_order_whose_ranks_keep_being_taken_gives_up_by_time_alone(
    canned: ScriptedServer, fake_time: FakeTime
) -> None:
    canned.answer(*[ok_list(A, B), refused("rank")] * 20)
    with (
        client_for(canned, fake_time, max_attempts=2, max_total=10.0) as client,
        pytest.raises(RankTakenError) as caught,
    ):
        put_in_order(client, "live", ["01B", "01A"])
    taken = caught.value
    assert isinstance(taken, ValidationError)
    assert (taken.status, taken.errors[0].field) == (422, "rank")
    assert taken.request_id == "631766c4-9a3b-4b8e-8f00-000000000000"
    assert "other writes kept taking the ranks this order planned" in str(taken)
    # Like a lost append: not counted against the attempts, only against the time.
    assert canned.calls() == [GET, PUT_A] * 7
    assert sum(fake_time.sleeps) <= 10.0


def test_an_order_write_that_fails_is_retried_by_the_one_policy_alone(
    canned: ScriptedServer, fake_time: FakeTime
) -> None:
    canned.answer(*[ok_list(A, B), Canned(503)] * 10)
    with (
        client_for(canned, fake_time, max_attempts=3) as client,
        pytest.raises(ServerError),
    ):
        put_in_order(client, "live", ["01B", "01A"])
    # Three attempts in all, each planned from its own list: no retry loop around another.
    assert canned.calls() == [GET, PUT_A] * 3
    assert fake_time.sleeps == pytest.approx([0.15, 0.3])


# --- an endpoint that answers nothing ------------------------------------------------------


def no_answer() -> APIConnectionError:
    return APIConnectionError(method="GET", path=STATUSES, reason="connection refused")


def test_an_endpoint_answering_nothing_is_given_up_on_after_its_time() -> None:
    clock = FakeTime()
    attempts: list[float] = []

    def attempt() -> None:
        attempts.append(clock.now)
        raise no_answer()

    assert RetryPolicy().max_unreachable == 6.0
    with pytest.raises(APIConnectionError):
        clock.policy().run("GET", STATUSES, attempt)
    # Backoff as always, and the last attempt made when the time runs out.
    assert attempts == pytest.approx([0.0, 0.15, 0.45, 1.05, 2.25, 4.65, 6.0])


def test_a_server_back_before_the_time_runs_out_is_ridden_out() -> None:
    clock = FakeTime()

    def attempt() -> str:
        if clock.now < 5.9:
            raise no_answer()
        return "answered"

    assert clock.policy().run("GET", STATUSES, attempt) == "answered"


def test_calls_of_one_client_share_the_silence_and_any_answer_ends_it() -> None:
    clock = FakeTime()
    policy = clock.policy()
    shared = Reachability()

    def attempt() -> None:
        raise no_answer()

    def unauthorised() -> None:
        raise AuthenticationError(status=401, method="GET", path=STATUSES)

    with pytest.raises(APIConnectionError):
        policy.run("GET", STATUSES, attempt, shared)
    at_first_give_up = clock.now
    # Another call after the endpoint has been silent its whole time: one attempt, no wait.
    with pytest.raises(APIConnectionError):
        policy.run("GET", STATUSES, attempt, shared)
    assert clock.now == at_first_give_up
    # An answer, even a refusal, shows the endpoint is there: the next call waits afresh.
    with pytest.raises(AuthenticationError):
        policy.run("GET", STATUSES, unauthorised, shared)
    with pytest.raises(APIConnectionError):
        policy.run("GET", STATUSES, attempt, shared)
    assert clock.now - at_first_give_up == pytest.approx(6.0)


def test_a_real_server_back_within_seconds_is_ridden_out(
    emulator_factory: Callable[..., EmulatorProcess],
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    started: list[EmulatorProcess] = []
    # A server that comes back two seconds after the first call found it down.
    later = threading.Timer(2.0, lambda: started.append(emulator_factory(port=port)))
    with IncidentStatusesClient(DEFAULT_API_KEY, f"http://127.0.0.1:{port}") as client:
        later.start()
        try:
            records = client.list()
        finally:
            later.join()
    assert records and started
    assert started[0].stats()["by_route"]["GET /v1/incident_statuses"] == 1
