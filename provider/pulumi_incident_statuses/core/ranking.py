"""Where to move statuses so that a list of them reads in order, with the fewest rank writes.

Ranks are unique within a category and any number in 0..999999, gaps allowed. A plan keeps the
largest set of listed statuses it can where they are and moves every other one, never writing a
status the list does not name. The kept set is found by dynamic programming over the list: a
status may stay if its rank is above the previous kept one and enough ranks no unlisted status
holds lie between them for the statuses listed in between.

Moved statuses go to free ranks where their gap has enough, spread out (``SPACING`` apart at the
end of a category) so that a later move into their neighbourhood costs one write. Where it has
too few (categories packed 0, 1, 2, ... by appends), they take ranks other moved statuses leave:
each such write is sent after the one that frees its rank, and a cycle of them (a swap) first
sends one status to a spare rank, one extra write. Every write lands on a rank nobody holds at
that moment, so nothing clashes, and a plan interrupted halfway is finished by planning again
from what the server then holds.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Mapping, Sequence

from .errors import StatusOrderError

MAX_RANK = 999_999
"""The highest rank incident.io accepts."""

SPACING = 100
"""Distance between statuses moved to the end of a category."""


class _Occupied:
    """The ranks held in one category, for counting and finding free ones."""

    def __init__(self, ranks: set[int]) -> None:
        self._set = ranks
        self._sorted = sorted(ranks)

    def free_between(self, low: int, high: int) -> int:
        """How many free ranks lie strictly between ``low`` and ``high``."""
        if high - low <= 1:
            return 0
        held = bisect.bisect_left(self._sorted, high) - bisect.bisect_right(self._sorted, low)
        return (high - low - 1) - held

    def next_free(self, rank: int) -> int:
        """The lowest free rank at or above ``rank``."""
        while rank in self._set:
            rank += 1
        return rank


def plan(order: Sequence[str], ranks: Mapping[str, int]) -> list[tuple[str, int]]:
    """The writes, in sending order, that put the statuses of ``order`` in that order.

    ``ranks`` holds the rank of every status of the category, listed or not; every id of
    ``order`` must be in it, once. Each write is (status id, new rank) and lands on a rank no
    status holds at that moment. Deterministic: the same input gives the same plan.
    `StatusOrderError` if the category has too few ranks left to hold the order.
    """
    current = [ranks[status_id] for status_id in order]
    listed = set(order)
    unlisted = _Occupied({rank for s, rank in ranks.items() if s not in listed})
    staying = _staying(current, unlisted)
    n = len(order)
    top = MAX_RANK + 1

    everyone = _Occupied(set(ranks.values()))
    targets: dict[str, int] = {}
    bounds = [-1, *staying, n]
    for left, right in itertools.pairwise(bounds):
        movers = order[left + 1 : right]
        if not movers:
            continue
        low = current[left] if left >= 0 else -1
        high = current[right] if right < n else top
        # Free ranks first; ranks the movers themselves leave only when there are too few.
        room = everyone if everyone.free_between(low, high) >= len(movers) else unlisted
        for status_id, rank in zip(movers, _spread(low, high, len(movers), room), strict=True):
            if rank != ranks[status_id]:
                targets[status_id] = rank
    return _sequence(order, ranks, targets)


def _sequence(
    order: Sequence[str], ranks: Mapping[str, int], targets: dict[str, int]
) -> list[tuple[str, int]]:
    """Send each move after the move of whoever holds its target; break cycles via a free rank."""
    held = dict(ranks)
    holder = {rank: status_id for status_id, rank in held.items()}
    pending = [status_id for status_id in order if status_id in targets]
    writes: list[tuple[str, int]] = []

    def write(status_id: str, rank: int) -> None:
        del holder[held[status_id]]
        held[status_id] = rank
        holder[rank] = status_id
        writes.append((status_id, rank))

    while pending:
        ready = [s for s in pending if targets[s] not in holder]
        for status_id in ready:
            write(status_id, targets[status_id])
        if ready:
            pending = [s for s in pending if s not in ready]
            continue
        # Every remaining move waits on another: a cycle. One of them steps aside first.
        wanted = set(targets.values())
        spare = next(r for r in range(MAX_RANK, -1, -1) if r not in holder and r not in wanted)
        write(pending[0], spare)
    return writes


def _staying(current: Sequence[int], unlisted: _Occupied) -> list[int]:
    """The positions of the most listed statuses that can keep their ranks, in order.

    `StatusOrderError` if the category has too few ranks left to hold the order.
    """
    n = len(current)
    top = MAX_RANK + 1
    # kept[i]: the most statuses that can stay among order[:i+1] when order[i] stays; via[i] is
    # the previous one staying (-1: none). Between two that stay, the statuses listed between
    # them need as many ranks that no unlisted status holds.
    kept = [0] * n
    via = [-1] * n
    for i in range(n):
        best, best_via = (1, -1) if unlisted.free_between(-1, current[i]) >= i else (0, -1)
        for j in range(i):
            if (
                kept[j]
                and current[j] < current[i]
                and unlisted.free_between(current[j], current[i]) >= i - j - 1
                and kept[j] + 1 > best
            ):
                best, best_via = kept[j] + 1, j
        kept[i], via[i] = best, best_via

    last, most = -1, 0
    for i in range(n):
        if kept[i] > most and unlisted.free_between(current[i], top) >= n - 1 - i:
            last, most = i, kept[i]
    if last == -1 and unlisted.free_between(-1, top) < n:
        raise StatusOrderError(
            f"cannot order {n} statuses: their category has fewer than {n} ranks that no other "
            "status holds; take statuses out of the list, or delete unused ones of the category"
        )
    staying: list[int] = []
    while last != -1:
        staying.append(last)
        last = via[last]
    staying.reverse()
    return staying


def _spread(low: int, high: int, count: int, occupied: _Occupied) -> list[int]:
    """``count`` increasing free ranks strictly between ``low`` and ``high``, spread out."""
    if high > MAX_RANK and low + SPACING * count < high:
        ideals = [low + SPACING * (k + 1) for k in range(count)]
    else:
        ideals = [low + (high - low) * (k + 1) // (count + 1) for k in range(count)]
    chosen: list[int] = []
    previous = low
    for k, ideal in enumerate(ideals):
        rank = occupied.next_free(max(ideal, previous + 1))
        if rank >= high or occupied.free_between(rank, high) < count - k - 1:
            # Spreading would not leave room for the rest: take the lowest free rank instead.
            rank = occupied.next_free(previous + 1)
        chosen.append(rank)
        previous = rank
    return chosen

