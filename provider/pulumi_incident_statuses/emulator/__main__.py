"""``python -m pulumi_incident_statuses.emulator``: the flags of ``incident-statuses emulator``."""

from pulumi_incident_statuses.emulator.server import main

if __name__ == "__main__":
    raise SystemExit(main())
