"""`IncidentStatus`: an incident.io incident status as a Pulumi dynamic resource.

The provider object is pickled into every resource's state, so it holds nothing (see
`ProviderBase.__getstate__`): API clients, credentials and caches live in
`connection.CONNECTIONS`, per provider process, built at run time from the stack config the engine
hands to `configure`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pulumi
from pulumi.dynamic import (
    CheckFailure,
    CheckResult,
    CreateResult,
    DiffResult,
    ReadResult,
    Resource,
    UpdateResult,
)

from . import categories, creation, renames
from .connection import Connection
from .deployment import DEPLOYMENT
from .errors import MissingAPIKeyError, NotFoundError, StatusConflictError
from .inputs import UNKNOWN, StatusInputs, as_int, describe, is_unknown
from .pickling import pickler_as_found
from .provider_base import ProviderBase
from .ranking import MAX_RANK

if TYPE_CHECKING:
    # The HTTP stack loads on the first request: a preview makes none and never imports it.
    from .wire import IncidentStatusRecord

RESOURCE_TYPE = "pulumi-python:dynamic/incident:IncidentStatus"

_INPUTS = ("name", "description", "category", "rank", "import_id")
_OUTPUTS = (
    "name",
    "description",
    "category",
    "rank",
    "created_at",
    "updated_at",
    "import_id",
    "rank_declared",
)


@dataclass
class IncidentStatusArgs:
    """The inputs of an `IncidentStatus`."""

    name: pulumi.Input[str]
    """Unique name of the status, e.g. "Investigating"."""
    description: pulumi.Input[str]
    """Rich-text description shown to responders."""
    category: pulumi.Input[str]
    """`live`, `learning` or `closed`. Changing it replaces the status."""
    rank: pulumi.Input[int] | None = None
    """Order within the category (0..999999). Unset: appended on create, never reordered."""
    import_id: pulumi.Input[str] | None = None
    """Id of an existing status to adopt on create instead of creating a new one."""


def check_inputs(news: Mapping[str, Any]) -> CheckResult:
    """Validate and normalise inputs; every failure names its field. Never raises."""
    failures: list[CheckFailure] = []
    inputs: dict[str, Any] = {}

    def fail(prop: str, reason: str) -> None:
        failures.append(CheckFailure(prop, f"{prop}: {reason}"))

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

    return CheckResult(inputs, failures)


def changed_fields(
    olds: Mapping[str, Any], new: StatusInputs
) -> tuple[list[str], list[str]]:
    """The declared fields `new` changes from the outputs `olds`, and those that replace."""
    changes = [p for p in ("name", "description") if getattr(new, p) != olds.get(p)]
    if new.rank_unknown or (new.rank is not None and new.rank != olds.get("rank")):
        changes.append("rank")
    replaces = ["category"] if new.category != olds.get("category") else []
    return changes, replaces


def _outputs(
    record: IncidentStatusRecord, import_id: object = None, *, rank_declared: bool
) -> dict[str, Any]:
    """The one mapper from an API record to the resource's outputs."""
    outputs = {p: getattr(record, p) for p in _OUTPUTS if p not in ("import_id", "rank_declared")}
    outputs["import_id"] = import_id
    outputs["rank_declared"] = rank_declared
    return outputs


def _declared_inputs(outs: Mapping[str, Any]) -> dict[str, Any]:
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


