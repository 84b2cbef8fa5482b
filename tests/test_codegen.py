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

from pulumi_incident_statuses.core import stack_state
from pulumi_incident_statuses.core.categories import owned_by_incident_io
from pulumi_incident_statuses.core.stack_state import StackState, from_deployment
from pulumi_incident_statuses.core.wire import IncidentStatusRecord
from pulumi_incident_statuses.dynamic import order as order_module
from pulumi_incident_statuses.dynamic import resource
from pulumi_incident_statuses.plugin import schema
from pulumi_incident_statuses.tools.codegen import generate, slug

STAMP = "2026-01-02T03:04:05.000000Z"


def record(
    name: str,
    *,
    category: str = "live",
    rank: int = 0,
    description: str = "A status.",
    status_id: str | None = None,
    created_at: str = STAMP,
) -> IncidentStatusRecord:
    return IncidentStatusRecord(
        id=status_id or "01J" + hashlib.sha256(f"{name}/{rank}".encode()).hexdigest()[:23],
        name=name,
        description=description,
        category=category,
        rank=rank,
        created_at=created_at,
        updated_at=created_at,
    )


@dataclass
class Declared:
    resource_name: str
    kwargs: dict[str, Any]
    protect: bool = False


@dataclass
class Run:
    declared: list[Declared] = field(default_factory=list)
    orders: list[Declared] = field(default_factory=list)
    exported: dict[str, Any] = field(default_factory=dict)
    namespace: dict[str, Any] = field(default_factory=dict)


def run_program(source: str, *, as_main: bool = True) -> Run:
    """Execute generated source with stand-ins for `pulumi` and the resources, which record."""
    run = Run()

    @dataclass
    class FakeOptions:
        protect: bool = False

    class FakeStatus:
        def __init__(
            self, resource_name: str, opts: FakeOptions | None = None, **kwargs: Any
        ) -> None:
            run.declared.append(Declared(resource_name, kwargs, opts is not None and opts.protect))
            self.id = f"id-of-{resource_name}"

    class FakeOrder:
        def __init__(
            self, resource_name: str, opts: FakeOptions | None = None, **kwargs: Any
        ) -> None:
            run.orders.append(Declared(resource_name, kwargs, opts is not None and opts.protect))

    fake_pulumi = types.ModuleType("pulumi")
    fake_pulumi.export = run.exported.__setitem__  # type: ignore[attr-defined]
    fake_pulumi.ResourceOptions = FakeOptions  # type: ignore[attr-defined]
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


def test_statuses_incident_io_owns_are_left_out_and_named() -> None:
    records = [
        record("Triage", category="triage"),
        record("Fixing", category="live"),
        record("Closed", category="closed", created_at="2021-08-17T13:28:57.801578Z"),
        record("Archived", category="closed", rank=1, created_at="2026-01-02T03:04:05Z"),
        record("Documenting", category="learning"),
        record("On hold", category="some_future_category"),
    ]
    source = generate(records)
    run = run_program(source)
    assert [d.kwargs["name"] for d in run.declared] == ["Fixing", "Documenting", "Archived"]
    docstring = ast.get_docstring(ast.parse(source)) or ""
    assert "incident.io manages them: Closed, On hold, Triage." in " ".join(docstring.split())


def test_incident_io_owns_other_categories_and_the_oldest_closed_status() -> None:
    closed = [
        # A time in another offset and precision: compared as instants, not as text.
        record("Closed", category="closed", rank=5, created_at="2021-08-17T15:28:57.8+02:00"),
        record("Archived", category="closed", rank=0, created_at="2021-08-17T13:28:57.801578Z"),
        record("Won't fix", category="closed", rank=1, created_at="not a time"),
    ]
    others = [
        record("Triage", category="triage"),
        record("Fixing"),
        record("Documenting", category="learning"),
        record("Quarantined", category="quarantined"),
    ]
    owned = owned_by_incident_io([*others, *closed])
    assert owned == {closed[0].id, others[0].id, others[3].id}
    # A single closed status is incident.io's own Closed.
    assert owned_by_incident_io([closed[1]]) == {closed[1].id}
    assert owned_by_incident_io([others[1], others[2]]) == set()


