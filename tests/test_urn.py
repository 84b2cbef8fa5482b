"""The URN a dynamic resource carries as an input (`_urn`) is the one the engine gives it, at the
top of the stack and under a component, which it does not depend on (a component depends on its
children: the SDK refused such a status as a cycle). Under Pulumi's mocks, in a process of their
own; `pulumi up` of the same program gives these URNs. The input's name has one underscore:
older SDKs (3.230.0 among them) drop `__`-named inputs when they read them back, mocks and
dynamic provider host alike (`make test-matrix` runs this on the SDK floor)."""

from __future__ import annotations

import json
import subprocess
import sys

STATUS = "pulumi-python:dynamic/incident:IncidentStatus"

DECLARE = """
import json

import pulumi

from pulumi_incident_statuses import IncidentStatus

declared = {}


class Mocks(pulumi.runtime.Mocks):
    def new_resource(self, args):
        if "_urn" in args.inputs:
            declared[args.name] = args.inputs["_urn"]
        return [f"{args.name}-id", args.inputs]

    def call(self, args):
        return {}


pulumi.runtime.set_mocks(Mocks(), project="my-statuses", stack="dev", preview=False)


class Team(pulumi.ComponentResource):
    def __init__(self, name):
        super().__init__("acme:index:Team", name)
        self.status = IncidentStatus(
            "fixing", name="Fixing", description="d", category="live",
            opts=pulumi.ResourceOptions(parent=self),
        )


@pulumi.runtime.test
def declare():
    top = IncidentStatus("watching", name="Watching", description="d", category="live")
    team = Team("sre")
    return pulumi.Output.all(top.urn, team.status.urn).apply(
        lambda urns: print(json.dumps({"urns": urns, "declared": declared}))
    )


declare()
"""


def test_the_declared_urn_is_the_engines() -> None:
    done = subprocess.run(
        [sys.executable, "-c", DECLARE], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    said = json.loads(done.stdout.strip().splitlines()[-1])
    declared = said["declared"]
    assert declared["watching"] == f"urn:pulumi:dev::my-statuses::{STATUS}::watching"
    # The mocks' URNs put the root stack in a component's type, the engine's do not (`pulumi up`
    # of this program gives `urn:pulumi:dev::my-statuses::acme:index:Team$...::fixing`).
    assert declared["fixing"].endswith(f"acme:index:Team${STATUS}::fixing")

