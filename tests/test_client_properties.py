"""The client against arbitrary answers: a result of the documented type, or a typed error.

`test_client_malformed.py` pins each kind of bad answer by example; here hypothesis composes them
(any status, empty, HTML, truncated or misshapen JSON, unknown enum values, odd `Retry-After`,
bodies that echo the API key) and every call of the client must either return what it promises
or raise an `IncidentAPIError` that never quotes the key. Nothing else may escape.
"""

from __future__ import annotations

import json
import traceback
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from incident_statuses_harness.fakes import AUTH, Canned, FakeTime, ScriptedServer
from pulumi_incident_statuses.core.client import IncidentStatusesClient
from pulumi_incident_statuses.core.errors import IncidentAPIError
from pulumi_incident_statuses.core.retry import RetryPolicy
from pulumi_incident_statuses.core.wire import IncidentStatusRecord

KEY = "sk_live_property-4c1d88e0"
ECHO = AUTH


@pytest.fixture(scope="module")
def server() -> Iterator[ScriptedServer]:
    with ScriptedServer.running(close_each=True) as running:
        yield running


# --- what a server might answer ------------------------------------------------------------

json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=30),
    st.just(ECHO.decode()),
)
json_values = st.recursive(
    json_scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=10), inner, max_size=3)
    ),
    max_leaves=8,
)
valid_fields: dict[str, st.SearchStrategy[Any]] = {
    "id": st.text(min_size=1, max_size=26),
    "name": st.text(max_size=40),
    "description": st.text(max_size=40),
    "category": st.sampled_from(["live", "learning", "closed", "triage", "quarantined", ""]),
    "rank": st.integers(),
    "created_at": st.text(max_size=30),
    "updated_at": st.text(max_size=30),
}


@st.composite
def status_objects(draw: st.DrawFn) -> Any:
    """A status object, often well formed, sometimes with fields missing, wrong or extra."""
    status = {name: draw(field) for name, field in valid_fields.items()}
    for name in draw(st.sets(st.sampled_from(sorted(valid_fields)), max_size=2)):
        if draw(st.booleans()):
            del status[name]
        else:
            status[name] = draw(json_values)
    status.update(draw(st.dictionaries(st.text(max_size=8), json_values, max_size=2)))
    return draw(st.one_of(st.just(status), json_values))


error_bodies = st.fixed_dictionaries(
    {},
    optional={
        "type": json_values,
        "status": json_values,
        "request_id": json_values,
        "errors": st.one_of(
            json_values,
            st.lists(
                st.fixed_dictionaries(
                    {},
                    optional={
                        "code": json_values,
                        "message": json_values,
                        "source": st.one_of(
                            json_values,
                            st.fixed_dictionaries({"field": json_values, "pointer": json_values}),
                        ),
                    },
                ),
                max_size=3,
            ),
        ),
        "rate_limit": json_values,
    },
)
well_formed_status = st.fixed_dictionaries(valid_fields)
# Answers any call: a body with both keys, as a lenient server might send; drawn half the time so
# that the calls' success paths run as often as their failures.
well_formed = st.fixed_dictionaries(
    {
        "incident_status": well_formed_status,
        "incident_statuses": st.lists(well_formed_status, max_size=3),
    }
)
documents = st.one_of(
    st.fixed_dictionaries({"incident_status": status_objects()}),
    st.fixed_dictionaries({"incident_statuses": st.lists(status_objects(), max_size=3)}),
    st.fixed_dictionaries({"incident_statuses": json_values}),
    error_bodies,
    json_values,
)


@st.composite
def bodies(draw: st.DrawFn) -> bytes:
    if draw(st.booleans()):
        return json.dumps(draw(well_formed)).encode()
    text = json.dumps(draw(documents)).encode()
    return draw(
        st.one_of(
            st.just(text),
            st.integers(0, len(text)).map(lambda cut: text[:cut]),
            st.just(b"<html><body><h1>502 Bad Gateway</h1>" + ECHO + b"</body></html>"),
            st.binary(max_size=60),
        )
    )


header_text = st.text(
    alphabet=st.characters(min_codepoint=32, max_codepoint=255, exclude_characters="\x7f"),
    max_size=40,
)
answers = st.builds(
    Canned,
    status=st.one_of(
        st.sampled_from([200, 201, 202]),
        st.sampled_from([200, 201, 202]),
        st.sampled_from([204, 301, 400, 401, 403, 404, 409, 422, 429, 500, 503]),
        st.integers(200, 599),
    ),
    headers=st.lists(
        st.tuples(
            st.sampled_from(["Retry-After", "Content-Type", "X-Request-Id"]),
            st.one_of(
                header_text,
                st.sampled_from(["0", "2", "1.5", "-1", "Thu, 17 Apr 2025 11:17:18 GMT"]),
            ),
        ),
        max_size=2,
    ).map(tuple),
    body=bodies(),
)

CALLS: dict[str, tuple[Callable[[IncidentStatusesClient], object], Callable[[object], bool]]] = {
    "list": (
        lambda c: c.list(),
        lambda r: isinstance(r, list) and all(isinstance(s, IncidentStatusRecord) for s in r),
    ),
    "get": (lambda c: c.get("01HZX"), lambda r: isinstance(r, IncidentStatusRecord)),
    "find_by_name": (
        lambda c: c.find_by_name("Fixing"),
        lambda r: r is None or isinstance(r, IncidentStatusRecord),
    ),
    "create": (
        lambda c: c.create(name="Fixing", description="d", category="live"),
        lambda r: isinstance(r, IncidentStatusRecord),
    ),
    "update": (
        lambda c: c.update("01HZX", name="Fixing", description="d", rank=3),
        lambda r: isinstance(r, IncidentStatusRecord),
    ),
    "delete": (lambda c: c.delete("01HZX"), lambda r: r is None),
}


@given(answer=answers, call=st.sampled_from(sorted(CALLS)))
@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_any_answer_gives_a_result_or_a_typed_error(
    server: ScriptedServer, answer: Canned, call: str
) -> None:
    server.answer(answer)
    fake = FakeTime()
    # Two attempts within two seconds: the retried paths (the create's lookup included) run too.
    policy = RetryPolicy(max_attempts=2, max_total=2.0, sleep=fake.sleep, clock=fake.clock)
    make, expected = CALLS[call]
    with IncidentStatusesClient(KEY, server.url, timeout=5, retry=policy) as client:
        try:
            result = make(client)
        except IncidentAPIError as error:
            event(type(error).__name__)
            said = "".join(traceback.format_exception(error)) + repr(vars(error))
            assert KEY not in said
            assert str(error)
        else:
            event(f"{call} returned")
            assert expected(result), result
