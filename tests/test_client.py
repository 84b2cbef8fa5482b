"""The client over real HTTP against the emulator: every endpoint, every error, faults.

Canned answers the emulator never gives (malformed bodies, 403, HTML error pages) are in
``test_client_malformed.py``; every retry case, rate limits included, in ``test_retry.py``.
"""

from __future__ import annotations

import contextlib
import logging
import re
from collections.abc import Callable
from typing import Any

import pytest

from incident_statuses_emulator.process import DEFAULT_API_KEY, EmulatorProcess
from incident_statuses_harness.organisation import MANAGED
from pulumi_incident_statuses.core.client import IncidentStatusesClient
from pulumi_incident_statuses.core.errors import (
    APIConnectionError,
    AuthenticationError,
    ErrorDetail,
    NotFoundError,
    ServerError,
    StatusConflictError,
    ValidationError,
)
from pulumi_incident_statuses.core.retry import RetryPolicy
from pulumi_incident_statuses.core.settings import Origin
from pulumi_incident_statuses.core.wire import IncidentStatusRecord

STATUSES = "/v1/incident_statuses"
ERROR_MESSAGE = re.compile(
    r"incident\.io rejected (?P<call>[A-Z]+ \S+) \((?P<status>\d{3}) (?P<type>\w+), "
    r"request (?P<request>[^…]{1,8})…?\): (?P<said>.+)"
)


def quick_retries(**options: Any) -> RetryPolicy:
    """Many attempts with next to no waiting, for an emulator told to fail often."""
    settings: dict[str, Any] = {
        "max_attempts": 40,
        "base_delay": 0.001,
        "max_delay": 0.004,
        "max_total": 60.0,
    }
    settings.update(options)
    return RetryPolicy(**settings)


def client_of(emulator: EmulatorProcess, **options: Any) -> IncidentStatusesClient:
    return IncidentStatusesClient(DEFAULT_API_KEY, emulator.url, **options)


def by_route(emulator: EmulatorProcess) -> dict[str, int]:
    routes: dict[str, int] = emulator.stats()["by_route"]
    return routes


def configurable(statuses: list[IncidentStatusRecord]) -> list[IncidentStatusRecord]:
    return [status for status in statuses if status.name not in MANAGED]


# --- every endpoint ------------------------------------------------------------------------


def test_list_shows_the_managed_statuses_of_a_fresh_org(emulator: EmulatorProcess) -> None:
    with client_of(emulator) as client:
        statuses = client.list()
    assert {status.name: status.category for status in statuses} == MANAGED
    for status in statuses:
        assert status.id and status.created_at and status.updated_at
        assert isinstance(status.rank, int)


def test_create_get_update_delete(emulator: EmulatorProcess) -> None:
    with client_of(emulator) as client:
        made = client.create(name="Investigating", description="**Looking**", category="live")
        assert (made.name, made.description, made.category) == (
            "Investigating",
            "**Looking**",
            "live",
        )
        assert client.get(made.id) == made
        assert made in client.list()

        changed = client.update(made.id, name="Fixing", description="On it", rank=42)
        assert (changed.id, changed.name, changed.description, changed.rank) == (
            made.id,
            "Fixing",
            "On it",
            42,
        )
        assert changed.category == "live"
        assert changed.created_at == made.created_at
        assert client.get(made.id) == changed

        kept_rank = client.update(made.id, name="Fixing", description="Still on it")
        assert kept_rank.rank == 42

        client.delete(made.id)
        with pytest.raises(NotFoundError):
            client.get(made.id)
        with pytest.raises(NotFoundError):
            client.delete(made.id)
        assert configurable(client.list()) == []


@pytest.mark.parametrize("category", ["live", "learning", "closed"])
def test_create_each_configurable_category_with_and_without_rank(
    emulator: EmulatorProcess, category: str
) -> None:
    with client_of(emulator) as client:
        ranked = client.create(name="Ranked", description="r", category=category, rank=500)
        appended = client.create(name="Appended", description="a", category=category)
    assert (ranked.category, ranked.rank) == (category, 500)
    assert appended.category == category
    assert appended.rank != ranked.rank


