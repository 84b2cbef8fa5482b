"""The client against a canned HTTP server on loopback: answers the emulator never gives.

Malformed bodies, 403 and 5xx pages, HTTP-date Retry-After, hang-ups and stalls, scripted in
order, so that every branch of the response mapping and of the exactly-once create is exercised
deterministically. Also: the API key never shows in errors, reprs or logs.
"""

from __future__ import annotations

import copy
import json
import logging
import pickle
import socket
import traceback
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import pytest

from incident_statuses_harness.fakes import Canned, FakeTime, ScriptedServer
from pulumi_incident_statuses.client import IncidentStatusesClient
from pulumi_incident_statuses.errors import (
    APIConnectionError,
    APIStatusError,
    AuthenticationError,
    ConfigurationError,
    IncidentAPIError,
    InsecureEndpointError,
    MalformedResponseError,
    NotFoundError,
    PermissionDeniedError,
    RankRaceError,
    RateLimitError,
    ServerError,
    StatusConflictError,
    ValidationError,
)
from pulumi_incident_statuses.retry import RetryPolicy

KEY = "sk_live_DO-NOT-LEAK-4f1c9a77"
STATUSES = "/v1/incident_statuses"
DEFAULT = "https://api.incident.io"


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


def ok_one(**overrides: Any) -> Canned:
    return Canned(200, json.dumps({"incident_status": status_json(**overrides)}).encode())


def created(**overrides: Any) -> Canned:
    return Canned(201, json.dumps({"incident_status": status_json(**overrides)}).encode())


def ok_list(*statuses: dict[str, Any]) -> Canned:
    return Canned(200, json.dumps({"incident_statuses": list(statuses)}).encode())


def error_body(status: int, kind: str, *errors: dict[str, Any], request_id: str = "") -> bytes:
    return json.dumps(
        {
            "type": kind,
            "status": status,
            "request_id": request_id or "631766c4-9a3b-4b8e-8f00-000000000000",
            "errors": list(errors),
        }
    ).encode()


NAME_TAKEN = Canned(
    422,
    error_body(
        422,
        "validation_error",
        {
            "code": "conflict",
            "message": "must be unique",
            "source": {"field": "name", "pointer": "/name"},
        },
    ),
)


@pytest.fixture
def canned() -> Iterator[ScriptedServer]:
    with ScriptedServer.running() as server:
        yield server


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()


def client_for(
    server: ScriptedServer, fake_time: FakeTime, **options: Any
) -> IncidentStatusesClient:
    timeout = options.pop("timeout", 5.0)
    return IncidentStatusesClient(
        KEY, server.url, timeout=timeout, retry=fake_time.policy(**options)
    )


# --- well-formed answers -------------------------------------------------------------------


def test_sends_the_documented_headers_and_payload(
    canned: ScriptedServer, fake_time: FakeTime
) -> None:
    canned.answer(created())
    with client_for(canned, fake_time) as client:
        client.create(name="Investigating", description="Looking into it", category="live")
    [request] = canned.seen
    assert (request.method, request.path) == ("POST", STATUSES)
    assert request.headers["Authorization"] == f"Bearer {KEY}"
    assert request.headers["Accept"] == "application/json"
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["User-Agent"].startswith("pulumi-incident-statuses/")
    assert request.json() == {
        "name": "Investigating",
        "description": "Looking into it",
        "category": "live",
    }


def test_rank_is_sent_only_when_given(canned: ScriptedServer, fake_time: FakeTime) -> None:
    canned.answer(ok_one(rank=3))
    with client_for(canned, fake_time) as client:
        client.update("01HZX0000000000000000000AA", name="A", description="B", rank=3)
        client.update("01HZX0000000000000000000AA", name="A", description="B")
    assert [s.json() for s in canned.seen] == [
        {"name": "A", "description": "B", "rank": 3},
        {"name": "A", "description": "B"},
    ]


def test_ids_are_escaped_into_the_path(canned: ScriptedServer, fake_time: FakeTime) -> None:
    canned.answer(ok_one())
    with client_for(canned, fake_time) as client:
        client.get("../../v2/x?y")
    assert canned.seen[0].path == f"{STATUSES}/..%2F..%2Fv2%2Fx%3Fy"