class IncidentStatusProvider(ProviderBase):
    """The dynamic provider behind `IncidentStatus`. Stateless when pickled."""

    def check(self, olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        """Reject bad inputs at preview, naming the field, and a new status's name held elsewhere.

        The name is checked for a status the stack does not have yet (no old inputs) and does
        not adopt, when a key is at hand: against one list per provider process, shared by
        every check, so a preview sends at most that one request and never a write. Without a
        key, nothing is sent and only the inputs are checked.
        """
        checked = check_inputs(news)
        if not olds and not checked.failures:
            self._check_name_free(checked.inputs)
        return checked

    def _check_name_free(self, inputs: dict[str, Any]) -> None:
        name = inputs.get("name")
        if inputs.get("import_id") is not None or not isinstance(name, str) or is_unknown(name):
            return
        try:
            connection = self._connection()
        except MissingAPIKeyError:
            return
        holder = connection.first_list().get(name)
        if holder is None or DEPLOYMENT.declared(holder.id) is not None:
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

    def diff(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        """Compare declared fields only; a category change replaces, deleting first."""
        new = StatusInputs.of(news)
        renames.note(id_, new)
        changes, replaces = changed_fields(olds, new)
        return DiffResult(
            changes=bool(changes or replaces),
            replaces=replaces,
            stables=[],
            delete_before_replace=True,
        )

    def create(self, props: dict[str, Any]) -> CreateResult:
        """Create the status, or adopt the one named by `import_id`."""
        connection = self._connection()
        declared = StatusInputs.of(props)
        try:
            if declared.import_id:
                record = self._adopt(connection, str(declared.import_id), declared)
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
        outs = _outputs(record, declared.import_id, rank_declared=declared.rank is not None)
        return CreateResult(record.id, outs)

    def _adopt(
        self, connection: Connection, import_id: str, declared: StatusInputs
    ) -> IncidentStatusRecord:
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

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        """Refresh from incident.io; a status deleted out of band leaves the state.

        The inputs returned are those the program declares (``rank`` only when it does, as
        ``rank_declared`` in ``props`` says), with the values incident.io holds, so a refresh
        shows drift in declared fields alone.
        """
        record = self._connection().find(id_)
        if record is None:
            return ReadResult("", {})
        outs = _outputs(
            record, props.get("import_id"), rank_declared=bool(props.get("rank_declared"))
        )
        return ReadResult(id_, outs, _declared_inputs(outs))

    def update(self, id_: str, _olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        """Put name, description and (when declared) rank; return every output."""
        connection = self._connection()
        declared = StatusInputs.of(news)
        try:
            record = renames.update(
                connection,
                id_,
                name=declared.name,
                description=declared.description,
                rank=declared.rank,
            )
        finally:
            connection.invalidate()
        return UpdateResult(
            _outputs(record, declared.import_id, rank_declared=declared.rank is not None)
        )

    def delete(self, id_: str, _props: dict[str, Any]) -> None:
        """Delete the status; one already gone counts as deleted."""
        connection = self._connection()
        try:
            connection.client.delete(id_)
        except NotFoundError:
            pass
        finally:
            connection.invalidate()


class IncidentStatus(Resource, module="incident", name="IncidentStatus"):
    """An incident.io incident status (Investigating, Fixing, Monitoring, ...).

    The inputs are documented once, on `IncidentStatusArgs`; the outputs of the same names are
    those values as incident.io holds them. Credentials come from stack config `incident:apiKey`
    (secret) or `INCIDENT_API_KEY`, the endpoint from `INCIDENT_ENDPOINT` or `incident:endpoint`;
    never from resource inputs.
    """

    name: pulumi.Output[str]
    description: pulumi.Output[str]
    category: pulumi.Output[str]
    rank: pulumi.Output[int]
    """Order within the category, as incident.io holds it."""
    created_at: pulumi.Output[str]
    """When the status was created (RFC 3339)."""
    updated_at: pulumi.Output[str]
    """When the status last changed (RFC 3339)."""
    import_id: pulumi.Output[str | None]
    """The adopted status's id, when the resource was created by adoption."""
    rank_declared: pulumi.Output[bool]
    """Whether the program declares the rank (else `read` leaves it out of the inputs)."""

    def __init__(
        self,
        resource_name: str,
        args: IncidentStatusArgs | None = None,
        opts: pulumi.ResourceOptions | None = None,
        *,
        name: pulumi.Input[str] | None = None,
        description: pulumi.Input[str] | None = None,
        category: pulumi.Input[str] | None = None,
        rank: pulumi.Input[int] | None = None,
        import_id: pulumi.Input[str] | None = None,
    ) -> None:
        """Declare a status, from `args` or from keywords (keywords win where both are given)."""
        values: dict[str, Any] = dict(vars(args)) if args is not None else {}
        keywords = {
            "name": name,
            "description": description,
            "category": category,
            "rank": rank,
            "import_id": import_id,
        }
        values.update({k: v for k, v in keywords.items() if v is not None})
        props: dict[str, Any] = {p: values.get(p) for p in _INPUTS}
        props.update({p: None for p in _OUTPUTS if p not in _INPUTS})
        with pickler_as_found():
            super().__init__(IncidentStatusProvider(), resource_name, props, opts)
