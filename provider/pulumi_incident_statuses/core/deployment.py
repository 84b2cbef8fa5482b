"""What the operations of one deployment share: which resource declares each name, which resources
hold each status, which order lists each status, and, within one provider process, the names its
statuses are heading for and the turn rename moves take.

The engine calls `check` and `diff` for every resource of the program before it runs their
updates, so a deployment can know what it declares before it writes anything:

- two resources declaring one name would give one status two owners: the second `check` of the
  name fails (`declare_name`);
- a status held by a resource that stays (its `diff`, or its create or adoption) is never deleted
  by another resource of the same deployment, whatever the program says (`hold`, `holders`):
  renaming a resource without an alias, then adopting its status again, must not lose it;
- a status listed by two orders would be moved back and forth by them (`claim_order`).

A stack may use the dynamic resources and the plugin at once, each served by a provider process
of its own, so these records are kept in a ledger shared by every provider process of the
deployment: files in a folder named after the engine that started them (`share`). Where no engine
is known (a provider called directly), the ledger is this process's memory.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from .inputs import StatusInputs

HOST_THREADS = 4
"""The threads the dynamic provider host runs operations on (pulumi/dynamic/__main__.py:
ThreadPoolExecutor(max_workers=4)); a process runs on these unless it says otherwise (`run_on`)."""


class Ledger(Protocol):
    """Sets of holders by kind and key, shared by the processes of one deployment."""

    def add(self, kind: str, key: str, holders: Iterable[str]) -> list[str]:
        """Add ``holders`` under ``key``; every holder recorded there."""

    def get(self, kind: str, key: str) -> list[str]:
        """Every holder recorded under ``key``."""


class MemoryLedger:
    """A ledger in this process's memory."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: dict[tuple[str, str], dict[str, None]] = {}

    def add(self, kind: str, key: str, holders: Iterable[str]) -> list[str]:
        """See `Ledger.add`."""
        with self._lock:
            entry = self._entries.setdefault((kind, key), {})
            entry.update(dict.fromkeys(holders))
            return list(entry)

    def get(self, kind: str, key: str) -> list[str]:
        """See `Ledger.get`."""
        with self._lock:
            return list(self._entries.get((kind, key), {}))


class FileLedger:
    """A ledger in a folder, shared by every process that opens the folder: a file per kind of
    record, to which each process appends its records, a line each, and from which it reads
    those of the others.

    A record is written in one write to the file opened for appending, which the system puts
    whole at its end, and readers take whole lines only, so none reads half of one. Each process
    keeps what it has read and reads only what was appended since.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self._lock = threading.Lock()
        self._logs: dict[str, _Log] = {}

    def add(self, kind: str, key: str, holders: Iterable[str]) -> list[str]:
        """See `Ledger.add`."""
        with self._lock:
            log = self._log(kind)
            known = log.holders.get(key, {})
            # One already read is recorded; any other is appended, perhaps again (reads dedupe).
            new = [holder for holder in dict.fromkeys(holders) if holder not in known]
            return list(log.read([(key, holder) for holder in new]).get(key, {}))

    def get(self, kind: str, key: str) -> list[str]:
        """See `Ledger.get`."""
        with self._lock:
            return list(self._log(kind).read().get(key, {}))

    def _log(self, kind: str) -> _Log:
        log = self._logs.get(kind)
        if log is None:
            log = self._logs[kind] = _Log(self.root / f"{kind}.jsonl")
        return log


class _Log:
    """The file of one kind of record of a `FileLedger`, and every holder by key read from it."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.holders: dict[str, dict[str, None]] = {}
        self._offset = 0
        self._partial = b""

    def read(self, records: list[tuple[str, str]] | None = None) -> dict[str, dict[str, None]]:
        """Every holder by key, after appending ``records`` (key, holder) in one write."""
        lines = "".join(json.dumps(record) + "\n" for record in records or ()).encode()
        if lines:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            with self.path.open("a+b" if lines else "rb", buffering=0) as file:
                if lines and file.write(lines) != len(lines):
                    raise OSError(f"could not append the deployment's records to {self.path}")
                file.seek(self._offset)
                added = file.read()
        except FileNotFoundError:
            return self.holders
        self._offset += len(added)
        *whole, self._partial = (self._partial + added).split(b"\n")
        for line in whole:
            key, holder = json.loads(line)
            self.holders.setdefault(key, {})[holder] = None
        return self.holders


