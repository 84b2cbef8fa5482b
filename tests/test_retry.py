"""The one retry policy: what is retried, how long it waits, when it gives up; on a fake clock.

How the client meets each kind of answer (429 with `Retry-After` seconds or dates, no response)
is in `test_client_malformed.py`; retries under injected faults in `test_client.py`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest

from incident_statuses_emulator.process import DEFAULT_API_KEY, EmulatorProcess
from incident_statuses_harness.fakes import FakeTime
from pulumi_incident_statuses.client import IncidentStatusesClient
from pulumi_incident_statuses.errors import (
    APIConnectionError,
    AuthenticationError,
    ErrorDetail,
    MalformedResponseError,
    NotFoundError,
    RankTakenError,
    RateLimitError,
    ServerError,
    ValidationError,
)
from pulumi_incident_statuses.retry import RetryPolicy
from pulumi_incident_statuses.wire import parse_retry_after

STATUSES = "/v1/incident_statuses"


def client_of(emulator: EmulatorProcess, **options: Any) -> IncidentStatusesClient:
    return IncidentStatusesClient(DEFAULT_API_KEY, emulator.url, **options)


def server_error(retry_after: float | None = None) -> ServerError:
    return ServerError(status=503, method="GET", path=STATUSES, retry_after=retry_after)


def rate_limited(retry_after: float | None) -> RateLimitError:
    return RateLimitError(status=429, method="GET", path=STATUSES, retry_after=retry_after)


def test_defaults() -> None:
    policy = RetryPolicy()
    assert (
        policy.max_attempts,
        policy.base_delay,
        policy.max_delay,
        policy.max_total,
        policy.max_retry_after,
    ) == (10, 0.2, 5.0, 60.0, 30.0)


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
        rate_limited(None),
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
    assert policy.next_delay(rate_limited(1.0), attempt=9, started=clock.now, throttled=7)
    assert policy.next_delay(server_error(), attempt=6, started=clock.now, throttled=3) is None


def test_total_time_is_bounded() -> None:
    clock = FakeTime(now=100.0)
    policy = RetryPolicy(max_attempts=100, max_total=10.0, clock=clock, random=lambda: 0.5)
    started = clock.now
    clock.now += 9.0
    assert policy.next_delay(server_error(), attempt=1, started=started) == pytest.approx(0.15)
    clock.now += 0.9
    assert policy.next_delay(server_error(), attempt=1, started=started) is None
    assert policy.next_delay(rate_limited(2.0), attempt=1, started=started - 5) is None


def test_retry_after_is_honoured_and_capped() -> None:
    policy = RetryPolicy(max_retry_after=30.0, random=lambda: 0.5)
    assert policy.next_delay(rate_limited(7.0), attempt=1, started=policy.clock()) == 7.0
    # Never sooner than the backoff, so that "come back now" cannot make a tight loop.
    assert policy.next_delay(rate_limited(0.0), attempt=1, started=policy.clock()) == (
        pytest.approx(0.15)
    )
    # However long a call has waited, it comes back when told, no later than a fresh call would.
    assert policy.next_delay(rate_limited(1.0), attempt=9, started=policy.clock(), throttled=9) == 1
    assert policy.next_delay(rate_limited(3600.0), attempt=1, started=policy.clock()) == 30.0
    assert policy.next_delay(rate_limited(None), attempt=3, started=policy.clock()) == (
        pytest.approx(0.6)
    )
    assert policy.next_delay(server_error(2.0), attempt=1, started=policy.clock()) == 2.0


def test_the_client_stops_when_attempts_run_out(
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


def test_an_order_whose_planned_rank_was_taken_is_retried_by_time_alone() -> None:
    taken = ValidationError(
        status=422,
        method="PUT",
        path=f"{STATUSES}/01X",
        type="validation_error",
        request_id="req-7",
        errors=(
            ErrorDetail("invalid", "Can't have more than one status with the same rank", "rank"),
        ),
    ).recast(RankTakenError)
    assert (taken.status, taken.request_id, taken.errors[0].field) == (422, "req-7", "rank")
    assert "other writes kept taking the ranks this order planned" in str(taken)
    clock = FakeTime(now=100.0)
    policy = RetryPolicy(max_attempts=2, max_total=10.0, clock=clock, random=lambda: 0.5)
    # Like a lost append: not counted against the attempts, only against the time.
    assert policy.next_delay(taken, attempt=6, started=clock.now, throttled=6) is not None
    clock.now += 10.0
    assert policy.next_delay(taken, attempt=7, started=100.0, throttled=7) is None
