"""The operations of an `IncidentStatus`, over plain values (see `results`).

Every one of them is what both ways in run: the dynamic `IncidentStatusProvider` and the
plugin's `incident-statuses:index:IncidentStatus`. A status is written only when the stack made it
or adopted it by id; renames within a deployment go through `renames`, creates through the client
(`creation`: a held name is a conflict, a lost answer is settled on evidence only).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .. import categories, creation, renames
from .. import deployment as deployment_module
from ..errors import (
    APIConnectionError,
    MalformedResponseError,
    MissingAPIKeyError,
    NotFoundError,
    RateLimitError,
    ServerError,
    StatusConflictError,
)
from ..inputs import UNKNOWN, StatusInputs, as_int, describe, is_unknown
from ..ranking import MAX_RANK
from .results import Checked, Connect, Diff, Failure, Found, Made

# Answers a later try may not get: a new status's name check skips them, not a rejected key.
_UNANSWERED = (APIConnectionError, MalformedResponseError, RateLimitError, ServerError)

if TYPE_CHECKING:
    # The HTTP stack loads on the first request: a preview makes none and never imports it.
    from ..connection import Connection
    from ..wire import IncidentStatusRecord

INPUTS = ("name", "description", "category", "rank", "import_id")
"""The inputs of a status, as the operations name them."""
OUTPUTS = (
    "name",
    "description",
    "category",
    "rank",
    "created_at",
    "updated_at",
    "import_id",
    "rank_declared",
)
"""The outputs of a status, as the operations name them."""


def check_inputs(news: Mapping[str, Any]) -> Checked:
    """Validate and normalise inputs; every failure names its field. Never raises."""
    failures: list[Failure] = []
    inputs: dict[str, Any] = {}

    def fail(prop: str, reason: str) -> None:
        failures.append(Failure(prop, f"{prop}: {reason}"))

    for prop in ("name", "description", "category"):
        value = news.get(prop)
        inputs[prop] = value
        if value == UNKNOWN:
            continue
        if value is None:
            fail(prop, "is required")
        elif not isinstance(value, str):
            fail(prop, f"must be a string, got {type(value).__name__}")
        elif not value.strip():
            fail(prop, "must not be empty")

    category = inputs["category"]
    if isinstance(category, str) and category != UNKNOWN and category not in categories.CREATABLE:
        if category in categories.RESERVED:
            fail(
                "category",
                f"{category!r} statuses are managed by incident.io and cannot be created; "
                "to reference one, look it up with get_incident_status(name=...)",
            )
        else:
            fail(
                "category",
                f"must be one of {', '.join(categories.CREATABLE)}; got {describe(category)}",
            )

    rank = news.get("rank")
    if rank is not None and rank != UNKNOWN:
        normalised = as_int(rank)
        if normalised is None:
            fail("rank", f"must be a whole number, got {describe(rank)}")
        elif not 0 <= normalised <= MAX_RANK:
            fail("rank", f"must be between 0 and {MAX_RANK}, got {describe(rank)}")
        else:
            rank = normalised
    if rank is not None:
        inputs["rank"] = rank

    import_id = news.get("import_id")
    if import_id is not None and import_id != UNKNOWN:
        if not isinstance(import_id, str) or not import_id.strip():
            fail("import_id", f"must be the id of an existing status, got {describe(import_id)}")
    if import_id is not None:
        inputs["import_id"] = import_id

    return Checked(inputs, failures)


def check(connect: Connect, olds: Mapping[str, Any], news: Mapping[str, Any]) -> Checked:
    """Reject bad inputs at preview, naming the field, and a new status's name held elsewhere.

    The name is checked for a status the stack does not have yet (no old inputs) and does
    not adopt, when a key is at hand: against one list per provider process, shared by
    every check, so a preview sends at most that one request and never a write. Without a
    key, nothing is sent and only the inputs are checked. A held name raises
    `StatusConflictError`.

    An `import_id` the stack has already adopted is dropped when the category changes: the
    replacement deletes that status first, so what it must do is create the new one.
    """
    checked = check_inputs(news)
    if not olds and not checked.failures:
        _check_name_free(connect, checked.inputs)
    if _replaces_adopted(olds, checked.inputs):
        del checked.inputs["import_id"]
    return checked


def _replaces_adopted(olds: Mapping[str, Any], inputs: Mapping[str, Any]) -> bool:
    adopted, category = olds.get("import_id"), olds.get("category")
    return (
        adopted is not None
        and inputs.get("import_id") == adopted
        and isinstance(category, str)
        and isinstance(inputs.get("category"), str)
        and not is_unknown(inputs["category"])
        and inputs["category"] != category
    )


def _check_name_free(connect: Connect, inputs: Mapping[str, Any]) -> None:
    name = inputs.get("name")
    if inputs.get("import_id") is not None or not isinstance(name, str) or is_unknown(name):
        return
    try:
        connection = connect()
    except MissingAPIKeyError:
        return
    try:
        held = connection.first_list()
    except _UNANSWERED:
        # Checked again before any write; a preview need not fail on a network blip.
        return
    holder = held.get(name)
    if holder is None or deployment_module.DEPLOYMENT.declared(holder.id) is not None:
        # A status of this deployment (its diff has come) that holds the name is left to
        # the renames of `update`.
        return
    declared = StatusInputs.of(inputs)
    raise creation.conflict(
        holder,
        name,
        declared_here=not declared.rank_unknown
        and not is_unknown(declared.description)
        and not is_unknown(declared.category)
        and creation.same_content(
            holder,
            name=name,
            description=declared.description,
            category=declared.category,
            rank=declared.rank,
        ),
    )


def changed_fields(
    olds: Mapping[str, Any], new: StatusInputs
) -> tuple[list[str], list[str]]:
    """The declared fields `new` changes from the outputs `olds`, and those that replace."""
    changes = [p for p in ("name", "description") if getattr(new, p) != olds.get(p)]
    if new.rank_unknown or (new.rank is not None and new.rank != olds.get("rank")):
        changes.append("rank")
    replaces = ["category"] if new.category != olds.get("category") else []
    return changes, replaces


def diff(status_id: str, olds: Mapping[str, Any], news: Mapping[str, Any]) -> Diff:
    """Compare declared fields only; a category change replaces, deleting first.

    Also notes the name the deployment declares for the status, for the renames of `update`.
    """
    new = StatusInputs.of(news)
    renames.note(status_id, new)
    changes, replaces = changed_fields(olds, new)
    return Diff(changes, replaces, delete_before_replace=True)


def outputs(
    record: IncidentStatusRecord, import_id: object = None, *, rank_declared: bool
) -> dict[str, Any]:
    """The one mapper from an API record to the resource's outputs."""
    outs = {p: getattr(record, p) for p in OUTPUTS if p not in ("import_id", "rank_declared")}
    outs["import_id"] = import_id
    outs["rank_declared"] = rank_declared
    return outs


