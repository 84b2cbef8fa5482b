"""`IncidentStatus`: an incident.io incident status as a Pulumi dynamic resource.

The provider object is pickled into every resource's state, so it holds nothing: API clients,
credentials and caches live in this module, per provider process, and are built at run time from
the stack config the engine hands to `configure`.
"""

from __future__ import annotations

import functools
import math
import threading
import time
import weakref
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pulumi
from pulumi.dynamic import (
    CheckFailure,
    CheckResult,
    ConfigureRequest,
    CreateResult,
    DiffResult,
    ReadResult,
    Resource,
    UpdateResult,
)

from . import categories
from . import settings as settings_module
from .diagnostics import MessageFirstProvider
from .errors import NotFoundError, StatusConflictError, ValidationError
from .pickling import pickler_as_found

if TYPE_CHECKING:
    # The HTTP stack loads on the first request: a preview makes none and never imports it.
    from .client import IncidentStatusesClient, IncidentStatusRecord

RESOURCE_TYPE = "pulumi-python:dynamic/incident:IncidentStatus"
MAX_RANK = 999_999

# During preview, values that depend on other resources reach the provider as this string.
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"

_INPUTS = ("name", "description", "category", "rank", "import_id")
_OUTPUTS = ("name", "description", "category", "rank", "created_at", "updated_at", "import_id")
# Appends that keep losing the race for a rank give up after this many tries in turn.
_APPEND_ATTEMPTS = 5
# A refresh is a burst of reads: one list answers them all if it is this fresh.
_SNAPSHOT_TTL_SECONDS = 30.0


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
    if (
        isinstance(category, str)
        and category != UNKNOWN
        and category not in categories.CREATABLE
    ):
        if category in categories.RESERVED:
            fail(
                "category",
                f"{category!r} statuses are managed by incident.io and cannot be created; "
                "to reference one, look it up with get_incident_status(name=...)",
            )
        else:
            fail(
                "category",
                f"must be one of {', '.join(categories.CREATABLE)}; got {_describe(category)}",
            )

    rank = news.get("rank")
    if rank is not None and rank != UNKNOWN:
        normalised = _as_int(rank)
        if normalised is None:
            fail("rank", f"must be a whole number, got {_describe(rank)}")
        elif not 0 <= normalised <= MAX_RANK:
            fail("rank", f"must be between 0 and {MAX_RANK}, got {_describe(rank)}")
        else:
            rank = normalised
    if rank is not None:
        inputs["rank"] = rank

    import_id = news.get("import_id")
    if import_id is not None and import_id != UNKNOWN:
        if not isinstance(import_id, str) or not import_id.strip():
            fail("import_id", f"must be the id of an existing status, got {_describe(import_id)}")
    if import_id is not None:
        inputs["import_id"] = import_id

    return CheckResult(inputs, failures)


def _as_int(value: object) -> int | None:
    # The engine carries every number as a float: 3 arrives as 3.0.
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return int(value)
    return None


def _describe(value: object) -> str:
    try:
        text = repr(value)
    except ValueError:
        # An integer too long to print (over 4300 digits).
        text = f"a {type(value).__name__} too long to show"
    return text if len(text) <= 40 else text[:37] + "..."


def _concerns(error: ValidationError, field: str) -> bool:
    return any(detail.field == field for detail in error.errors)


def _outputs(record: IncidentStatusRecord, import_id: object = None) -> dict[str, Any]:
    """The one mapper from an API record to the resource's outputs."""
    return {
        "name": record.name,
        "description": record.description,
        "category": record.category,
        "rank": record.rank,
        "created_at": record.created_at,
        "updated_at": record.updated_at,
        "import_id": import_id,
    }


class _Connection:
    """A client and a read snapshot shared by every resource of one provider process."""

    def __init__(self, client: IncidentStatusesClient) -> None:
        self.client = client
        self._lock = threading.Lock()
        self._snapshot: dict[str, IncidentStatusRecord] | None = None
        self._snapshot_at = 0.0
        self._category_locks: dict[str, threading.Lock] = {}

    def find(self, status_id: str) -> IncidentStatusRecord | None:
        """The status from a recent list, or fetched alone; None if it no longer exists."""
        with self._lock:
            if (
                self._snapshot is None
                or time.monotonic() - self._snapshot_at > _SNAPSHOT_TTL_SECONDS
            ):
                self._snapshot = {r.id: r for r in self.client.list()}
                self._snapshot_at = time.monotonic()
            record = self._snapshot.get(status_id)
        if record is not None:
            return record
        try:
            return self.client.get(status_id)
        except NotFoundError:
            return None

    def invalidate(self) -> None:
        """Forget the snapshot after a write."""
        with self._lock:
            self._snapshot = None

    @contextmanager
    def appending_to(self, category: str) -> Iterator[None]:
        """Take turns appending to a category: the service races concurrent appends for a rank."""
        with self._lock:
            lock = self._category_locks.setdefault(category, threading.Lock())
        with lock:
            yield


_connections: dict[tuple[str, str], _Connection] = {}
_connections_lock = threading.Lock()
# What `configure` resolved for each provider object, kept beside it rather than in it: whatever
# the object holds is pickled with it, and the settings hold the API key.
_configured: weakref.WeakKeyDictionary[IncidentStatusProvider, settings_module.Settings] = (
    weakref.WeakKeyDictionary()
)


def _connect(resolved: settings_module.Settings) -> _Connection:
    api_key = resolved.require_api_key()
    key = (resolved.endpoint, api_key)
    with _connections_lock:
        connection = _connections.get(key)
        if connection is None:
            from .client import IncidentStatusesClient

            connection = _Connection(IncidentStatusesClient(api_key, resolved.endpoint))
            _connections[key] = connection
        return connection


