"""``python -m incident_statuses_emulator``: the flags of ``incident-statuses emulator``."""

from incident_statuses_emulator.server import main

if __name__ == "__main__":
    raise SystemExit(main())
