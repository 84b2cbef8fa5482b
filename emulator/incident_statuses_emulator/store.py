"""The emulated organisation's incident statuses, kept in one SQLite file.

Rules enforced here, beyond what ``payloads`` checks:

- Names are unique across every status, managed or not, compared exactly (case-sensitive, no
  trimming): ``Live`` and ``live`` may coexist, a second ``Closed`` may not.
- Ranks are unique within a category; gaps are allowed. A create without a rank takes the
  category's highest rank plus one, or 0 in an empty category (if that would pass the maximum, the
  lowest free rank). An update without a rank leaves the rank alone.
- The six statuses incident.io manages (one each for triage, declined, merged, canceled, paused and
  closed) are listed like any other but cannot be updated or deleted.

Each write runs in one ``BEGIN IMMEDIATE`` transaction, checks and all, so concurrent requests (or
a second process on the same file) cannot both take a name or a rank.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from incident_statuses_emulator.clock import (
    UlidFactory,
    format_instant,
    instant_after,
    utc_now,
)
from incident_statuses_emulator.payloads import (
    MAX_RANK,
    MIN_RANK,
    CreatePayload,
    UpdatePayload,
)
from incident_statuses_emulator.problems import NotFound, Problem, ValidationFailed

CATEGORY_ORDER = (
    "triage",
    "live",
    "learning",
    "closed",
    "paused",
    "declined",
    "merged",
    "canceled",
)
"""Listing order of categories; any other category would follow, alphabetically."""

MANAGED_STATUSES = (
    (
        "Triage",
        "triage",
        "We've been told something might be wrong and are working out whether it needs a response.",
    ),
    (
        "Declined",
        "declined",
        "After triage we decided this doesn't need an incident response.",
    ),
    (
        "Merged",
        "merged",
        "This turned out to be part of another incident, where the response continues.",
    ),
    (
        "Canceled",
        "canceled",
        "This incident was opened by mistake or is no longer relevant, so it was canceled.",
    ),
    (
        "Paused",
        "paused",
        "The response is on hold for now; we'll pick it back up when there's more to do.",
    ),
    (
        "Closed",
        "closed",
        "Impact has been **fully mitigated**, and we've finished learning from this incident.",
    ),
)
"""The (name, category, description) of each status incident.io manages, seeded at rank 0."""

_SCHEMA_VERSION = 1
_SCHEMA = """
CREATE TABLE incident_statuses (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    description TEXT NOT NULL,
    category    TEXT NOT NULL,
    rank        INTEGER NOT NULL,
    managed     INTEGER NOT NULL CHECK (managed IN (0, 1)),
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    UNIQUE (category, rank)
)
"""
_SELECT_ALL = (
    "SELECT id, name, description, category, rank, managed, created_at, updated_at"
    " FROM incident_statuses"
)
_SELECT_ONE = (
    "SELECT id, name, description, category, rank, managed, created_at, updated_at"
    " FROM incident_statuses WHERE id = ?"
)
_INSERT = (
    "INSERT INTO incident_statuses"
    " (id, name, description, category, rank, managed, created_at, updated_at)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
)


@dataclass(frozen=True)
class StatusRecord:
    """One stored status: the seven API fields plus whether incident.io manages it."""

    id: str
    name: str
    description: str
    category: str
    rank: int
    managed: bool
    created_at: str
    updated_at: str


class StatusStore:
    """The statuses of one organisation in a SQLite file that outlives the process."""

    def __init__(self, path: Path) -> None:
        """Open (creating and seeding if new) the database at ``path``."""
        self._ids = UlidFactory()
        # Autocommit mode: transactions are opened explicitly, one per write.
        self._db = sqlite3.connect(path, isolation_level=None)
        self._db.execute("PRAGMA journal_mode = WAL")
        self._db.execute("PRAGMA synchronous = NORMAL")
        with self._transaction():
            version = int(self._db.execute("PRAGMA user_version").fetchone()[0])
            if version == 0:
                self._db.execute(_SCHEMA)
                self._seed()
                self._db.execute(f"PRAGMA user_version = {_SCHEMA_VERSION}")
            elif version != _SCHEMA_VERSION:
                raise RuntimeError(f"{path} holds emulator schema {version}, not {_SCHEMA_VERSION}")

    def close(self) -> None:
        """Close the database."""
        self._db.close()

    def list_statuses(self) -> list[StatusRecord]:
        """Every status, by category (see ``CATEGORY_ORDER``), then rank."""
        rows = self._db.execute(_SELECT_ALL).fetchall()
        return sorted((_record(row) for row in rows), key=_listing_key)

    def get(self, status_id: str) -> StatusRecord:
        """The status with this id, or :class:`NotFound`."""
        row = self._db.execute(_SELECT_ONE, (status_id,)).fetchone()
        if row is None:
            raise NotFound([Problem("not_found", f"No incident status has id {status_id!r}")])
        return _record(row)

    def create(self, payload: CreatePayload) -> StatusRecord:
        """Add a status, or raise :class:`ValidationFailed` for a taken name or rank."""
        with self._transaction():
            problems = self._name_problems(payload.name, exclude_id=None)
            if payload.rank is None:
                rank = self._next_rank(payload.category)
            else:
                rank = payload.rank
                problems += self._rank_problems(payload.category, rank, exclude_id=None)
            if problems:
                raise ValidationFailed(problems)
            now = format_instant(utc_now())
            record = StatusRecord(
                id=self._ids.new(),
                name=payload.name,
                description=payload.description,
                category=payload.category,
                rank=rank,
                managed=False,
                created_at=now,
                updated_at=now,
            )
            self._insert(record)
        return record

    def next_rank(self, category: str) -> int:
        """The rank a create without one would take in ``category`` now."""
        with self._transaction():
            return self._next_rank(category)

    def update(self, status_id: str, payload: UpdatePayload) -> StatusRecord:
        """Change a status's name, description and (if given) rank."""
        with self._transaction():
            current = self.get(status_id)
            _refuse_managed(current, "updated")
            problems = self._name_problems(payload.name, exclude_id=status_id)
            rank = current.rank if payload.rank is None else payload.rank
            if payload.rank is not None:
                problems += self._rank_problems(current.category, rank, exclude_id=status_id)
            if problems:
                raise ValidationFailed(problems)
            updated_at = instant_after(current.updated_at)
            self._db.execute(
                "UPDATE incident_statuses SET name = ?, description = ?, rank = ?, updated_at = ?"
                " WHERE id = ?",
                (payload.name, payload.description, rank, updated_at, status_id),
            )
        return self.get(status_id)

    def delete(self, status_id: str) -> None:
        """Remove a status, or raise :class:`NotFound` / :class:`ValidationFailed` if managed."""
        with self._transaction():
            _refuse_managed(self.get(status_id), "deleted")
            self._db.execute("DELETE FROM incident_statuses WHERE id = ?", (status_id,))

    def reset(self) -> None:
        """Return to a fresh organisation: only the managed statuses, with new ids."""
        with self._transaction():
            self._db.execute("DELETE FROM incident_statuses")
            self._seed()

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def _seed(self) -> None:
        now = format_instant(utc_now())
        for name, category, description in MANAGED_STATUSES:
            self._insert(
                StatusRecord(
                    id=self._ids.new(),
                    name=name,
                    description=description,
                    category=category,
                    rank=0,
                    managed=True,
                    created_at=now,
                    updated_at=now,
                )
            )

    def _insert(self, record: StatusRecord) -> None:
        self._db.execute(
            _INSERT,
            (
                record.id,
                record.name,
                record.description,
                record.category,
                record.rank,
                int(record.managed),
                record.created_at,
                record.updated_at,
            ),
        )

    def _name_problems(self, name: str, *, exclude_id: str | None) -> list[Problem]:
        holder = self._db.execute(
            "SELECT id FROM incident_statuses WHERE name = ? AND id IS NOT ?", (name, exclude_id)
        ).fetchone()
        if holder is None:
            return []
        return [Problem("not_unique", "name must be unique: another status already has it", "name")]

    def _rank_problems(self, category: str, rank: int, *, exclude_id: str | None) -> list[Problem]:
        holder = self._db.execute(
            "SELECT id FROM incident_statuses WHERE category = ? AND rank = ? AND id IS NOT ?",
            (category, rank, exclude_id),
        ).fetchone()
        if holder is None:
            return []
        return [Problem("not_unique", "Can't have more than one status with the same rank", "rank")]

    def _next_rank(self, category: str) -> int:
        ranks = {
            int(row[0])
            for row in self._db.execute(
                "SELECT rank FROM incident_statuses WHERE category = ?", (category,)
            )
        }
        if not ranks:
            return MIN_RANK
        if max(ranks) < MAX_RANK:
            return max(ranks) + 1
        for rank in range(MIN_RANK, MAX_RANK + 1):
            if rank not in ranks:
                return rank
        raise ValidationFailed(
            [Problem("is_invalid", f"category {category} has no free rank left", "rank")]
        )


def _refuse_managed(record: StatusRecord, verb: str) -> None:
    if record.managed:
        raise ValidationFailed(
            [
                Problem(
                    "is_managed",
                    f"{record.name} is managed by incident.io and cannot be {verb}",
                )
            ]
        )


def _record(row: tuple[Any, ...]) -> StatusRecord:
    status_id, name, description, category, rank, managed, created_at, updated_at = row
    return StatusRecord(
        id=str(status_id),
        name=str(name),
        description=str(description),
        category=str(category),
        rank=int(rank),
        managed=bool(managed),
        created_at=str(created_at),
        updated_at=str(updated_at),
    )


def _listing_key(record: StatusRecord) -> tuple[int, str, int, str]:
    try:
        position = CATEGORY_ORDER.index(record.category)
    except ValueError:
        position = len(CATEGORY_ORDER)
    return (position, record.category, record.rank, record.id)