class IncidentStatusProvider(MessageFirstProvider):
    """The dynamic provider behind `IncidentStatus`. Stateless when pickled."""

    def configure(self, req: ConfigureRequest) -> None:
        """Resolve credentials from the stack config the engine sends and the environment."""
        _configured[self] = settings_module.resolve(req.config.get)

    def _connection(self) -> _Connection:
        return _connect(_configured.get(self) or settings_module.resolve())

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        """Reject bad inputs at preview, naming the field."""
        return check_inputs(news)

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        """Compare declared fields only; a category change replaces, deleting first."""
        changes = [p for p in ("name", "description") if news.get(p) != olds.get(p)]
        if news.get("rank") is not None and news.get("rank") != olds.get("rank"):
            changes.append("rank")
        replaces = ["category"] if news.get("category") != olds.get("category") else []
        return DiffResult(
            changes=bool(changes or replaces),
            replaces=replaces,
            stables=[],
            delete_before_replace=True,
        )

    def create(self, props: dict[str, Any]) -> CreateResult:
        """Create the status, or adopt the one named by `import_id`."""
        connection = self._connection()
        import_id = props.get("import_id")
        try:
            if import_id:
                record = self._adopt(connection, str(import_id), props)
            else:
                record = self._create(connection, props)
        finally:
            connection.invalidate()
        return CreateResult(record.id, _outputs(record, import_id))

    def _create(self, connection: _Connection, props: dict[str, Any]) -> IncidentStatusRecord:
        name, description, category = props["name"], props["description"], props["category"]
        rank = _as_int(props.get("rank"))
        try:
            if rank is None:
                return self._append(connection, name, description, category)
            return connection.client.create(
                name=name, description=description, category=category, rank=rank
            )
        except ValidationError as error:
            if not _concerns(error, "name"):
                raise
            holder = connection.client.find_by_name(name)
            if holder is None:
                raise
            if holder.is_creation_of(
                name=name, description=description, category=category, rank=rank
            ):
                # Exactly what this resource declares: a create whose answer was lost (a crashed
                # run) left it behind. Taking it is the only way not to create it twice.
                return holder
            raise StatusConflictError(
                f"cannot create incident status {name!r}: the existing status {holder.id} "
                f"({holder.category}) already holds that name. To manage it with this resource, "
                f"set import_id={holder.id!r}; otherwise choose another name. ({error})",
                holder_id=holder.id,
            ) from None

    @staticmethod
    def _append(
        connection: _Connection, name: str, description: str, category: str
    ) -> IncidentStatusRecord:
        """Create at the end of `category`, surviving the service's race for the next rank."""
        create = functools.partial(
            connection.client.create, name=name, description=description, category=category
        )
        try:
            return create()
        except ValidationError as error:
            if not _concerns(error, "rank"):
                raise
        # Another append in this category took the same rank. From here on this process's
        # appends to the category take turns; appends from elsewhere may still collide.
        with connection.appending_to(category):
            attempt = 1
            while True:
                try:
                    return create()
                except ValidationError as error:
                    if not _concerns(error, "rank") or attempt >= _APPEND_ATTEMPTS:
                        raise
                    attempt += 1

    def _adopt(
        self, connection: _Connection, import_id: str, props: dict[str, Any]
    ) -> IncidentStatusRecord:
        try:
            record = connection.client.get(import_id)
        except NotFoundError:
            raise StatusConflictError(
                f"cannot adopt incident status {import_id!r}: no status has that id. "
                "List the organisation's statuses with `incident-statuses list`.",
                holder_id=None,
            ) from None
        if record.category != props["category"]:
            raise StatusConflictError(
                f"cannot adopt incident status {import_id!r} ({record.name!r}): its category is "
                f"{record.category!r} but this resource declares {props['category']!r}; "
                "a category cannot change, so declare the status's own category",
                holder_id=record.id,
            )
        rank = _as_int(props.get("rank"))
        if (record.name, record.description) != (props["name"], props["description"]) or (
            rank is not None and rank != record.rank
        ):
            record = connection.client.update(
                record.id, name=props["name"], description=props["description"], rank=rank
            )
        return record

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        """Refresh from incident.io; a status deleted out of band leaves the state."""
        record = self._connection().find(id_)
        if record is None:
            return ReadResult("", {})
        outs = _outputs(record, props.get("import_id"))
        inputs = {p: outs[p] for p in ("name", "description", "category", "rank")}
        if outs["import_id"] is not None:
            inputs["import_id"] = outs["import_id"]
        return ReadResult(id_, outs, inputs)

    def update(self, id_: str, _olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        """Put name, description and (when declared) rank; return every output."""
        connection = self._connection()
        try:
            record = connection.client.update(
                id_,
                name=news["name"],
                description=news["description"],
                rank=_as_int(news.get("rank")),
            )
        finally:
            connection.invalidate()
        return UpdateResult(_outputs(record, news.get("import_id")))

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

    Credentials come from stack config `incident:apiKey` (secret) or `INCIDENT_API_KEY`, the
    endpoint from `INCIDENT_ENDPOINT` or `incident:endpoint`; never from resource inputs.
    """

    name: pulumi.Output[str]
    """Unique name of the status."""
    description: pulumi.Output[str]
    """Rich-text description."""
    category: pulumi.Output[str]
    """`live`, `learning` or `closed`."""
    rank: pulumi.Output[int]
    """Order within the category, as incident.io holds it."""
    created_at: pulumi.Output[str]
    """When the status was created (RFC 3339)."""
    updated_at: pulumi.Output[str]
    """When the status last changed (RFC 3339)."""
    import_id: pulumi.Output[str | None]
    """The adopted status's id, when the resource was created by adoption."""

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
