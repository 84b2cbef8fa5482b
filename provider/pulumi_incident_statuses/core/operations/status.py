"""The operations of an `IncidentStatus`, over plain values (see `results`).

Every one of them is what both ways in run: the dynamic `IncidentStatusProvider` and the
plugin's `incident-statuses:index:IncidentStatus`. A status is written only when the stack made it
or adopted it by id; renames within a deployment go through `renames`, creates through the client
(`creation`: a held name is a conflict, a lost answer is settled on evidence only).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .. import categories, creation, ownership, renames, spec
from .. import deployment as deployment_module
from ..advice import Remedy
from ..errors import (
    IncidentAPIError,
    NotFoundError,
    StatusConflictError,
    StatusLookupError,
    may_pass,
)
from ..inputs import UNKNOWN, StatusInputs, as_int, describe, is_unknown
from ..ranking import MAX_RANK
from ..tokens import resource_name
from ..wire import IncidentStatusRecord
from .results import Checked, Diff, Failure, Found, Made, Reach, recorded_settings

if TYPE_CHECKING:
    # The HTTP stack loads on the first request: a preview makes none and never imports it.
    from ..connection import Connection

INPUTS = spec.STATUS.inputs()
"""The inputs of a status, as the operations name them."""
OUTPUTS = spec.STATUS.outputs()
"""The outputs of a status, as the operations name them."""
_RECORDED = tuple(name for name in OUTPUTS if name in IncidentStatusRecord.__dataclass_fields__)
"""The outputs an API record gives."""


def check_inputs(news: Mapping[str, Any]) -> Checked:
    """Validate and normalise inputs; every failure names its field. Never raises."""
    failures: list[Failure] = []
    inputs: dict[str, Any] = {}

    def fail(prop: str, reason: str) -> None:
        failures.append(Failure(prop, f"{prop}: {reason}"))

    for prop in spec.STATUS.required():
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


def check(reach: Reach, olds: Mapping[str, Any], news: Mapping[str, Any]) -> Checked:
    """Reject at preview what `pulumi up` would refuse, naming the field; write nothing.

    Bad inputs fail alone. Then, for the deployment as a whole: a name another resource of it
    declares too fails here, naming both (`deployment.declare_name`). A status that `up` must
    write (new, or with a declared field changed) needs a key, as `up` does, and its new name is
    checked against one list per provider process, shared by every check: held by a status of
    nobody in this deployment, the check raises `StatusConflictError` with the remedy that fits
    whose it is (`ownership`). An answer that may pass next time (a 5xx, a 429, a connection
    dropped) only leaves a warning; `up` checks again before it writes.

    An `import_id` the stack has already adopted is dropped when the category changes: the
    replacement deletes that status first, so what it must do is create the new one.
    """
    checked = check_inputs(news)
    if checked.failures:
        return checked
    inputs = checked.inputs
    name = inputs.get("name")
    if reach.urn is not None and isinstance(name, str) and not is_unknown(name):
        others = deployment_module.DEPLOYMENT.declare_name(reach.organisation, name, reach.urn)
        if others:
            checked.failures.append(Failure("name", _declared_twice(name, others)))
            return checked
    if _writes(olds, inputs):
        reach.settings.require_api_key()
        if not olds:
            checked.warnings.extend(_check_name_free(reach, inputs))
        elif olds.get("name") != name:
            checked.warnings.extend(_check_rename_free(reach, inputs))
    if _replaces_adopted(olds, inputs):
        del inputs["import_id"]
    return checked


def _declared_twice(name: str, others: list[str]) -> str:
    resources = ", ".join(repr(resource_name(urn)) for urn in others)
    return (
        f"name: {name!r} is also declared by {resources} in this stack; names are unique in an "
        "organisation, so one status would have two owners. Choose another name for one of them"
    )


def _writes(olds: Mapping[str, Any], inputs: Mapping[str, Any]) -> bool:
    """Whether `pulumi up` must write this status: it is new, or a declared field changed."""
    return not olds or any(olds.get(p) != inputs.get(p) for p in INPUTS)


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


def _listed_names(reach: Reach, name: str) -> dict[str, IncidentStatusRecord] | str:
    """Every status by name, or the warning to give when incident.io cannot say now."""
    try:
        return reach.connect().first_list()
    except IncidentAPIError as error:
        if not may_pass(error):
            raise
        return (
            f"could not check that no status already holds the name {name!r} ({error}); "
            "`pulumi up` checks again before it writes"
        )


def _held_elsewhere(reach: Reach, name: str) -> IncidentStatusRecord | str | None:
    """The status holding ``name`` that no resource of this deployment is renaming away (their
    `diff` has come: `update` moves them); the warning to give if incident.io cannot say."""
    held = _listed_names(reach, name)
    if isinstance(held, str):
        return held
    holder = held.get(name)
    if holder is None or deployment_module.DEPLOYMENT.declared(holder.id) is not None:
        return None
    return holder


def _check_name_free(reach: Reach, inputs: Mapping[str, Any]) -> list[str]:
    name = inputs.get("name")
    if inputs.get("import_id") is not None or not isinstance(name, str) or is_unknown(name):
        return []
    holder = _held_elsewhere(reach, name)
    if not isinstance(holder, IncidentStatusRecord):
        return [holder] if holder else []
    declared = StatusInputs.of(inputs)
    complete = not (
        declared.rank_unknown or is_unknown(declared.description) or is_unknown(declared.category)
    )
    raise ownership.classified(
        creation.conflict(holder, name), reach, holder, declared if complete else None
    )


def _check_rename_free(reach: Reach, inputs: Mapping[str, Any]) -> list[str]:
    """A new name held by a status of nobody in this stack fails as the update would."""
    name = inputs.get("name")
    if not isinstance(name, str) or is_unknown(name):
        return []
    holder = _held_elsewhere(reach, name)
    if not isinstance(holder, IncidentStatusRecord):
        return [holder] if holder else []
    if ownership.stack_holder(reach, holder.id) is not None:
        # This stack's own status: a swap or a chain of renames that `update` settles, or a
        # name declared twice, which that resource's check reports.
        return []
    raise StatusConflictError(
        f"cannot rename incident status to {name!r}: the status {holder.id} "
        f"({holder.category}) holds that name and this stack does not manage it. Choose another "
        "name, or rename that status first (nothing was written)",
        holder_id=holder.id,
    )


def changed_fields(
    olds: Mapping[str, Any], new: StatusInputs
) -> tuple[list[str], list[str]]:
    """The declared fields `new` changes from the outputs `olds`, and those that replace."""
    changes = [p for p in ("name", "description") if getattr(new, p) != olds.get(p)]
    if new.rank_unknown or (new.rank is not None and new.rank != olds.get("rank")):
        changes.append("rank")
    replaces = [p for p in spec.STATUS.replacing() if getattr(new, p) != olds.get(p)]
    return changes, replaces


def diff(reach: Reach, status_id: str, olds: Mapping[str, Any], news: Mapping[str, Any]) -> Diff:
    """Compare declared fields only; a category change replaces, deleting first.

    Also notes the name the deployment declares for the status, for the renames of `update`,
    and, unless it is replaced, that this resource keeps the status through the deployment.
    """
    new = StatusInputs.of(news)
    renames.note(status_id, new)
    changes, replaces = changed_fields(olds, new)
    if not replaces:
        deployment_module.DEPLOYMENT.hold(reach.organisation, status_id, reach.urns)
    return Diff(changes, replaces, delete_before_replace=True)


def outputs(
    record: IncidentStatusRecord, import_id: object = None, *, rank_declared: bool
) -> dict[str, Any]:
    """The one mapper from an API record to the resource's outputs."""
    outs = {p: getattr(record, p) for p in _RECORDED}
    outs["import_id"] = import_id
    outs["rank_declared"] = rank_declared
    return outs


