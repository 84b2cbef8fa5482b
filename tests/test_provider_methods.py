"""The providers' methods called directly against the emulator, without the engine.

The engine tests prove the whole path; these check what each method does in a second or two, so
a change to the provider is tried here first.
"""

from __future__ import annotations

from typing import Any

import pytest

from incident_statuses_emulator.process import DEFAULT_API_KEY, EmulatorProcess
from incident_statuses_harness.engine import configurable, server_statuses
from incident_statuses_harness.organisation import edit, seed
from pulumi_incident_statuses import connection, deployment
from pulumi_incident_statuses.errors import StatusConflictError, StatusOrderError
from pulumi_incident_statuses.inputs import UNKNOWN
from pulumi_incident_statuses.order import IncidentStatusOrderProvider
from pulumi_incident_statuses.resource import IncidentStatusProvider


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

    with pytest.raises(StatusConflictError, match="no status has that id"):
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
    props = {"category": "live", "statuses": made[::-1], "order_name": "live-order"}

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
    first = {"category": "live", "statuses": [shared], "order_name": "first"}

    assert not order.check({}, first).failures
    assert not order.check(first, first).failures  # the same order again is no clash
    other = order.check({}, {**first, "order_name": "second"}).failures
    assert [f.reason for f in other] == [
        f"statuses: {shared!r} is also listed by the IncidentStatusOrder 'first'; a status may "
        "be in one order only, or the two move it back and forth"
    ]


def test_an_order_moved_again_after_its_put_back_fails_writing_nothing(
    provider: IncidentStatusProvider, emulator: EmulatorProcess
) -> None:
    # What `pulumi up --refresh` calls: read (the refresh), then update when the order moved.
    order = IncidentStatusOrderProvider()
    made = [provider.create(declared(name=name, description=".")).id for name in ("A", "B")]
    props = {"category": "live", "statuses": made, "order_name": "mine"}
    created = order.create(props)
    assert created.outs is not None

    def move_by_hand() -> None:
        """Someone else puts A below B (a dashboard edit or another stack's order)."""
        ranks = [s["rank"] for s in server_statuses(emulator.url)]
        edit(emulator.url, made[0], name="A", description=".", rank=max(ranks) + 1)

    def refresh(outs: dict[str, Any]) -> dict[str, Any]:
        connection.CONNECTIONS.connection_for(order).invalidate()
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
