"""A local incident.io for the incident-statuses endpoints: the other end of the wire.

It shares no code with the client or the provider, so a misreading of the API on one side cannot
hide in both. The modules, one concept each:

- ``app``: aiohttp routes and the per-request pipeline (auth, rate limit, latency, fault, apply,
  drop).
- ``payloads``: reading create and update bodies; ``problems``: the errors answers are made of.
- ``store``: the organisation's statuses in SQLite; ``clock``: timestamps and ULIDs.
- ``ratelimit``, ``faults``, ``stats``: token buckets, injected failures, request counts.
- ``config`` and ``server``: flags, binding and serving; ``process``: run it as a child process.

Start it with ``incident-statuses emulator`` (the product's command, when this package is
installed beside it) or ``python -m incident_statuses_emulator``. Importing the package loads
neither aiohttp nor the server; ``server`` and ``app`` do.
"""

from incident_statuses_emulator.config import DEFAULT_API_KEY, EmulatorConfig
from incident_statuses_emulator.process import EmulatorProcess, EmulatorStartError

__all__ = ["DEFAULT_API_KEY", "EmulatorConfig", "EmulatorProcess", "EmulatorStartError"]