def declared_inputs(outs: Mapping[str, Any]) -> dict[str, Any]:
    """What the program declared, with the values ``outs`` (as incident.io holds them) give it.

    ``rank`` is among them only when the program declares one, so that a refresh neither shows
    nor records a rank the program leaves to the dashboard.
    """
    inputs = {p: outs[p] for p in spec.STATUS.required()}
    if outs.get("rank_declared"):
        inputs["rank"] = outs["rank"]
    if outs.get("import_id") is not None:
        inputs["import_id"] = outs["import_id"]
    return inputs


def create(reach: Reach, props: Mapping[str, Any]) -> Made:
    """Create the status, or adopt the one named by `import_id`; this resource then keeps it
    through the deployment."""
    connection = reach.connect()
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
    except StatusConflictError as conflict:
        raise _classified(conflict, reach, connection, declared) from None
    finally:
        connection.invalidate()
    deployment_module.DEPLOYMENT.hold(reach.organisation, record.id, reach.urns)
    outs = outputs(record, declared.import_id, rank_declared=declared.rank is not None)
    return Made(record.id, outs)


def _classified(
    conflict: StatusConflictError,
    reach: Reach,
    connection: Connection,
    declared: StatusInputs,
) -> StatusConflictError:
    if conflict.remedy is not Remedy.ADOPT or conflict.holder_id is None:
        return conflict
    holder = connection.find(conflict.holder_id)
    if holder is None:
        return conflict
    return ownership.classified(conflict, reach, holder, declared)


