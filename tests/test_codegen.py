"""`generate` on its own: names, literals and shape of the program, with no engine and no HTTP."""

from __future__ import annotations

import ast
import hashlib
import keyword
import sys
import types
from dataclasses import dataclass, field
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pulumi_incident_statuses.categories import is_managed
from pulumi_incident_statuses.codegen import generate, slug
from pulumi_incident_statuses.wire import IncidentStatusRecord

STAMP = "2026-01-02T03:04:05.000000Z"


def record(
    name: str,
    *,
    category: str = "live",
    rank: int = 0,
    description: str = "A status.",
    status_id: str | None = None,
) -> IncidentStatusRecord:
    status_id = status_id or "01J" + hashlib.sha256(f"{name}/{rank}".encode()).hexdigest()[:23]
    return IncidentStatusRecord(status_id, name, description, category, rank, STAMP, STAMP)


@dataclass
class Declared:
    resource_name: str
    kwargs: dict[str, Any]


@dataclass
class Run:
    declared: list[Declared] = field(default_factory=list)
    orders: list[Declared] = field(default_factory=list)
    exported: dict[str, Any] = field(default_factory=dict)
    namespace: dict[str, Any] = field(default_factory=dict)


def run_program(source: str, *, as_main: bool = True) -> Run:
    """Execute generated source with stand-ins for `pulumi` and the resources, which record."""
    run = Run()

    class FakeStatus:
        def __init__(self, resource_name: str, **kwargs: Any) -> None:
            run.declared.append(Declared(resource_name, kwargs))
            self.id = f"id-of-{resource_name}"

    class FakeOrder:
        def __init__(self, resource_name: str, **kwargs: Any) -> None:
            run.orders.append(Declared(resource_name, kwargs))

    fake_pulumi = types.ModuleType("pulumi")
    fake_pulumi.export = run.exported.__setitem__  # type: ignore[attr-defined]
    fake_package = types.ModuleType("pulumi_incident_statuses")
    fake_package.IncidentStatus = FakeStatus  # type: ignore[attr-defined]
    fake_package.IncidentStatusOrder = FakeOrder  # type: ignore[attr-defined]
    run.namespace["__name__"] = "__main__" if as_main else "statuses"
    with pytest.MonkeyPatch.context() as patch:
        patch.setitem(sys.modules, "pulumi", fake_pulumi)
        patch.setitem(sys.modules, "pulumi_incident_statuses", fake_package)
        exec(compile(source, "statuses.py", "exec"), run.namespace)  # noqa: S102
    return run


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Investigating", "investigating"),
        ("Root-cause analysis (RCA)!", "root_cause_analysis_rca"),
        ("Évaluation 調査", "evaluation"),
        ("調査中", ""),
        ("Straße & Œuvre", "strasse_oeuvre"),
        ("ﬁxing", "fixing"),
        ("  --  ", ""),
        ("x" * 80, "x" * 48),
    ],
)
def test_slug(name: str, expected: str) -> None:
    assert slug(name) == expected


def test_only_live_and_learning_are_declared() -> None:
    records = [
        record("Triage", category="triage"),
        record("Fixing", category="live"),
        record("Closed", category="closed"),
        record("Documenting", category="learning"),
        record("On hold", category="some_future_category"),
    ]
    source = generate(records)
    run = run_program(source)
    assert [d.kwargs["name"] for d in run.declared] == ["Fixing", "Documenting"]
    assert [is_managed(r.category) for r in records] == [True, False, True, False, True]
    docstring = ast.get_docstring(ast.parse(source)) or ""
    assert "incident.io manages them: Closed, On hold, Triage." in " ".join(docstring.split())


def test_declarations_carry_every_field_and_run_in_lifecycle_order() -> None:
    records = [
        record("Documenting", category="learning", rank=0, status_id="01JD"),
        record("Fixing", category="live", rank=5, status_id="01JF"),
        record("Investigating", category="live", rank=1, status_id="01JI"),
    ]
    run = run_program(generate(records))
    assert [(d.resource_name, d.kwargs) for d in run.declared] == [
        (
            "investigating",
            {
                "name": "Investigating",
                "description": "A status.",
                "category": "live",
                "import_id": "01JI",
            },
        ),
        (
            "fixing",
            {
                "name": "Fixing",
                "description": "A status.",
                "category": "live",
                "import_id": "01JF",
            },
        ),
        (
            "documenting",
            {
                "name": "Documenting",
                "description": "A status.",
                "category": "learning",
                "import_id": "01JD",
            },
        ),
    ]
    # The order of each category is one resource listing it top first, not a rank per status.
    assert [(o.resource_name, o.kwargs) for o in run.orders] == [
        (
            "live-order",
            {"category": "live", "statuses": ["id-of-investigating", "id-of-fixing"]},
        ),
        ("learning-order", {"category": "learning", "statuses": ["id-of-documenting"]}),
    ]


