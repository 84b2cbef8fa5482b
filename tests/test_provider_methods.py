"""The providers' methods called directly against the emulator, without the engine.

The engine tests prove the whole path; these check what each method does in a second or two, so
a change to the provider is tried here first.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from pulumi.provider.experimental.property_value import PropertyValue
from pulumi.provider.experimental.provider import CheckRequest

from incident_statuses_emulator.process import DEFAULT_API_KEY, EmulatorProcess
from incident_statuses_harness.engine import configurable, server_statuses
from incident_statuses_harness.organisation import edit, seed
from pulumi_incident_statuses.core import connection, deployment, engine_log, stack_state
from pulumi_incident_statuses.core.advice import Remedy
from pulumi_incident_statuses.core.deployment import FileLedger
from pulumi_incident_statuses.core.errors import (
    APIConnectionError,
    AuthenticationError,
    MissingAPIKeyError,
    StatusConflictError,
    StatusOrderError,
)
from pulumi_incident_statuses.core.inputs import UNKNOWN
from pulumi_incident_statuses.core.stack_state import PendingCreate, StackState
from pulumi_incident_statuses.core.tokens import DYNAMIC_ORDER, DYNAMIC_STATUS, STATUS
from pulumi_incident_statuses.dynamic.order import IncidentStatusOrderProvider
from pulumi_incident_statuses.dynamic.provider_base import URN
from pulumi_incident_statuses.dynamic.resource import IncidentStatusProvider
from pulumi_incident_statuses.plugin.provider import IncidentProvider

STACK = "urn:pulumi:dev::my-statuses::"


@pytest.fixture
def provider(emulator: EmulatorProcess, monkeypatch: pytest.MonkeyPatch) -> IncidentStatusProvider:
    """A provider configured from the environment, in a provider process of its own."""
    monkeypatch.setenv("INCIDENT_API_KEY", DEFAULT_API_KEY)
    monkeypatch.setenv("INCIDENT_ENDPOINT", emulator.url)
    # A fresh process: no connection, snapshot or intent carried over from another test.
    monkeypatch.setattr(connection, "CONNECTIONS", connection.Connections())
    monkeypatch.setattr(deployment, "DEPLOYMENT", deployment.Deployment())
    return IncidentStatusProvider()


def declared(**overrides: Any) -> dict[str, Any]:
    """Inputs as `check` passes them on."""
    props = {"name": "Fixing", "description": "A fix is under way.", "category": "live"}
    return {**props, **overrides}


def as_resource(name: str, props: dict[str, Any], kind: str = DYNAMIC_STATUS) -> dict[str, Any]:
    """``props`` as the program declares them for the resource ``name``: with its URN."""
    return {**props, URN: f"{STACK}{kind}::{name}"}


def ordered(name: str, statuses: list[str]) -> dict[str, Any]:
    """An order's inputs as the program declares them."""
    return as_resource(name, {"category": "live", "statuses": statuses}, DYNAMIC_ORDER)


def writes(emulator: EmulatorProcess) -> int:
    counted: int = emulator.stats()["writes"]
    return counted


def test_check_normalises_and_names_the_field(provider: IncidentStatusProvider) -> None:
    assert provider.check({}, declared(rank=3.0)).inputs["rank"] == 3
    failures = provider.check({}, declared(category="triage", name="")).failures
    assert [f.property for f in failures] == ["name", "category"]


def test_create_read_update_delete(
    provider: IncidentStatusProvider, emulator: EmulatorProcess
) -> None:
    created = provider.create(declared(rank=4))
    assert created.outs is not None
    assert created.outs["rank"] == 4 and created.outs["import_id"] is None
    assert configurable(emulator.url)["Fixing"]["id"] == created.id

    read = provider.read(created.id, created.outs)
    assert (read.id, read.outs) == (created.id, created.outs)
    assert read.inputs == {**declared(), "rank": 4}

    news = declared(description="Being fixed.")
    updated = provider.update(created.id, created.outs, news)
    assert updated.outs is not None and updated.outs["description"] == "Being fixed."
    assert configurable(emulator.url)["Fixing"]["description"] == "Being fixed."

    provider.delete(created.id, updated.outs)
    provider.delete(created.id, updated.outs)  # already gone: counts as deleted
    assert "Fixing" not in configurable(emulator.url)
    assert provider.read(created.id, updated.outs).id == ""


