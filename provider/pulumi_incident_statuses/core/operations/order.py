"""The operations of an `IncidentStatusOrder`, over plain values (see `results`).

Every one of them is what both ways in run: the dynamic `IncidentStatusOrderProvider` and the
plugin's `incident-statuses:index:IncidentStatusOrder`. The order owns no status. It owns the
relative order of the statuses it lists: an up moves the fewest of them it can (see `ranking`),
never touches a status the list does not name, and deleting the order writes nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from .. import categories, ranking, spec
from .. import deployment as deployment_module
from ..errors import IncidentAPIError, StatusOrderError, may_pass
from ..inputs import describe, is_unknown
from ..tokens import resource_name
from .results import Checked, Diff, Failure, Found, Made, Reach, recorded_settings

if TYPE_CHECKING:
    from ..client import IncidentStatusesClient
    from ..wire import IncidentStatusRecord

INPUTS = spec.ORDER.inputs()
"""The inputs of an order, as the operations name them."""
OUTPUTS = spec.ORDER.outputs()
"""The outputs of an order, as the operations name them."""


def check_inputs(news: Mapping[str, Any]) -> Checked:
    """Validate the shape of the inputs; every failure names its field. Never raises."""
    failures: list[Failure] = []

    def fail(prop: str, reason: str) -> None:
        failures.append(Failure(prop, f"{prop}: {reason}"))

    category = news.get("category")
    if not is_unknown(category) and category not in categories.CONFIGURABLE:
        fail(
            "category",
            f"must be one of {', '.join(categories.CONFIGURABLE)} (the categories an "
            f"organisation orders), got {describe(category)}",
        )

    statuses = news.get("statuses")
    if not is_unknown(statuses):
        if not isinstance(statuses, list):
            fail("statuses", f"must be a list of status ids, got {describe(statuses)}")
        else:
            seen: dict[str, int] = {}
            for index, status_id in enumerate(statuses):
                if is_unknown(status_id):
                    continue
                if not isinstance(status_id, str) or not status_id.strip():
                    fail("statuses", f"[{index}] must be a status id, got {describe(status_id)}")
                elif status_id in seen:
                    fail(
                        "statuses",
                        f"[{index}] {status_id!r} is already listed at [{seen[status_id]}]; "
                        "list each status once",
                    )
                else:
                    seen[status_id] = index
    inputs = {p: news.get(p) for p in INPUTS}
    return Checked(inputs, failures)


def check(reach: Reach, olds: Mapping[str, Any], news: Mapping[str, Any]) -> Checked:
    """Reject at preview what `pulumi up` would refuse, naming the field; write nothing.

    A status another order of the deployment lists fails here. A new or changed order needs a
    key, as `up` does, and its ids are looked up (one list per provider process): ids that are
    no status, or statuses of another category, fail. An answer that may pass next time only
    leaves a warning.
    """
    result = check_inputs(news)
    if result.failures:
        return result
    statuses = _known_ids(news.get("statuses"))
    if statuses is None:
        return result
    taken = _claim(reach, statuses)
    result.failures.extend(Failure("statuses", reason) for reason in taken)
    category = news.get("category")
    unchanged = all(olds.get(p) == news.get(p) for p in INPUTS)
    if taken or unchanged or not isinstance(category, str) or is_unknown(category):
        return result
    reach.settings.require_api_key()
    try:
        records = reach.connect().snapshot()
    except IncidentAPIError as error:
        if not may_pass(error):
            raise
        result.warnings.append(
            f"could not check the statuses this order lists ({error}); `pulumi up` checks "
            "again before it writes"
        )
        return result
    result.failures.extend(
        Failure("statuses", problem) for problem in list_problems(category, statuses, records)
    )
    return result


def changed_fields(
    olds: Mapping[str, Any], news: Mapping[str, Any]
) -> tuple[list[str], list[str]]:
    """The fields `news` changes from the outputs `olds`, and those that replace."""
    changes = ["statuses"] if news.get("statuses") != olds.get("statuses") else []
    replaces = [p for p in spec.ORDER.replacing() if news.get(p) != olds.get(p)]
    return changes, replaces


def diff(reach: Reach, olds: Mapping[str, Any], news: Mapping[str, Any]) -> Diff:
    """Compare the category (a change replaces) and the list; ranks are the provider's own.

    A changed list comes with a note naming the statuses in their new order, from the list
    the deployment's checks share (nothing is sent for it if that list cannot be had).
    """
    changes, replaces = changed_fields(olds, news)
    statuses = _known_ids(news.get("statuses"))
    if not changes or replaces or statuses is None:
        return Diff(changes, replaces)
    try:
        records = reach.connect().snapshot()
    except IncidentAPIError:
        return Diff(changes, replaces)
    names = [repr(records[s].name) if s in records else s for s in statuses]
    order = resource_name(reach.urn) if reach.urn else "the order"
    note = f"{order} puts its statuses in this order: {', '.join(names)}"
    return Diff(changes, replaces, notes=(note,))


def _known_ids(statuses: object) -> list[str] | None:
    if not isinstance(statuses, list) or any(not isinstance(s, str) for s in statuses):
        return None
    return None if any(is_unknown(s) for s in statuses) else list(statuses)


def list_problems(
    category: str, statuses: Sequence[str], records: Mapping[str, IncidentStatusRecord]
) -> list[str]:
    """What keeps `statuses` from being ordered in `category`, given every status by id."""
    problems: list[str] = []
    for index, status_id in enumerate(statuses):
        record = records.get(status_id)
        if record is None:
            problems.append(
                f"statuses: [{index}] no incident status has id {status_id!r} "
                "(see `incident-statuses list`)"
            )
        elif record.category != category:
            problems.append(
                f"statuses: [{index}] {record.name!r} ({status_id}) is a {record.category!r} "
                f"status; this order is of {category!r} statuses"
            )
    return problems


def _claim(reach: Reach, statuses: Sequence[str]) -> list[str]:
    """Record that this order lists `statuses`; the statuses another order listed too.

    A status in two orders of one deployment would be moved back and forth by them every run.
    Orders are told apart by URN: two of one name under different parents are two orders.
    """
    if reach.urn is None:
        return []
    taken: list[str] = []
    for status_id in statuses:
        others = deployment_module.DEPLOYMENT.claim_order(reach.organisation, reach.urn, status_id)
        if others:
            taken.append(
                f"statuses: {status_id!r} is also listed by the IncidentStatusOrder "
                f"{_describe_order(others[0], reach.urn)}; a status may be in one order only, "
                "or the two move it back and forth"
            )
    return taken


def _describe_order(other: str, this: str) -> str:
    """An order's name, with its whole URN when this order has the same name."""
    name = resource_name(other)
    return f"{name!r} ({other})" if name == resource_name(this) else repr(name)


