"""How an error of this package reaches the person running `pulumi up`: message first.

The SDK's dynamic provider host (`pulumi/dynamic/__main__.py`) answers any exception a provider
method raises with `traceback.format_exc()`, and the engine shows that text as the resource's
diagnostic: a dozen frames of the host, the provider and the client, then the one line that
matters. The host treats no exception type specially, but Python prints a chained exception
before the one that carries it, and an exception without a traceback as its message alone. So an
`IncidentAPIError` leaves a provider operation with its trace cut to the operation and a cause
that is a bare copy of itself, and the diagnostic reads::

    pulumi_incident_statuses.errors.ValidationError: incident.io rejected POST ... : rank: ...

    The above exception was the direct cause of the following exception:

    Traceback (most recent call last):      (three frames: the host, then this module)
    pulumi_incident_statuses.errors.ValidationError: incident.io rejected POST ... : rank: ...

The error keeps its type and attributes, so code calling a provider method directly catches it
by type. Any other exception is a bug and keeps its whole traceback.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

from pulumi.dynamic import ResourceProvider

from .errors import IncidentAPIError

__all__ = ["MessageFirstProvider"]

_P = ParamSpec("_P")
_R = TypeVar("_R")

_OPERATIONS = ("configure", "check", "diff", "create", "read", "update", "delete")


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