def test_diff_compares_declared_fields_only(provider: IncidentStatusProvider) -> None:
    olds = {**declared(), "rank": 2, "created_at": "x", "updated_at": "y", "import_id": None}

    assert not provider.diff("id", olds, declared()).changes  # rank unset: never fought
    assert not provider.diff("id", olds, declared(rank=2.0)).changes
    assert provider.diff("id", olds, declared(rank=5)).changes
    assert provider.diff("id", olds, declared(rank=UNKNOWN)).changes
    assert provider.diff("id", olds, declared(description=UNKNOWN)).changes
    replaced = provider.diff("id", olds, declared(category="learning"))
    assert replaced.replaces == ["category"] and replaced.delete_before_replace


def test_a_name_held_by_a_status_not_made_here_is_never_taken(
    provider: IncidentStatusProvider, emulator: EmulatorProcess
) -> None:
    holder = seed(emulator.url, (declared(),))["Fixing"]
    before = writes(emulator)

    with pytest.raises(StatusConflictError) as raised:
        provider.create(declared())

    assert raised.value.holder_id == holder["id"]
    assert holder["id"] in str(raised.value) and "import_id" in str(raised.value)
    assert writes(emulator) == before + 1  # the refused POST; the holder is not written
    assert configurable(emulator.url)["Fixing"] == holder


def test_adopt_writes_only_what_differs(
    provider: IncidentStatusProvider, emulator: EmulatorProcess
) -> None:
    held = seed(emulator.url, (declared(),))["Fixing"]
    before = writes(emulator)

    same = provider.create(declared(import_id=held["id"]))
    assert same.id == held["id"] and writes(emulator) == before
    assert same.outs is not None and same.outs["import_id"] == held["id"]

    edit(emulator.url, held["id"], name="Fixing", description="Changed in the dashboard.")
    adopted = provider.create(declared(import_id=held["id"]))
    assert adopted.id == held["id"] and writes(emulator) == before + 2  # the edit, one PUT
    assert configurable(emulator.url)["Fixing"]["description"] == "A fix is under way."


def test_adopt_refuses_a_missing_id_or_another_category(
    provider: IncidentStatusProvider, emulator: EmulatorProcess
) -> None:
    held = seed(emulator.url, (declared(),))["Fixing"]

    with pytest.raises(StatusConflictError, match="no incident status with id"):
        provider.create(declared(import_id="01NOSUCHSTATUS0000000000000"))
    with pytest.raises(StatusConflictError, match="its category is 'live'") as raised:
        provider.create(declared(category="learning", import_id=held["id"]))
    assert raised.value.holder_id == held["id"]


def test_an_order_puts_its_statuses_in_the_listed_order(
    provider: IncidentStatusProvider, emulator: EmulatorProcess
) -> None:
    order = IncidentStatusOrderProvider()
    made = [
        provider.create(declared(name=name, description=f"{name}.")).id
        for name in ("One", "Two", "Three")
    ]
    props = ordered("live-order", made[::-1])

    assert not order.check({}, props).failures
    created = order.create(props)
    assert created.outs is not None and created.outs["statuses"] == made[::-1]
    live = sorted(
        (s for s in server_statuses(emulator.url) if s["id"] in made), key=lambda s: s["rank"]
    )
    assert [s["id"] for s in live] == made[::-1]

    read = order.read(created.id, created.outs)
    assert read.outs is not None and read.outs["statuses"] == made[::-1]
    assert order.diff(created.id, created.outs, {**props, "statuses": made}).changes
    bad = order.check({}, {**props, "statuses": [*made, "01NOSUCHSTATUS0000000000000"]})
    assert [f.property for f in bad.failures] == ["statuses"]


