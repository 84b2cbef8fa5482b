"""Conformance of the emulator to incident.io's incident-statuses API, over real HTTP."""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import requests

from incident_statuses_emulator.config import EmulatorConfig, add_arguments, config_from_args
from incident_statuses_emulator.process import (
    DEFAULT_API_KEY,
    EmulatorProcess,
    EmulatorStartError,
)
from incident_statuses_harness.organisation import MANAGED
from pulumi_incident_statuses.tools import cli

API_KEY = DEFAULT_API_KEY
COLLECTION = "/v1/incident_statuses"
STATUS_FIELDS = {"id", "name", "description", "category", "rank", "created_at", "updated_at"}
ULID = re.compile(r"^[0-9A-HJKMNP-TV-Z]{26}$")
INSTANT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$")
MANAGED_IN_ORDER = ("Triage", "Closed", "Paused", "Declined", "Merged", "Canceled")
CATEGORY_ORDER = "triage live learning closed paused declined merged canceled".split()
RATE_LIMIT_HEADERS = ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Used")

Factory = Callable[..., EmulatorProcess]


def call(
    emulator: EmulatorProcess,
    method: str,
    path: str,
    *,
    key: str | None = API_KEY,
    **kwargs: Any,
) -> requests.Response:
    """One request to the emulator, authenticated with ``key`` unless it is None."""
    headers = {"Authorization": f"Bearer {key}"} if key is not None else {}
    return requests.request(method, emulator.url + path, headers=headers, timeout=10, **kwargs)


def create(emulator: EmulatorProcess, **fields: Any) -> requests.Response:
    """POST a status; name, description and category default to something valid."""
    body = {"name": "Investigating", "description": "Working on it", "category": "live"}
    body.update(fields)
    return call(emulator, "POST", COLLECTION, json=body)


def created(emulator: EmulatorProcess, **fields: Any) -> dict[str, Any]:
    """POST a status that must succeed; return it."""
    response = create(emulator, **fields)
    assert response.status_code == 201, response.text
    status: dict[str, Any] = response.json()["incident_status"]
    return status


def listed(emulator: EmulatorProcess) -> list[dict[str, Any]]:
    """Every status, in the order the API lists them."""
    response = call(emulator, "GET", COLLECTION)
    assert response.status_code == 200, response.text
    statuses: list[dict[str, Any]] = response.json()["incident_statuses"]
    return statuses


def assert_error(
    response: requests.Response, status: int, error_type: str, fields: set[str] | None = None
) -> dict[str, Any]:
    """Check incident.io's ErrorResponse shape; ``fields`` are those the errors must name."""
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert body["type"] == error_type
    assert body["status"] == status
    assert str(uuid.UUID(body["request_id"])) == body["request_id"]
    assert response.headers["X-Request-Id"] == body["request_id"]
    assert body["errors"]
    for error in body["errors"]:
        assert error["code"] and error["message"]
        if "source" in error:
            assert error["source"] == {
                "field": error["source"]["field"],
                "pointer": "/" + error["source"]["field"],
            }
    named = {error["source"]["field"] for error in body["errors"] if "source" in error}
    if fields is not None:
        assert named == fields
    return body


def parallel(count: int, action: Callable[[int], requests.Response]) -> list[requests.Response]:
    """Run ``action(i)`` on ``count`` threads released together."""
    barrier = threading.Barrier(count)

    def run(index: int) -> requests.Response:
        barrier.wait(timeout=10)
        return action(index)

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(run, range(count)))


# --- the organisation and the status object -------------------------------------------------


def test_fresh_organisation_holds_only_the_managed_statuses(emulator: EmulatorProcess) -> None:
    statuses = listed(emulator)

    assert {s["name"]: s["category"] for s in statuses} == MANAGED
    assert not {"live", "learning"} & {s["category"] for s in statuses}
    for status in statuses:
        assert set(status) == STATUS_FIELDS
        assert status["description"].strip()


def test_create_returns_201_with_the_seven_fields(emulator: EmulatorProcess) -> None:
    response = create(emulator, name="Investigating", description="We **know**", category="live")

    assert response.status_code == 201
    status = response.json()["incident_status"]
    assert set(status) == STATUS_FIELDS
    assert ULID.match(status["id"])
    assert INSTANT.match(status["created_at"]) and status["created_at"] == status["updated_at"]
    assert (status["name"], status["description"], status["category"]) == (
        "Investigating",
        "We **know**",
        "live",
    )
    assert isinstance(status["rank"], int)
    assert uuid.UUID(response.headers["X-Request-Id"])


