"""The versions this package knows: its own, the Pulumi SDK it needs, the one installed.

The package's metadata asks for `pulumi>=3.230.0,<4`, but an environment can still end up with
an older SDK (installed afterwards with a pin of its own, or with `--no-deps`). Its resources
would then fail later, deep inside a provider (a TypeError at the first refresh); `require` says
what is wrong and what to do, in the program's own run.
"""

from __future__ import annotations

import re
import sys
from importlib import metadata

MINIMUM = (3, 230, 0)
"""The oldest `pulumi` this package works with (the provider interface its plugin is written
against), and the floor of its metadata's range."""

REQUIREMENT = "pulumi>={}.{}.{},<4".format(*MINIMUM)
"""The requirement, as pip takes it."""

TESTED_SDK = "3.272.0"
"""The newest pulumi SDK this package is tested with."""

DISTRIBUTION = "pulumi-incident-statuses"


def package() -> str:
    """This package's version, as installed (``0.0.0`` when it is not installed at all)."""
    try:
        return metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        return "0.0.0"


def release(version: str) -> tuple[int, ...]:
    """The release numbers of a version string, e.g. (3, 230, 0)."""
    # "3.216.0", "3.230.0a1712345678", "3.300.0.dev0": the leading numbers are the release.
    match = re.match(r"\d+(?:\.\d+)*", version)
    return tuple(int(part) for part in match.group(0).split(".")) if match else ()


def problem(installed: str | None) -> str | None:
    """Why an installed `pulumi` of version ``installed`` (None: not installed) will not do."""
    if installed is None:
        return (
            f"pulumi-incident-statuses needs the Pulumi Python SDK ({REQUIREMENT}), and "
            f"{sys.executable} has no `pulumi` package: "
            f"run `{sys.executable} -m pip install '{REQUIREMENT}'`"
        )
    if release(installed) >= MINIMUM:
        return None
    return (
        f"pulumi-incident-statuses needs pulumi {'.'.join(map(str, MINIMUM))} or newer, "
        f"and this environment ({sys.executable}) has pulumi {installed}: "
        f"run `{sys.executable} -m pip install '{REQUIREMENT}'` "
        "(and raise the project's own pin of pulumi, if it has one)"
    )


def installed_sdk() -> str | None:
    """The version of the `pulumi` distribution this interpreter imports, if it has one."""
    try:
        return metadata.version("pulumi")
    except metadata.PackageNotFoundError:
        return None


def require() -> None:
    """Raise `pulumi.RunError` (shown without a traceback) if the installed SDK is too old."""
    message = problem(installed_sdk())
    if message is not None:
        import pulumi

        raise pulumi.RunError(message)