def test_two_orders_of_one_deployment_may_not_list_one_status(
    provider: IncidentStatusProvider,
) -> None:
    order = IncidentStatusOrderProvider()
    shared = provider.create(declared()).id
    first = ordered("first", [shared])

    assert not order.check({}, first).failures
    assert not order.check(first, first).failures  # the same order again is no clash
    other = order.check({}, ordered("second", [shared])).failures
    assert [f.reason for f in other] == [
        f"statuses: {shared!r} is also listed by the IncidentStatusOrder 'first'; a status may "
        "be in one order only, or the two move it back and forth"
    ]
    # Orders are told apart by URN: one of the same name under another parent is another order.
    nested = {**first, URN: f"{STACK}my:Team${DYNAMIC_ORDER}::first"}
    clash = order.check({}, nested).failures
    assert [f.reason for f in clash] == [
        f"statuses: {shared!r} is also listed by the IncidentStatusOrder 'first' "
        f"({first[URN]}); a status may be in one order only, or the two move it back and forth"
    ]


def test_an_order_moved_again_after_its_put_back_fails_writing_nothing(
    provider: IncidentStatusProvider, emulator: EmulatorProcess
) -> None:
    # What `pulumi up --refresh` calls: read (the refresh), then update when the order moved.
    order = IncidentStatusOrderProvider()
    made = [provider.create(declared(name=name, description=".")).id for name in ("A", "B")]
    props = ordered("mine", made)
    created = order.create(props)
    assert created.outs is not None

    def move_by_hand() -> None:
        """Someone else puts A below B (a dashboard edit or another stack's order)."""
        ranks = [s["rank"] for s in server_statuses(emulator.url)]
        edit(emulator.url, made[0], name="A", description=".", rank=max(ranks) + 1)

    def refresh(outs: dict[str, Any]) -> dict[str, Any]:
        connection.CONNECTIONS.connect(connection.CONNECTIONS.settings_for(order)).invalidate()
        read = order.read(created.id, outs)
        assert read.outs is not None
        return dict(read.outs)

    # A move found by a refresh is drift: put back, once.
    move_by_hand()
    drifted = refresh(created.outs)
    assert drifted["moved_outside"] and drifted["statuses"] == made[::-1]
    put_back = order.update(created.id, drifted, props).outs
    assert put_back is not None and put_back["restores"] == 1
    # A refresh that finds the order intact forgets it, so a later edit is drift again.
    intact = refresh(put_back)
    assert not intact["moved_outside"] and intact["restores"] == 0
    move_by_hand()
    again = order.update(created.id, refresh(intact), props).outs
    assert again is not None and again["restores"] == 1
    # Moved again right after a put-back: two orders fighting. Fails, names them, writes nothing.
    move_by_hand()
    fought = refresh(again)
    before = writes(emulator)
    with pytest.raises(StatusOrderError, match="out of its order again") as raised:
        order.update(created.id, fought, props)
    assert f"'A' ({made[0]})" in str(raised.value) and "--replace" in str(raised.value)
    assert writes(emulator) == before
    # A change of the declaration is the user's decision, never a fight.
    swapped = order.update(created.id, fought, {**props, "statuses": made[::-1]}).outs
    assert swapped is not None and swapped["restores"] == 0


def test_check_of_a_new_status_fails_on_a_name_held_outside_the_stack(
    provider: IncidentStatusProvider, emulator: EmulatorProcess
) -> None:
    held = seed(emulator.url, ({"name": "Fixing", "description": "By hand", "category": "live"},))
    holder = held["Fixing"]["id"]
    before = emulator.stats()

    with pytest.raises(StatusConflictError) as caught:
        provider.check({}, declared())
    assert f"import_id={holder!r}" in str(caught.value)
    assert "incident-statuses recover" not in str(caught.value)
    # Exactly the declared content, but no interrupted run of this stack left a create pending
    # (nothing tells of one here): still not `recover`, which would find nothing.
    with pytest.raises(StatusConflictError) as caught:
        provider.check({}, declared(description="By hand"))
    assert "recover" not in str(caught.value) and f"import_id={holder!r}" in str(caught.value)
    # Other new statuses, adopted ones, and statuses the stack has already: no more requests.
    for n in range(5):
        assert not provider.check({}, declared(name=f"Status {n}")).failures
    assert not provider.check({}, declared(import_id=holder)).failures
    assert not provider.check(declared(), declared()).failures

    after = emulator.stats()
    assert after["total"] - before["total"] == 1, "one list for every check of the process"
    assert after["writes"] == before["writes"]