def test_unknown_category_and_extra_fields_are_tolerated(
    canned: ScriptedServer, fake_time: FakeTime
) -> None:
    canned.answer(ok_list(status_json(category="quarantined", colour="teal", metadata={"a": 1})))
    with client_for(canned, fake_time) as client:
        [record] = client.list()
    assert record.category == "quarantined"
    assert record.rank == 1


def test_delete_accepts_202_with_any_body(canned: ScriptedServer, fake_time: FakeTime) -> None:
    canned.answer(Canned(202, b"Accepted"))
    with client_for(canned, fake_time) as client:
        client.delete("01HZX0000000000000000000AA")
    assert canned.calls() == [("DELETE", f"{STATUSES}/01HZX0000000000000000000AA")]


# --- malformed answers ---------------------------------------------------------------------

MALFORMED = [
    pytest.param("list", Canned(200), "the body is empty", id="empty"),
    pytest.param("list", Canned(200, b"  \n"), "the body is empty", id="blank"),
    pytest.param(
        "list",
        Canned(200, b"<html><body>Gateway says hi</body></html>", (("Content-Type", "text/html"),)),
        "the body is not JSON",
        id="html",
    ),
    pytest.param("get", Canned(200, b'{"incident_status": {"id": "01'), "not JSON", id="truncated"),
    pytest.param("get", Canned(200, b'{"incident_status": 5}'), "is not an object", id="number"),
    pytest.param("get", Canned(200, b"[]"), "expected a JSON object", id="array"),
    pytest.param("get", Canned(200, b"null"), "expected a JSON object", id="null"),
    pytest.param("get", ok_list(status_json()), "'incident_status'", id="list-for-get"),
    pytest.param("list", ok_one(), "'incident_statuses'", id="get-for-list"),
    pytest.param("list", Canned(200, b'{"incident_statuses": {}}'), "not a list", id="dict"),
    pytest.param("list", ok_list(status_json(rank="1")), "integer 'rank'", id="rank-string"),
    pytest.param("list", ok_list(status_json(rank=True)), "integer 'rank'", id="rank-bool"),
    pytest.param("get", ok_one(name=None), "string 'name'", id="name-null"),
    pytest.param(
        "list",
        ok_list(status_json(), {k: v for k, v in status_json().items() if k != "id"}),
        "incident_statuses[1] has no string 'id'",
        id="item-missing-id",
    ),
    pytest.param("create", Canned(201, b"Created"), "not JSON", id="create-text"),
    pytest.param("update", Canned(200, b'{"incident_status": []}'), "not an object", id="update"),
]


@pytest.mark.parametrize(("call", "answer", "reason"), MALFORMED)
def test_malformed_bodies_raise_malformed_response_error(
    canned: ScriptedServer, fake_time: FakeTime, call: str, answer: Canned, reason: str
) -> None:
    canned.answer(answer)
    calls = {
        "list": lambda c: c.list(),
        "get": lambda c: c.get("01HZX0000000000000000000AA"),
        "create": lambda c: c.create(name="A", description="B", category="live"),
        "update": lambda c: c.update("01HZX0000000000000000000AA", name="A", description="B"),
    }
    with client_for(canned, fake_time) as client, pytest.raises(MalformedResponseError) as caught:
        calls[call](client)
    error = caught.value
    assert reason in error.reason
    assert error.status == answer.status
    assert error.method == canned.seen[0].method
    assert error.path == canned.seen[0].path
    assert len(error.snippet) <= 200
    assert str(error).startswith(
        f"incident.io sent a malformed response to {error.method} {error.path} ({answer.status}): "
    )
    assert len(canned.seen) == 1, "a malformed answer is not retried"


def test_malformed_snippet_is_short_and_on_one_line(
    canned: ScriptedServer, fake_time: FakeTime
) -> None:
    canned.answer(Canned(200, b"<html>\n" + b"x" * 5000 + b"\n</html>"))
    with client_for(canned, fake_time) as client, pytest.raises(MalformedResponseError) as caught:
        client.list()
    assert len(caught.value.snippet) == 200
    assert caught.value.snippet.startswith("<html> xxx")
    assert caught.value.snippet.endswith("…")
    assert "\n" not in str(caught.value)


