"""Creation safety: when a create is sent, when it is sent again, how a lost answer is settled.

These rules live here and nowhere else. `IncidentStatusesClient.create` asks a `CreateGuard` at
each step of one create, and the provider creates only through the client; `recovery` applies the
same evidence rule to the creates of a killed run.

**Sent again**, after the wait the one retry policy (`retry.RetryPolicy`) decides:

- after 429: the request was not applied;
- after a 422 on ``rank`` for an append (no rank given): incident.io reads the category's next
  rank and writes it later, so of concurrent appends to one category all but one are refused.
  Nothing was applied. It is raised as `RankRaceError`, which the policy retries with jittered
  backoff, bounded by time like a 429 and not by a count: each refusal means another append won.
  Once an append has lost, its later attempts take turns with the same client's other appends
  to the category (`CreateGuard.raced`), so that a stack's own appends stop racing each other
  and only other processes' appends remain to race with;
- after 5xx or no answer at all: the request may have been applied. Before it is sent again, the
  organisation's list is read; a status there counts as made by this create only on *evidence*
  (below), and is then the result, with nothing sent.

**Never sent again**: any other refusal. A 422 on ``name`` means the name is held. Unless the
holder is shown by the evidence to be this create's own, `StatusConflictError` names the holder
and the ``import_id`` that would adopt it, whatever the holder's content. Equal content is not
ownership: a person in the dashboard, another stack or another tool may have made that very
status, and taking it over would hand it to this stack, whose ``destroy`` would then delete it.

**The evidence** that a listed status was made by this create: its content is exactly what was
sent (name, description, category, and the rank if one was sent), and its ``created_at`` is not
before the instant the first POST of this create was sent, on the service's clock. That instant
is not read off this machine's clock, which may be minutes apart from the service's. It is
derived from the service's own clock: the ``Date`` header of the list being searched, less the
time that passed here, on a monotonic clock, between sending the first POST and receiving that
list. ``Date`` is whole seconds rounded down and stamped before the list reached us, so the
derived instant is never later than the true one and a status this create made is never missed.
It may be earlier by up to a second plus the list's latency, and `SERVER_CLOCK_MARGIN` more is
allowed for the service's machines' clocks differing from each other (the one that answered the
list and the one that stamped the create). So only a status made with the same content by
someone else within about 1.5 seconds before this create's first POST, whose answer was then
lost, could be taken for its own. A list without a readable ``Date`` shows no evidence: the
create then ends in the conflict error rather than guess.

A run killed between a POST and the engine recording its answer is beyond one call: the engine
keeps that create as a pending operation in the checkpoint, and `recovery` matches it with the
same rule, taking the start of the killed run as the instant.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from . import dates
from .advice import Remedy
from .errors import (
    APIConnectionError,
    RankRaceError,
    ServerError,
    StatusConflictError,
    ValidationError,
)
from .wire import IncidentStatusRecord

if TYPE_CHECKING:
    from .wire import Reply

__all__ = [
    "SERVER_CLOCK_MARGIN",
    "AppendTurns",
    "CreateGuard",
    "Listing",
    "attempt",
    "conflict",
    "made_since",
    "same_content",
]

PATH = "/v1/incident_statuses"
"""Where creates are sent."""

logger = logging.getLogger(__name__)

SERVER_CLOCK_MARGIN = timedelta(seconds=0.5)
"""Allowed disagreement between the clocks of the service's own machines (NTP keeps them within
milliseconds; half a second is generous)."""


@dataclass(frozen=True)
class Listing:
    """The organisation's statuses, with the service's time when the list was answered."""

    records: list[IncidentStatusRecord]
    server_time: datetime | None
    """The answer's ``Date`` header; None if it had none that could be read."""
    received: float
    """When the answer arrived, on the create's monotonic clock."""


def made_since(
    record: IncidentStatusRecord,
    *,
    name: str,
    description: str,
    category: str,
    rank: int | None,
    since: datetime,
) -> bool:
    """Whether ``record`` is what a create with these values made at or after ``since``.

    ``rank`` None accepts any rank (an append). ``since`` is an instant on the service's clock.
    """
    same = same_content(record, name=name, description=description, category=category, rank=rank)
    return same and created_since(record, since)


def created_since(record: IncidentStatusRecord, since: datetime) -> bool:
    """Whether ``record`` was created at or after ``since`` (an instant on the service's clock)."""
    created = dates.instant(record.created_at)
    return created is not None and created >= since


def same_content(
    record: IncidentStatusRecord, *, name: str, description: str, category: str, rank: int | None
) -> bool:
    """Whether ``record`` holds exactly what a create with these values sends (any rank if None).

    Never evidence on its own that the create made it; only a reason to say how to find out.
    """
    if (record.name, record.description, record.category) != (name, description, category):
        return False
    return rank is None or record.rank == rank


