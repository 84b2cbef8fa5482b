"""Inside the SDK's dynamic provider host, an error of this package is answered with its line
alone, and everything else exactly as the host answers it."""

from __future__ import annotations

import traceback
import types

from pulumi_incident_statuses.core.errors import StatusConflictError
from pulumi_incident_statuses.dynamic.diagnostics import answer_errors_with_message


def host_module() -> types.ModuleType:
    """A module standing for `pulumi/dynamic/__main__.py`: it imported `traceback`."""
    host = types.ModuleType("host")
    vars(host)["traceback"] = traceback
    return host


def answered(host: types.ModuleType, error: Exception) -> str:
    """What the host's `_abort_with_traceback` sends the engine for ``error``."""
    try:
        raise error
    except Exception:
        text: str = host.traceback.format_exc()
        return text


def test_our_errors_are_their_message_alone_and_others_keep_the_traceback() -> None:
    host = host_module()
    assert answer_errors_with_message(host)
    ours = answered(host, StatusConflictError("cannot create incident status 'X'", holder_id="01"))
    assert ours == (
        "pulumi_incident_statuses.StatusConflictError: cannot create incident status 'X'\n"
    )
    theirs = answered(host, ValueError("a bug somewhere"))
    assert theirs.startswith("Traceback (most recent call last):")
    assert theirs.endswith("ValueError: a bug somewhere\n")
    # Everything else of the module is the real one's.
    assert host.traceback.format_exception_only is traceback.format_exception_only


def test_installing_twice_changes_nothing_and_a_host_unlike_the_sdks_is_left_alone() -> None:
    host = host_module()
    assert answer_errors_with_message(host)
    installed = host.traceback
    assert answer_errors_with_message(host)
    assert host.traceback is installed

    other = types.ModuleType("other")
    assert not answer_errors_with_message(other)
    assert not hasattr(other, "traceback")
    # This process is no provider host: nothing is touched.
    assert not answer_errors_with_message()