def test_check_of_a_new_status_with_a_refused_key_fails_once_listed(
    provider: IncidentStatusProvider, emulator: EmulatorProcess, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("INCIDENT_API_KEY", "not-the-key")
    before = emulator.stats()["total"]
    for name in ("Fixing", "Mending"):
        with pytest.raises(AuthenticationError) as caught:
            provider.check({}, declared(name=name))
        assert str(caught.value).endswith(
            "check the API key in the environment variable INCIDENT_API_KEY"
        )
    assert emulator.stats()["total"] - before == 1


def test_check_without_a_key_fails_where_up_would_and_sends_nothing(
    provider: IncidentStatusProvider, emulator: EmulatorProcess, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("INCIDENT_API_KEY")
    seed(emulator.url, ({"name": "Fixing", "description": "By hand", "category": "live"},))
    before = emulator.stats()["total"]
    order = IncidentStatusOrderProvider()
    # A create or an update would need the key: the preview fails with what `up` says.
    for olds, news in (({}, declared()), (declared(), declared(description="Changed."))):
        with pytest.raises(MissingAPIKeyError, match=r"no incident\.io API key: set it"):
            provider.check(olds, news)
    with pytest.raises(MissingAPIKeyError):
        order.check({}, ordered("live-order", ["01A"]))
    # Nothing to write, nothing needed.
    assert not provider.check(declared(), declared()).failures
    assert not order.check(ordered("o", ["01B"]), ordered("o", ["01B"])).failures
    assert emulator.stats()["total"] == before


def test_read_returns_the_inputs_the_program_declared(
    provider: IncidentStatusProvider, emulator: EmulatorProcess
) -> None:
    unranked = provider.create(declared())
    ranked = provider.create(declared(name="Mending", rank=7))
    assert unranked.outs is not None and ranked.outs is not None
    edit(emulator.url, unranked.id, name="Fixing", description="Edited in the dashboard")

    read = provider.read(unranked.id, unranked.outs)
    assert read.inputs == declared(description="Edited in the dashboard")
    assert read.outs is not None and read.outs["rank"] == unranked.outs["rank"]
    assert provider.read(ranked.id, ranked.outs).inputs == declared(name="Mending", rank=7)
    # State written before the outputs said whether a rank is declared: none is assumed.
    legacy = {k: v for k, v in unranked.outs.items() if k != "rank_declared"}
    assert "rank" not in (provider.read(unranked.id, legacy).inputs or {})


def test_a_preview_of_an_order_and_new_statuses_lists_once(
    provider: IncidentStatusProvider, emulator: EmulatorProcess
) -> None:
    existing = seed(emulator.url, ({"name": "Kept", "description": ".", "category": "live"},))
    order = ordered("live-order", [existing["Kept"]["id"]])
    before = emulator.stats()["total"]
    assert not IncidentStatusOrderProvider().check({}, order).failures
    assert not provider.check({}, declared()).failures
    assert not provider.check({}, declared(name="Mending")).failures
    assert emulator.stats()["total"] - before == 1


def test_check_goes_on_with_a_warning_only_when_incident_io_may_answer_next_time(
    provider: IncidentStatusProvider, monkeypatch: pytest.MonkeyPatch
) -> None:
    said: list[str] = []
    monkeypatch.setattr(engine_log, "warn", lambda message, urn=None: said.append(message))

    def answered(unreachable: bool) -> Any:
        def list_(_connection: Any) -> None:
            raise APIConnectionError(
                method="GET", path="/v1/incident_statuses", reason="r", unreachable=unreachable
            )

        return list_

    # A connection made and dropped: the name is checked again before the create writes.
    monkeypatch.setattr(connection.Connection, "first_list", answered(False))
    assert not provider.check({}, declared()).failures
    assert said and said[0].startswith("could not check that no status already holds the name")
    # Nothing answers at the endpoint at all: `up` would fail the same way, so the preview does.
    monkeypatch.setattr(connection.Connection, "first_list", answered(True))
    with pytest.raises(APIConnectionError):
        provider.check({}, declared(name="Mending"))


def test_two_resources_declaring_one_name_fail_at_check_across_both_ways_in(
    provider: IncidentStatusProvider, emulator: EmulatorProcess, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The dynamic resources and the plugin run in two provider processes; one deployment's
    # ledger is shared through files.
    monkeypatch.setattr(deployment, "DEPLOYMENT", deployment.Deployment(FileLedger(tmp_path)))
    before = emulator.stats()
    assert not provider.check({}, as_resource("fixing", declared())).failures
    plugin = IncidentProvider()
    fields = {key: PropertyValue(value) for key, value in declared().items()}
    urn = f"{STACK}{STATUS}::mending"
    served = asyncio.run(plugin.check(CheckRequest(urn, {}, fields, b"")))
    assert [(f.property, f.reason) for f in served.failures or []] == [
        (
            "name",
            "name: 'Fixing' is also declared by 'fixing' in this stack; names are unique in an "
            "organisation, so one status would have two owners. Choose another name for one of "
            "them",
        )
    ]
    # And the other way round, naming the plugin's resource.
    again = provider.check({}, as_resource("fixing", declared())).failures
    assert [f.reason.split(" in this stack")[0] for f in again] == [
        "name: 'Fixing' is also declared by 'mending'"
    ]
    assert emulator.stats()["writes"] == before["writes"]


def test_a_status_another_resource_of_the_deployment_keeps_is_never_deleted(
    provider: IncidentStatusProvider, emulator: EmulatorProcess,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    said: list[str] = []
    monkeypatch.setattr(engine_log, "warn", lambda message, urn=None: said.append(message))
    old = as_resource("watching", declared(name="Watching the fix"))
    made = provider.create(old)
    assert made.outs is not None
    # The program renamed `watching` to `watching-fix` and adopted the status again by id:
    # the engine creates (adopts) the new resource, then deletes the old one.
    renamed = as_resource("watching-fix", declared(name="Watching the fix", import_id=made.id))
    adopted = provider.create(renamed)
    assert adopted.id == made.id
    before = writes(emulator)
    provider.delete(made.id, made.outs)
    assert writes(emulator) == before, "the old resource leaves the state; nothing is written"
    assert configurable(emulator.url)["Watching the fix"]["id"] == made.id
    assert said == [
        f"incident status {made.id} was not deleted: the resource 'watching-fix' of this stack "
        "holds it. 'watching' leaves the state and nothing was written"
    ]
    # A later destroy (another deployment): its own resource deletes it.
    assert adopted.outs is not None
    provider_with_deployment().delete(made.id, adopted.outs)
    assert "Watching the fix" not in configurable(emulator.url)


def test_a_status_kept_by_a_resource_of_the_program_is_not_deleted_by_another(
    provider: IncidentStatusProvider, emulator: EmulatorProcess
) -> None:
    made = provider.create(as_resource("watching", declared()))
    assert made.outs is not None
    # A later run: `watching-fix` (which adopted it earlier) stays, `watching` goes.
    kept = {**made.outs, URN: f"{STACK}{DYNAMIC_STATUS}::watching-fix"}
    assert not provider.diff(made.id, kept, as_resource("watching-fix", declared())).changes
    provider.delete(made.id, made.outs)
    assert configurable(emulator.url)["Fixing"]["id"] == made.id
    # A replacement (the category changes) deletes its own status.
    moved = as_resource("watching-fix", declared(category="closed"))
    replaced = provider_with_deployment().diff(made.id, kept, moved)
    assert replaced.replaces == ["category"]
    IncidentStatusProvider().delete(made.id, kept)
    assert "Fixing" not in configurable(emulator.url)


def provider_with_deployment() -> IncidentStatusProvider:
    """A provider of a new deployment (the same process, its records forgotten; the fixture
    puts the process's own back after the test)."""
    deployment.DEPLOYMENT = deployment.Deployment()
    return IncidentStatusProvider()


def test_renaming_into_a_name_held_outside_the_stack_fails_at_check(
    provider: IncidentStatusProvider, emulator: EmulatorProcess, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(stack_state, "view", lambda stack, project: StackState(stack))
    theirs = seed(emulator.url, ({"name": "Theirs", "description": ".", "category": "live"},))
    ours = as_resource("ours", declared())
    with pytest.raises(StatusConflictError) as caught:
        provider.check(ours, {**ours, "name": "Theirs"})
    assert str(caught.value) == (
        f"cannot rename incident status to 'Theirs': the status {theirs['Theirs']['id']} (live) "
        "holds that name and this stack does not manage it. Choose another name, or rename that "
        "status first (nothing was written)"
    )
    # Held by a status of this stack: a swap or a chain that `update` settles.
    monkeypatch.setattr(
        stack_state,
        "view",
        lambda stack, project: StackState(
            stack, holders={theirs["Theirs"]["id"]: (f"{STACK}{DYNAMIC_STATUS}::theirs",)}
        ),
    )
    assert not provider.check(ours, {**ours, "name": "Theirs"}).failures


def test_a_name_held_by_the_stacks_own_resource_says_to_rename_it_not_to_adopt_it(
    provider: IncidentStatusProvider, emulator: EmulatorProcess, monkeypatch: pytest.MonkeyPatch
) -> None:
    held = seed(emulator.url, (declared(),))["Fixing"]["id"]
    old = f"{STACK}{DYNAMIC_STATUS}::watching"
    monkeypatch.setattr(
        stack_state, "view", lambda stack, project: StackState(stack, holders={held: (old,)})
    )
    before = emulator.stats()
    with pytest.raises(StatusConflictError) as caught:
        provider.check({}, as_resource("watching-fix", declared()))
    said = str(caught.value)
    assert caught.value.remedy is Remedy.RENAME and caught.value.holder.resource_urn == old
    assert "It belongs to this stack's resource 'watching'" in said
    assert 'aliases=[pulumi.Alias(name="watching")]' in said
    assert "import_id" not in said and "recover" not in said
    # A create of a killed run, pending in the stack's checkpoint, with this content: recover.
    fixing = f"{STACK}{DYNAMIC_STATUS}::fixing"
    pending = PendingCreate(fixing, "Fixing", declared()["description"], "live", None)
    monkeypatch.setattr(
        stack_state, "view", lambda stack, project: StackState(stack, pending=(pending,))
    )
    with pytest.raises(StatusConflictError) as caught:
        provider_with_deployment().check({}, as_resource("fixing", declared()))
    assert caught.value.remedy is Remedy.RECOVER
    assert "incident-statuses recover" in str(caught.value)
    assert emulator.stats()["writes"] == before["writes"]


def test_a_refresh_right_after_an_order_moved_a_status_finds_nothing_changed(
    provider: IncidentStatusProvider, emulator: EmulatorProcess
) -> None:
    made = provider.create(as_resource("fixing", declared()))
    assert made.outs is not None
    # An order moves it (a PUT of its rank): rank and updated_at change, nothing declared does.
    edit(emulator.url, made.id, name="Fixing", description="A fix is under way.", rank=500)
    connection.CONNECTIONS.connect(connection.CONNECTIONS.settings_for(provider)).invalidate()
    assert provider.read(made.id, made.outs).outs == made.outs
    # A declared field edited in the dashboard is drift, shown with everything that moved.
    edit(emulator.url, made.id, name="Fixing", description="Edited.", rank=500)
    connection.CONNECTIONS.connect(connection.CONNECTIONS.settings_for(provider)).invalidate()
    drifted = provider.read(made.id, made.outs).outs
    assert drifted is not None and (drifted["description"], drifted["rank"]) == ("Edited.", 500)
    assert drifted["updated_at"] != made.outs["updated_at"]


# Each bad input as a program declares it: the check names the field and says what is wrong, at
# preview (the engine shows it, message first: test_errors_engine.py).
BAD_INPUTS: list[tuple[dict[str, Any], str, str]] = [
    ({"name": "", "description": "d", "category": "live"}, "name", "must not be empty"),
    ({"name": "A", "description": "d", "category": "triage"}, "category", "managed by incident.io"),
    ({"name": "A", "description": "d", "category": "open"}, "category", "must be one of"),
    ({"name": "A", "description": "d", "category": "live", "rank": 1_000_000}, "rank", "between 0"),
    ({"name": "A", "description": "d", "category": "live", "rank": 1.5}, "rank", "whole number"),
]


@pytest.mark.parametrize(("news", "field", "reason"), BAD_INPUTS)
def test_a_bad_input_fails_the_check_naming_its_field_and_sends_nothing(
    provider: IncidentStatusProvider,
    emulator: EmulatorProcess,
    news: dict[str, Any],
    field: str,
    reason: str,
) -> None:
    before = emulator.stats()["total"]
    [failure] = provider.check({}, as_resource("bad", news)).failures
    assert failure.property == field and failure.reason.startswith(f"{field}: ")
    assert reason in failure.reason
    assert emulator.stats()["total"] == before


def test_each_mistake_in_an_order_fails_its_check_naming_the_field(
    provider: IncidentStatusProvider, emulator: EmulatorProcess
) -> None:
    ours, theirs = (
        provider.create(declared(name=n, description=".")).id for n in ("Ours", "Theirs")
    )
    learning = provider.create(declared(name="Afterwards", category="learning")).id
    order = IncidentStatusOrderProvider()

    def reasons(category: str, statuses: list[str]) -> str:
        news = {**ordered("live-order", statuses), "category": category}
        return " | ".join(f.reason for f in order.check({}, news).failures)

    assert reasons("closed", [ours]).startswith("category: must be one of live, learning")
    duplicated = reasons("live", [ours, theirs, ours])
    assert duplicated.startswith("statuses: [2]") and "listed at [0]" in duplicated
    missing = reasons("live", [ours, "01NOSUCHSTATUS0000000000000"])
    assert missing.startswith("statuses: [1] no incident status has id '01NOSUCHSTATUS")
    wrong = reasons("live", [ours, learning])
    assert "'Afterwards'" in wrong and "'learning' status" in wrong
    assert emulator.stats()["writes"] == 3


def test_every_kind_of_change_of_an_order_lands_in_one_update_touching_nothing_else(
    provider: IncidentStatusProvider, emulator: EmulatorProcess
) -> None:
    hand_made = seed(emulator.url, (declared(name="Hand-made", description="Mine."),))
    made = {n: provider.create(declared(name=n, description=".")).id for n in "ABCDE"}
    order = IncidentStatusOrderProvider()

    def live() -> list[str]:
        held = sorted(server_statuses(emulator.url), key=lambda s: s["rank"])
        return [s["name"] for s in held if s["category"] == "live" and s["name"] in made]

    props = ordered("live-order", [made[n] for n in "DBA"])
    outs = order.create(props).outs
    assert (outs is not None and live()[:3] == list("DBA")) or live().index("D") < live().index("B")
    # An insert, a swap, a reversal, a removal: each one update, the list then holds.
    for names in ("DEBA", "DEAB", "BAED", "BED"):
        news = ordered("live-order", [made[n] for n in names])
        outs = order.update("id", outs, news).outs
        assert outs is not None
        listed = [n for n in live() if n in names]
        assert listed == list(names), names
        assert configurable(emulator.url)["Hand-made"] == hand_made["Hand-made"]
