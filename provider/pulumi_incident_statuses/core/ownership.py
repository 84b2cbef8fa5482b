"""Whose a status is, when it stands in the way of one of the stack's resources.

incident.io marks no status with its owner, so a provider that meets a held name asks, in order:

1. does another resource of this deployment keep it (`deployment.holders`)?
2. does the stack's state give it to another resource (read once, only now: `stack_state.view`)?
3. did an interrupted `pulumi up` of this stack leave a create of it pending, with its content?

The answer picks the remedy a conflict carries (`advice.Remedy`): rename the resource (1, 2),
recover (3), or adopt it, only by saying so (anything else). Where the stack cannot be read, the
answer is the last: nothing proves the status is this stack's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import creation, stack_state, tokens
from . import deployment as deployment_module
from .advice import Remedy
from .errors import StatusConflictError

if TYPE_CHECKING:
    from .inputs import StatusInputs
    from .operations.results import Reach
    from .wire import IncidentStatusRecord


def stack_holder(reach: Reach, status_id: str) -> str | None:
    """The URN of another resource of this stack that holds ``status_id``, if there is one:
    recorded by this deployment, or in the stack's state."""
    others = [
        urn
        for urn in deployment_module.DEPLOYMENT.holders(reach.organisation, status_id)
        if urn not in reach.urns
    ]
    if others:
        return others[0]
    state = _state(reach)
    if state is None:
        return None
    return next((u for u in state.holders.get(status_id, ()) if u not in reach.urns), None)


def classified(
    conflict: StatusConflictError,
    reach: Reach,
    holder: IncidentStatusRecord,
    declared: StatusInputs | None,
) -> StatusConflictError:
    """``conflict`` with the remedy that fits whose ``holder`` is (see the module docstring)."""
    owner = stack_holder(reach, holder.id)
    if owner is not None:
        return conflict.revised(remedy=Remedy.RENAME, holder_resource=owner)
    state = _state(reach)
    if state is not None and declared is not None and _pending_made(state, holder, declared):
        return conflict.revised(remedy=Remedy.RECOVER)
    return conflict.revised(remedy=Remedy.ADOPT)


def _pending_made(
    state: stack_state.StackState, holder: IncidentStatusRecord, declared: StatusInputs
) -> bool:
    """Whether a pending create of the stack may have made ``holder``: it sent exactly what the
    holder holds, as this resource declares it. `recover` then settles it on the evidence."""
    sent = (declared.name, declared.description, declared.category, declared.rank)
    return creation.same_content(
        holder,
        name=declared.name,
        description=declared.description,
        category=declared.category,
        rank=declared.rank,
    ) and any((p.name, p.description, p.category, p.rank) == sent for p in state.pending)


def _state(reach: Reach) -> stack_state.StackState | None:
    parts = tokens.urn_parts(reach.urn or "")
    if parts is None:
        return None
    stack, project, _type, _name = parts
    return stack_state.view(stack, project)
