"""`make demo`: start the emulator, `pulumi up` the demo stack against it, show what it holds.

The demo stack is the root Pulumi.yaml (program: examples/lifecycle). Its state lives in
.pulumi-state/ and the emulator's database in .demo/, so a second run finds everything in place
and changes nothing. `make clean` starts over. Nothing is left running.
"""

from __future__ import annotations

import sys
from pathlib import Path

from pulumi_incident_statuses.cli import print_statuses
from pulumi_incident_statuses.client import IncidentStatusesClient
from pulumi_incident_statuses.emulator.process import DEFAULT_API_KEY, EmulatorProcess
from pulumi_incident_statuses.workspace import Toolchain, open_stack, program_from_file

ROOT = Path(__file__).resolve().parent.parent
# Documented in README.md: the demo stack's secrets (the emulator's key) use this passphrase.
DEMO_PASSPHRASE = "incident-statuses-demo"


def main() -> int:
    """Run the demo; returns the process exit code."""
    (ROOT / ".demo").mkdir(exist_ok=True)
    with EmulatorProcess(db_path=ROOT / ".demo" / "emulator.db") as emulator:
        print(f"emulator: {emulator.url} (database .demo/emulator.db)")
        # The key travels in the environment, the one route that keeps it out of state entirely.
        toolchain = Toolchain.for_checkout(
            ROOT, passphrase=DEMO_PASSPHRASE, extra_env={"INCIDENT_API_KEY": DEFAULT_API_KEY}
        )
        stack = open_stack(
            "incident-statuses-demo",
            "demo",
            program_from_file(ROOT / "examples" / "lifecycle" / "__main__.py"),
            toolchain,
            work_dir=ROOT,
            config={"incident:endpoint": emulator.url},
        )
        result = stack.up(on_output=print, color="always" if sys.stdout.isatty() else "never")
        print(f"\nchanges: {result.summary.resource_changes}")
        print("\nstack outputs:")
        for key, output in sorted(result.outputs.items()):
            print(f"  {key}: {output.value}")
        print("\nwhat the emulator now holds:")
        with IncidentStatusesClient(DEFAULT_API_KEY, emulator.url) as client:
            print_statuses(client.list(), sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