def conflict(
    holder: IncidentStatusRecord, name: str, refusal: ValidationError | None = None
) -> StatusConflictError:
    """The error for a create whose ``name`` is held by ``holder``, which it did not make.

    The remedy is `Remedy.ADOPT` until the provider finds whose the holder is (see `ownership`).
    """
    facts = (
        f"cannot create incident status {name!r}: the existing status {holder.id} "
        f"({holder.category}) already holds that name"
    )
    if refusal is not None:
        facts += f" ({refusal})"
    return StatusConflictError(facts, holder_id=holder.id, remedy=Remedy.ADOPT)


class CreateGuard:
    """The safety state of one create call, consulted by the client before and after each POST."""

    def __init__(
        self,
        *,
        name: str,
        description: str,
        category: str,
        rank: int | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """Describe the create; ``clock`` must be the one `Listing.received` is read on."""
        self.name = name
        self.description = description
        self.category = category
        self.rank = rank
        self.clock = clock
        self._first_sent: float | None = None
        # Whether a POST may have been applied since the list last showed nothing of it.
        self._unsettled = False
        self._ever_lost = False
        self._raced = False

    @property
    def payload(self) -> dict[str, object]:
        """The POST body."""
        body: dict[str, object] = {
            "name": self.name,
            "description": self.description,
            "category": self.category,
        }
        if self.rank is not None:
            body["rank"] = self.rank
        return body

    @property
    def must_look(self) -> bool:
        """Whether to search the list before the next POST: an earlier POST may have landed."""
        return self._unsettled

    @property
    def raced(self) -> bool:
        """Whether an earlier POST of this append lost the race for its category's next rank."""
        return self._raced

    def declares(self, record: IncidentStatusRecord) -> bool:
        """Whether ``record`` holds exactly what this create sends."""
        return same_content(
            record,
            name=self.name,
            description=self.description,
            category=self.category,
            rank=self.rank,
        )

    def sending(self) -> None:
        """Note that a POST is about to be sent."""
        if self._first_sent is None:
            self._first_sent = self.clock()

    def lost(self) -> None:
        """Note that the last POST got no answer or a 5xx: it may have been applied."""
        self._unsettled = True
        self._ever_lost = True

    def made_by_this(self, listing: Listing) -> IncidentStatusRecord | None:
        """The status in ``listing`` that this create made, on the evidence; else None.

        A list taken after the last POST failed shows what that POST did, so searching it
        settles the doubt either way.
        """
        self._unsettled = False
        since = self._sent_on_service_clock(listing)
        if since is None:
            return None
        for record in listing.records:
            if self.declares(record) and created_since(record, since):
                return record
        return None

    def settle_refusal(
        self, error: ValidationError, list_now: Callable[[], Listing]
    ) -> IncidentStatusRecord:
        """The status a 422 on this create's POST still yields, or the error it stands for.

        ``list_now`` lists the organisation; it is called only for a refusal on ``name``. The
        holder of the name is this create's own only if an earlier POST of it may have been
        applied (it landed after the last search, or was never searched for) and the evidence
        shows it; any other holder is a conflict.
        """
        fields = {detail.field for detail in error.errors}
        if "name" in fields:
            listing = list_now()
            if self._ever_lost:
                made = self.made_by_this(listing)
                if made is not None:
                    return made
            held = next((r for r in listing.records if r.name == self.name), None)
            if held is None:
                raise error
            raise conflict(held, self.name, error)
        if "rank" in fields and self.rank is None:
            self._raced = True
            raise error.recast(RankRaceError) from None
        raise error

    def _sent_on_service_clock(self, listing: Listing) -> datetime | None:
        if self._first_sent is None or listing.server_time is None:
            return None
        elapsed = max(0.0, listing.received - self._first_sent)
        return listing.server_time - timedelta(seconds=elapsed) - SERVER_CLOCK_MARGIN


class AppendTurns:
    """One lock per category, that an append holds while it is sent once it has lost a race
    for the category's next rank (see the module's docstring)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._turns: dict[str, threading.Lock] = {}

    def turn(self, category: str) -> threading.Lock:
        """The lock of ``category``."""
        with self._lock:
            return self._turns.setdefault(category, threading.Lock())


Send = Callable[[str, str, "dict[str, object] | None"], "Reply"]
"""One request (method, path, body) and its answer (`transport.Transport.send`)."""


def attempt(
    guard: CreateGuard,
    send: Send,
    listing: Callable[[Callable[[], float]], Listing],
    appends: AppendTurns,
) -> IncidentStatusRecord:
    """One attempt of the create ``guard`` describes, as the retry policy runs it: first a search
    for what an earlier attempt made, when one may have landed; then the POST, in its category's
    turn once it lost a race; a refusal settled by the guard."""
    if guard.must_look:
        made = guard.made_by_this(listing(guard.clock))
        if made is not None:
            said = "POST %s: an earlier attempt created %s; not sending it again"
            logger.info(said, PATH, made.id)
            return made
    turn = appends.turn(guard.category) if guard.raced else contextlib.nullcontext()
    try:
        with turn:
            guard.sending()
            return send("POST", PATH, guard.payload).status_record()
    except (APIConnectionError, ServerError):
        guard.lost()
        raise
    except ValidationError as error:
        return guard.settle_refusal(error, lambda: listing(guard.clock))
