"""`make demo`: start the emulator, `pulumi up` the demo stack as a user does, show the result.

The demo stack is the root Pulumi.yaml (program: examples/lifecycle). The `pulumi` CLI runs it in
the repository root, starting the Python language host and the project's virtualenv (.venv), with
the emulator's endpoint and key in the environment. Its state lives in .pulumi-state/ and the
emulator's database in .demo/, so a second run finds everything in place and changes nothing.
`make clean` starts over. Nothing is left running.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path

from incident_statuses_emulator.process import DEFAULT_API_KEY, EmulatorProcess
from incident_statuses_harness.workspace import Toolchain
from pulumi_incident_statuses.core.client import IncidentStatusesClient
from pulumi_incident_statuses.tools.cli import print_statuses

ROOT = Path(__file__).resolve().parent.parent
STACK = "demo"
# Documented in CONTRIBUTING.md: the demo stack's secrets are encrypted with this passphrase.
DEMO_PASSPHRASE = "incident-statuses-demo"


def pulumi(env: dict[str, str], *args: str) -> None:
    """Run the CLI in the repository root as a user would type it, echoing the command."""
    print(f"\n$ pulumi {shlex.join(args)}", flush=True)
    subprocess.run(["pulumi", *args], cwd=ROOT, env=env, check=True)


def main() -> int:
    """Run the demo; returns the process exit code."""
    (ROOT / ".demo").mkdir(exist_ok=True)
    with EmulatorProcess(db_path=ROOT / ".demo" / "emulator.db") as emulator:
        print(f"emulator: {emulator.url} (database .demo/emulator.db)")
        # The key travels in the environment, the one route that keeps it out of state entirely.
        toolchain = Toolchain.for_checkout(
            ROOT,
            passphrase=DEMO_PASSPHRASE,
            extra_env={"INCIDENT_ENDPOINT": emulator.url, "INCIDENT_API_KEY": DEFAULT_API_KEY},
        )
        env = {**os.environ, **toolchain.env()}
        try:
            pulumi(env, "stack", "select", "--create", STACK)
            pulumi(env, "up", "--yes", "--stack", STACK)
            pulumi(env, "stack", "output", "--stack", STACK)
        except subprocess.CalledProcessError as error:
            print(f"\nmake demo: `pulumi {shlex.join(error.cmd[1:])}` failed", file=sys.stderr)
            return 1
        print("\nwhat the emulator now holds:")
        with IncidentStatusesClient(DEFAULT_API_KEY, emulator.url) as client:
            records = sorted(client.list(), key=lambda r: (r.category, r.rank))
            print_statuses(records, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