def test_as_a_program_it_exports_ids_and_as_a_module_it_only_declares() -> None:
    source = generate([record("Fixing"), record("Documenting", category="learning")])
    main = run_program(source, as_main=True)
    assert main.exported == {"fixing": "id-of-fixing", "documenting": "id-of-documenting"}

    module = run_program(source, as_main=False)
    assert module.exported == {}
    assert sorted(module.namespace["statuses"]) == ["documenting", "fixing"]
    assert module.namespace["statuses"]["fixing"] is module.namespace["fixing"]


def test_collisions_keywords_digits_and_unsluggable_names() -> None:
    records = [
        record("fixing", rank=3, status_id="01JAAA"),
        record("Fixing", rank=1, status_id="01JBBB"),
        record("FIXING!", rank=2, status_id="01JCCC"),
        record("Fixing 2", category="learning", rank=0, status_id="01JDDD"),
        record("Pass", category="learning", rank=1, status_id="01JEEE"),
        record("24h watch", category="learning", rank=2, status_id="01JFFF"),
        record("調査中", category="learning", rank=3, status_id="01J0Q9XYZABC"),
        record("Statuses", category="learning", rank=4, status_id="01JGGG"),
    ]
    source = generate(records)
    run = run_program(source)
    names = {d.kwargs["name"]: d.resource_name for d in run.declared}
    assert names == {
        "Fixing": "fixing",
        "FIXING!": "fixing-2",
        "fixing": "fixing-3",
        "Fixing 2": "fixing-2-2",
        "Pass": "pass",
        "24h watch": "status-24h-watch",
        "調査中": "status-xyzabc",
        "Statuses": "statuses",
    }
    assigned = [
        node.targets[0].id
        for node in ast.parse(source).body
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name)
    ]
    assert "pass_" in assigned and "statuses_" in assigned and "status_24h_watch" in assigned
    for variable in assigned:
        assert variable.isidentifier() and not keyword.iskeyword(variable)
    assert len(set(assigned)) == len(assigned)


def test_output_is_deterministic_whatever_the_input_order() -> None:
    records = [
        record("Fixing", rank=1),
        record("fixing", rank=2),
        record("Documenting", category="learning"),
        record("Triage", category="triage"),
        record("Closed", category="closed"),
    ]
    assert generate(records) == generate(list(reversed(records))) == generate(iter(records))


def test_markdown_quotes_newlines_and_non_ascii_round_trip() -> None:
    tricky = [
        record(
            "Évaluation 調査",
            description="Impact **fully mitigated**\n\n- `step` one\r\n- \"two\" 'three'\\n",
        ),
        record('Name with """ and \\', category="learning", description="tab\there\x00\u2028end"),
        record("Ends with newline", category="learning", rank=1, description="line\n"),
    ]
    source = generate(tricky, endpoint='https://example.test/"""\\')
    assert ast.get_docstring(ast.parse(source)) is not None
    run = run_program(source)
    assert {(d.kwargs["name"], d.kwargs["description"]) for d in run.declared} == {
        (r.name, r.description) for r in tricky
    }


def test_an_organisation_without_configurable_statuses_gives_an_empty_program() -> None:
    run = run_program(generate([record("Triage", category="triage")]))
    assert run.declared == []
    assert run.namespace["statuses"] == {}


texts = st.text(min_size=1, max_size=40)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(texts, texts, st.sampled_from(["live", "learning", "triage", "closed"])),
        max_size=8,
        unique_by=lambda spec: spec[0],
    )
)
def test_any_names_give_a_valid_program_with_exact_values(
    specs: list[tuple[str, str, str]],
) -> None:
    records = [
        record(name, description=description, category=category, rank=rank)
        for rank, (name, description, category) in enumerate(specs)
    ]
    source = generate(records)
    run = run_program(source)
    adoptable = [r for r in records if not is_managed(r.category)]
    assert sorted((d.kwargs["name"], d.kwargs["description"]) for d in run.declared) == sorted(
        (r.name, r.description) for r in adoptable
    )
    resource_names = [d.resource_name for d in run.declared]
    assert len(set(resource_names)) == len(resource_names)
    for order in run.orders:
        listed = [r for r in adoptable if r.category == order.kwargs["category"]]
        assert order.kwargs["statuses"] == [
            f"id-of-{d.resource_name}"
            for d in run.declared
            if d.kwargs["category"] == order.kwargs["category"]
        ]
        assert len(order.kwargs["statuses"]) == len(listed)
    assert {o.kwargs["category"] for o in run.orders} == {r.category for r in adoptable}
    assert all(name and name.isascii() for name in resource_names)