def test_record_from_api_checks_the_shape() -> None:
    from pulumi_incident_statuses.wire import IncidentStatusRecord

    record = IncidentStatusRecord.from_api(
        status_json(category="quarantined", extra=1), method="GET", path=STATUSES
    )
    assert record.category == "quarantined"
    with pytest.raises(MalformedResponseError) as caught:
        IncidentStatusRecord.from_api(status_json(rank=None), method="GET", path=STATUSES)
    assert caught.value.status is None
    assert "integer 'rank'" in str(caught.value)
    assert str(caught.value).startswith(f"incident.io sent a malformed response to GET {STATUSES}:")


# --- error statuses ------------------------------------------------------------------------


def test_403_with_error_body(canned: ScriptedServer, fake_time: FakeTime) -> None:
    canned.answer(
        Canned(
            403,
            error_body(
                403,
                "resource_forbidden",
                {"code": "missing_scope", "message": "API key lacks incident_lifecycles.update"},
                request_id="abcdef0123456789",
            ),
        )
    )
    with client_for(canned, fake_time) as client, pytest.raises(PermissionDeniedError) as caught:
        client.delete("01HZX0000000000000000000AA")
    error = caught.value
    assert (error.status, error.type, error.request_id) == (
        403,
        "resource_forbidden",
        "abcdef0123456789",
    )
    assert error.errors[0].code == "missing_scope"
    assert error.errors[0].field is None
    assert str(error).startswith(
        f"incident.io rejected DELETE {STATUSES}/01HZX0000000000000000000AA "
        "(403 resource_forbidden, request abcdef01…): API key lacks incident_lifecycles.update — "
    )
    assert len(canned.seen) == 1, "a 403 is not retried"


def test_str_joins_errors_and_names_fields(canned: ScriptedServer, fake_time: FakeTime) -> None:
    canned.answer(
        Canned(
            422,
            error_body(
                422,
                "validation_error",
                {
                    "code": "is_required",
                    "message": "is required",
                    "source": {"field": "name", "pointer": "/name"},
                },
                {
                    "code": "invalid",
                    "message": "Can't have more than one status with the same rank",
                },
                request_id="631766c4-9a3b",
            ),
        ),
        # A refusal on the name is checked against the list for a holder; there is none.
        ok_list(),
    )
    with client_for(canned, fake_time) as client, pytest.raises(ValidationError) as caught:
        client.create(name="", description="", category="live", rank=1)
    assert str(caught.value) == (
        f"incident.io rejected POST {STATUSES} (422 validation_error, request 631766c4…): "
        "name: is required; Can't have more than one status with the same rank"
    )


@pytest.mark.parametrize(
    ("status", "error_class"),
    [
        (400, APIStatusError),
        (401, AuthenticationError),
        (403, PermissionDeniedError),
        (404, NotFoundError),
        (409, APIStatusError),
        (418, APIStatusError),
        (422, ValidationError),
        (302, APIStatusError),
    ],
)
def test_each_status_maps_to_its_class_and_is_not_retried(
    canned: ScriptedServer, fake_time: FakeTime, status: int, error_class: type[APIStatusError]
) -> None:
    canned.answer(Canned(status, b"<html>nope</html>", (("Location", "https://example.com/"),)))
    with client_for(canned, fake_time) as client, pytest.raises(APIStatusError) as caught:
        client.list()
    assert type(caught.value) is error_class
    assert caught.value.status == status
    assert caught.value.snippet == "<html>nope</html>"
    assert str(caught.value).startswith(
        f"incident.io rejected GET {STATUSES} ({status}): <html>nope</html>"
    )
    assert len(canned.seen) == 1
    assert fake_time.sleeps == []


def test_json_that_is_not_an_error_body_still_gives_the_status_class(
    canned: ScriptedServer, fake_time: FakeTime
) -> None:
    canned.answer(Canned(404, b'{"message": "no such thing"}'))
    with client_for(canned, fake_time) as client, pytest.raises(NotFoundError) as caught:
        client.get("missing")
    assert caught.value.type is None
    assert caught.value.errors == ()
    assert str(caught.value) == (
        f'incident.io rejected GET {STATUSES}/missing (404): {{"message": "no such thing"}}'
    )


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


