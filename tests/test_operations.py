"""The operations exist once: the dynamic providers and the plugin answer alike, and the core
loads neither of them."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from pulumi.provider.experimental.provider import CheckRequest, DiffRequest

from incident_statuses_emulator.process import DEFAULT_API_KEY, EmulatorProcess
from pulumi_incident_statuses.core import connection, deployment, operations, settings
from pulumi_incident_statuses.core.inputs import UNKNOWN
from pulumi_incident_statuses.core.operations.results import Reach
from pulumi_incident_statuses.dynamic.order import IncidentStatusOrderProvider
from pulumi_incident_statuses.dynamic.provider_base import URN
from pulumi_incident_statuses.dynamic.resource import IncidentStatusProvider
from pulumi_incident_statuses.plugin import schema
from pulumi_incident_statuses.plugin.provider import IncidentProvider
from pulumi_incident_statuses.plugin.values import wire

CORE = Path(operations.__file__).parent
STATUS_URN = f"urn:pulumi:dev::p::{schema.STATUS}::fixing"
ORDER_URN = f"urn:pulumi:dev::p::{schema.ORDER}::live-order"
FIXING = {"name": "Fixing", "description": "A fix is under way.", "category": "live"}


CORE_PROBE = """
import importlib, pkgutil, sys
import pulumi_incident_statuses.core as core
for module in pkgutil.walk_packages(core.__path__, core.__name__ + "."):
    importlib.import_module(module.name)
print(sorted(
    name for name in sys.modules
    if name.split(".")[0] == "pulumi"
    or name.startswith(("pulumi_incident_statuses.dynamic", "pulumi_incident_statuses.plugin"))
))
"""


def test_importing_the_core_loads_neither_way_in() -> None:
    # Every module of the core, and what they import in turn: no `pulumi` at all (importing it
    # loads `pulumi.dynamic`), neither adapter, nor the plugin's server.
    probe = subprocess.run(
        [sys.executable, "-c", CORE_PROBE], capture_output=True, text=True, check=True
    )
    assert probe.stdout.strip() == "[]"
    assert {"status.py", "order.py"} <= {module.name for module in CORE.glob("*.py")}


def test_the_core_spells_unknowns_as_the_engine_does() -> None:
    from pulumi.runtime.rpc import UNKNOWN as ENGINE_UNKNOWN

    assert UNKNOWN == ENGINE_UNKNOWN


def _fields(values: dict[str, Any]) -> dict[str, Any]:
    return {schema.WIRE_NAMES.get(key, key): wire(value) for key, value in values.items()}


STATUS_INPUTS = [
    FIXING,
    {**FIXING, "rank": 3.0},
    {**FIXING, "rank": 7, "category": "learning"},
    {**FIXING, "rank": UNKNOWN, "name": UNKNOWN},
    {"description": "d", "category": "live"},
    {**FIXING, "name": " "},
    {**FIXING, "category": "triage"},
    {**FIXING, "category": "active"},
    {**FIXING, "rank": -1.0},
    {**FIXING, "rank": 2.5},
]


@pytest.mark.parametrize("news", STATUS_INPUTS, ids=lambda news: repr(news)[:40])
def test_a_status_is_checked_and_diffed_alike_on_both_paths(
    news: dict[str, Any], emulator: EmulatorProcess, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("INCIDENT_API_KEY", DEFAULT_API_KEY)
    monkeypatch.setenv("INCIDENT_ENDPOINT", emulator.url)
    monkeypatch.setattr(connection, "CONNECTIONS", connection.Connections())
    monkeypatch.setattr(deployment, "DEPLOYMENT", deployment.Deployment())
    dynamic = IncidentStatusProvider().check({}, news)
    monkeypatch.setattr(deployment, "DEPLOYMENT", deployment.Deployment())
    plugin = IncidentProvider()
    served = asyncio.run(plugin.check(CheckRequest(STATUS_URN, {}, _fields(news), b"")))
    assert [(f.property, f.reason) for f in served.failures or []] == [
        (f.property, f.reason) for f in dynamic.failures
    ]
    if dynamic.failures:
        return
    olds = {**FIXING, "rank": 7, "created_at": "t", "updated_at": "t"}
    diffed = IncidentStatusProvider().diff("01ID", olds, dynamic.inputs)
    request = DiffRequest(STATUS_URN, "01ID", _fields(olds), _fields(dynamic.inputs), [])
    served_diff = asyncio.run(plugin.diff(request))
    assert served_diff.changes == diffed.changes
    assert list(served_diff.replaces or []) == list(diffed.replaces or [])
    assert bool(served_diff.delete_before_replace) == bool(diffed.delete_before_replace)


ORDER_INPUTS = [
    {"category": "live", "statuses": ["01A", "01B"]},
    {"category": "closed", "statuses": []},
    {"category": "live", "statuses": ["01A", "01A"]},
    {"category": "live", "statuses": "01A"},
]


@pytest.mark.parametrize("news", ORDER_INPUTS, ids=lambda news: repr(news)[:40])
def test_an_order_is_checked_alike_on_both_paths(
    news: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    # The same declaration as the state holds: the check looks nothing up.
    monkeypatch.setattr(deployment, "DEPLOYMENT", deployment.Deployment())
    dynamic_news = {**news, URN: ORDER_URN}
    dynamic = IncidentStatusOrderProvider().check(dynamic_news, dynamic_news)
    monkeypatch.setattr(deployment, "DEPLOYMENT", deployment.Deployment())
    request = CheckRequest(ORDER_URN, _fields(news), _fields(news), b"")
    served = asyncio.run(IncidentProvider().check(request))
    assert [(f.property, f.reason) for f in served.failures or []] == [
        (f.property, f.reason) for f in dynamic.failures
    ]


def _no_connection() -> Any:
    raise AssertionError("checking a change of an existing status sends nothing")


@pytest.mark.parametrize(
    ("old_category", "new_category", "import_id_kept"),
    [("live", "learning", False), ("live", "live", True), ("live", UNKNOWN, True)],
)
def test_an_adopted_status_replaced_by_a_category_change_is_created_not_adopted_again(
    old_category: str, new_category: str, import_id_kept: bool
) -> None:
    # The replacement deletes the adopted status first: adopting its id again could only fail.
    adopted = {**FIXING, "category": old_category, "import_id": "01ADOPTED"}
    declared = {**adopted, "category": new_category}
    reach = Reach(settings.resolve(None, {"INCIDENT_API_KEY": "k"}), _no_connection)
    checked = operations.status.check(reach, adopted, declared)
    assert not checked.failures
    assert ("import_id" in checked.inputs) is import_id_kept
    assert checked.inputs["category"] == new_category
    # A first adoption keeps it, whatever the category.
    assert operations.status.check_inputs(declared).inputs["import_id"] == "01ADOPTED"