def test_ids_sort_in_creation_order(emulator: EmulatorProcess) -> None:
    ids = [created(emulator, name=f"Step {i}")["id"] for i in range(5)]

    assert ids == sorted(ids)
    assert len(set(ids)) == 5


def test_show_update_delete(emulator: EmulatorProcess) -> None:
    status = created(emulator, name="Fixing", category="learning")
    path = f"{COLLECTION}/{status['id']}"

    shown = call(emulator, "GET", path)
    assert shown.status_code == 200
    assert shown.json() == {"incident_status": status}

    first = call(emulator, "PUT", path, json={"name": "Fixed", "description": "Done"})
    second = call(emulator, "PUT", path, json={"name": "Fixed", "description": "Done"})
    assert first.status_code == second.status_code == 200
    before, after = first.json()["incident_status"], second.json()["incident_status"]
    assert (after["name"], after["description"]) == ("Fixed", "Done")
    assert after["created_at"] == status["created_at"]
    assert status["updated_at"] < before["updated_at"] < after["updated_at"]
    assert call(emulator, "GET", path).json() == {"incident_status": after}

    deleted = call(emulator, "DELETE", path)
    assert deleted.status_code == 202
    assert deleted.content == b""
    assert_error(call(emulator, "GET", path), 404, "not_found")
    assert_error(call(emulator, "DELETE", path), 404, "not_found")


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
def test_unknown_id_is_404(emulator: EmulatorProcess, method: str) -> None:
    body = {"name": "x", "description": "y"} if method == "PUT" else None
    response = call(emulator, method, f"{COLLECTION}/01FCNDV6P870EA6S7TK1DSYD5H", json=body)

    error = assert_error(response, 404, "not_found", fields=set())
    assert "source" not in error["errors"][0]


def test_update_ignores_category_and_unknown_fields(emulator: EmulatorProcess) -> None:
    status = created(emulator, category="live", rank=3)
    path = f"{COLLECTION}/{status['id']}"

    response = call(
        emulator,
        "PUT",
        path,
        json={"name": "Renamed", "description": "d", "category": "closed", "colour": "red"},
    )

    assert response.status_code == 200, response.text
    updated = response.json()["incident_status"]
    assert (updated["category"], updated["rank"]) == ("live", 3)
    assert set(updated) == STATUS_FIELDS


def test_create_ignores_unknown_fields(emulator: EmulatorProcess) -> None:
    response = create(emulator, colour="red", managed=True, id="01FCNDV6P870EA6S7TK1DSYD5H")

    assert response.status_code == 201, response.text
    status = response.json()["incident_status"]
    assert set(status) == STATUS_FIELDS
    assert status["id"] != "01FCNDV6P870EA6S7TK1DSYD5H"


def test_list_orders_by_category_then_rank(emulator: EmulatorProcess) -> None:
    created(emulator, name="Review", category="learning", rank=5)
    created(emulator, name="Mitigated", category="live", rank=7)
    created(emulator, name="Investigating", category="live", rank=2)
    created(emulator, name="Archived", category="closed", rank=4)

    statuses = listed(emulator)

    positions = [(CATEGORY_ORDER.index(s["category"]), s["rank"]) for s in statuses]
    assert positions == sorted(positions)
    assert [s["name"] for s in statuses][:5] == [
        "Triage",
        "Investigating",
        "Mitigated",
        "Review",
        "Closed",
    ]


# --- authentication ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer not-the-key"},
        {"Authorization": f"Basic {API_KEY}"},
        {"Authorization": "Bearer"},
        {"Authorization": "Bearer \u00e9t\u00e9"},
    ],
    ids=["missing", "wrong", "not-bearer", "empty", "non-ascii"],
)
def test_missing_or_wrong_key_is_401(emulator: EmulatorProcess, headers: dict[str, str]) -> None:
    encoded = {name: value.encode() for name, value in headers.items()}
    response = requests.get(emulator.url + COLLECTION, headers=encoded, timeout=10)

    body = assert_error(response, 401, "authentication_error", fields=set())
    assert body["errors"][0]["code"] == "missing_authorization_material"
    assert all(header in response.headers for header in RATE_LIMIT_HEADERS)