def test_find_by_name_makes_one_list_call(emulator: EmulatorProcess) -> None:
    with client_of(emulator) as client:
        made = client.create(name="Monitoring", description="Watching", category="live")
        before = by_route(emulator).get(f"GET {STATUSES}", 0)
        assert client.find_by_name("Monitoring") == made
        triage = client.find_by_name("Triage")
        assert client.find_by_name("monitoring") is None
        assert client.find_by_name("Nothing like it") is None
    assert triage is not None and triage.category == "triage"
    assert by_route(emulator)[f"GET {STATUSES}"] - before == 4


# --- every error the emulator gives --------------------------------------------------------


def test_wrong_key_is_an_authentication_error_and_not_retried(emulator: EmulatorProcess) -> None:
    before = emulator.stats()["total"]
    with IncidentStatusesClient("not-the-key", emulator.url) as client:
        with pytest.raises(AuthenticationError) as caught:
            client.list()
    error = caught.value
    assert (error.status, error.type, error.method, error.path) == (
        401,
        "authentication_error",
        "GET",
        STATUSES,
    )
    assert error.request_id
    assert str(error).startswith(f"incident.io rejected GET {STATUSES} (401 authentication_error")
    assert str(error).endswith(" — check the API key")
    assert "not-the-key" not in str(error)
    assert emulator.stats()["total"] - before == 1


@pytest.mark.parametrize(
    ("origin", "hint"),
    [
        (
            Origin(api_key="INCIDENT_API_KEY"),
            "check the API key in the environment variable INCIDENT_API_KEY",
        ),
        (
            Origin(api_key="incident:apiKey"),
            "check the API key in stack config incident:apiKey. After changing it, `pulumi "
            "refresh` and `pulumi destroy` still send the key recorded by the last `pulumi up`: "
            "run `pulumi up` first, or add --run-program",
        ),
        (
            Origin(api_key="incident:apiKey", command_line=True),
            "check the API key in the stack's config incident:apiKey",
        ),
    ],
)
def test_a_refused_key_is_said_to_come_from_where_it_came_from(
    emulator: EmulatorProcess, origin: Origin, hint: str
) -> None:
    with IncidentStatusesClient("not-the-key", emulator.url, origin=origin) as client:
        with pytest.raises(AuthenticationError) as caught:
            client.list()
    assert str(caught.value).endswith(f" — {hint}")


def test_unknown_id_is_not_found(emulator: EmulatorProcess) -> None:
    with client_of(emulator) as client, pytest.raises(NotFoundError) as caught:
        client.get("01NOSUCHSTATUS")
    match = ERROR_MESSAGE.fullmatch(str(caught.value))
    assert match is not None, str(caught.value)
    assert match["call"] == f"GET {STATUSES}/01NOSUCHSTATUS"
    assert (match["status"], match["type"]) == ("404", "not_found")
    assert caught.value.request_id is not None
    assert caught.value.request_id.startswith(match["request"])


def test_duplicate_name_is_a_conflict_naming_the_holder(emulator: EmulatorProcess) -> None:
    with client_of(emulator) as client:
        holder = client.create(name="Investigating", description="a", category="live")
        posts = by_route(emulator)[f"POST {STATUSES}"]
        with pytest.raises(StatusConflictError) as conflict:
            client.create(name="Investigating", description="b", category="learning")
    assert conflict.value.holder_id == holder.id
    assert f"import_id={holder.id!r}" in str(conflict.value)
    error = conflict.value.__context__
    assert isinstance(error, ValidationError)
    assert error.status == 422 and error.type == "validation_error"
    assert [detail.field for detail in error.errors] == ["name"]
    match = ERROR_MESSAGE.fullmatch(str(error))
    assert match is not None, str(error)
    assert match["call"] == f"POST {STATUSES}"
    assert match["said"] == f"name: {error.errors[0].message}"
    assert by_route(emulator)[f"POST {STATUSES}"] == posts + 1, "a 422 is not retried"


def test_managed_category_cannot_be_created(emulator: EmulatorProcess) -> None:
    with client_of(emulator) as client, pytest.raises(ValidationError) as caught:
        client.create(name="Triage 2", description="t", category="triage")
    assert caught.value.errors[0].field == "category"


