"""`IncidentProvider`: the plugin's provider, a page of conversion over the dynamic providers.

Every operation is the one `IncidentStatusProvider`, `IncidentStatusOrderProvider` or lookup
runs for the dynamic resources, called with plain values: ownership, evidence-based creation,
renames, the order planner, the retry policy and the errors are theirs. This module routes by
type token, converts names and values (see `values`), and runs each operation on a pool of as
many threads as the dynamic provider host has (`deployment.HOST_THREADS`): `renames` counts
on that many.

One plugin process serves one provider (the default one or an explicit `incident` provider),
so it holds one configuration: what `configure` resolved, kept in this process only.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from pulumi.dynamic import ConfigureRequest as DynamicConfigureRequest
from pulumi.dynamic.config import Config
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

from .. import creation, deployment, lookup, order, resource
from .. import settings as settings_module
from ..errors import ConfigurationError, StatusConflictError
from ..inputs import UNKNOWN, StatusInputs
from . import schema
from .values import plain, plain_map, wire, wire_map

_T = TypeVar("_T")

_STATUS_INPUTS = ("name", "description", "category", "rank")
_STATUS_OUTPUTS = (*_STATUS_INPUTS, "created_at", "updated_at")
_ORDER_INPUTS = ("category", "statuses")
_ORDER_OUTPUTS = (*_ORDER_INPUTS, "ranks", "declared", "moved_outside", "restores")
_CONFIG = ("apiKey", "endpoint")


class UnknownTypeError(ValueError):
    """The engine asked about a type token this package does not define."""

    def __init__(self, token: str) -> None:
        super().__init__(
            f"the incident provider has no resource or function {token!r}; it has "
            f"{schema.STATUS}, {schema.ORDER} and {schema.GET_STATUS}"
        )


def _config_lookup(request: ConfigureRequest) -> Config:
    """The provider's arguments as the stack-config lookup the dynamic providers read."""
    values: dict[str, Any] = {}
    for name in _CONFIG:
        value = request.args.get(name)
        if value is None:
            # An engine that sends no args sends the legacy "incident:config:apiKey" variables.
            text = request.variables.get(f"{schema.PACKAGE}:config:{name}")
            value = PropertyValue(text) if text is not None else None
        known = plain(value) if value is not None else None
        if known is not None and known != UNKNOWN:
            values[f"{schema.PACKAGE}:{name}"] = known
    return Config(values, schema.PACKAGE)


def _detailed(changes: list[str], replaces: list[str]) -> dict[str, PropertyDiff]:
    return {
        **{field: PropertyDiff(PropertyDiffKind.UPDATE, input_diff=True) for field in changes},
        **{field: PropertyDiff(PropertyDiffKind.UPDATE_REPLACE, input_diff=True)
           for field in replaces},
    }


def _adopt_by_import(error: StatusConflictError, resource_name: str) -> StatusConflictError:
    """The conflict's advice for this path: no `import_id` input here, `pulumi import` instead."""
    if error.holder_id is None:
        return error
    # `incident-statuses recover` reads dynamic resources only: here `pulumi import` is the way,
    # for a status a killed run made as for any other.
    said = str(error).removesuffix(f". {creation.RECOVER_HINT}")
    return StatusConflictError(
        f"{said}. Through the provider plugin, adopt it with "
        f"`pulumi import {schema.STATUS} {resource_name} {error.holder_id}` instead",
        holder_id=error.holder_id,
    )


