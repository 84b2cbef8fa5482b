"""One stack's `pulumi up` of an ordering program, as its own process: several run at once.

    python -m incident_statuses_harness.order_job STATE_DIR EMULATOR_URL PLAN_JSON

Exits 0 when the up succeeded, 1 (with the engine's message on stderr) when it failed.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from pulumi import automation as auto

from incident_statuses_harness.engine import status_stack
from incident_statuses_harness.ordering import ordered_program


def main(state_dir: str, url: str, plan_file: str) -> int:
    """Run the up; the exit code says whether it succeeded."""
    plan = json.loads(Path(plan_file).read_text(encoding="utf-8"))
    stack = status_stack(Path(state_dir), url, ordered_program(plan))
    try:
        stack.up()
    except auto.CommandError as error:
        print(error, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