def test_500_then_success(canned: ScriptedServer, fake_time: FakeTime) -> None:
    canned.answer(
        Canned(500, error_body(500, "api_error", {"code": "internal", "message": "oops"})),
        ok_list(),
    )
    with client_for(canned, fake_time) as client:
        assert client.list() == []
    assert len(canned.seen) == 2


# --- Retry-After ---------------------------------------------------------------------------


def _rate_limited(retry_after: str | None) -> Canned:
    headers = (("Retry-After", retry_after),) if retry_after is not None else ()
    return Canned(
        429,
        error_body(429, "too_many_requests", {"code": "rate_limited", "message": "slow down"}),
        headers,
    )


@pytest.mark.parametrize(
    ("header", "expected"),
    [("7", 7.0), ("0", 0.15), ("120", 30.0), (None, 0.15), ("soon", 0.15)],
)
def test_429_waits_as_retry_after_says(
    canned: ScriptedServer, fake_time: FakeTime, header: str | None, expected: float
) -> None:
    canned.answer(_rate_limited(header), ok_list())
    with client_for(canned, fake_time) as client:
        assert client.list() == []
    assert fake_time.sleeps == pytest.approx([expected])


@pytest.mark.parametrize("zone", ["UTC", "GMT"])
def test_429_with_http_date_retry_after(
    canned: ScriptedServer, fake_time: FakeTime, zone: str
) -> None:
    when = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=5)
    date = format_datetime(when, usegmt=True).replace("GMT", zone)
    canned.answer(_rate_limited(date), ok_list())
    with client_for(canned, fake_time) as client:
        assert client.list() == []
    [slept] = fake_time.sleeps
    assert 3.0 <= slept <= 5.0


def test_429_retries_a_create_without_listing(canned: ScriptedServer, fake_time: FakeTime) -> None:
    canned.answer(_rate_limited("1"), created())
    with client_for(canned, fake_time) as client:
        client.create(name="Investigating", description="Looking into it", category="live")
    assert canned.calls() == [("POST", STATUSES), ("POST", STATUSES)]


def test_after_a_lost_answer_the_list_is_read_once_per_unknown_outcome(
    canned: ScriptedServer, fake_time: FakeTime
) -> None:
    server_error = Canned(500, error_body(500, "api_error"))
    canned.answer(
        server_error,  # may have landed: look before sending again
        ok_list(),
        _rate_limited("1"),  # refused unapplied, and the list showed nothing: send again
        _rate_limited("1"),
        server_error,  # may have landed: look again
        ok_list(),
        created(),
    )
    with client_for(canned, fake_time) as client:
        client.create(name="Investigating", description="Looking into it", category="live")
    assert [method for method, _ in canned.calls()] == [
        "POST", "GET", "POST", "POST", "POST", "GET", "POST"
    ]


def test_429_is_held_to_the_time_budget_not_to_max_attempts(
    canned: ScriptedServer, fake_time: FakeTime
) -> None:
    canned.answer(_rate_limited("2"))
    with (
        client_for(canned, fake_time, max_attempts=3, max_total=20.0) as client,
        pytest.raises(RateLimitError) as caught,
    ):
        client.list()
    assert caught.value.retry_after == 2.0
    assert fake_time.sleeps == [2.0] * 10, "an eleventh wait would end after 20 s"
    assert len(canned.seen) == 11


def test_retries_stop_at_the_total_time_budget(canned: ScriptedServer, fake_time: FakeTime) -> None:
    canned.answer(_rate_limited("4"))
    with client_for(canned, fake_time, max_total=10.0) as client, pytest.raises(RateLimitError):
        client.list()
    assert fake_time.sleeps == [4.0, 4.0], "a third wait would end after 10 s"


# --- no response ---------------------------------------------------------------------------


def test_connection_refused(fake_time: FakeTime) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    policy = fake_time.policy(max_attempts=3)
    with IncidentStatusesClient(KEY, f"http://127.0.0.1:{port}", retry=policy) as client:
        with pytest.raises(APIConnectionError) as caught:
            client.list()
    assert (caught.value.method, caught.value.path) == ("GET", STATUSES)
    assert caught.value.reason == "connection refused"
    assert str(caught.value) == (
        f"could not get a response from incident.io for GET {STATUSES}: connection refused"
    )
    assert len(fake_time.sleeps) == 2