def test_api_key_is_never_logged(emulator_factory: Factory, tmp_path: Path) -> None:
    log = tmp_path / "emulator.log"
    key = "sk-live-never-in-logs-7c1f"
    emulator = emulator_factory(api_key=key, log_path=log, access_log=True)

    assert call(emulator, "GET", COLLECTION, key=key).status_code == 200
    assert create(emulator).status_code == 401
    assert call(emulator, "GET", COLLECTION, key=key + "-wrong").status_code == 401
    emulator.stop()

    text = log.read_text()
    assert "GET /v1/incident_statuses" in text
    assert key not in text


# --- validation --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "fields"),
    [
        ({"name": None}, {"name"}),
        ({"name": ""}, {"name"}),
        ({"name": "   \t"}, {"name"}),
        ({"name": 5}, {"name"}),
        ({"description": None}, {"description"}),
        ({"description": " "}, {"description"}),
        ({"description": ["a"]}, {"description"}),
        ({"category": None}, {"category"}),
        ({"category": "triage"}, {"category"}),
        ({"category": "declined"}, {"category"}),
        ({"category": "Live"}, {"category"}),
        ({"category": 1}, {"category"}),
        ({"rank": "x"}, {"rank"}),
        ({"rank": 1.5}, {"rank"}),
        ({"rank": 2.0}, {"rank"}),
        ({"rank": True}, {"rank"}),
        ({"rank": -1}, {"rank"}),
        ({"rank": 1_000_000}, {"rank"}),
        ({"name": 5, "description": "", "category": "paused"}, {"name", "description", "category"}),
    ],
)
def test_invalid_create_is_422(
    emulator: EmulatorProcess, changes: dict[str, Any], fields: set[str]
) -> None:
    body: dict[str, Any] = {"name": "Investigating", "description": "d", "category": "live"}
    body.update(changes)
    body = {name: value for name, value in body.items() if value is not None}

    response = call(emulator, "POST", COLLECTION, json=body)

    assert_error(response, 422, "validation_error", fields=fields)
    assert len(listed(emulator)) == len(MANAGED)


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"description": "d"}, {"name"}),
        ({"name": "n"}, {"description"}),
        ({"name": "", "description": "d"}, {"name"}),
        ({"name": "n", "description": "d", "rank": "1"}, {"rank"}),
        ({"name": "n", "description": "d", "rank": 1_000_000}, {"rank"}),
    ],
)
def test_invalid_update_is_422(
    emulator: EmulatorProcess, body: dict[str, Any], fields: set[str]
) -> None:
    status = created(emulator)

    response = call(emulator, "PUT", f"{COLLECTION}/{status['id']}", json=body)

    assert_error(response, 422, "validation_error", fields=fields)
    assert call(emulator, "GET", f"{COLLECTION}/{status['id']}").json()["incident_status"] == status


@pytest.mark.parametrize("raw", [b"[]", b'"name"', b"null", b"{not json", b"", b'{"rank": NaN}'])
def test_body_that_is_not_a_json_object_is_400(emulator: EmulatorProcess, raw: bytes) -> None:
    status = created(emulator)

    for method, path in (("POST", COLLECTION), ("PUT", f"{COLLECTION}/{status['id']}")):
        response = call(emulator, method, path, data=raw)
        assert_error(response, 400, "invalid_request_error", fields=set())


def test_names_are_unique_across_all_statuses(emulator: EmulatorProcess) -> None:
    first = created(emulator, name="Investigating", category="live")

    body = assert_error(
        create(emulator, name="Investigating", category="learning"),
        422,
        "validation_error",
        fields={"name"},
    )
    assert "unique" in body["errors"][0]["message"]
    assert_error(create(emulator, name="Closed"), 422, "validation_error", fields={"name"})
    assert create(emulator, name="investigating").status_code == 201
    assert create(emulator, name="Investigating ").status_code == 201

    other = created(emulator, name="Fixing")
    rename = call(
        emulator, "PUT", f"{COLLECTION}/{other['id']}", json={"name": "Triage", "description": "d"}
    )
    assert_error(rename, 422, "validation_error", fields={"name"})
    same = call(
        emulator,
        "PUT",
        f"{COLLECTION}/{first['id']}",
        json={"name": "Investigating", "description": "new"},
    )
    assert same.status_code == 200


def test_rank_is_appended_when_omitted(emulator: EmulatorProcess) -> None:
    assert created(emulator, name="A", category="live")["rank"] == 0
    assert created(emulator, name="B", category="live")["rank"] == 1
    assert created(emulator, name="C", category="live", rank=10)["rank"] == 10
    assert created(emulator, name="D", category="live")["rank"] == 11
    assert created(emulator, name="E", category="learning")["rank"] == 0
    assert created(emulator, name="F", category="closed")["rank"] == 1