def declared_inputs(outs: Mapping[str, Any]) -> dict[str, Any]:
    """What the program declared, with the values ``outs`` (as incident.io holds them) give it.

    ``rank`` is among them only when the program declares one, so that a refresh neither shows
    nor records a rank the program leaves to the dashboard.
    """
    inputs = {p: outs[p] for p in ("name", "description", "category")}
    if outs.get("rank_declared"):
        inputs["rank"] = outs["rank"]
    if outs.get("import_id") is not None:
        inputs["import_id"] = outs["import_id"]
    return inputs


def create(connect: Connect, props: Mapping[str, Any]) -> Made:
    """Create the status, or adopt the one named by `import_id`."""
    connection = connect()
    declared = StatusInputs.of(props)
    try:
        if declared.import_id:
            record = _adopt(connection, str(declared.import_id), declared)
        else:
            # Everything that makes a create safe to send, resend or recover is the client's
            # (the creation module): a held name fails with StatusConflictError, a lost rank
            # race is retried, a lost answer is settled only on evidence this create made it.
            record = connection.client.create(
                name=declared.name,
                description=declared.description,
                category=declared.category,
                rank=declared.rank,
            )
    finally:
        connection.invalidate()
    outs = outputs(record, declared.import_id, rank_declared=declared.rank is not None)
    return Made(record.id, outs)


def _adopt(connection: Connection, import_id: str, declared: StatusInputs) -> IncidentStatusRecord:
    try:
        record = connection.client.get(import_id)
    except NotFoundError:
        raise StatusConflictError(
            f"cannot adopt incident status {import_id!r}: no status has that id. "
            "List the organisation's statuses with `incident-statuses list`.",
            holder_id=None,
        ) from None
    if record.category != declared.category:
        raise StatusConflictError(
            f"cannot adopt incident status {import_id!r} ({record.name!r}): its category is "
            f"{record.category!r} but this resource declares {declared.category!r}; "
            "a category cannot change, so declare the status's own category",
            holder_id=record.id,
        )
    rank = declared.rank
    if (record.name, record.description) != (declared.name, declared.description) or (
        rank is not None and rank != record.rank
    ):
        record = connection.client.update(
            record.id, name=declared.name, description=declared.description, rank=rank
        )
    return record


def read(connect: Connect, status_id: str, props: Mapping[str, Any]) -> Found | None:
    """The status as incident.io holds it; None for one deleted out of band.

    The inputs found are those the program declares (``rank`` only when it does, as
    ``rank_declared`` in ``props`` says), with the values incident.io holds, so a refresh
    shows drift in declared fields alone.
    """
    record = connect().find(status_id)
    if record is None:
        return None
    outs = outputs(record, props.get("import_id"), rank_declared=bool(props.get("rank_declared")))
    return Found(status_id, outs, declared_inputs(outs))


def update(connect: Connect, status_id: str, news: Mapping[str, Any]) -> dict[str, Any]:
    """Put name, description and (when declared) rank; every output after."""
    connection = connect()
    declared = StatusInputs.of(news)
    try:
        record = renames.update(
            connection,
            status_id,
            name=declared.name,
            description=declared.description,
            rank=declared.rank,
        )
    finally:
        connection.invalidate()
    return outputs(record, declared.import_id, rank_declared=declared.rank is not None)


def delete(connect: Connect, status_id: str) -> None:
    """Delete the status; one already gone counts as deleted."""
    connection = connect()
    try:
        connection.client.delete(status_id)
    except NotFoundError:
        pass
    finally:
        connection.invalidate()