def test_hang_up_on_a_read_is_retried(canned: ScriptedServer, fake_time: FakeTime) -> None:
    canned.answer(Canned(0, hang_up=True), ok_one())
    with client_for(canned, fake_time) as client:
        assert client.get("01HZX0000000000000000000AA").name == "Investigating"
    assert len(canned.seen) == 2


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


# --- exactly-once create -------------------------------------------------------------------


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


OTHER = status_json(id="01OTHER", name="Fixing", description="On it", rank=5)


def _create(client: IncidentStatusesClient, **overrides: Any) -> Any:
    arguments: dict[str, Any] = {
        "name": "Investigating",
        "description": "Looking into it",
        "category": "live",
    }
    arguments.update(overrides)
    return client.create(**arguments)


def test_lost_create_answer_is_found_in_the_list(
    canned: ScriptedServer, fake_time: FakeTime
) -> None:
    canned.answer(Canned(0, hang_up=True), ok_list(OTHER, mine()))
    with client_for(canned, fake_time) as client:
        assert _create(client).id == "01MINE"
    assert canned.calls() == [("POST", STATUSES), ("GET", STATUSES)]


def test_equal_status_made_before_the_create_is_not_taken_after_a_lost_answer(
    canned: ScriptedServer, fake_time: FakeTime
) -> None:
    # Same content, but made a minute before this create was sent: someone else's.
    theirs = mine(id="01THEIRS", created_at=server_now(-60))
    canned.answer(Canned(0, hang_up=True), ok_list(theirs), NAME_TAKEN, ok_list(theirs))
    with client_for(canned, fake_time) as client, pytest.raises(StatusConflictError) as caught:
        _create(client)
    assert caught.value.holder_id == "01THEIRS"
    assert "import_id='01THEIRS'" in str(caught.value)
    assert canned.calls() == [("POST", STATUSES), ("GET", STATUSES)] * 2


def test_list_without_a_date_shows_no_evidence(canned: ScriptedServer, fake_time: FakeTime) -> None:
    # Without the service's time the list cannot tie a status to this create: no takeover.
    undated = Canned(
        200,
        json.dumps({"incident_statuses": [mine()]}).encode(),
        (("Date", "not a date"),),
    )
    canned.answer(Canned(0, hang_up=True), undated, NAME_TAKEN, undated)
    with client_for(canned, fake_time) as client, pytest.raises(StatusConflictError):
        _create(client)


def test_create_5xx_not_applied_is_sent_again(canned: ScriptedServer, fake_time: FakeTime) -> None:
    canned.answer(Canned(503), ok_list(OTHER), created(id="01NEW"))
    with client_for(canned, fake_time) as client:
        assert _create(client).id == "01NEW"
    assert canned.calls() == [("POST", STATUSES), ("GET", STATUSES), ("POST", STATUSES)]


def test_create_match_needs_same_description_category_and_rank(
    canned: ScriptedServer, fake_time: FakeTime
) -> None:
    near_misses = [
        mine(id="01A", description="Different"),
        mine(id="01B", category="learning"),
        mine(id="01C", rank=9),
    ]
    canned.answer(Canned(0, hang_up=True), ok_list(*near_misses), created(id="01NEW", rank=4))
    with client_for(canned, fake_time) as client:
        assert _create(client, rank=4).id == "01NEW"
    assert canned.seen[2].json()["rank"] == 4


def test_name_taken_after_a_lost_answer_looks_again(
    canned: ScriptedServer, fake_time: FakeTime
) -> None:
    canned.answer(Canned(0, hang_up=True), ok_list(OTHER), NAME_TAKEN, ok_list(OTHER, mine()))
    with client_for(canned, fake_time) as client:
        assert _create(client).id == "01MINE"
    assert canned.calls() == [("POST", STATUSES), ("GET", STATUSES)] * 2


def test_name_taken_by_someone_else_after_a_lost_answer_raises(
    canned: ScriptedServer, fake_time: FakeTime
) -> None:
    theirs = mine(id="01THEIRS", description="Not ours")
    canned.answer(Canned(0, hang_up=True), ok_list(), NAME_TAKEN, ok_list(theirs))
    with client_for(canned, fake_time) as client, pytest.raises(StatusConflictError) as caught:
        _create(client)
    assert caught.value.holder_id == "01THEIRS"
    assert len(canned.seen) == 4


