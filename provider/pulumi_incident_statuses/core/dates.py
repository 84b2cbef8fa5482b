"""Instants as the service and the engine write them, read in one place.

incident.io writes RFC 3339 (``2021-08-17T13:28:57.801578Z``), HTTP answers carry HTTP-dates
(``Thu, 17 Apr 2025 11:17:18 GMT``), and the Pulumi engine writes RFC 3339 with nanoseconds,
which Python reads only to the microsecond.
"""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

__all__ = ["http_date", "instant"]


def instant(text: str, *, assume_utc: bool = False) -> datetime | None:
    """An RFC 3339 instant as an aware datetime; None if unreadable.

    Fractions beyond microseconds are cut. Without a time zone it is None, or UTC with
    ``assume_utc``.
    """
    head, dot, tail = text.strip().partition(".")
    if dot:
        digits = len(tail) - len(tail.lstrip("0123456789"))
        text = f"{head}.{tail[:min(digits, 6)].ljust(6, '0')}{tail[digits:]}"
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        return None
    if when.tzinfo is None:
        return when.replace(tzinfo=UTC) if assume_utc else None
    return when


def http_date(value: str | None) -> datetime | None:
    """An HTTP-date (``Thu, 17 Apr 2025 11:17:18 GMT``) as an aware instant; None if unreadable.

    A date whose zone is ``-0000`` (UTC, says RFC 5322) is read as UTC.
    """
    if not value:
        return None
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)