# --- faults --------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", [11, 23, 42])
def test_every_write_lands_exactly_once_under_faults(
    emulator_factory: Callable[..., EmulatorProcess], seed: int, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="pulumi_incident_statuses")
    emulator = emulator_factory(fault_rate=0.3, drop_rate=0.2, seed=seed)
    categories = ("live", "learning", "closed")
    with client_of(emulator, retry=quick_retries()) as client:
        made = [
            client.create(
                name=f"Status {seed}-{n}",
                description=f"Description {n}",
                category=categories[n % 3],
                rank=1000 + n if n % 2 else None,
            )
            for n in range(30)
        ]
        server = {status.id: status for status in configurable(client.list())}
        assert sorted(server) == sorted(status.id for status in made)
        assert all(server[status.id] == status for status in made)
        assert len({status.name for status in server.values()}) == 30

        changed = [
            client.update(status.id, name=f"{status.name}!", description="changed")
            for status in made
        ]
        for status in made[:15]:
            # A delete whose answer was lost is retried and then told 404: it is gone.
            with contextlib.suppress(NotFoundError):
                client.delete(status.id)

    with client_of(emulator, retry=quick_retries()) as clean:
        left = {status.id: status for status in configurable(clean.list())}
    assert sorted(left) == sorted(status.id for status in changed[15:])
    assert all(left[status.id] == status for status in changed[15:])

    outcomes = emulator.stats()["by_status"]
    assert outcomes.get("500", 0) + outcomes.get("503", 0) > 0, "faults were injected"
    assert outcomes.get("dropped", 0) > 0, "answers were dropped"
    assert "an earlier attempt created" in caplog.text, "a lost create was found, not re-sent"


def test_a_create_whose_answer_is_always_lost_is_sent_once(
    emulator_factory: Callable[..., EmulatorProcess],
) -> None:
    emulator = emulator_factory(drop_rate=1.0)
    with client_of(emulator, retry=quick_retries()) as client:
        made = client.create(name="Lost answer", description="d", category="learning")
        assert client.get(made.id) == made
        with pytest.raises(APIConnectionError) as caught:
            client.update(made.id, name="Lost again", description="d")
    assert caught.value.reason == "connection closed without a response"
    routes = by_route(emulator)
    assert routes[f"POST {STATUSES}"] == 1
    assert routes[f"PUT {STATUSES}/{{id}}"] == 40


def test_a_create_that_always_fails_gives_up_without_creating(
    emulator_factory: Callable[..., EmulatorProcess],
) -> None:
    emulator = emulator_factory(fault_rate=1.0)
    with client_of(emulator, retry=quick_retries(max_attempts=5)) as client:
        with pytest.raises(ServerError) as caught:
            client.create(name="Never", description="d", category="live")
    assert caught.value.status in (500, 503)
    routes = by_route(emulator)
    # The POST failed; every later attempt starts by listing, which failed too, so the
    # POST was never sent again blind.
    assert routes == {f"POST {STATUSES}": 1, f"GET {STATUSES}": 4}


def test_error_detail_str() -> None:
    assert str(ErrorDetail("is_required", "is required", "name")) == "name: is required"
    assert str(ErrorDetail("conflict", "taken", None)) == "taken"


def test_proxy_and_ca_settings_come_from_the_environment_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.invalid:3128")
    monkeypatch.setenv("NO_PROXY", "internal.example")
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/etc/company-ca.pem")
    proxied = IncidentStatusesClient(DEFAULT_API_KEY, "https://api.incident.io")
    bypassed = IncidentStatusesClient(DEFAULT_API_KEY, "https://internal.example")
    # Read at construction, with requests' own rules; never scanned again per request.
    monkeypatch.setenv("HTTPS_PROXY", "http://changed.invalid:1")
    for client, proxies in ((proxied, {"https": "http://proxy.invalid:3128"}), (bypassed, {})):
        session = client._transport._session
        assert not session.trust_env
        assert {k: v for k, v in session.proxies.items() if k == "https"} == proxies
        assert session.verify == "/etc/company-ca.pem"