def test_name_taken_on_the_first_attempt_is_a_conflict_whatever_the_content(
    canned: ScriptedServer, fake_time: FakeTime
) -> None:
    # The holder has exactly the declared content and was made just now; still not ours, since
    # the only POST was answered: it was refused.
    canned.answer(NAME_TAKEN, ok_list(mine()))
    with client_for(canned, fake_time) as client, pytest.raises(StatusConflictError) as caught:
        _create(client)
    assert caught.value.holder_id == "01MINE"
    assert canned.calls() == [("POST", STATUSES), ("GET", STATUSES)]


def test_failed_lookup_is_retried_before_sending_again(
    canned: ScriptedServer, fake_time: FakeTime
) -> None:
    canned.answer(Canned(0, hang_up=True), Canned(500), ok_list(mine()))
    with client_for(canned, fake_time) as client:
        assert _create(client).id == "01MINE"
    assert canned.calls() == [("POST", STATUSES), ("GET", STATUSES), ("GET", STATUSES)]


def test_lost_rank_races_are_sent_again_until_one_wins(
    canned: ScriptedServer, fake_time: FakeTime
) -> None:
    rank_taken = Canned(
        422,
        error_body(
            422,
            "validation_error",
            {
                "code": "invalid",
                "message": "Can't have more than one status with the same rank",
                "source": {"field": "rank", "pointer": "/rank"},
            },
        ),
    )
    # More losses than max_attempts: a lost race is bounded by time, not counted.
    canned.answer(*[rank_taken] * 12, created(id="01NEW"))
    with client_for(canned, fake_time, max_attempts=3) as client:
        assert _create(client).id == "01NEW"
    assert canned.calls() == [("POST", STATUSES)] * 13
    assert len(fake_time.sleeps) == 12 and fake_time.sleeps == sorted(fake_time.sleeps)


def test_rank_race_lost_until_the_time_runs_out_says_the_next_run_finishes_it(
    canned: ScriptedServer, fake_time: FakeTime
) -> None:
    canned.answer(
        Canned(
            422,
            error_body(
                422,
                "validation_error",
                {"code": "invalid", "message": "same rank", "source": {"field": "rank"}},
            ),
        )
    )
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
    rank_taken = Canned(
        422,
        error_body(
            422,
            "validation_error",
            {"code": "invalid", "message": "same rank", "source": {"field": "rank"}},
        ),
    )
    canned.answer(rank_taken, created())
    with client_for(canned, fake_time) as client, pytest.raises(ValidationError) as caught:
        _create(client, rank=4)
    assert type(caught.value) is ValidationError
    assert canned.calls() == [("POST", STATUSES)]