class Deployment:
    """The records of this process's deployment (see the module's docstring)."""

    def __init__(self, ledger: Ledger | None = None) -> None:
        self._lock = threading.Lock()
        self._declared: dict[str, StatusInputs] = {}
        self.ledger: Ledger = ledger or MemoryLedger()
        self.moving = threading.Lock()
        """Held while a chain of renames moves statuses: one chain at a time."""
        self.waiting = threading.BoundedSemaphore(HOST_THREADS - 1)
        """Taken by an update waiting for a holder's `diff`: one of the process's threads is
        always left."""

    def run_on(self, threads: int) -> None:
        """Say that this process runs its operations on ``threads`` threads (see `waiting`)."""
        self.waiting = threading.BoundedSemaphore(threads - 1)

    def declare(self, status_id: str, declared: StatusInputs) -> None:
        """Record what this deployment declares for a status (from its `diff`)."""
        with self._lock:
            self._declared[status_id] = declared

    def declared(self, status_id: str) -> StatusInputs | None:
        """What this deployment declares for a status, if its `diff` has come."""
        with self._lock:
            return self._declared.get(status_id)

    def declare_name(self, organisation: str, name: str, urn: str) -> list[str]:
        """Record that resource ``urn`` declares ``name``; the other resources that declare it."""
        found = self.ledger.add("names", f"{organisation}\n{name}", [urn])
        return [other for other in found if other != urn]

    def hold(self, organisation: str, status_id: str, urns: Iterable[str | None]) -> None:
        """Record that the resource known by ``urns`` (its URN now, and before a rename) keeps
        the status ``status_id`` through this deployment (nothing, if no URN is known)."""
        known = [urn for urn in urns if urn]
        if known:
            self.ledger.add("holds", f"{organisation}\n{status_id}", known)

    def holders(self, organisation: str, status_id: str) -> list[str]:
        """The URNs of the resources recorded as keeping ``status_id`` (see `hold`)."""
        return self.ledger.get("holds", f"{organisation}\n{status_id}")

    def claim_order(self, organisation: str, order_urn: str, status_id: str) -> list[str]:
        """Record that the order ``order_urn`` lists ``status_id``; the other orders that do."""
        found = self.ledger.add("orders", f"{organisation}\n{status_id}", [order_urn])
        return [other for other in found if other != order_urn]


DEPLOYMENT = Deployment()
"""This process's deployment."""


def engine_address(args: Iterable[str]) -> str | None:
    """The engine's address among a provider's arguments (the engine passes it last, after
    flags, some of which take a value)."""
    found = None
    skip = False
    for arg in args:
        if skip:
            skip = False
        elif arg in ("--tracing", "--root", "--attach"):
            skip = True
        elif not arg.startswith("-") and re.fullmatch(r"[\w.\-\[\]:]+:\d+", arg):
            found = arg
    return found


def share(address: str) -> None:
    """Keep this process's deployment in the ledger of the engine at ``address``, shared with
    the other provider processes that engine started."""
    base = _ledgers()
    owner = _engine_pid()
    root = base / f"{re.sub(r'[^0-9A-Za-z]+', '-', address)}-{owner}"
    _forget_finished(base)
    DEPLOYMENT.ledger = FileLedger(root)


def _ledgers() -> Path:
    return Path(tempfile.gettempdir()) / f"pulumi-incident-statuses-{os.getuid()}" / "deployments"


def _forget_finished(base: Path) -> None:
    """Remove the ledgers of engines that are gone: a folder's name ends with its engine's pid."""
    try:
        folders = list(base.iterdir())
    except FileNotFoundError:
        return
    for folder in folders:
        pid = folder.name.rsplit("-", 1)[-1]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


_SHELLS = frozenset({"sh", "bash", "dash", "zsh", "ksh"})


def _engine_pid() -> int:
    """The process that started this provider: its parent, past the launcher script the engine
    runs for dynamic providers (a shell)."""
    pid = os.getppid()
    for _ in range(3):
        found = _parent_and_name(pid)
        if found is None or os.path.basename(found[1]) not in _SHELLS:
            break
        pid = found[0]
    return pid


def _parent_and_name(pid: int) -> tuple[int, str] | None:
    """The parent of ``pid`` and the program it runs (for a script, its interpreter)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="utf-8")
        command = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0", 1)[0].decode()
    except (OSError, UnicodeDecodeError):
        return _parent_and_name_by_ps(pid)
    # "pid (name) state ppid ...": the name may hold spaces and parentheses.
    ppid = int(stat[stat.rindex(")") + 2 :].split()[1])
    return ppid, command


def _parent_and_name_by_ps(pid: int) -> tuple[int, str] | None:
    try:
        done = subprocess.run(
            ["ps", "-o", "ppid=,args=", "-p", str(pid)],
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    fields = done.stdout.split(None, 1)
    if done.returncode != 0 or len(fields) != 2 or not fields[0].isdigit():
        return None
    return int(fields[0]), fields[1].split()[0]
