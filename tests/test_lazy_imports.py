"""A preview imports nothing it does not use: the HTTP stack loads with the first request, which
only the check of a new status makes, and only with a key (without one, the preview of anything
to write fails, as `up` would); the record and the program generator (pure, no I/O) never load
it."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

from incident_statuses_emulator.process import DEFAULT_API_KEY, EmulatorProcess

PROBE = textwrap.dedent(
    """
    import sys

    from pulumi_incident_statuses.dynamic.resource import IncidentStatusProvider

    from pulumi_incident_statuses.core.errors import MissingAPIKeyError

    HTTP = ("requests", "urllib3", "pulumi_incident_statuses.core.client")
    provider = IncidentStatusProvider()
    olds = {"name": "Fixing", "description": "A fix", "category": "live"}
    news = {**olds, "description": "A better fix"}
    try:
        checked = provider.check(olds, news)
        assert not checked.failures, checked.failures
        provider.diff("01X", dict(olds), checked.inputs)
    except MissingAPIKeyError:
        print("no key: the preview fails")
    print("after a preview of changes:", sorted(m for m in HTTP if m in sys.modules))
    try:
        provider.check({}, {**news, "name": "Mending"})
    except MissingAPIKeyError:
        print("no key: the preview fails")
    print("after checking a new status:", sorted(m for m in HTTP if m in sys.modules))
    """
)
LOADED = "['pulumi_incident_statuses.core.client', 'requests', 'urllib3']"


def test_only_checking_a_new_status_loads_the_http_stack(emulator: EmulatorProcess) -> None:
    env = {**os.environ, "INCIDENT_API_KEY": DEFAULT_API_KEY, "INCIDENT_ENDPOINT": emulator.url}
    probe = subprocess.run(
        [sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, check=False
    )
    assert probe.returncode == 0, probe.stderr
    assert probe.stdout.splitlines() == [
        "after a preview of changes: []",
        f"after checking a new status: {LOADED}",
    ]


def test_without_a_key_checking_a_new_status_loads_no_http_stack() -> None:
    env = {k: v for k, v in os.environ.items() if k != "INCIDENT_API_KEY"}
    probe = subprocess.run(
        [sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, check=False
    )
    assert probe.returncode == 0, probe.stderr
    assert probe.stdout.splitlines() == [
        "no key: the preview fails",
        "after a preview of changes: []",
        "no key: the preview fails",
        "after checking a new status: []",
    ]


def test_the_record_and_the_program_generator_load_no_http_stack() -> None:
    probe = (
        "import sys\n"
        "from pulumi_incident_statuses.tools import codegen\n"
        "from pulumi_incident_statuses.core import wire\n"
        "HTTP = ('requests', 'urllib3', 'pulumi_incident_statuses.core.client')\n"
        "print(sorted(m for m in HTTP if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
