"""The provider plugin's methods called directly against the emulator, without the engine.

`IncidentProvider` only converts and routes: these check the conversion (names, numbers,
unknowns, secrets), that each operation is the dynamic providers' own (the same failures, the
same ownership and adoption rules), and the schema the engine and SDK generators read.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Coroutine
from typing import Any, TypeVar

import pytest
from pulumi.provider.experimental.property_value import Computed, PropertyValue
from pulumi.provider.experimental.provider import (
    CheckRequest,
    ConfigureRequest,
    CreateRequest,
    DeleteRequest,
    DiffRequest,
    GetSchemaRequest,
    InvokeRequest,
    PropertyDiffKind,
    ReadRequest,
    UpdateRequest,
)

from incident_statuses_emulator.process import DEFAULT_API_KEY, EmulatorProcess
from incident_statuses_harness.engine import configurable
from incident_statuses_harness.organisation import seed
from pulumi_incident_statuses import IncidentStatusRecord
from pulumi_incident_statuses.core import connection, deployment
from pulumi_incident_statuses.core.errors import (
    AuthenticationError,
    StatusConflictError,
    StatusLookupError,
)
from pulumi_incident_statuses.core.inputs import UNKNOWN
from pulumi_incident_statuses.plugin import schema, server
from pulumi_incident_statuses.plugin.provider import IncidentProvider, UnknownTypeError
from pulumi_incident_statuses.plugin.values import plain_map, wire, wire_map
from pulumi_incident_statuses.tools import codegen

_T = TypeVar("_T")

STATUS_URN = "urn:pulumi:dev::p::incident-statuses:index:IncidentStatus::fixing"
ORDER_URN = "urn:pulumi:dev::p::incident-statuses:index:IncidentStatusOrder::live-order"


def run(coroutine: Coroutine[Any, Any, _T]) -> _T:
    return asyncio.run(coroutine)


def props(**values: Any) -> dict[str, PropertyValue]:
    return {key: wire(value) for key, value in values.items()}


def configure(provider: IncidentProvider, **args: Any) -> None:
    run(provider.configure(ConfigureRequest({}, props(**args), True, True)))


@pytest.fixture
def plugin(emulator: EmulatorProcess, monkeypatch: pytest.MonkeyPatch) -> IncidentProvider:
    """A plugin configured as an explicit provider for the emulator, in a process of its own."""
    monkeypatch.delenv("INCIDENT_API_KEY", raising=False)
    monkeypatch.delenv("INCIDENT_ENDPOINT", raising=False)
    monkeypatch.setattr(connection, "CONNECTIONS", connection.Connections())
    monkeypatch.setattr(deployment, "DEPLOYMENT", deployment.Deployment())
    provider = IncidentProvider()
    configure(provider, apiKey=DEFAULT_API_KEY, endpoint=emulator.url)
    return provider


FIXING = {"name": "Fixing", "description": "A fix is under way.", "category": "live"}


def test_values_keep_unknowns_and_send_numbers_as_floats() -> None:
    engine = {"rank": PropertyValue(3.0), "name": PropertyValue(Computed()), "createdAt": wire("t")}
    assert plain_map(engine) == {"rank": 3.0, "name": UNKNOWN, "created_at": "t"}
    sent = wire_map({"rank": 3, "created_at": "t", "name": None}, ("rank", "created_at", "name"))
    assert sent == {"rank": PropertyValue(3.0), "createdAt": PropertyValue("t")}


def test_schema_names_the_package_its_resources_and_secret_key() -> None:
    served = json.loads(run(IncidentProvider().get_schema(GetSchemaRequest(0))).schema)
    assert served["name"] == "incident-statuses"
    assert set(served["resources"]) == {schema.STATUS, schema.ORDER}
    assert set(served["functions"]) == {schema.GET_STATUS}
    assert served["provider"]["inputProperties"]["apiKey"]["secret"] is True
    status = served["resources"][schema.STATUS]
    assert set(status["inputProperties"]) == {"name", "description", "category", "rank"}
    assert {"createdAt", "updatedAt"} <= set(status["properties"])


def test_check_config_keeps_the_key_secret_and_refuses_plain_http() -> None:
    request = CheckRequest(
        "urn:pulumi:dev::p::pulumi:providers:incident-statuses::org",
        {},
        props(apiKey="k", endpoint="http://api.example.com"),
        b"",
    )
    checked = run(IncidentProvider().check_config(request))
    assert checked.inputs is not None and checked.inputs["apiKey"].is_secret
    assert [f.property for f in checked.failures or []] == ["endpoint"]
    assert "plain http" in (checked.failures or [])[0].reason


def test_check_is_the_dynamic_check(plugin: IncidentProvider) -> None:
    bad = run(plugin.check(CheckRequest(STATUS_URN, {}, props(**FIXING, rank=-1.0), b"")))
    assert [(f.property, f.reason) for f in bad.failures or []] == [
        ("rank", "rank: must be between 0 and 999999, got -1.0")
    ]
    unknown = props(**FIXING, rank=UNKNOWN)
    good = run(plugin.check(CheckRequest(STATUS_URN, {}, unknown, b"")))
    assert not good.failures and good.inputs is not None
    assert good.inputs["rank"] == PropertyValue(UNKNOWN)


def test_status_lifecycle_and_detailed_diff(
    plugin: IncidentProvider, emulator: EmulatorProcess
) -> None:
    created = run(plugin.create(CreateRequest(STATUS_URN, props(**FIXING), 60, False)))
    assert created.resource_id == configurable(emulator.url)["Fixing"]["id"]
    assert set(created.properties) == {*FIXING, "rank", "createdAt", "updatedAt"}

    edited = props(**{**FIXING, "description": "Shipping it."})
    diff = run(plugin.diff(DiffRequest(STATUS_URN, created.resource_id, created.properties,
                                       edited, [])))
    assert diff.changes and diff.diffs == ["description"] and not diff.replaces
    assert diff.detailed_diff["description"].kind == PropertyDiffKind.UPDATE

    moved = props(**{**FIXING, "category": "learning"})
    replace = run(plugin.diff(DiffRequest(STATUS_URN, created.resource_id, created.properties,
                                          moved, [])))
    assert replace.replaces == ["category"] and replace.delete_before_replace

    updated = run(plugin.update(UpdateRequest(STATUS_URN, created.resource_id,
                                              created.properties, edited, 60, [], False)))
    assert updated.properties["description"] == PropertyValue("Shipping it.")

    run(plugin.delete(DeleteRequest(STATUS_URN, created.resource_id, updated.properties, 60)))
    assert "Fixing" not in configurable(emulator.url)


def test_read_without_state_is_an_import_with_no_write(
    plugin: IncidentProvider, emulator: EmulatorProcess
) -> None:
    made = seed(emulator.url, (FIXING,))["Fixing"]
    writes = emulator.stats()["writes"]
    read = run(plugin.read(ReadRequest(STATUS_URN, made["id"], {}, {})))
    assert read.resource_id == made["id"]
    # Nothing declares a rank yet, so none is read into the inputs (as Terraform's import).
    assert {k: v.value for k, v in read.inputs.items()} == FIXING
    assert emulator.stats()["writes"] == writes

    # An id no status has is no import: it fails, naming the id, instead of importing nothing.
    with pytest.raises(StatusLookupError, match="no incident status with id '01NOSUCH"):
        run(plugin.read(ReadRequest(STATUS_URN, "01NOSUCHSTATUS00000000000", {}, {})))
    # A refresh of a status deleted out of band drops it from the state.
    recorded = {k: PropertyValue(v) for k, v in FIXING.items()}
    gone = run(plugin.read(ReadRequest(STATUS_URN, "01NOSUCHSTATUS00000000000", recorded, {})))
    assert gone.resource_id == ""


def test_create_never_takes_a_held_name(
    plugin: IncidentProvider, emulator: EmulatorProcess
) -> None:
    held = seed(emulator.url, (FIXING,))["Fixing"]["id"]
    advice = f"adopt it with `pulumi import incident-statuses:index:IncidentStatus fixing {held}`"
    with pytest.raises(StatusConflictError, match=advice) as raised:
        run(plugin.create(CreateRequest(STATUS_URN, props(**FIXING), 60, False)))
    assert "request " in str(raised.value) and raised.value.holder_id == held


def test_order_gets_its_name_from_the_urn(
    plugin: IncidentProvider, emulator: EmulatorProcess
) -> None:
    made = seed(emulator.url, (FIXING, {**FIXING, "name": "Monitoring"}))
    ids = [made["Monitoring"]["id"], made["Fixing"]["id"]]
    checked = run(plugin.check(CheckRequest(ORDER_URN, {}, props(category="live",
                                                                  statuses=ids), b"")))
    assert not checked.failures and checked.inputs is not None
    assert set(checked.inputs) == {"category", "statuses"}

    created = run(plugin.create(CreateRequest(ORDER_URN, props(category="live", statuses=ids),
                                              60, False)))
    assert [s.value for s in created.properties["statuses"].value] == ids  # type: ignore[union-attr]
    assert created.properties["movedOutside"] == PropertyValue(False)
    held = configurable(emulator.url)
    assert held["Monitoring"]["rank"] < held["Fixing"]["rank"]

    twice = run(plugin.check(CheckRequest(ORDER_URN.replace("live-order", "other"), {},
                                          props(category="live", statuses=ids[:1]), b"")))
    assert "also listed by the IncidentStatusOrder 'live-order'" in (twice.failures or [])[0].reason


def test_invoke_looks_up_by_name_or_id(
    plugin: IncidentProvider, emulator: EmulatorProcess
) -> None:
    made = seed(emulator.url, (FIXING,))["Fixing"]
    found = run(plugin.invoke(InvokeRequest(schema.GET_STATUS, props(name="Fixing"))))
    assert found.return_value is not None and found.return_value["id"] == PropertyValue(made["id"])
    assert "createdAt" in found.return_value
    both = run(plugin.invoke(InvokeRequest(schema.GET_STATUS, props(name="Fixing", id="x"))))
    assert [f.property for f in both.failures] == ["name"]
    unknown = run(plugin.invoke(InvokeRequest(schema.GET_STATUS, props(id=UNKNOWN))))
    assert unknown.return_value is not None and unknown.return_value["name"].value == UNKNOWN
    with pytest.raises(StatusLookupError, match="did you mean 'Fixing'"):
        run(plugin.invoke(InvokeRequest(schema.GET_STATUS, props(name="fixing"))))


def test_keys_come_from_the_provider_arguments(
    plugin: IncidentProvider, emulator: EmulatorProcess
) -> None:
    configure(plugin, apiKey="not-the-key", endpoint=emulator.url)
    with pytest.raises(AuthenticationError):
        run(plugin.create(CreateRequest(STATUS_URN, props(**FIXING), 60, False)))


def test_an_unknown_token_is_named(plugin: IncidentProvider) -> None:
    with pytest.raises(UnknownTypeError, match="incident-statuses:index:Nope"):
        urn = "urn:pulumi:d::p::incident-statuses:index:Nope::n"
        run(plugin.check(CheckRequest(urn, {}, {}, b"")))


def test_the_executable_says_how_it_is_run(capsys: pytest.CaptureFixture[str]) -> None:
    assert server.main([]) == 2
    assert "the Pulumi engine starts this plugin" in capsys.readouterr().err
    assert server._sdk_problem() is None


def test_an_sdk_too_old_is_named_with_the_versions_needed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(server.versions, "installed_sdk", lambda: "3.100.0")
    problem = server._sdk_problem()
    assert problem is not None and "pulumi 3.100.0 in the environment of" in problem
    assert "pip install 'pulumi>=3.230.0,<4'" in problem
    assert server.main(["127.0.0.1:1"]) == 1


def test_a_swap_of_names_applies_in_one_deployment(
    plugin: IncidentProvider, emulator: EmulatorProcess
) -> None:
    monitoring = {**FIXING, "name": "Monitoring"}
    made = [
        run(plugin.create(CreateRequest(STATUS_URN, props(**spec), 60, False)))
        for spec in (FIXING, monitoring)
    ]
    swapped = [props(**monitoring), props(**FIXING)]

    async def deploy() -> None:
        # As the engine does: every diff first, then the updates at once on the plugin's threads.
        for status, news in zip(made, swapped, strict=True):
            await plugin.diff(DiffRequest(STATUS_URN, status.resource_id or "",
                                          status.properties, news, []))
        await asyncio.gather(*(
            plugin.update(UpdateRequest(STATUS_URN, status.resource_id or "", status.properties,
                                        news, 60, [], False))
            for status, news in zip(made, swapped, strict=True)
        ))

    run(deploy())
    held = configurable(emulator.url)
    assert (held["Monitoring"]["id"], held["Fixing"]["id"]) == (made[0].resource_id,
                                                                made[1].resource_id)


def test_generate_writes_the_import_file_with_generates_names() -> None:
    records = [
        IncidentStatusRecord(f"01ID{i}", name, "d", category, rank, "t", "t")
        for i, (name, category, rank) in enumerate(
            [("Fixing", "live", 2), ("Triage", "triage", 0), ("for", "learning", 0),
             ("Investigating", "live", 1)]
        )
    ]
    listed = json.loads(codegen.import_file(records))["resources"]
    assert listed == [
        {"type": "incident-statuses:index:IncidentStatus", "name": name, "id": status_id}
        for name, status_id in (("investigating", "01ID3"), ("fixing", "01ID0"), ("for", "01ID2"))
    ]
    program = codegen.generate(records)
    assert all(f"    {entry['name']!r},\n" in program for entry in listed)


def test_check_of_a_new_status_says_to_adopt_a_held_name_by_pulumi_import(
    plugin: IncidentProvider, emulator: EmulatorProcess
) -> None:
    held = seed(emulator.url, (FIXING,))["Fixing"]["id"]
    with pytest.raises(StatusConflictError) as raised:
        run(plugin.check(CheckRequest(STATUS_URN, {}, props(**FIXING), b"")))
    said = str(raised.value)
    assert f"adopt it with `pulumi import {schema.STATUS} fixing {held}`" in said
    # No interrupted run of this stack left a create pending: `recover` is not offered.
    assert "incident-statuses recover" not in said and "import_id" not in said
