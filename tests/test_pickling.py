"""Declaring this package's resources leaves the SDK's pickler as it found it, whatever the SDK.

The SDK's `serialize_provider` wraps the pickler's dict methods once per dynamic resource it
serializes and never unwraps them (see `pickling.py`). Fast and engine-free, so that
`make test-matrix` checks it on every SDK version in the package's range; the engine test of
many runs in one process is in test_mixed_engine.py.
"""

from __future__ import annotations

import subprocess
import sys

# Resources declared under Pulumi's mocks, in a process of their own (mocks are process-wide):
# the SDK serializes each one's provider while it is constructed.
DECLARE = """
import pickle

import pulumi
from pulumi.dynamic import Resource, ResourceProvider

from pulumi_incident_statuses import IncidentStatus, IncidentStatusOrder


class Mocks(pulumi.runtime.Mocks):
    def new_resource(self, args):
        return [f"{args.name}-id", args.inputs]

    def call(self, args):
        return {}


class UserProvider(ResourceProvider):
    pass


class UserThing(Resource):
    def __init__(self, name):
        super().__init__(UserProvider(), name, {})


def methods():
    return pickle._Pickler._batch_setitems, pickle._Pickler.save_dict


pulumi.runtime.set_mocks(Mocks(), preview=False)
found = methods()
statuses = [
    IncidentStatus(f"s{i}", name=f"S{i}", description="d", category="live") for i in range(5)
]
IncidentStatusOrder("order", category="live", statuses=[s.id for s in statuses])
print("ours:", methods() == found)
UserThing("theirs")
print("a user's:", methods() == found)
"""


def test_our_resources_leave_the_pickler_as_found() -> None:
    done = subprocess.run(
        [sys.executable, "-c", DECLARE], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "ours: True"
    # The SDK's own serialization still runs as the SDK does it, for anyone else's resources.
    assert lines[1] == "a user's: False"


# A provider as release 0.2.0 pickled it into a resource's state: by reference to the module it
# lived in then.
OLD_STATE = """
import base64

import dill

from pulumi_incident_statuses.dynamic.order import IncidentStatusOrderProvider
from pulumi_incident_statuses.dynamic.resource import IncidentStatusProvider

recorded = {}
for provider, module in (
    (IncidentStatusProvider, "pulumi_incident_statuses.resource"),
    (IncidentStatusOrderProvider, "pulumi_incident_statuses.order"),
):
    moved, provider.__module__ = provider.__module__, module
    recorded[provider] = base64.b64encode(dill.dumps(provider())).decode()
    provider.__module__ = moved
    assert module.encode() in base64.b64decode(recorded[provider])
for provider, text in recorded.items():
    loaded = dill.loads(base64.b64decode(text))
    print(type(loaded) is provider)
"""


def test_a_provider_pickled_by_release_0_2_0_still_loads() -> None:
    # A refresh or destroy of a resource not updated since loads its provider from its state.
    done = subprocess.run(
        [sys.executable, "-c", OLD_STATE], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["True", "True"]
