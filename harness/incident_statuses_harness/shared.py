"""The virtualenvs every test shares, and what would show that a test changed one.

Engine tests run programs in virtualenvs they do not own: the checkout's `.venv` (the package
editable, the engine in `.venv/bin`) and the user's virtualenv cached under `.build/user-venv/`
(`user.installed_venv`). A test that needs more installed makes a layer of its own over one
(`user.layered_venv`); were it to install into the shared one instead, every later test, in this
run and the next, would run with what it added.

A `fingerprint` is what installing, upgrading or removing anything changes: the names at the top
of site-packages (a distribution's `*.dist-info` carries its version) and every entry of `bin/` by
name, size and modification time.
"""

from __future__ import annotations

from pathlib import Path

Fingerprint = frozenset[str]


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
