"""The client's one retry policy: which failures are worth another attempt, how long to wait,
and the loop that applies it (:meth:`RetryPolicy.run`)."""

from __future__ import annotations

import logging
import random as _random
import threading
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

__all__ = ["Reachability", "RetryPolicy"]

logger = logging.getLogger(__name__)

_T = TypeVar("_T")

class Reachability:
    """Since when a client's endpoint has given no answer to any call (None: it answers).

    Shared by every call of one client, so that once the endpoint has been silent for the
    policy's ``max_unreachable`` seconds, the calls still waiting give up too instead of each
    starting its own wait: a `pulumi up` of many statuses fails in that time, not in a multiple.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._silent_since: float | None = None

    def answered(self) -> None:
        """Note that a call got an answer, whatever it said."""
        with self._lock:
            self._silent_since = None

    def silent(self, since: float) -> float:
        """Note that a call begun at ``since`` got no answer; the start of the silence."""
        with self._lock:
            if self._silent_since is None or since < self._silent_since:
                self._silent_since = since
            return self._silent_since


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
    each attempt (a third of them fail), once in 50,000.

    An endpoint that answers nothing at all (refused, reset, timed out) is a different case: an
    API that is down, or an endpoint set wrong, which waiting minutes would not cure. Such calls
    are retried while the endpoint has answered no call of the client for at most
    ``max_unreachable`` seconds (6), the last attempt made at the end of that time: a server
    that is back within 6 seconds of its first unanswered call is ridden out, and one that is
    not fails the call then, and every other call of the client waiting on it at once.
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
    max_unreachable: float = 6.0
    """Calls that get no answer at all are retried until the endpoint has been silent this long."""
    sleep: Callable[[float], None] = time.sleep
    """Waits the given seconds."""
    clock: Callable[[], float] = time.monotonic
    """Seconds on a clock that only moves forward."""
    random: Callable[[], float] = _random.random
    """A number in [0, 1) for jitter."""

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        limits = (self.base_delay, self.max_delay, self.max_total, self.max_retry_after)
        if min(*limits, self.max_unreachable) < 0:
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
        self,
        error: IncidentAPIError,
        *,
        attempt: int,
        started: float,
        throttled: int = 0,
        silent_since: float | None = None,
    ) -> float | None:
        """Seconds to wait before retrying after failed attempt ``attempt``, or None to give up.

        ``started`` is the ``clock`` reading taken before the first attempt; ``throttled`` says
        how many of the ``attempt`` attempts made so far were answered 429 or lost a rank race;
        ``silent_since``, for an error without an answer, since when the endpoint has answered
        nothing (on ``clock``).
        """
        if not self.should_retry(error) or attempt - throttled >= self.max_attempts:
            return None
        delay = self.backoff(attempt)
        if isinstance(error, APIConnectionError) and silent_since is not None:
            left = self.max_unreachable - (self.clock() - silent_since)
            if left <= 0:
                return None
            # The last attempt lands at the end of the time, so that a server back just
            # before then is still found.
            delay = min(delay, left)
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

    def run(
        self,
        method: str,
        path: str,
        attempt: Callable[[], _T],
        reachability: Reachability | None = None,
    ) -> _T:
        """Run ``attempt`` (one try at call ``method path``) until it succeeds or this gives up.

        ``reachability`` is shared by the calls of one client (default: this call's own).
        """
        reachability = reachability if reachability is not None else Reachability()
        started = self.clock()
        number = 1
        throttled = 0
        while True:
            began = self.clock()
            try:
                result = attempt()
            except IncidentAPIError as error:
                silent_since = None
                if isinstance(error, APIConnectionError):
                    silent_since = reachability.silent(began)
                elif isinstance(error, APIStatusError):
                    reachability.answered()
                # Refusals that applied nothing and that waiting cures are bounded by time alone.
                throttled += isinstance(error, _THROTTLED)
                delay = self.next_delay(
                    error,
                    attempt=number,
                    started=started,
                    throttled=throttled,
                    silent_since=silent_since,
                )
                if delay is None:
                    if number > 1:
                        raise error.after_attempts(number) from error
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
            else:
                reachability.answered()
                return result
