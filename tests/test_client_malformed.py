"""The client against a canned HTTP server on loopback: answers the emulator never gives.

Malformed bodies, 403 pages and error bodies of every shape, scripted, so that every branch of the
response mapping is exercised deterministically; settings refused before anything is sent; and
the API key never shown in errors, reprs or logs. Retries are in ``test_retry.py``, the
exactly-once create in ``test_creation.py``.
"""

from __future__ import annotations

import copy
import logging
import pickle
import socket
import traceback

import pytest

from incident_statuses_harness.canned import (
    KEY,
    STATUSES,
    client_for,
    created,
    error_body,
    ok_list,
    ok_one,
    refused,
    status_json,
)
from incident_statuses_harness.fakes import Canned, FakeTime, ScriptedServer
from pulumi_incident_statuses.core.client import IncidentStatusesClient
from pulumi_incident_statuses.core.errors import (
    APIConnectionError,
    APIStatusError,
    AuthenticationError,
    ConfigurationError,
    IncidentAPIError,
    InsecureEndpointError,
    MalformedResponseError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
    ValidationError,
)

DEFAULT = "https://api.incident.io"
NAME_TAKEN = refused("name", "must be unique", code="conflict")


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
    pytest.param("get", ok_one(rank=None, extra=1), "integer 'rank'", id="rank-null"),
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
        client.create(name="Investigating", description="Looking into it", category="live")
    clone = copy.deepcopy(caught.value)
    assert type(clone) is ValidationError
    assert str(clone) == str(caught.value)
    assert clone.errors == caught.value.errors
    assert clone.request_id == caught.value.request_id
