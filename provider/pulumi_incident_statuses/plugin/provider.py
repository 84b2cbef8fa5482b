"""`IncidentProvider`: the plugin's provider, a page of conversion over the operations.

Every operation is the one the dynamic resources run (`operations.status`, `operations.order`,
`lookup`), called with plain values: ownership, evidence-based creation, renames, the order
planner, the retry policy and the errors are theirs. This module routes by type token, converts
names and values (see `values`), and runs each operation on a pool of `THREADS` threads, sized
for the engine and the API rather than for the dynamic provider host's four.

One plugin process serves one provider (the default one or an explicit `incident` provider),
so it holds one configuration: what `configure` resolved, kept in this process only.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from pulumi.provider.experimental.property_value import PropertyValue
from pulumi.provider.experimental.provider import (
    CheckFailure,
    CheckRequest,
    CheckResponse,
    ConfigureRequest,
    ConfigureResponse,
    CreateRequest,
    CreateResponse,
    DeleteRequest,
    DiffRequest,
    DiffResponse,
    GetSchemaRequest,
    GetSchemaResponse,
    InvokeRequest,
    InvokeResponse,
    PropertyDiff,
    PropertyDiffKind,
    Provider,
    ReadRequest,
    ReadResponse,
    UpdateRequest,
    UpdateResponse,
)

from ..core import connection as connection_module
from ..core import engine_log, lookup, spec
from ..core import settings as settings_module
from ..core.advice import Door
from ..core.connection import Connection
from ..core.errors import ConfigurationError, StatusConflictError, UnknownTypeError
from ..core.inputs import UNKNOWN
from ..core.operations import order, status
from ..core.operations.results import Checked, Diff, Reach
from . import schema
from .values import plain, plain_map, wire, wire_map

_T = TypeVar("_T")

THREADS = 10
"""The operations the plugin runs at once. The engine sends 8 at once on two cores (`--parallel`
is 4 per core by default); `requests` keeps 10 connections to one host; and incident.io's
1,200 requests a minute (20 a second) are used up by 10 at once as soon as its answers take
half a second, so more would only wait on 429s."""

_STATUS_INPUTS = spec.STATUS.inputs(Door.PLUGIN)
_STATUS_OUTPUTS = spec.STATUS.outputs(Door.PLUGIN)
_ORDER_INPUTS = spec.ORDER.inputs(Door.PLUGIN)
_ORDER_OUTPUTS = spec.ORDER.outputs(Door.PLUGIN)


def _unknown(token: str) -> UnknownTypeError:
    return UnknownTypeError(
        f"the {schema.PACKAGE} provider has no resource or function {token!r}; it has "
        f"{schema.STATUS}, {schema.ORDER} and {schema.GET_STATUS}"
    )


def _config_lookup(request: ConfigureRequest) -> settings_module.ConfigLookup:
    """The provider's arguments as the config lookup (`incident-statuses:apiKey`) settings read."""
    values: dict[str, Any] = {}
    for name in (f.wire for f in spec.CONFIG.fields):
        value = request.args.get(name)
        if value is None:
            # An engine that sends no args sends the legacy "<package>:config:apiKey" variables.
            text = request.variables.get(f"{schema.PACKAGE}:config:{name}")
            value = PropertyValue(text) if text is not None else None
        known = plain(value) if value is not None else None
        if known is not None and known != UNKNOWN:
            values[f"{schema.PACKAGE}:{name}"] = known
    return values.get


def _explicit_provider(urn: str | None) -> str | None:
    """The name of an explicit provider from its URN; None for a default provider (stack config)."""
    name = (urn or "").rsplit("::", 1)[-1]
    return None if not name or name == "default" or name.startswith("default_") else name


def _check_response(checked: Checked, names: tuple[str, ...], reach: Reach) -> CheckResponse:
    for warning in checked.warnings:
        engine_log.warn(warning, reach.urn)
    failures = [CheckFailure(failure.property, failure.reason) for failure in checked.failures]
    return CheckResponse(inputs=wire_map(checked.inputs, names), failures=failures)


