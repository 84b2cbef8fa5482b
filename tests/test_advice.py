"""A conflict carries its remedy as data, and one place words it for each way in."""

from __future__ import annotations

import copy

import pytest

from incident_statuses_harness.user import names_both
from pulumi_incident_statuses.core.advice import Door, Holder, Remedy, advise
from pulumi_incident_statuses.core.errors import StatusConflictError
from pulumi_incident_statuses.core.operations import status
from pulumi_incident_statuses.core.tokens import STATUS

OLD = "urn:pulumi:dev::my-statuses::pulumi-python:dynamic/incident:IncidentStatus::watching"


def test_adopt_says_how_on_each_way_in_and_never_claims_the_status_is_ours() -> None:
    holder = Holder("01HELD")
    python = advise(Remedy.ADOPT, holder, Door.PYTHON, "fixing")
    assert "another stack (or one since removed)" in python
    assert "set import_id='01HELD'; otherwise choose another name" in python
    plugin = advise(Remedy.ADOPT, holder, Door.PLUGIN, "fixing")
    assert f"adopt it with `pulumi import {STATUS} fixing 01HELD`" in plugin
    assert "import_id" not in plugin
    for said in (python, plugin):
        assert "recover" not in said


def test_a_status_of_the_stacks_own_resource_is_renamed_never_adopted_again() -> None:
    holder = Holder("01HELD", OLD)
    python = advise(Remedy.RENAME, holder, Door.PYTHON, "watching-fix")
    assert python.startswith("It belongs to this stack's resource 'watching'.")
    assert 'aliases=[pulumi.Alias(name="watching")]' in python
    assert f"`pulumi state rename '{OLD}' watching-fix`" in python
    plugin = advise(Remedy.RENAME, holder, Door.PLUGIN, "watching-fix")
    assert f'`aliases: ["{OLD}"]` under the resource\'s `options`' in plugin
    for said in (python, plugin):
        assert "import_id" not in said and "pulumi import" not in said and "recover" not in said
        # The holder's own check may not have come yet: two declarations are named as one case.
        assert said.endswith(
            "If 'watching' is still in the program, two resources declare one name: choose "
            "another name for one of them"
        )


def test_a_name_declared_twice_is_named_so_whichever_resource_is_checked_first() -> None:
    # `fixing` is in the state; `fixing-too`, new, declares its name. Checked first, `fixing-too`
    # finds the status held by `fixing`; checked second, it finds the name declared already.
    fixing = OLD.replace("::watching", "::fixing")
    holder = Holder("01HELD", fixing)
    for door in Door:
        first = f"fixing-too error: {advise(Remedy.RENAME, holder, door, 'fixing-too')}"
        assert names_both(first, "Fixing", "fixing", "fixing-too"), first
        assert not names_both(first, "Fixing", "fixing", "mending")
    second = f"fixing-too error: {status._declared_twice('Fixing', [fixing])}"
    assert names_both(second, "Fixing", "fixing", "fixing-too")
    assert not names_both(second.replace("Choose another", "Pick a"), "Fixing", "fixing", "x")


def test_recover_is_the_same_on_every_way_in() -> None:
    said = {door: advise(Remedy.RECOVER, Holder("01HELD"), door, "fixing") for door in Door}
    assert len(set(said.values())) == 1
    assert "`incident-statuses recover`" in said[Door.PLUGIN]
    assert advise(Remedy.NONE, Holder("01HELD"), Door.PYTHON) == ""


def test_the_error_is_reworded_for_another_way_in_and_keeps_its_data() -> None:
    error = StatusConflictError(
        "cannot create incident status 'Fixing': the existing status 01HELD (live) already "
        "holds that name",
        holder_id="01HELD",
        remedy=Remedy.ADOPT,
    )
    assert str(error).endswith("set import_id='01HELD'; otherwise choose another name")
    plugin = error.for_door(Door.PLUGIN, "fixing")
    assert str(plugin).startswith(error.facts + ". Nothing ties it to this stack")
    assert (plugin.holder, plugin.remedy, plugin.resource) == (error.holder, Remedy.ADOPT, "fixing")
    renamed = error.revised(remedy=Remedy.RENAME, holder_resource=OLD)
    assert renamed.holder.resource_urn == OLD and "'watching'" in str(renamed)
    copied = copy.copy(renamed)  # through the errors' own __reduce__, as pickling goes
    assert (str(copied), copied.remedy) == (str(renamed), renamed.remedy)
    assert copied.holder == renamed.holder


@pytest.mark.parametrize("remedy", list(Remedy))
def test_every_remedy_without_a_status_says_nothing_more(remedy: Remedy) -> None:
    assert advise(remedy, Holder(None), Door.PYTHON) == ""
