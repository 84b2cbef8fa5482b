"""`check` against arbitrary values: it never raises, and every rejection names its field.

Whatever a program passes (wrong types, missing keys, empty, huge and non-ASCII strings,
out-of-range ranks, the preview's unknown sentinel) reaches `check` before anything is sent, so
it must answer with failures a person can act on, never with a traceback.
"""

from __future__ import annotations

import math
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from pulumi_incident_statuses.core.categories import CREATABLE, RESERVED
from pulumi_incident_statuses.core.errors import MissingAPIKeyError
from pulumi_incident_statuses.core.inputs import UNKNOWN
from pulumi_incident_statuses.core.operations.status import check_inputs
from pulumi_incident_statuses.core.ranking import MAX_RANK
from pulumi_incident_statuses.dynamic.provider_base import URN
from pulumi_incident_statuses.dynamic.resource import IncidentStatusProvider

FIELDS = ("name", "description", "category", "rank", "import_id")
REASON_LIMIT = 300
"""A rejection is read by a person: it quotes a bad value, never all of it."""

huge_text = st.builds(
    lambda chunk, times: chunk * times,
    st.text(min_size=1, max_size=3),
    st.integers(10_000, 100_000),
)
any_text = st.one_of(
    st.text(), huge_text, st.sampled_from(["", " ", "\t\n", "\u00e9t\u00e9", "\u0000", "\ud7ff"])
)
# Python refuses to print an int of over 4300 digits; a message quoting one would raise.
too_long_to_print = st.integers(4301, 4400).map(lambda digits: 10**digits)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=-(10**40), max_value=10**40),
    too_long_to_print,
    st.floats(allow_nan=True, allow_infinity=True),
    any_text,
    st.binary(max_size=20),
    st.just(UNKNOWN),
    st.sampled_from([*CREATABLE, *RESERVED, "Live", "open"]),
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=6,
)
arbitrary_inputs = st.dictionaries(
    st.one_of(st.sampled_from(FIELDS), st.text(max_size=8)), values, max_size=7
)


def assert_well_formed(failures: list[Any]) -> None:
    for failure in failures:
        assert failure.property in FIELDS
        assert failure.reason.startswith(f"{failure.property}: ")
        assert len(failure.reason) <= REASON_LIMIT, failure.reason[:80]


@given(arbitrary_inputs)
@settings(max_examples=400, deadline=None)
def test_check_never_raises_and_names_the_field(news: dict[str, Any]) -> None:
    try:
        result = IncidentStatusProvider().check({}, news)
    except MissingAPIKeyError:
        # Good inputs of a new status, and no key: the preview fails as `up` would.
        assert not check_inputs(news).failures
        return
    assert_well_formed(result.failures)
    assert set(result.inputs) <= {*FIELDS, URN}


@given(arbitrary_inputs)
@settings(max_examples=200, deadline=None)
def test_a_field_that_is_missing_or_wrongly_typed_is_rejected(news: dict[str, Any]) -> None:
    failed = {failure.property for failure in check_inputs(news).failures}
    for field in ("name", "description", "category"):
        value = news.get(field)
        if value != UNKNOWN and not (isinstance(value, str) and value.strip()):
            assert field in failed


def valid_rank() -> st.SearchStrategy[Any]:
    whole = st.integers(0, MAX_RANK)
    # The engine carries every number as a float.
    return st.one_of(st.none(), whole, whole.map(float))


valid_inputs = st.fixed_dictionaries(
    {
        "name": any_text.filter(str.strip),
        "description": any_text.filter(str.strip),
        "category": st.sampled_from(CREATABLE),
    },
    optional={"rank": valid_rank(), "import_id": st.text(min_size=1).filter(str.strip)},
)


@given(valid_inputs)
@settings(max_examples=200, deadline=None)
def test_valid_inputs_pass_and_ranks_become_integers(news: dict[str, Any]) -> None:
    result = check_inputs(news)
    assert result.failures == []
    for field in ("name", "description", "category"):
        assert result.inputs[field] == news[field]
    rank = news.get("rank")
    if rank is not None:
        assert result.inputs["rank"] == rank and type(result.inputs["rank"]) is int
    else:
        assert "rank" not in result.inputs


@given(valid_inputs, st.sets(st.sampled_from(FIELDS), min_size=1))
@settings(max_examples=200, deadline=None)
def test_the_preview_unknown_is_accepted_in_any_field(
    news: dict[str, Any], unknown: set[str]
) -> None:
    news.update(dict.fromkeys(unknown, UNKNOWN))
    result = check_inputs(news)
    assert result.failures == []
    assert all(result.inputs[field] == UNKNOWN for field in unknown)


out_of_range = st.one_of(
    st.integers(max_value=-1),
    st.integers(min_value=MAX_RANK + 1),
    too_long_to_print,
    st.floats(allow_nan=True).filter(
        lambda x: not (math.isfinite(x) and x.is_integer() and 0 <= x <= MAX_RANK)
    ),
    st.booleans(),
    st.text(),
)


@given(valid_inputs, out_of_range)
@settings(max_examples=200, deadline=None)
def test_a_rank_out_of_range_or_not_whole_is_rejected_alone(
    news: dict[str, Any], rank: Any
) -> None:
    news["rank"] = rank
    failures = check_inputs(news).failures
    assert [failure.property for failure in failures] == ["rank"]
    assert_well_formed(failures)