def _diff_response(diff: Diff, reach: Reach) -> DiffResponse:
    for note in diff.notes:
        engine_log.info(note, reach.urn)
    detailed = {
        **{field: PropertyDiff(PropertyDiffKind.UPDATE, input_diff=True)
           for field in diff.changes},
        **{field: PropertyDiff(PropertyDiffKind.UPDATE_REPLACE, input_diff=True)
           for field in diff.replaces},
    }
    return DiffResponse(
        changes=diff.changed,
        replaces=list(diff.replaces),
        delete_before_replace=diff.delete_before_replace,
        diffs=[*diff.changes, *diff.replaces],
        detailed_diff=detailed,
    )


class IncidentProvider(Provider):
    """The provider behind `pulumi-resource-incident-statuses`: its `IncidentStatus`,
    `IncidentStatusOrder` and `getIncidentStatus` (`schema.STATUS`, `ORDER`, `GET_STATUS`)."""

    def __init__(self) -> None:
        self.provider_urn: str | None = None
        """The URN of the provider this process serves, once the engine configured it."""
        self._settings = settings_module.resolve(namespace=schema.PACKAGE)
        self._pool = ThreadPoolExecutor(THREADS, thread_name_prefix="incident")

    def close(self) -> None:
        """Let the operations under way finish; run no more."""
        self._pool.shutdown(wait=True)

    def _connection(self) -> Connection:
        return connection_module.CONNECTIONS.connect(self._settings)

    def _reach(self, urn: str) -> Reach:
        return Reach(self._settings, self._connection, (urn,) if urn else ())

    async def _run(self, operation: Callable[..., _T], *args: Any) -> _T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._pool, functools.partial(operation, *args))

    async def _conflicts_worded(
        self, resource: str, operation: Callable[..., _T], *args: Any
    ) -> _T:
        """``operation(*args)``, its conflicts' advice spelt for the plugin (`pulumi import`)."""
        try:
            return await self._run(operation, *args)
        except StatusConflictError as error:
            raise error.for_door(Door.PLUGIN, resource) from None

    async def get_schema(self, request: GetSchemaRequest) -> GetSchemaResponse:
        """The package schema (see `schema`)."""
        return GetSchemaResponse(schema.schema_json())

    async def check_config(self, request: CheckRequest) -> CheckResponse:
        """Keep the API key secret in state; refuse an endpoint the key must not go to."""
        inputs = dict(request.new_inputs)
        failures: list[CheckFailure] = []
        if "apiKey" in inputs:
            inputs["apiKey"] = inputs["apiKey"].with_secret(True)
        endpoint = plain(inputs["endpoint"]) if "endpoint" in inputs else None
        if isinstance(endpoint, str) and endpoint not in ("", UNKNOWN):
            try:
                settings_module.checked_endpoint(endpoint)
            except ConfigurationError as error:
                failures.append(CheckFailure("endpoint", f"endpoint: {error}"))
        return CheckResponse(inputs=inputs, failures=failures)

    async def configure(self, request: ConfigureRequest) -> ConfigureResponse:
        """Resolve key and endpoint from this provider's arguments and the environment."""
        self._settings = settings_module.resolve(
            _config_lookup(request),
            namespace=schema.PACKAGE,
            provider=_explicit_provider(self.provider_urn),
        )
        # No preview: create and update then never run before the engine means them.
        return ConfigureResponse(accept_secrets=True, supports_preview=False)

    async def check(self, request: CheckRequest) -> CheckResponse:
        """The operation's `check`: bad input fails at preview, naming the field."""
        reach = self._reach(request.urn)
        olds, news = plain_map(request.old_inputs), plain_map(request.new_inputs)
        if request.type == schema.STATUS:
            checked = await self._conflicts_worded(request.name, status.check, reach, olds, news)
            return _check_response(checked, _STATUS_INPUTS, reach)
        if request.type == schema.ORDER:
            checked = await self._run(order.check, reach, olds, news)
            return _check_response(checked, _ORDER_INPUTS, reach)
        raise _unknown(request.type)

    async def diff(self, request: DiffRequest) -> DiffResponse:
        """The operation's `diff`, with the fields it found changed for `preview --diff`."""
        reach = self._reach(request.urn)
        olds, news = plain_map(request.old_state), plain_map(request.new_inputs)
        if request.type == schema.STATUS:
            found = await self._run(status.diff, reach, request.resource_id, olds, news)
        elif request.type == schema.ORDER:
            found = await self._run(order.diff, reach, olds, news)
        else:
            raise _unknown(request.type)
        return _diff_response(found, reach)

    async def create(self, request: CreateRequest) -> CreateResponse:
        """The operation's `create`."""
        reach = self._reach(request.urn)
        props = plain_map(request.properties)
        if request.type == schema.STATUS:
            made = await self._conflicts_worded(request.name, status.create, reach, props)
            return CreateResponse(made.id, wire_map(made.outs, _STATUS_OUTPUTS))
        if request.type == schema.ORDER:
            made = await self._run(order.create, reach, props)
            return CreateResponse(made.id, wire_map(made.outs, _ORDER_OUTPUTS))
        raise _unknown(request.type)

    async def read(self, request: ReadRequest) -> ReadResponse:
        """The operation's `read`; also what `pulumi import` calls, with nothing recorded."""
        reach = self._reach(request.urn)
        names: tuple[tuple[str, ...], tuple[str, ...]]
        if request.type == schema.STATUS:
            # Whether the program declares a rank is in the inputs the engine recorded.
            props = {**plain_map(request.properties), "rank_declared": "rank" in request.inputs}
            importing = not request.properties and not request.inputs
            found = await self._run(
                functools.partial(status.read, importing=importing),
                reach,
                request.resource_id,
                props,
            )
            names = (_STATUS_OUTPUTS, _STATUS_INPUTS)
        elif request.type == schema.ORDER:
            props = plain_map(request.properties)
            found = await self._run(order.read, reach, request.resource_id, props)
            names = (_ORDER_OUTPUTS, _ORDER_INPUTS)
        else:
            raise _unknown(request.type)
        if found is None:
            return ReadResponse(resource_id="")
        outs, inputs = wire_map(found.outs, names[0]), wire_map(found.inputs, names[1])
        return ReadResponse(found.id, outs, inputs)

    async def update(self, request: UpdateRequest) -> UpdateResponse:
        """The operation's `update`."""
        reach = self._reach(request.urn)
        olds, news = plain_map(request.olds), plain_map(request.news)
        if request.type == schema.STATUS:
            outs = await self._run(status.update, reach, request.resource_id, news)
            return UpdateResponse(wire_map(outs, _STATUS_OUTPUTS))
        if request.type == schema.ORDER:
            outs = await self._run(order.update, reach, olds, news)
            return UpdateResponse(wire_map(outs, _ORDER_OUTPUTS))
        raise _unknown(request.type)

    async def delete(self, request: DeleteRequest) -> None:
        """The operation's `delete`; a status another resource of the deployment keeps is left
        alone, and the engine is told."""
        if request.type == schema.STATUS:
            reach = self._reach(request.urn)
            kept = await self._run(status.delete, reach, request.resource_id)
            if kept is not None:
                engine_log.warn(kept, request.urn)
        elif request.type == schema.ORDER:
            order.delete()
        else:
            raise _unknown(request.type)

    async def invoke(self, request: InvokeRequest) -> InvokeResponse:
        """`getIncidentStatus`: the lookup `get_incident_status` runs, by name or by id."""
        if request.tok != schema.GET_STATUS:
            raise _unknown(request.tok)
        args = plain_map(request.args)
        given = {key: args.get(key) for key in ("name", "id") if args.get(key) is not None}
        if len(given) != 1:
            reason = "give exactly one of name or id"
            return InvokeResponse(failures=[CheckFailure("name", reason)])
        (key, value), = given.items()
        names = ("id", *_STATUS_OUTPUTS)
        if value == UNKNOWN:
            # A preview of a lookup by something not created yet: nothing to look up.
            return InvokeResponse({schema.WIRE_NAMES.get(n, n): wire(UNKNOWN) for n in names})
        if not isinstance(value, str) or not value.strip():
            return InvokeResponse(failures=[CheckFailure(key, f"{key}: must not be empty")])
        record = await self._run(
            functools.partial(lookup.find, by_name=key == "name"), self._connection(), value
        )
        fields = {"id": record.id, **{name: getattr(record, name) for name in _STATUS_OUTPUTS}}
        return InvokeResponse(wire_map(fields, names))
