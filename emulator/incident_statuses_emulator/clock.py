"""Time as the emulated API writes it: RFC 3339 UTC instants, and ULIDs ordered by creation."""

from __future__ import annotations

import secrets
import threading
from datetime import UTC, datetime, timedelta

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_RANDOM_BITS = 80
_ULID_LENGTH = 26
_INSTANT_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


def utc_now() -> datetime:
    """The current instant, timezone-aware in UTC."""
    return datetime.now(UTC)


def format_instant(instant: datetime) -> str:
    """Render an instant the way incident.io does, e.g. ``2021-08-17T13:28:57.801578Z``."""
    return instant.astimezone(UTC).strftime(_INSTANT_FORMAT)


def parse_instant(text: str) -> datetime:
    """Read back an instant written by :func:`format_instant`."""
    return datetime.strptime(text, _INSTANT_FORMAT).replace(tzinfo=UTC)


def instant_after(previous: str) -> str:
    """Now, or one microsecond past ``previous`` if the clock has not moved on since."""
    now = utc_now()
    floor = parse_instant(previous) + timedelta(microseconds=1)
    return format_instant(max(now, floor))


class UlidFactory:
    """Makes 26-character Crockford base32 ids that sort in creation order.

    Ids made within one millisecond increment the random part rather than drawing a fresh one,
    so ordering by id is ordering by creation even under bursts.
    """

    def __init__(self) -> None:
        """Start with no history: the first id draws fresh randomness."""
        self._lock = threading.Lock()
        self._last_millis = -1
        self._last_random = 0

    def new(self) -> str:
        """Return the next id."""
        with self._lock:
            millis = int(utc_now().timestamp() * 1000)
            if millis <= self._last_millis:
                millis = self._last_millis
                self._last_random += 1
                if self._last_random >= 1 << _RANDOM_BITS:
                    millis += 1
                    self._last_random = secrets.randbits(_RANDOM_BITS)
            else:
                self._last_random = secrets.randbits(_RANDOM_BITS)
            self._last_millis = millis
            value = (millis << _RANDOM_BITS) | self._last_random
        return _encode(value)


def _encode(value: int) -> str:
    chars = []
    for _ in range(_ULID_LENGTH):
        chars.append(_CROCKFORD[value & 0x1F])
        value >>= 5
    return "".join(reversed(chars))