def test_rank_bounds_are_accepted(emulator: EmulatorProcess) -> None:
    assert created(emulator, name="Low", category="live", rank=0)["rank"] == 0
    assert created(emulator, name="High", category="live", rank=999_999)["rank"] == 999_999


def test_rank_must_be_unique_within_a_category(emulator: EmulatorProcess) -> None:
    live = created(emulator, name="A", category="live", rank=3)
    created(emulator, name="B", category="learning", rank=3)

    body = assert_error(
        create(emulator, name="C", category="live", rank=3),
        422,
        "validation_error",
        fields={"rank"},
    )
    assert body["errors"][0]["message"] == "Can't have more than one status with the same rank"
    assert_error(
        create(emulator, name="D", category="closed", rank=0),
        422,
        "validation_error",
        fields={"rank"},
    )

    other = created(emulator, name="E", category="live", rank=8)
    clash = call(
        emulator,
        "PUT",
        f"{COLLECTION}/{other['id']}",
        json={"name": "E", "description": "d", "rank": 3},
    )
    assert_error(clash, 422, "validation_error", fields={"rank"})
    keep = call(
        emulator,
        "PUT",
        f"{COLLECTION}/{live['id']}",
        json={"name": "A", "description": "d", "rank": 3},
    )
    assert keep.status_code == 200
    move = call(
        emulator,
        "PUT",
        f"{COLLECTION}/{live['id']}",
        json={"name": "A", "description": "d", "rank": 40},
    )
    assert move.json()["incident_status"]["rank"] == 40


def test_update_without_rank_leaves_it(emulator: EmulatorProcess) -> None:
    status = created(emulator, rank=17)

    response = call(
        emulator, "PUT", f"{COLLECTION}/{status['id']}", json={"name": "n", "description": "d"}
    )

    assert response.json()["incident_status"]["rank"] == 17


def test_managed_statuses_cannot_be_updated_or_deleted(emulator: EmulatorProcess) -> None:
    before = listed(emulator)

    for status in before:
        path = f"{COLLECTION}/{status['id']}"
        update = call(emulator, "PUT", path, json={"name": status["name"], "description": "d"})
        assert_error(update, 422, "validation_error")
        assert_error(call(emulator, "DELETE", path), 422, "validation_error")

    assert listed(emulator) == before


# --- concurrency -------------------------------------------------------------------------


def test_parallel_creates_without_rank_get_distinct_ranks(emulator: EmulatorProcess) -> None:
    responses = parallel(20, lambda i: create(emulator, name=f"Parallel {i}", category="learning"))

    assert [r.status_code for r in responses] == [201] * 20
    ranks = sorted(r.json()["incident_status"]["rank"] for r in responses)
    assert ranks == list(range(20))


def test_rank_race_refuses_overlapping_appends_like_the_real_service(
    emulator_factory: Callable[..., EmulatorProcess],
) -> None:
    racing = emulator_factory(rank_race=True)
    responses = parallel(8, lambda i: create(racing, name=f"Racer {i}", category="live"))

    assert 201 in [r.status_code for r in responses]
    losers = [r for r in responses if r.status_code != 201]
    assert losers, "overlapping appends should clash on rank"
    for loser in losers:
        assert_error(loser, 422, "validation_error", fields={"rank"})
    alone = create(racing, name="After the race", category="live")
    assert alone.status_code == 201


def test_parallel_creates_with_one_name_let_exactly_one_win(emulator: EmulatorProcess) -> None:
    responses = parallel(20, lambda i: create(emulator, name="Contested", rank=i))

    assert sorted(r.status_code for r in responses) == [201] + [422] * 19
    for loser in (r for r in responses if r.status_code == 422):
        assert_error(loser, 422, "validation_error", fields={"name"})
    assert [s["name"] for s in listed(emulator)].count("Contested") == 1


# --- rate limiting -----------------------------------------------------------------------


