"""How an error of this package reaches the person running `pulumi up`: its message, once.

The SDK's dynamic provider host (`pulumi/dynamic/__main__.py`) answers any exception a provider
method raises with `traceback.format_exc()`, and the engine shows that text as the resource's
diagnostic: a dozen frames of the host, the provider and the client, then the one line that
matters. Inside that host, this module has the host's `format_exc` answer an `IncidentAPIError`
with the error's own line alone (`traceback.format_exception_only`)::

    pulumi_incident_statuses.core.errors.ValidationError: incident.io rejected POST ... : rank: ...

Every other exception, ours that are bugs and those of any other dynamic provider in the same
process, gets the host's answer unchanged. Only the name `traceback` in the host's own module is
replaced, by an object that hands everything but that one case to the real module; the
`traceback` module itself is left as it is.

Where the host is not the one this knows (another SDK version), the fallback is the cut
traceback: an `IncidentAPIError` leaves a provider operation with its trace cut to the
operation and a cause that is a bare copy of itself, which Python prints first, on its own line.
The error keeps its type and attributes either way, so code calling a provider method directly
catches it by its class.
"""

from __future__ import annotations

import copy
import functools
import sys
import traceback
from collections.abc import Callable
from types import ModuleType
from typing import Any, ParamSpec, TypeVar

from pulumi.dynamic import ResourceProvider

from ..core.errors import IncidentAPIError

__all__ = ["MessageFirstProvider", "answer_errors_with_message"]

_P = ParamSpec("_P")
_R = TypeVar("_R")

_OPERATIONS = ("configure", "check", "diff", "create", "read", "update", "delete")
_HOST = "pulumi.dynamic.__main__"


class _MessageOnlyTraceback:
    """The `traceback` module as the dynamic provider host sees it: the same, but `format_exc`
    gives an `IncidentAPIError` its own line alone."""

    def __init__(self, module: ModuleType) -> None:
        self._module = module

    def format_exc(self, limit: int | None = None, chain: bool = True) -> str:
        """The error's line alone for ours; what `traceback.format_exc` says for the rest."""
        error = sys.exc_info()[1]
        if isinstance(error, IncidentAPIError):
            return "".join(self._module.format_exception_only(error))
        text: str = self._module.format_exc(limit, chain)
        return text

    def __getattr__(self, name: str) -> Any:
        return getattr(self._module, name)


def answer_errors_with_message(host: ModuleType | None = None) -> bool:
    """In the SDK's dynamic provider host, answer `IncidentAPIError`s with their message alone.

    ``host`` is the host's module (default: this process's ``__main__``, when it is the host).
    Returns whether it is in place; anywhere else it does nothing.
    """
    if host is None:
        host = sys.modules.get("__main__")
        spec = getattr(host, "__spec__", None)
        if host is None or getattr(spec, "name", None) != _HOST:
            return False
    found = getattr(host, "traceback", None)
    if isinstance(found, _MessageOnlyTraceback):
        return True
    if found is not traceback:
        return False
    vars(host)["traceback"] = _MessageOnlyTraceback(traceback)
    return True


def _bare(error: IncidentAPIError) -> IncidentAPIError:
    # A copy with no traceback and no chain: printed as its message alone.
    plain = copy.copy(error)
    plain.__traceback__ = None
    plain.__cause__ = None
    plain.__context__ = None
    return plain


def _message_first(method: Callable[_P, _R]) -> Callable[_P, _R]:
    @functools.wraps(method)
    def run(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        try:
            return method(*args, **kwargs)
        except IncidentAPIError as error:
            raise error.with_traceback(None) from _bare(error)

    return run


class MessageFirstProvider(ResourceProvider):
    """A dynamic provider whose errors reach the engine message first (see `ProviderBase`).

    Each operation a subclass defines (`configure`, `check`, `diff`, `create`, `read`, `update`,
    `delete`) is wrapped so that an `IncidentAPIError` it raises starts the diagnostic.
    """

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        for name in _OPERATIONS:
            method = cls.__dict__.get(name)
            if callable(method):
                setattr(cls, name, _message_first(method))


# The host unpickles a provider of this package, and so imports this module, before the first
# call of it returns: answering from then on covers every error the provider raises.
answer_errors_with_message()