def put_in_order(
    client: IncidentStatusesClient, category: str, statuses: Sequence[str]
) -> dict[str, int]:
    """Move the fewest of `statuses` it can so that they read in that order; their ranks after.

    One call of the client's (`reorder`), retried by its one policy: after a lost rank or a
    failed write, the next attempt plans from what incident.io then holds.
    """

    def plan(records: dict[str, IncidentStatusRecord]) -> list[tuple[str, int]]:
        problems = list_problems(category, statuses, records)
        if problems:
            raise StatusOrderError(
                f"cannot order the {category!r} statuses: " + "; ".join(problems)
            )
        ranks = {r.id: r.rank for r in records.values() if r.category == category}
        return ranking.plan(statuses, ranks)

    records = client.reorder(plan)
    return {status_id: records[status_id].rank for status_id in statuses}


def create(reach: Reach, props: Mapping[str, Any]) -> Made:
    """Put the listed statuses in order."""
    return Made(f"order-{uuid.uuid4().hex}", _apply(reach, props))


def update(reach: Reach, olds: Mapping[str, Any], news: Mapping[str, Any]) -> dict[str, Any]:
    """Put the listed statuses in their new order, or back in it after a move outside.

    A second put-back in a row fails instead (see `_restores`).
    """
    return _apply(reach, news, restores=_restores(reach, olds, news))


def _restores(reach: Reach, olds: Mapping[str, Any], news: Mapping[str, Any]) -> int:
    """How many ups in a row, this one included, put back an order moved outside the stack.

    Statuses carry no owner, so a move by another stack's order that lists them too looks
    like a dashboard edit. One move is drift and is put back. A move again after the put-back,
    with nothing changed in the declaration, is what two orders fighting over a status look
    like: it fails, writing nothing, rather than moving the statuses back on every run.
    """
    unchanged = news.get("statuses") == olds.get("declared")
    if not (olds.get("moved_outside") and unchanged):
        return 0
    if not olds.get("restores"):
        return 1
    records = reach.connect().snapshot()
    moved = [
        f"{records[s].name!r} ({s})" if s in records else repr(s)
        for s, held in zip(olds.get("declared") or [], olds.get("statuses") or [], strict=False)
        if s != held
    ]
    raise StatusOrderError(
        f"the IncidentStatusOrder {resource_name(reach.urn or '')!r} found "
        f"{', '.join(moved) or 'its statuses'} out of its order again, after its last "
        "`pulumi up` had put them back: something moves them every time. Most likely an "
        "IncidentStatusOrder of another stack lists them too (or an IncidentStatus sets "
        "`rank` on one of them); a status may be in one order only. Nothing was written. "
        "Remove the statuses from all but one order. If they were moved by hand and this "
        "order should hold, run `pulumi up --replace` with this order's URN."
    )


def _apply(reach: Reach, props: Mapping[str, Any], restores: int = 0) -> dict[str, Any]:
    statuses = [str(s) for s in props["statuses"]]
    connection = reach.connect()
    try:
        ranks = put_in_order(connection.client, str(props["category"]), statuses)
    finally:
        connection.invalidate()
    return outputs(props, statuses, ranks, restores=restores)


def read(reach: Reach, order_id: str, props: Mapping[str, Any]) -> Found:
    """Record the order the listed statuses hold now; a deleted one leaves the list."""
    category = props.get("category")
    records = recorded_settings(reach, lambda: reach.connect().snapshot())
    present = [
        records[s]
        for s in props.get("statuses") or []
        if s in records and records[s].category == category
    ]
    present.sort(key=lambda record: record.rank)
    statuses = [record.id for record in present]
    declared = props.get("declared") or props.get("statuses") or []
    moved = statuses != [s for s in declared if s in statuses]
    outs = outputs(
        props,
        statuses,
        {record.id: record.rank for record in present},
        declared=declared,
        moved_outside=moved,
        restores=(props.get("restores") or 0) if moved else 0,
    )
    return Found(order_id, outs, {p: outs[p] for p in INPUTS})


def delete() -> None:
    """Forget the order; the statuses keep their ranks."""


def outputs(
    props: Mapping[str, Any],
    statuses: list[str],
    ranks: Mapping[str, int],
    *,
    declared: list[str] | None = None,
    moved_outside: bool = False,
    restores: int = 0,
) -> dict[str, Any]:
    """The one mapper to the resource's outputs; `declared` defaults to `statuses`."""
    return {
        "category": props.get("category"),
        "statuses": statuses,
        "ranks": [ranks[s] for s in statuses],
        "declared": list(statuses if declared is None else declared),
        "moved_outside": moved_outside,
        "restores": restores,
    }