# --- configuration -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "endpoint",
    [
        "http://example.com",
        "http://10.0.0.1:8080",
        "http://localhost.example.com",
        "http://127.0.0.1.nip.io",
        "http://[2001:db8::1]/",
        "HTTP://example.com",
    ],
)
def test_insecure_endpoint_is_refused_before_anything_is_sent(
    endpoint: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_connections(*args: object, **kwargs: object) -> None:
        raise AssertionError("a connection was attempted")

    monkeypatch.setattr(socket, "create_connection", no_connections)
    monkeypatch.setattr(socket.socket, "connect", no_connections)
    with pytest.raises(InsecureEndpointError) as caught:
        IncidentStatusesClient(KEY, endpoint)
    assert isinstance(caught.value, ConfigurationError)
    assert KEY not in str(caught.value)


@pytest.mark.parametrize(
    ("endpoint", "expected"),
    [
        ("https://api.incident.io/", "https://api.incident.io"),
        ("https://api.incident.io", "https://api.incident.io"),
        ("http://127.0.0.1:8080/", "http://127.0.0.1:8080"),
        ("http://127.9.9.9", "http://127.9.9.9"),
        ("http://localhost:1234", "http://localhost:1234"),
        ("http://[::1]:8080", "http://[::1]:8080"),
        ("https://proxy.internal/incident/", "https://proxy.internal/incident"),
    ],
)
def test_accepted_endpoints(endpoint: str, expected: str) -> None:
    with IncidentStatusesClient(KEY, endpoint) as client:
        assert client.endpoint == expected


@pytest.mark.parametrize(
    "endpoint",
    [
        "ftp://api.incident.io",
        "api.incident.io",
        "https://",
        "https://user:pw@api.incident.io",
        "https://api.incident.io?x=1",
        "https://api.incident.io:99999",
    ],
)
def test_unusable_endpoints(endpoint: str) -> None:
    with pytest.raises(ConfigurationError):
        IncidentStatusesClient(KEY, endpoint)


@pytest.mark.parametrize("api_key", ["", "   ", "two words", "line\nbreak", "naïve"])
def test_unusable_api_keys(api_key: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        IncidentStatusesClient(api_key)
    assert api_key.strip() == "" or api_key not in str(caught.value)


def test_retry_policy_rejects_nonsense() -> None:
    with pytest.raises(ValueError):
        RetryPolicy(max_attempts=0)
    with pytest.raises(ValueError):
        RetryPolicy(base_delay=-1)


# --- the API key stays secret --------------------------------------------------------------


def _every_text(error: BaseException) -> str:
    texts = [str(error), repr(error), repr(error.args), "".join(traceback.format_exception(error))]
    for name, value in vars(error).items():
        texts.append(f"{name}={value!r}")
    linked = error.__cause__ or error.__context__
    if linked is not None:
        texts.append(_every_text(linked))
    return "\n".join(texts)


def test_api_key_never_appears_in_errors_reprs_or_logs(
    canned: ScriptedServer, fake_time: FakeTime, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    echo = {
        "code": "{AUTH}",
        "message": "you sent {AUTH}",
        "source": {"field": "{AUTH}", "pointer": "/"},
    }
    scripts: list[tuple[type[IncidentAPIError], list[Canned]]] = [
        (
            AuthenticationError,
            [Canned(401, error_body(401, "authentication_error", echo, request_id="{AUTH}"))],
        ),
        (PermissionDeniedError, [Canned(403, b"forbidden for {AUTH}")]),
        (NotFoundError, [Canned(404, b'{"detail": "{AUTH}"}')]),
        (ValidationError, [Canned(422, error_body(422, "{AUTH}", echo))]),
        (RateLimitError, [Canned(429, b"{AUTH}", (("Retry-After", "1"),))]),
        (ServerError, [Canned(500, b"<pre>Authorization: {AUTH}</pre>")]),
        (MalformedResponseError, [Canned(200, b"<p>{AUTH}</p>")]),
        (MalformedResponseError, [Canned(200, b'{"incident_statuses": [{"id": "{AUTH}"}]}')]),
        (APIConnectionError, [Canned(0, hang_up=True)]),
    ]
    errors: list[IncidentAPIError] = []
    for error_class, script in scripts:
        canned.answer(*script)
        with client_for(canned, fake_time, max_attempts=2) as client:
            with pytest.raises(error_class) as caught:
                client.list()
            errors.append(caught.value)
            assert KEY not in repr(client)
    for api_key, endpoint in (("bad key " + KEY, DEFAULT), (KEY, "http://example.com")):
        with pytest.raises(ConfigurationError) as config_error:
            IncidentStatusesClient(api_key, endpoint)
        errors.append(config_error.value)
    with IncidentStatusesClient(KEY, canned.url) as client:
        with pytest.raises(TypeError) as pickling:
            pickle.dumps(client)
        assert KEY not in str(pickling.value)
    assert any("you sent" in str(error) for error in errors), "the echo reached a message"
    for error in errors:
        assert KEY not in _every_text(error), type(error).__name__
        assert KEY not in repr(copy.deepcopy(error))
    assert "retrying GET" in caplog.text
    assert KEY not in caplog.text
    assert all(KEY not in repr(record.args) for record in caplog.records)


def test_errors_survive_copying(canned: ScriptedServer, fake_time: FakeTime) -> None:
    canned.answer(NAME_TAKEN, ok_list())
    with client_for(canned, fake_time) as client, pytest.raises(ValidationError) as caught:
        _create(client)
    clone = copy.deepcopy(caught.value)
    assert type(clone) is ValidationError
    assert str(clone) == str(caught.value)
    assert clone.errors == caught.value.errors
    assert clone.request_id == caught.value.request_id
