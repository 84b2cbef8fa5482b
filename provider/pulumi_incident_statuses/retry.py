"""The client's one retry policy: which failures are worth another attempt, how long to wait,
and the loop that applies it (:meth:`RetryPolicy.run`)."""

from __future__ import annotations

import logging
import random as _random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from .errors import (
    APIConnectionError,
    APIStatusError,
    IncidentAPIError,
    RankRaceError,
    RankTakenError,
    RateLimitError,
    ServerError,
)

__all__ = ["RetryPolicy"]

logger = logging.getLogger(__name__)

_T = TypeVar("_T")

_THROTTLED = (RateLimitError, RankRaceError, RankTakenError)
"""Refusals that applied nothing and that waiting cures: bounded by time alone."""
_RETRIED = (*_THROTTLED, ServerError, APIConnectionError)


@dataclass(frozen=True)
class RetryPolicy:
    """When to try a failed call again: capped, jittered exponential backoff within fixed bounds.

    Retried: 429 and 5xx (after ``Retry-After`` when the server sent one, but never sooner than
    the first backoff), an append that lost the race for its category's next rank
    (``RankRaceError``), an order whose planned rank another write took (``RankTakenError``), and
    calls that got no response (refused, reset, closed, timed out). Never
    retried: any other status and malformed responses. An attempt whose wait would end more than
    ``max_total`` seconds (on ``clock``) after the first began is not made, nor one beyond
    ``max_attempts``, where attempts answered 429 or that lost a rank do not count; the last
    error is raised instead. (Whether a create may be sent again at all is ``creation``'s rule.)
    ``sleep``, ``clock`` and ``random`` are injectable so that tests need not wait.

    A 429 is bounded by time alone: it was not applied and the server says when to come back, so
    another attempt costs only waiting. So is a lost rank race: nothing was applied, and each loss
    means another append won, so the category is moving; the jitter spreads the losers out. Jobs
    sharing one key take turns at the bucket's refill rate, each turn at least a second apart,
    and a fixed number of turns would give up on a busy key within seconds, long before
    ``max_total`` (a whole rate-limit window by default).

    Ten attempts are sized for a bad day: with a fifth of requests failing at random, a call gives
    up once in 10 million, and a create whose answer was lost, which must list as well as post on
    each attempt (a third of them fail), once in 50,000. A server that is down is given up on
    after about 20 seconds of backoff.
    """

    max_attempts: int = 10
    """Attempts per call, the first included, not counting those answered 429 (see above)."""
    base_delay: float = 0.2
    """Backoff before the second attempt, before jitter; doubles for each attempt after."""
    max_delay: float = 5.0
    """The backoff never grows beyond this, before jitter."""
    max_total: float = 60.0
    """No retry's wait may end later than this many seconds after the first attempt began."""
    max_retry_after: float = 30.0
    """A server's ``Retry-After`` is honoured up to this many seconds."""
    sleep: Callable[[float], None] = time.sleep
    """Waits the given seconds."""
    clock: Callable[[], float] = time.monotonic
    """Seconds on a clock that only moves forward."""
    random: Callable[[], float] = _random.random
    """A number in [0, 1) for jitter."""

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        if min(self.base_delay, self.max_delay, self.max_total, self.max_retry_after) < 0:
            raise ValueError("delays and time limits must not be negative")

    def should_retry(self, error: IncidentAPIError) -> bool:
        """Whether ``error`` is the kind of failure another attempt may cure."""
        return isinstance(error, _RETRIED)

    def backoff(self, attempt: int) -> float:
        """The jittered wait after failed attempt number ``attempt`` (1 for the first).

        Half of the capped exponential delay is fixed and half random, so clients that failed
        together spread out without any of them retrying at once.
        """
        ceiling = min(self.max_delay, self.base_delay * 2.0 ** min(attempt - 1, 64))
        return ceiling * (0.5 + 0.5 * self.random())

    def next_delay(
        self, error: IncidentAPIError, *, attempt: int, started: float, throttled: int = 0
    ) -> float | None:
        """Seconds to wait before retrying after failed attempt ``attempt``, or None to give up.

        ``started`` is the ``clock`` reading taken before the first attempt; ``throttled`` says
        how many of the ``attempt`` attempts made so far were answered 429 or lost a rank race.
        """
        if not self.should_retry(error) or attempt - throttled >= self.max_attempts:
            return None
        delay = self.backoff(attempt)
        if isinstance(error, APIStatusError) and error.retry_after is not None:
            # The server knows when it will take us again; 503s may say so too. Its word is
            # taken as is, not stretched by our backoff: a call that has waited long would then
            # ask less often than fresh ones and lose every turn to them. The first backoff is
            # the floor, so that a Retry-After of 0, or a date already past on a skewed clock,
            # cannot turn waiting out a 429 into a tight loop.
            delay = max(self.backoff(1), min(error.retry_after, self.max_retry_after))
        if self.clock() - started + delay > self.max_total:
            return None
        return delay

    def run(self, method: str, path: str, attempt: Callable[[], _T]) -> _T:
        """Run ``attempt`` (one try at call ``method path``) until it succeeds or this gives up."""
        started = self.clock()
        number = 1
        throttled = 0
        while True:
            try:
                return attempt()
            except IncidentAPIError as error:
                # Refusals that applied nothing and that waiting cures are bounded by time alone.
                throttled += isinstance(error, _THROTTLED)
                delay = self.next_delay(error, attempt=number, started=started, throttled=throttled)
                if delay is None:
                    raise
                logger.info(
                    "retrying %s %s in %.2fs (attempt %d): %s",
                    method,
                    path,
                    delay,
                    number + 1,
                    error,
                )
                self.sleep(delay)
                number += 1
