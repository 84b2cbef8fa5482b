"""The virtualenvs every test shares, and the pytest plugin that fails a test which changes one.

Engine tests run programs in virtualenvs they do not own: the checkout's `.venv` (the package
editable, the engine in `.venv/bin`) and the user's virtualenv, cached per user
(`user.installed_venv`). A test that needs more installed makes a layer of its own over one
(`user.layered_venv`); were it to install into the shared one instead, every later test, in this
run and the next, would run with what it added.

A `fingerprint` is what installing, upgrading or removing anything changes: the names at the top
of site-packages (a distribution's `*.dist-info` carries its version) and every entry of `bin/` by
name, size and modification time.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

Fingerprint = frozenset[str]

CHANGED = "shared-environment-changed"
"""The user property a test's report carries when a shared virtualenv changed while it ran."""


def fingerprint(venv: Path) -> Fingerprint:
    """What `venv` holds, as far as an install, an upgrade or a removal shows (empty if absent)."""
    entries: set[str] = set()
    for site_packages in venv.glob("lib/python*/site-packages"):
        entries.update(
            f"site-packages/{entry.name}"
            for entry in site_packages.iterdir()
            if entry.name != "__pycache__"
        )
    if (venv / "bin").is_dir():
        for entry in (venv / "bin").iterdir():
            status = entry.lstat()
            entries.add(f"bin/{entry.name} {status.st_size} {status.st_mtime_ns}")
    return frozenset(entries)


def changes(before: Fingerprint, after: Fingerprint) -> list[str]:
    """What went (`- `) and what came (`+ `), one line each, sorted by entry."""
    lines = [f"- {entry}" for entry in before - after] + [f"+ {entry}" for entry in after - before]
    return sorted(lines, key=lambda line: line[2:])


def _described(path: Path, found: list[str]) -> str:
    return f"{path}:\n" + "\n".join(f"  {line}" for line in found)


@dataclass(frozen=True)
class Shared:
    """A virtualenv the tests share, and the fingerprint it must keep."""

    path: Path
    expected: Callable[[], Fingerprint | None]
    """What it must hold until the session ends; None while it is not made yet."""


_BEFORE = pytest.StashKey[dict[Path, Fingerprint]]()


class SharedEnvironments:
    """A pytest plugin: no test may change a shared virtualenv.

    Around every test (its fixtures' setup and teardown included), each shared virtualenv that
    is made is fingerprinted; a change fails the test at teardown, saying what changed. Under
    xdist, every test running on any worker when the change happened fails alike: the one that
    made it is among them. At the session's end, in the process that started it, each virtualenv
    is compared with what it must hold, and a difference fails the session, naming the tests
    that saw a change.
    """

    def __init__(self, shared: Sequence[Shared]) -> None:
        self.shared = list(shared)
        self.changed_under: list[str] = []
        self.problems: list[str] = []

    def _made(self) -> dict[Path, Fingerprint]:
        return {s.path: fingerprint(s.path) for s in self.shared if s.expected() is not None}

    @pytest.hookimpl(wrapper=True, tryfirst=True)
    def pytest_runtest_setup(self, item: pytest.Item) -> Generator[None, object, object]:
        """Fingerprint before the test's fixtures, and any virtualenv made by them."""
        before = item.stash[_BEFORE] = self._made()
        try:
            return (yield)
        finally:
            # A session fixture may have just made one (the user's virtualenv, on first use).
            for shared in self.shared:
                if shared.path not in before and shared.expected() is not None:
                    before[shared.path] = fingerprint(shared.path)

    @pytest.hookimpl(wrapper=True, tryfirst=True)
    def pytest_runtest_teardown(
        self, item: pytest.Item, nextitem: pytest.Item | None
    ) -> Generator[None, object, object]:
        """Fail the test if a virtualenv it started with changed by the end of its teardown."""
        try:
            return (yield)
        finally:
            before = item.stash.get(_BEFORE, {})
            found = [
                _described(path, changes(held, fingerprint(path)))
                for path, held in before.items()
                if fingerprint(path) != held
            ]
            if found:
                message = "\n".join(found)
                item.user_properties.append((CHANGED, message))
                pytest.fail(
                    f"a shared virtualenv changed while {item.nodeid} ran; a test installs "
                    f"into a layer of its own (user.layered_venv), never into these:\n{message}",
                    pytrace=False,
                )

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        """Remember, where the session started, the tests under which a virtualenv changed."""
        if any(name == CHANGED for name, _ in report.user_properties):
            self.changed_under.append(report.nodeid)

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        """Where the session started: compare each virtualenv with what it must hold."""
        if hasattr(session.config, "workerinput"):
            return
        for shared in self.shared:
            expected = shared.expected()
            if expected is None:
                continue
            found = changes(expected, fingerprint(shared.path))
            if found:
                self.problems.append(_described(shared.path, found))
        if self.problems:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED

    def pytest_terminal_summary(self, terminalreporter: pytest.TerminalReporter) -> None:
        """Say which virtualenv changed, how, and under which tests."""
        if not self.problems:
            return
        terminalreporter.section("shared virtualenvs changed during the run", red=True)
        for problem in self.problems:
            terminalreporter.line(problem)
        under = ", ".join(dict.fromkeys(self.changed_under))
        terminalreporter.line(
            f"changed while these tests ran: {under}" if under
            else "no test saw it change: it changed between tests, or outside the run"
        )
