"""Deliberate failures: server errors instead of an answer, and connections cut after a write.

One ``random.Random`` makes every decision, in request order, so a ``--seed`` and the same sequence
of requests give the same failures. Each request that gets past the rate limit draws once for a
fault; each write that is then applied draws once more for a drop.
"""

from __future__ import annotations

import random

FAULT_STATUSES = (500, 503)
"""The statuses an injected fault is answered with, drawn evenly."""


class FaultInjector:
    """Decides which requests fail and which applied writes lose their answer."""

    def __init__(self, *, fault_rate: float, drop_rate: float, seed: int | None) -> None:
        """Fail and drop at these rates (0..1), reproducibly when ``seed`` is given."""
        for name, rate in (("fault rate", fault_rate), ("drop rate", drop_rate)):
            if not 0.0 <= rate <= 1.0:
                raise ValueError(f"the {name} must be between 0 and 1, not {rate}")
        self._fault_rate = fault_rate
        self._drop_rate = drop_rate
        self._seed = seed
        # Faults need reproducibility, not unpredictability: a seeded PRNG is the point.
        self._random = random.Random(seed)  # noqa: S311

    def fault(self) -> int | None:
        """The status to fail this request with, or None to let it through."""
        if self._random.random() < self._fault_rate:
            return self._random.choice(FAULT_STATUSES)
        return None

    def drop(self) -> bool:
        """Whether to close this applied write's connection instead of answering."""
        return self._random.random() < self._drop_rate

    def reset(self) -> None:
        """Start the sequence of decisions again (from the seed, if one was given)."""
        self._random.seed(self._seed)