def _adopt(connection: Connection, import_id: str, declared: StatusInputs) -> IncidentStatusRecord:
    try:
        record = connection.client.get(import_id)
    except NotFoundError:
        raise StatusConflictError(
            f"cannot adopt incident status {import_id!r}: no incident status with id "
            f"{import_id!r} in this organisation (`incident-statuses list` shows every status "
            "with its id); nothing was written",
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


def read(
    reach: Reach, status_id: str, props: Mapping[str, Any], *, importing: bool = False
) -> Found | None:
    """The status as incident.io holds it; None for one deleted out of band.

    The inputs found are those the program declares (``rank`` only when it does, as
    ``rank_declared`` in ``props`` says), with the values incident.io holds, so a refresh
    shows drift in declared fields alone. What only moves when something else writes the
    status (its rank when the program leaves it to an `IncidentStatusOrder` or the dashboard,
    and ``updated_at`` with it) stays as recorded while the declared fields are unchanged: a
    refresh right after `pulumi up` shows no change. ``importing`` (`pulumi import`, which
    has nothing recorded): an id no status has fails, naming it, instead of importing nothing.
    """
    record = recorded_settings(reach, lambda: reach.connect().find(status_id))
    if record is None:
        if importing:
            raise StatusLookupError(
                f"cannot import incident status {status_id!r}: no incident status with id "
                f"{status_id!r} in this organisation (`incident-statuses list` shows every "
                "status with its id); nothing was imported",
                status_id=status_id,
            )
        return None
    rank_declared = bool(props.get("rank_declared"))
    outs = outputs(record, props.get("import_id"), rank_declared=rank_declared)
    declared = ("name", "description", "category", *(("rank",) if rank_declared else ()))
    if props.get("updated_at") is not None and all(outs[p] == props.get(p) for p in declared):
        outs.update({p: props[p] for p in ("rank", "updated_at") if props.get(p) is not None})
    return Found(status_id, outs, declared_inputs(outs))


def update(reach: Reach, status_id: str, news: Mapping[str, Any]) -> dict[str, Any]:
    """Put name, description and (when declared) rank; every output after."""
    connection = reach.connect()
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


def delete(reach: Reach, status_id: str) -> str | None:
    """Delete the status; one already gone counts as deleted.

    A status another resource of this deployment keeps (it stays in the program, or adopted or
    created the status in this deployment) is not deleted: this resource leaves the state and
    nothing is written. What to tell the person running `pulumi` is returned.
    """
    others = [
        urn
        for urn in deployment_module.DEPLOYMENT.holders(reach.organisation, status_id)
        if urn not in reach.urns
    ]
    if others:
        name = resource_name(reach.urn) if reach.urn else "the resource deleted"
        keeper = resource_name(others[0])
        return (
            f"incident status {status_id} was not deleted: the resource {keeper!r} of this "
            f"stack holds it. {name!r} leaves the state and nothing was written"
        )
    connection = reach.connect()
    try:
        recorded_settings(reach, lambda: connection.client.delete(status_id))
    except NotFoundError:
        pass
    finally:
        connection.invalidate()
    return None
