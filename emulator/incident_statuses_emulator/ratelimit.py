"""Per-API-key token buckets, as incident.io limits its API.

A bucket holds up to ``limit`` tokens and refills at ``limit / 60`` tokens a second, so a client
can burst the whole minute's allowance and then continue at the steady rate. Each request that is
authenticated takes one token; an empty bucket means 429.

What the response headers say (see :class:`Allowance`):

- ``X-RateLimit-Limit``: the bucket's capacity (requests per minute).
- ``X-RateLimit-Remaining``: whole tokens left after this request.
- ``X-RateLimit-Used``: capacity minus remaining.
- ``X-RateLimit-Reset``: the Unix time, in whole seconds, at which the bucket will be full again.
- ``Retry-After`` (429 only): whole seconds, at least 1, until a token is available.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Allowance:
    """The outcome of asking a bucket for a token, with what the response headers report."""

    allowed: bool
    limit: int
    remaining: int
    reset_at: int
    retry_after_seconds: int

    @property
    def used(self) -> int:
        """Tokens missing from a full bucket."""
        return self.limit - self.remaining

    def headers(self) -> dict[str, str]:
        """The ``X-RateLimit-*`` headers every API response carries."""
        return {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(self.remaining),
            "X-RateLimit-Used": str(self.used),
            "X-RateLimit-Reset": str(self.reset_at),
        }


@dataclass
class _Bucket:
    tokens: float
    updated: float


class RateLimiter:
    """Token buckets keyed by API key, each holding ``per_minute`` tokens."""

    def __init__(
        self,
        per_minute: int,
        *,
        monotonic: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        """Limit each key to ``per_minute`` requests a minute (at least 1)."""
        if per_minute < 1:
            raise ValueError("the rate limit must be at least 1 request per minute")
        self._limit = per_minute
        self._per_second = per_minute / 60
        self._monotonic = monotonic
        self._wall_clock = wall_clock
        self._buckets: dict[str, _Bucket] = {}

    @property
    def limit(self) -> int:
        """Requests per minute per key."""
        return self._limit

    def take(self, key: str) -> Allowance:
        """Take one token from ``key``'s bucket if it has one."""
        now = self._monotonic()
        bucket = self._buckets.setdefault(key, _Bucket(tokens=float(self._limit), updated=now))
        bucket.tokens = min(
            float(self._limit), bucket.tokens + (now - bucket.updated) * self._per_second
        )
        bucket.updated = now
        allowed = bucket.tokens >= 1
        if allowed:
            bucket.tokens -= 1
        retry_after = 0 if allowed else max(1, math.ceil((1 - bucket.tokens) / self._per_second))
        return self._allowance(bucket.tokens, allowed, retry_after)

    def untouched(self) -> Allowance:
        """What a full bucket reports, for answers given before any key is known (401)."""
        return self._allowance(float(self._limit), True, 0)

    def reset(self) -> None:
        """Refill every bucket."""
        self._buckets.clear()

    def _allowance(self, tokens: float, allowed: bool, retry_after: int) -> Allowance:
        seconds_to_full = (self._limit - tokens) / self._per_second
        return Allowance(
            allowed=allowed,
            limit=self._limit,
            remaining=math.floor(tokens),
            reset_at=math.ceil(self._wall_clock() + seconds_to_full),
            retry_after_seconds=retry_after,
        )