def test_declarations_carry_every_field_and_run_in_lifecycle_order() -> None:
    records = [
        record("Archived", category="closed", rank=3, status_id="01JA"),
        record("Documenting", category="learning", rank=0, status_id="01JD"),
        record("Closed", category="closed", status_id="01JC", created_at="2021-01-01T00:00:00Z"),
        record("Fixing", category="live", rank=5, status_id="01JF"),
        record("Investigating", category="live", rank=1, status_id="01JI"),
    ]
    run = run_program(generate(records))
    assert all(d.protect for d in run.declared)
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
        (
            "archived",
            {
                "name": "Archived",
                "description": "A status.",
                "category": "closed",
                "import_id": "01JA",
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


def test_statuses_are_protected_unless_asked_not_to_and_the_header_says_which() -> None:
    records = [record("Fixing"), record("Documenting", category="learning")]
    protected = generate(records)
    assert all(d.protect for d in run_program(protected).declared)
    assert not any(o.protect for o in run_program(protected).orders)  # deleting one writes nothing
    said = " ".join((ast.get_docstring(ast.parse(protected)) or "").split())
    assert "`pulumi destroy`, or removing a declaration, never deletes it from incident.io" in said
    assert "pulumi state delete --force" in said

    unprotected = generate(records, protect=False)
    assert not any(d.protect for d in run_program(unprotected).declared)
    assert "protect" not in unprotected.split('"""')[-1]
    said = " ".join((ast.get_docstring(ast.parse(unprotected)) or "").split())
    assert (
        "`pulumi destroy`, or removing a declaration and running `pulumi up`, deletes them" in said
    )


def deployment(*resources: dict[str, Any]) -> dict[str, Any]:
    """A deployment as `pulumi stack export` prints it, with the stack's own root resource."""
    root = {"urn": "urn:pulumi:dev::p::pulumi:pulumi:Stack::p-dev", "type": "pulumi:pulumi:Stack"}
    return {"manifest": {}, "resources": [root, *resources]}


def status_resource(name: str, status_id: str) -> dict[str, Any]:
    return {
        "urn": f"urn:pulumi:dev::p::{resource.RESOURCE_TYPE}::{name}",
        "type": resource.RESOURCE_TYPE,
        "id": status_id,
        "inputs": {"name": name, "category": "live"},
        "outputs": {"name": name, "category": "live"},
    }


def order_resource(name: str, category: str, listed: list[str], held: list[str]) -> dict[str, Any]:
    return {
        "urn": f"urn:pulumi:dev::p::{order_module.RESOURCE_TYPE}::{name}",
        "type": order_module.RESOURCE_TYPE,
        "id": name,
        "inputs": {"category": category, "statuses": listed, "order_name": name},
        "outputs": {"category": category, "statuses": held, "declared": listed},
    }


def test_a_stack_state_is_read_from_its_export() -> None:
    state = from_deployment(
        "dev",
        deployment(
            status_resource("fixing", "01JF"),
            status_resource("investigating", "01JI"),
            order_resource("phases", "live", ["01JI", "01JF"], ["01JI", "01JF", "01JX"]),
            {"urn": "urn:pulumi:dev::p::random:index/pet:Pet::monitoring", "type": "random:x"},
        )
        | {"pending_operations": [{"type": "creating", "resource": status_resource("paged", "")}]},
    )
    paged = stack_state.pending_creates(
        {"pending_operations": [{"type": "creating", "resource": status_resource("paged", "")}]}
    )
    assert state == StackState(
        stack="dev",
        status_ids=frozenset({"01JF", "01JI"}),
        resource_names=frozenset({"fixing", "investigating", "phases", "paged"}),
        orders={"live": ("phases",)},
        ordered_ids=frozenset({"01JF", "01JI", "01JX"}),
        holders={
            "01JF": (status_resource("fixing", "01JF")["urn"],),
            "01JI": (status_resource("investigating", "01JI")["urn"],),
        },
        pending=tuple(paged),
    )
    assert [create.resource_name for create in state.pending] == ["paged"]
    assert from_deployment("new", {}) == StackState(stack="new")


def test_statuses_and_orders_of_the_provider_plugin_count_as_the_stacks_too() -> None:
    def through_plugin(made: dict[str, Any], token: str) -> dict[str, Any]:
        name = made["urn"].rsplit("::", 1)[-1]
        return made | {"type": token, "urn": f"urn:pulumi:dev::p::{token}::{name}"}

    state = from_deployment(
        "dev",
        deployment(
            through_plugin(status_resource("fixing", "01JF"), schema.STATUS),
            through_plugin(order_resource("phases", "live", ["01JF"], ["01JF"]), schema.ORDER),
        ),
    )
    assert state.status_ids == frozenset({"01JF"})
    assert state.resource_names == frozenset({"fixing", "phases"})
    assert state.orders == {"live": ("phases",)}


def test_with_a_stack_only_what_it_does_not_manage_is_declared_under_new_names() -> None:
    records = [
        record("Investigating", rank=0, status_id="01JI"),
        record("Fixing", rank=1, status_id="01JF"),
        record("fixing", rank=2, status_id="01JG"),
        record("Monitoring", rank=3, status_id="01JM"),
        record("Documenting", category="learning", rank=0, status_id="01JD"),
        record("Learning order", category="learning", rank=1, status_id="01JL"),
        record("Archived", category="closed", rank=1, status_id="01JA"),
        record("Closed", category="closed", status_id="01JC", created_at="2021-01-01T00:00:00Z"),
    ]
    state = from_deployment(
        "dev",
        deployment(
            status_resource("investigating", "01JI"),
            status_resource("fixing", "01JF"),
            # A resource name the program gave a status of its own, unrelated to its name.
            status_resource("monitoring", "01JZZZ"),
            status_resource("learning-order", "01JY"),
            order_resource("live-order", "live", ["01JI", "01JF"], ["01JI", "01JF"]),
        ),
    )
    source = generate(records, stack=state)
    run = run_program(source, as_main=False)
    assert {d.resource_name: d.kwargs["import_id"] for d in run.declared} == {
        "fixing-2": "01JG",
        "monitoring-2": "01JM",
        "documenting": "01JD",
        "learning-order-2": "01JL",
        "archived": "01JA",
    }
    assert not {d.resource_name for d in run.declared} & state.resource_names
    # live is ordered by the stack's own order: no second one. learning is not: its order is new,
    # under a name no resource of the stack has.
    assert [(o.resource_name, o.kwargs) for o in run.orders] == [
        (
            "learning-order-3",
            {"category": "learning", "statuses": ["id-of-documenting", "id-of-learning-order-2"]},
        )
    ]
    said = " ".join((ast.get_docstring(ast.parse(source)) or "").split())
    assert "extend the stack 'dev': the 2 statuses it manages already are left out" in said
    assert "already orders the category: 'live' (live-order). To order" in said


def test_a_stack_whose_order_lists_a_status_by_plain_id_gets_no_second_order_over_it() -> None:
    records = [record("Documenting", category="learning", status_id="01JD")]
    state = from_deployment(
        "dev", deployment(order_resource("after", "learning", ["01JD"], ["01JD"]))
    )
    run = run_program(generate(records, stack=state))
    assert [d.kwargs["import_id"] for d in run.declared] == ["01JD"]
    assert run.orders == []


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
    owned = owned_by_incident_io(records)
    adoptable = [r for r in records if r.id not in owned]
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
    assert {o.kwargs["category"] for o in run.orders} == {
        r.category for r in adoptable if r.category != "closed"
    }
    assert all(name and name.isascii() for name in resource_names)
    assert all(d.protect for d in run.declared)


def _imported_but_unused(program: str) -> set[str]:
    tree = ast.parse(program)
    imported = {
        alias.asname or alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    }
    used = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}
    return imported - used


def test_a_generated_program_imports_only_what_it_uses() -> None:
    without_orders = generate([record("Archived", category="closed", rank=1)])
    assert _imported_but_unused(without_orders) == set()
    assert "from pulumi_incident_statuses import IncidentStatus\n" in without_orders
    with_an_order = generate([record("Fixing"), record("Archived", category="closed", rank=1)])
    assert _imported_but_unused(with_an_order) == set()
    assert "IncidentStatusOrder(" in with_an_order