class IncidentProvider(Provider):
    """The provider behind `pulumi-resource-incident`: `incident:index:IncidentStatus`,
    `incident:index:IncidentStatusOrder` and `incident:index:getIncidentStatus`."""

    def __init__(self) -> None:
        self._status = resource.IncidentStatusProvider()
        self._order = order.IncidentStatusOrderProvider()
        self._settings = settings_module.resolve()
        self._pool = ThreadPoolExecutor(deployment.HOST_THREADS, thread_name_prefix="incident")

    async def _run(self, operation: Callable[..., _T], *args: Any) -> _T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._pool, functools.partial(operation, *args))

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
        config = _config_lookup(request)
        for provider in (self._status, self._order):
            provider.configure(DynamicConfigureRequest(config))
        self._settings = settings_module.resolve(config.get)
        # No preview: create and update then never run before the engine means them.
        return ConfigureResponse(accept_secrets=True, supports_preview=False)

    async def check(self, request: CheckRequest) -> CheckResponse:
        """The operation's `check`: bad input fails at preview, naming the field."""
        if request.type == schema.STATUS:
            try:
                result = await self._run(
                    self._status.check,
                    plain_map(request.old_inputs),
                    plain_map(request.new_inputs),
                )
            except StatusConflictError as error:
                raise _adopt_by_import(error, request.name) from None
            inputs = wire_map(result.inputs, _STATUS_INPUTS)
        elif request.type == schema.ORDER:
            olds = self._order_fields(request.name, request.old_inputs)
            result = await self._run(
                self._order.check, olds, self._order_fields(request.name, request.new_inputs)
            )
            inputs = wire_map(result.inputs, _ORDER_INPUTS)
        else:
            raise UnknownTypeError(request.type)
        failures = [CheckFailure(f.property, f.reason) for f in result.failures]
        return CheckResponse(inputs=inputs, failures=failures)

    async def diff(self, request: DiffRequest) -> DiffResponse:
        """The operation's `diff`, with the fields it found changed for `preview --diff`."""
        if request.type == schema.STATUS:
            olds, news = plain_map(request.old_state), plain_map(request.new_inputs)
            result = await self._run(self._status.diff, request.resource_id, olds, news)
            changes, replaces = resource.changed_fields(olds, StatusInputs.of(news))
        elif request.type == schema.ORDER:
            olds = self._order_fields(request.name, request.old_state)
            news = self._order_fields(request.name, request.new_inputs)
            result = await self._run(self._order.diff, request.resource_id, olds, news)
            changes, replaces = order.changed_fields(olds, news)
        else:
            raise UnknownTypeError(request.type)
        return DiffResponse(
            changes=result.changes,
            replaces=list(result.replaces or []),
            delete_before_replace=bool(result.delete_before_replace),
            diffs=[*changes, *replaces],
            detailed_diff=_detailed(changes, replaces),
        )

    async def create(self, request: CreateRequest) -> CreateResponse:
        """The operation's `create`."""
        if request.type == schema.STATUS:
            try:
                result = await self._run(self._status.create, plain_map(request.properties))
            except StatusConflictError as error:
                raise _adopt_by_import(error, request.name) from None
            return CreateResponse(result.id, wire_map(result.outs or {}, _STATUS_OUTPUTS))
        if request.type == schema.ORDER:
            props = self._order_fields(request.name, request.properties)
            result = await self._run(self._order.create, props)
            return CreateResponse(result.id, wire_map(result.outs or {}, _ORDER_OUTPUTS))
        raise UnknownTypeError(request.type)

    async def read(self, request: ReadRequest) -> ReadResponse:
        """The operation's `read`; also what `pulumi import` calls, with no state at all."""
        names: tuple[tuple[str, ...], tuple[str, ...]]
        if request.type == schema.STATUS:
            # Whether the program declares a rank is in the inputs the engine recorded.
            props = {**plain_map(request.properties), "rank_declared": "rank" in request.inputs}
            names = (_STATUS_OUTPUTS, _STATUS_INPUTS)
            result = await self._run(self._status.read, request.resource_id, props)
        elif request.type == schema.ORDER:
            props, names = (
                self._order_fields(request.name, request.properties),
                (_ORDER_OUTPUTS, _ORDER_INPUTS),
            )
            result = await self._run(self._order.read, request.resource_id, props)
        else:
            raise UnknownTypeError(request.type)
        if not result.id:
            return ReadResponse(resource_id="")
        outs, inputs = result.outs or {}, result.inputs or {}
        return ReadResponse(result.id, wire_map(outs, names[0]), wire_map(inputs, names[1]))

    async def update(self, request: UpdateRequest) -> UpdateResponse:
        """The operation's `update`."""
        if request.type == schema.STATUS:
            olds, news = plain_map(request.olds), plain_map(request.news)
            result = await self._run(self._status.update, request.resource_id, olds, news)
            return UpdateResponse(wire_map(result.outs or {}, _STATUS_OUTPUTS))
        if request.type == schema.ORDER:
            olds = self._order_fields(request.name, request.olds)
            news = self._order_fields(request.name, request.news)
            result = await self._run(self._order.update, request.resource_id, olds, news)
            return UpdateResponse(wire_map(result.outs or {}, _ORDER_OUTPUTS))
        raise UnknownTypeError(request.type)

    async def delete(self, request: DeleteRequest) -> None:
        """The operation's `delete`."""
        props = plain_map(request.properties)
        if request.type == schema.STATUS:
            await self._run(self._status.delete, request.resource_id, props)
        elif request.type == schema.ORDER:
            await self._run(self._order.delete, request.resource_id, props)
        else:
            raise UnknownTypeError(request.type)

    async def invoke(self, request: InvokeRequest) -> InvokeResponse:
        """`getIncidentStatus`: the lookup `get_incident_status` runs, by name or by id."""
        if request.tok != schema.GET_STATUS:
            raise UnknownTypeError(request.tok)
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
            functools.partial(lookup.find, by_name=key == "name"), self._settings, value
        )
        fields = {"id": record.id, **{name: getattr(record, name) for name in _STATUS_OUTPUTS}}
        return InvokeResponse(wire_map(fields, names))

    @staticmethod
    def _order_fields(resource_name: str, values: Mapping[str, PropertyValue]) -> dict[str, Any]:
        # The dynamic order carries its resource name as an input; here the URN says it.
        fields = plain_map(values)
        if fields:
            fields["order_name"] = resource_name
        return fields
