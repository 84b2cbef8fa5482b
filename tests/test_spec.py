"""Each resource is declared once (`spec`); what every way in sees follows from there."""

from __future__ import annotations

import dataclasses
import importlib.util
import inspect
import sys
import typing
from pathlib import Path

from pulumi_incident_statuses.core import spec
from pulumi_incident_statuses.core.operations import order as order_operations
from pulumi_incident_statuses.core.operations import status as status_operations
from pulumi_incident_statuses.core.spec import Door
from pulumi_incident_statuses.dynamic import declared
from pulumi_incident_statuses.plugin import schema

ROOT = Path(__file__).resolve().parents[1]


def _declare_script() -> typing.Any:
    found = importlib.util.spec_from_file_location("declare", ROOT / "scripts" / "declare.py")
    assert found is not None and found.loader is not None
    module = importlib.util.module_from_spec(found)
    found.loader.exec_module(module)
    return module


def test_the_python_classes_are_the_ones_the_declarations_write() -> None:
    text = Path(declared.__file__).read_text(encoding="utf-8")
    assert text == _declare_script().source(), "run `make declare`"


def test_every_way_in_has_the_declared_fields() -> None:
    for resource, operations in ((spec.STATUS, status_operations), (spec.ORDER, order_operations)):
        assert operations.INPUTS == resource.inputs()
        assert operations.OUTPUTS == resource.outputs()
        served = schema.schema()["resources"][f"incident-statuses:index:{resource.name}"]
        assert list(served["properties"]) == [f.wire for f in resource.on(Door.PLUGIN)]
        assert list(served["inputProperties"]) == [
            f.wire for f in resource.on(Door.PLUGIN) if f.input
        ]
        assert served.get("replaceOnChanges", []) == [spec.camel(n) for n in resource.replacing()]
        python = getattr(declared, resource.name)
        assert list(python.__annotations__) == list(resource.outputs())
        parameters = inspect.signature(python).parameters.values()
        keywords = [p.name for p in parameters if p.kind is p.KEYWORD_ONLY]
        assert keywords == list(resource.inputs())
    args = [f.name for f in dataclasses.fields(declared.IncidentStatusArgs)]
    assert args == list(spec.STATUS.inputs())
    assert {f.wire for f in spec.CONFIG.fields} == set(schema.schema()["config"]["variables"])
    assert schema.schema()["config"]["variables"]["apiKey"]["secret"] is True


def test_a_field_added_to_a_declaration_reaches_every_way_in() -> None:
    grown = dataclasses.replace(
        spec.STATUS,
        fields=(*spec.STATUS.fields, spec.Field("owner", spec.Kind.STRING, "Who.", input=True)),
    )
    assert grown.inputs()[-1] == "owner" and grown.outputs(Door.PLUGIN)[-1] == "owner"
    module = _declare_script()
    original = module.spec.STATUS
    try:
        module.spec.STATUS = grown
        written = module.source()
    finally:
        module.spec.STATUS = original
    assert "    owner: pulumi.Input[str] | None = None\n" in written
    assert "        owner: pulumi.Input[str] | None = None,\n" in written
    assert sys.modules["pulumi_incident_statuses.core.spec"].STATUS is original
