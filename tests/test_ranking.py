"""The rank planner: any reorder, insert or removal lands in order, clash-free, writing little."""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pulumi_incident_statuses.core import ranking
from pulumi_incident_statuses.core.errors import StatusOrderError
from pulumi_incident_statuses.core.ranking import MAX_RANK, plan


def in_order(order: Sequence[str], ranks: Mapping[str, int]) -> bool:
    """Whether the statuses of ``order`` hold strictly increasing ranks."""
    held = [ranks[status_id] for status_id in order]
    return all(a < b for a, b in itertools.pairwise(held))


@st.composite
def categories_and_orders(draw: st.DrawFn) -> tuple[dict[str, int], list[str]]:
    """A category's ranks (dense, spread or mixed) and a list naming some of its statuses."""
    size = draw(st.integers(min_value=1, max_value=25))
    dense = draw(st.booleans())
    if dense:
        start = draw(st.integers(min_value=0, max_value=3))
        values = list(range(start, start + size))
    else:
        values = draw(
            st.lists(
                st.integers(min_value=0, max_value=MAX_RANK),
                min_size=size,
                max_size=size,
                unique=True,
            )
        )
    ranks = {f"s{i}": rank for i, rank in enumerate(values)}
    listed = draw(st.lists(st.sampled_from(sorted(ranks)), unique=True, min_size=1))
    return ranks, draw(st.permutations(listed))


@settings(max_examples=400, deadline=None)
@given(categories_and_orders())
def test_every_plan_lands_in_order_without_a_clash(case: tuple[dict[str, int], list[str]]) -> None:
    ranks, order = case
    writes = plan(order, ranks)
    assert {s for s, _ in writes} <= set(order), "only listed statuses are written"
    held = dict(ranks)
    # Sent in the plan's order, no write lands on a rank another status holds.
    for status_id, rank in writes:
        assert 0 <= rank <= MAX_RANK
        assert rank not in {r for s, r in held.items() if s != status_id}
        held[status_id] = rank
    assert in_order(order, held)
    # At most one write per moved status, plus one per cycle, never more than the list is long.
    assert len(writes) <= len(order) + len(order) // 2
    assert plan(order, ranks) == writes, "deterministic"
    assert plan(order, held) == [], "a second plan writes nothing"


def test_an_order_already_held_writes_nothing() -> None:
    assert plan(["a", "b", "c"], {"a": 0, "b": 5, "c": 9, "x": 3}) == []


def test_moving_one_status_with_room_costs_one_write() -> None:
    ranks = {"a": 100, "b": 200, "c": 300, "d": 400}
    assert plan(["a", "d", "b", "c"], ranks) == [("d", 150)]
    assert plan(["d", "a", "b", "c"], ranks) == [("d", 49)]


def test_a_packed_category_moves_what_it_must() -> None:
    # Appends leave ranks 0, 1, 2, ...: nothing fits above 0, so moving the last to the top
    # moves every other status below it instead.
    ranks = {"a": 0, "b": 1, "c": 2, "d": 3}
    writes = plan(["d", "a", "b", "c"], ranks)
    assert len(writes) == 3 and "d" not in dict(writes)
    # A swap of neighbours takes ranks the two leave: one steps aside first, three writes.
    assert plan(["b", "a", "c", "d"], ranks) == [("b", MAX_RANK), ("a", 1), ("b", 0)]
    # Moving the first to the end costs one.
    assert plan(["b", "c", "d", "a"], ranks) == [("a", 103)]


def test_statuses_the_list_does_not_name_keep_their_ranks_and_block_none() -> None:
    ranks = {"a": 10, "x": 11, "b": 12, "y": 13}
    writes = plan(["b", "a"], ranks)
    assert {s for s, _ in writes} <= {"a", "b"} and len(writes) == 1
    held = {**ranks, **dict(writes)}
    assert held["b"] < held["a"] and len(set(held.values())) == 4


def test_a_category_without_room_for_the_list_is_an_order_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Ten ranks, every one but 0 held by statuses the list does not name: two cannot both fit.
    monkeypatch.setattr(ranking, "MAX_RANK", 9)
    others = {f"x{rank}": rank for rank in range(1, 10)}
    with pytest.raises(StatusOrderError, match="fewer than 2 ranks that no other status holds"):
        plan(["a", "b"], {"a": 0, "b": 0, **others})