def test_every_api_response_carries_rate_limit_headers(emulator: EmulatorProcess) -> None:
    status = created(emulator)
    responses = [
        call(emulator, "GET", COLLECTION),
        call(emulator, "GET", f"{COLLECTION}/{status['id']}"),
        create(emulator, name=5),
        call(emulator, "GET", f"{COLLECTION}/nope"),
        call(emulator, "DELETE", f"{COLLECTION}/{status['id']}"),
    ]

    for response in responses:
        assert response.headers["X-RateLimit-Limit"] == "1200"
        used = int(response.headers["X-RateLimit-Used"])
        assert used + int(response.headers["X-RateLimit-Remaining"]) == 1200
        assert int(response.headers["X-RateLimit-Reset"]) >= int(time.time())
        assert uuid.UUID(response.headers["X-Request-Id"])


def test_empty_bucket_is_429_with_retry_after(emulator_factory: Factory) -> None:
    emulator = emulator_factory(rate_limit=3)
    for _ in range(5):
        assert call(emulator, "GET", COLLECTION, key="wrong").status_code == 401

    assert [call(emulator, "GET", COLLECTION).status_code for _ in range(3)] == [200] * 3
    response = create(emulator)

    body = assert_error(response, 429, "too_many_requests", fields=set())
    retry_after = int(response.headers["Retry-After"])
    assert retry_after >= 1
    limit = body["rate_limit"]
    assert (limit["limit"], limit["remaining"]) == (3, 0) and limit["name"]
    assert INSTANT.match(limit["retry_after"])
    instant = datetime.strptime(limit["retry_after"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
    assert abs(instant.timestamp() - (time.time() + retry_after)) < 5
    assert response.headers["X-RateLimit-Remaining"] == "0"
    assert response.headers["X-RateLimit-Limit"] == "3"
    assert emulator.stats()["by_status"] == {"200": 3, "401": 5, "429": 1}

    emulator.reset()
    assert call(emulator, "GET", COLLECTION).status_code == 200


# --- faults, drops, latency ------------------------------------------------------------------


def test_faults_are_500_or_503_and_not_applied(emulator_factory: Factory, tmp_path: Path) -> None:
    db = tmp_path / "faulty.db"
    faulty = emulator_factory(db_path=db, fault_rate=1.0)

    for i in range(6):
        response = create(faulty, name=f"Never {i}")
        assert response.status_code in (500, 503)
        assert_error(response, response.status_code, "api_error", fields=set())
    faulty.stop()

    assert [s["name"] for s in listed(emulator_factory(db_path=db))] == list(MANAGED_IN_ORDER)


def test_dropped_writes_are_applied_without_an_answer(emulator_factory: Factory) -> None:
    emulator = emulator_factory(drop_rate=1.0)

    with pytest.raises(requests.ConnectionError):
        create(emulator, name="Applied")
    [status] = [s for s in listed(emulator) if s["name"] == "Applied"]
    path = f"{COLLECTION}/{status['id']}"
    with requests.Session() as session:
        session.headers["Authorization"] = f"Bearer {API_KEY}"
        assert session.get(emulator.url + path, timeout=10).status_code == 200
        with pytest.raises(requests.ConnectionError):
            session.put(
                emulator.url + path, json={"name": "Renamed", "description": "d"}, timeout=10
            )
    assert call(emulator, "GET", path).json()["incident_status"]["name"] == "Renamed"
    with pytest.raises(requests.ConnectionError):
        call(emulator, "DELETE", path)
    assert call(emulator, "GET", path).status_code == 404

    stats = emulator.stats()
    assert stats["by_status"] == {"200": 3, "404": 1, "dropped": 3}
    assert stats["writes"] == 3


def test_seed_makes_faults_reproducible(emulator_factory: Factory) -> None:
    def codes(emulator: EmulatorProcess) -> list[int]:
        return [call(emulator, "GET", COLLECTION).status_code for _ in range(30)]

    first = emulator_factory(fault_rate=0.5, seed=1234)
    second = emulator_factory(fault_rate=0.5, seed=1234)

    sequence = codes(first)
    assert sequence == codes(second)
    assert 200 in sequence and set(sequence) - {200}
    first.reset()
    assert codes(first) == sequence


def test_latency_delays_without_blocking_others(emulator_factory: Factory) -> None:
    emulator = emulator_factory(latency_ms=300)

    started = time.monotonic()
    responses = parallel(10, lambda i: call(emulator, "GET", COLLECTION))
    elapsed = time.monotonic() - started

    assert [r.status_code for r in responses] == [200] * 10
    assert 0.3 <= elapsed < 2.5


# --- stats, reset, persistence, process ------------------------------------------------------


def test_stats_count_api_requests(emulator: EmulatorProcess) -> None:
    status = created(emulator)
    path = f"{COLLECTION}/{status['id']}"
    listed(emulator)
    call(emulator, "GET", path)
    call(emulator, "PUT", path, json={"name": "n", "description": "d"})
    call(emulator, "DELETE", path)
    call(emulator, "DELETE", path)
    call(emulator, "GET", COLLECTION, key=None)
    call(emulator, "PATCH", COLLECTION)
    emulator.stats()

    assert emulator.stats() == {
        "total": 8,
        "writes": 4,
        "by_route": {
            "GET /v1/incident_statuses": 2,
            "GET /v1/incident_statuses/{id}": 1,
            "PATCH (unmatched)": 1,
            "POST /v1/incident_statuses": 1,
            "PUT /v1/incident_statuses/{id}": 1,
            "DELETE /v1/incident_statuses/{id}": 2,
        },
        "by_status": {"200": 3, "201": 1, "202": 1, "401": 1, "404": 1, "405": 1},
    }


def test_reset_restores_a_fresh_organisation_and_zeroes_stats(emulator: EmulatorProcess) -> None:
    created(emulator, name="Gone soon")

    response = requests.post(emulator.url + "/_emulator/reset", timeout=10)

    assert response.status_code in (200, 204)
    assert emulator.stats() == {"total": 0, "writes": 0, "by_route": {}, "by_status": {}}
    assert [s["name"] for s in listed(emulator)] == list(MANAGED_IN_ORDER)


def test_data_survives_a_restart(emulator_factory: Factory, tmp_path: Path) -> None:
    db = tmp_path / "kept.db"
    first = emulator_factory(db_path=db)
    status = created(first, name="Kept", category="closed", rank=9)
    before = listed(first)
    first.stop()

    second = emulator_factory(db_path=db)

    assert call(second, "GET", f"{COLLECTION}/{status['id']}").json() == {"incident_status": status}
    assert listed(second) == before


def test_process_reports_its_url_and_stops_idempotently(tmp_path: Path) -> None:
    emulator = EmulatorProcess(db_path=tmp_path / "p.db")
    with emulator:
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+", emulator.url)
        assert not emulator.url.endswith(":0")
        assert emulator.pid > 0
    emulator.stop()
    with pytest.raises(RuntimeError):
        _ = emulator.url


def test_process_that_cannot_start_raises_with_stderr(tmp_path: Path) -> None:
    emulator = EmulatorProcess(db_path=tmp_path / "missing-dir" / "x.db")

    with pytest.raises(EmulatorStartError, match="unable to open database"):
        emulator.start()


def test_listening_line_is_printed_alone_on_stdout(tmp_path: Path) -> None:
    command = [sys.executable, "-m", "incident_statuses_emulator", "--port", "0"]
    command += ["--db", str(tmp_path / "s.db")]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL) as child:
        try:
            assert child.stdout is not None
            line = child.stdout.readline().decode()
        finally:
            child.terminate()
        rest = child.communicate(timeout=10)[0]
    assert re.fullmatch(r"emulator listening on http://127\.0\.0\.1:[1-9]\d*\n", line)
    assert rest == b""
    assert child.returncode == 0


def test_cli_emulator_subcommand_has_the_documented_flags(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["emulator", "--help"])

    assert exit_info.value.code == 0
    usage = capsys.readouterr().out
    for flag in (
        "--host",
        "--port",
        "--db",
        "--api-key",
        "--latency-ms",
        "--fault-rate",
        "--drop-rate",
        "--rate-limit",
        "--seed",
    ):
        assert flag in usage
    assert "emulator-api-key" in usage and "8080" in usage and "1200" in usage


def test_every_setting_survives_the_child_process_command_line(tmp_path: Path) -> None:
    config = EmulatorConfig(
        host="::1",
        port=0,
        db_path=tmp_path / "s.db",
        api_key="k",
        latency_ms=5,
        fault_rate=0.125,
        drop_rate=1.0,
        rate_limit=7,
        seed=3,
        rank_race=True,
    )
    parser = argparse.ArgumentParser()
    add_arguments(parser)

    assert config_from_args(parser.parse_args(config.to_argv())) == config
    assert config_from_args(parser.parse_args([])) == EmulatorConfig()


def test_without_the_emulator_installed_the_cli_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "incident_statuses_emulator", None)

    assert cli.main(["emulator", "--port", "0", "--rank-race"]) == 2
    said = capsys.readouterr().err
    assert "the emulator is not installed: from a checkout of pulumi-incident-statuses" in said
    assert "pip install ./emulator" in said
