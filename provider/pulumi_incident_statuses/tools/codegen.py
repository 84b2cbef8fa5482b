"""`generate`: an organisation's statuses in, the Pulumi program that adopts them out.

The program declares one `IncidentStatus` per status the organisation owns, with its exact
current name, description, category and `import_id`, and one `IncidentStatusOrder` per orderable
category listing them in their current order, so that the first `pulumi up` adopts every status
as it stands: nothing is created and, while the declarations match, nothing is written. Each
status is declared `protect=True`, as `pulumi import` declares what it imports: a status that
existed before the stack did is never deleted by `pulumi destroy` unless the user first lets it
go. Pure: no I/O, and the same records always give the same text.

Statuses incident.io owns (see `categories.owned_by_incident_io`) are not declared: programs
reference those with `get_incident_status`. Given the state of a stack (`stack_state`), the
program extends that stack: it leaves out the statuses the stack manages, takes no resource name
the stack's resources have, and orders no category one of the stack's orders already orders.

A stack made with release 0.2.0's plugin (package `incident`, now incident.io's) moves across
through the `pulumi import --file` document (`import_document`) and the steps around it
(`migration_steps`): the statuses are imported under this release's token by the same names,
and 0.2.0's resources are dropped from the state; nothing is written to incident.io.
"""

from __future__ import annotations

import json
import keyword
import re
import shlex
import textwrap
import unicodedata
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass

from ..core import tokens
from ..core.categories import CONFIGURABLE, CREATABLE, owned_by_incident_io
from ..core.settings import DEFAULT_ENDPOINT
from ..core.stack_state import LegacyResource, StackState
from ..core.wire import IncidentStatusRecord

__all__ = [
    "Move",
    "Plan",
    "generate",
    "import_document",
    "import_file",
    "migration_steps",
    "plan",
    "program",
    "slug",
]

_MAX_SLUG = 48
# Names the generated module binds itself; a status variable must not rebind them.
_RESERVED = frozenset(
    {"pulumi", "statuses", "resource_name", "status", *(f"{c}_order" for c in CONFIGURABLE)}
)
# Letters that NFKD does not decompose into ASCII but that have a customary spelling in it.
_TRANSLITERATIONS = str.maketrans(
    {
        "ß": "ss",
        "æ": "ae",
        "œ": "oe",
        "ø": "o",
        "ł": "l",
        "đ": "d",
        "ð": "d",
        "þ": "th",
        "\u0131": "i",  # dotless i, escaped: it looks like "i"
    }
)


def slug(text: str) -> str:
    """``text`` as lowercase ASCII words joined by ``_``; empty if nothing of it is ASCII-able.

    ``"Évaluation 調査"`` becomes ``"evaluation"``; ``"調査中"`` becomes ``""``.
    """
    ascii_text = (
        unicodedata.normalize("NFKD", text.lower().translate(_TRANSLITERATIONS))
        .encode("ascii", "ignore")
        .decode()
    )
    words = re.sub(r"[^a-z0-9]+", "_", ascii_text.lower()).strip("_")
    if len(words) > _MAX_SLUG:
        words = words[:_MAX_SLUG].rstrip("_")
    return words


def _base_name(record: IncidentStatusRecord) -> str:
    """The status's slug, made a usable Python identifier; from its id if its name gives none."""
    base = slug(record.name) or f"status_{slug(record.id[-6:]) or 'x'}"
    if base[0].isdigit():
        base = f"status_{base}"
    if keyword.iskeyword(base) or base in _RESERVED:
        base += "_"
    return base


def _lifecycle_order(record: IncidentStatusRecord) -> tuple[int, int, str]:
    return (CREATABLE.index(record.category), record.rank, record.id)


def _variable_names(
    records: Sequence[IncidentStatusRecord], taken_resources: Collection[str] = ()
) -> list[str]:
    """One distinct identifier per record, in order; later holders of a slug get ``_2``, ``_3``.

    No identifier gives a resource name in ``taken_resources``.
    """
    taken: set[str] = set()
    resources = set(taken_resources)
    names: list[str] = []
    for base in (_base_name(record) for record in records):
        name, number = base, 1
        while name in taken or _resource_name(name) in resources:
            number += 1
            name = f"{base.rstrip('_')}_{number}"
        taken.add(name)
        resources.add(_resource_name(name))
        names.append(name)
    return names


def _unused(name: str, taken: Collection[str]) -> str:
    """``name``, or ``name-2``, ``name-3``, ... if a resource already has it."""
    candidate, number = name, 1
    while candidate in taken:
        number += 1
        candidate = f"{name}-{number}"
    return candidate


def _docstring_text(text: str) -> str:
    """``text`` escaped so that, inside a triple-quoted string, it reads back unchanged."""
    return repr(text)[1:-1].replace('"', '\\"')


def _string_argument(keyword_name: str, text: str) -> list[str]:
    """``keyword=<literal>`` lines; text with line breaks as one literal per line, for reading."""
    lines = text.splitlines(keepends=True)
    if len(lines) <= 1:
        return [f"    {keyword_name}={text!r},"]
    return [
        f"    {keyword_name}=(",
        *(f"        {line!r}" for line in lines),
        "    ),",
    ]


def _resource_name(variable: str) -> str:
    """The Pulumi resource name for a status's variable: ``root_cause_2`` -> ``root-cause-2``."""
    return variable.rstrip("_").replace("_", "-")


def _declaration(variable: str, record: IncidentStatusRecord, *, protect: bool) -> list[str]:
    return [
        f"{variable} = IncidentStatus(",
        f"    {_resource_name(variable)!r},",
        *_string_argument("name", record.name),
        *_string_argument("description", record.description),
        f"    category={record.category!r},",
        f"    import_id={record.id!r},",
        *(["    opts=pulumi.ResourceOptions(protect=True),"] if protect else []),
        ")",
    ]


def _order(category: str, resource_name: str, variables: Sequence[str]) -> list[str]:
    return [
        f"{category}_order = IncidentStatusOrder(",
        f"    {resource_name!r},",
        f"    category={category!r},",
        "    statuses=[",
        *(f"        {v}.id," for v in variables),
        "    ],",
        ")",
    ]


def _count(statuses: int) -> str:
    return f"{statuses} status" if statuses == 1 else f"{statuses} statuses"


def _names(records: Iterable[IncidentStatusRecord]) -> str:
    return ", ".join(_docstring_text(record.name) for record in records)


@dataclass(frozen=True)
class Move:
    """A status a stack holds under release 0.2.0's token, imported under this release's by the
    same resource name, parent and (this release's) provider."""

    legacy: LegacyResource
    record: IncidentStatusRecord

    @property
    def name(self) -> str:
        """The resource's name in the program."""
        return self.legacy.name

    @property
    def provider(self) -> str | None:
        """The URN of this release's explicit provider that serves it (the one of the same name
        as 0.2.0's); None when the default provider does."""
        if self.legacy.explicit_provider is None:
            return None
        return _this_release(self.legacy.provider)

    @property
    def parent(self) -> str | None:
        """The URN of its parent when that is not the stack itself (a component, say)."""
        parts = tokens.urn_parts(self.legacy.parent)
        return None if parts is None or parts[2] == _STACK else self.legacy.parent


def _this_release(urn: str) -> str:
    """``urn`` of a resource of release 0.2.0's plugin, with this release's type in its place."""
    parts = tokens.urn_parts(urn)
    if parts is None:
        return urn
    stack, project, qualified, name = parts
    *parents, kind = qualified.split("$")
    kind = _THIS_RELEASE.get(kind, kind)
    return f"urn:pulumi:{stack}::{project}::{'$'.join([*parents, kind])}::{name}"


_STACK = "pulumi:pulumi:Stack"

_THIS_RELEASE = {
    tokens.LEGACY_STATUS: tokens.STATUS,
    tokens.LEGACY_ORDER: tokens.ORDER,
    tokens.LEGACY_PROVIDER: tokens.PROVIDER,
}


@dataclass(frozen=True)
class Plan:
    """What a program adopting an organisation declares, and what it leaves out and why.

    The one place `generate`, `import_file` and the command line's summary decide it.
    """

    adoptable: tuple[IncidentStatusRecord, ...]
    """The statuses to declare, in lifecycle order: ``live``, ``learning``, ``closed``, each by
    rank, then id."""
    variables: tuple[str, ...]
    """One Python identifier per adoptable status; its resource name is `_resource_name`."""
    incident_io: tuple[IncidentStatusRecord, ...]
    """Statuses incident.io manages, by name: referenced, never declared."""
    held: tuple[IncidentStatusRecord, ...]
    """Statuses the extended stack manages already."""
    elsewhere: Mapping[str, tuple[IncidentStatusRecord, ...]]
    """Statuses other stacks of the backend manage, by stack."""
    stack: StackState | None
    """The stack the program extends, if any."""
    others: tuple[str, ...] = ()
    """The other stacks that were read."""
    migrated: tuple[Move, ...] = ()
    """Statuses the extended stack holds under release 0.2.0's plugin token (and incident.io
    still has): `import_file` moves them to this release's token under the same names."""

    @property
    def left_out(self) -> int:
        """How many statuses of the organisation are not declared."""
        elsewhere = sum(len(found) for found in self.elsewhere.values())
        return len(self.incident_io) + len(self.held) + elsewhere


def plan(
    records: Iterable[IncidentStatusRecord],
    *,
    stack: StackState | None = None,
    others: Sequence[StackState] = (),
) -> Plan:
    """What to declare for ``records``: every status the organisation owns, less those ``stack``
    (extended) and ``others`` (other stacks of the backend) manage."""
    all_records = list(records)
    by_id = {record.id: record for record in all_records}
    incident_io_ids = owned_by_incident_io(all_records)
    held_ids = stack.status_ids if stack is not None else frozenset()
    elsewhere = {
        other.stack: tuple(by_id[i] for i in sorted(other.status_ids - held_ids) if i in by_id)
        for other in others
    }
    elsewhere_ids = {record.id for found in elsewhere.values() for record in found}
    left_out = incident_io_ids | held_ids | elsewhere_ids
    adoptable = sorted((r for r in all_records if r.id not in left_out), key=_lifecycle_order)
    taken = stack.resource_names if stack is not None else frozenset()
    legacy = stack.legacy if stack is not None else ()
    return Plan(
        adoptable=tuple(adoptable),
        variables=tuple(_variable_names(adoptable, taken)),
        incident_io=tuple(sorted((by_id[i] for i in incident_io_ids), key=lambda r: r.name)),
        held=tuple(r for r in all_records if r.id in held_ids),
        elsewhere={name: found for name, found in elsewhere.items() if found},
        stack=stack,
        others=tuple(other.stack for other in others),
        migrated=tuple(
            Move(resource, by_id[resource.id])
            for resource in legacy
            if resource.type == tokens.LEGACY_STATUS and resource.id in by_id
        ),
    )


def _header(
    found: Plan, endpoint: str, *, protect: bool, ordered_by_stack: Sequence[str]
) -> list[str]:
    """The module docstring: where the program came from and what its first run does."""
    paragraphs = [
        "incident.io incident statuses, generated by `incident-statuses generate` from "
        f"{_docstring_text(endpoint)}.",
        "Each status below already exists: `import_id` makes the first `pulumi up` adopt it "
        "instead of creating it, and while a declaration matches incident.io nothing is written. "
        "Edit a status here and `pulumi up` updates it in place. Once adopted, the `import_id` "
        "lines may stay or go. Each `IncidentStatusOrder` lists its category top first: reorder "
        "a list to reorder the statuses, or delete it to leave that order to the dashboard.",
    ]
    if any(r.category == "closed" for r in found.adoptable):
        paragraphs.append(
            "The `closed` statuses get no order (orders are of `live` and `learning`): their "
            "order stays the dashboard's."
        )
    paragraphs.append(_PROTECTED if protect else _UNPROTECTED)
    paragraphs.append(_where_it_runs(found))
    if found.elsewhere:
        stacks = "; ".join(
            f"{_names(records)} (stack {_docstring_text(name)})"
            for name, records in sorted(found.elsewhere.items())
        )
        paragraphs.append(
            f"Not declared, because other stacks of the backend manage them: {stacks}. A status "
            "has one owner; move it between stacks with `pulumi state` and an import, not here."
        )
    if ordered_by_stack:
        paragraphs.append(
            "Not ordered here, because an order of the stack already orders the category: "
            f"{', '.join(ordered_by_stack)}. To order the statuses below with the others, add "
            "their `.id` to that order's list."
        )
    if found.incident_io:
        paragraphs.append(
            f"Not declared, because incident.io manages them: {_names(found.incident_io)}. "
            'Reference those with `get_incident_status(name="...")`.'
        )
    return _docstring(paragraphs)


_PROTECTED = (
    "Each status is protected (`protect=True`), as `pulumi import` protects what it imports: "
    "`pulumi destroy`, or removing a declaration, never deletes it from incident.io; the run "
    "fails and names it instead (`pulumi destroy --exclude-protected` destroys the rest and keeps "
    "these). To delete one from incident.io, remove its declaration, run `pulumi state unprotect "
    "'<its URN>'`, then `pulumi up`. To stop managing one and keep it, remove its declaration and "
    "run `pulumi state delete --force '<its URN>'`. `pulumi stack --show-urns` shows URNs."
)
_UNPROTECTED = (
    "The statuses are not protected (generated with --no-protect): `pulumi destroy`, or removing "
    "a declaration and running `pulumi up`, deletes them from incident.io."
)


def _where_it_runs(found: Plan) -> str:
    if found.stack is None:
        return (
            "Run this file as a Pulumi program (`__main__.py`), which exports every status's id, "
            "or import it from one: `from statuses import statuses` gives the resources by name."
        )
    held = len(found.held)
    already = (
        f"the {_count(held)} it manages already {'is' if held == 1 else 'are'} left out, and "
        if held
        else ""
    )
    name = _docstring_text(repr(found.stack.stack))
    return (
        f"Written to extend the stack {name}: {already}no resource name here is one its "
        "resources have. Import it from that stack's program (`from statuses import "
        "statuses`); run in the program's place, it would delete the stack's other resources."
    )


def _docstring(paragraphs: Sequence[str]) -> list[str]:
    lines: list[str] = []
    for paragraph in paragraphs:
        if lines:
            lines.append("")
        lines += textwrap.wrap(
            paragraph,
            width=99,
            initial_indent="" if lines else '"""',
            break_long_words=False,
            break_on_hyphens=False,
        )
    return [*lines, '"""']


def generate(
    records: Iterable[IncidentStatusRecord],
    *,
    endpoint: str = DEFAULT_ENDPOINT,
    protect: bool = True,
    stack: StackState | None = None,
    others: Sequence[StackState] = (),
) -> str:
    """The Python source of a Pulumi program adopting every status the organisation owns.

    Statuses are declared in lifecycle order: ``live``, ``learning`` then ``closed``, each by rank,
    then id; after them, for each of ``live`` and ``learning`` that has any, the
    ``IncidentStatusOrder`` that keeps that order. Statuses incident.io owns are only named in the
    header. ``protect`` declares each status ``protect=True``. With ``stack``, the statuses it
    manages are left out, resource names avoid its resources' names, and a category one of its
    orders orders gets no order here; the statuses ``others`` (other stacks) manage are left out
    too. ``endpoint`` is where the records came from, for the header.
    """
    return program(plan(records, stack=stack, others=others), endpoint=endpoint, protect=protect)


def program(found: Plan, *, endpoint: str = DEFAULT_ENDPOINT, protect: bool = True) -> str:
    """The Python source `generate` writes, for an adoption plan made already."""
    orders, ordered_by_stack = _orders(found)
    blocks = [
        _header(found, endpoint, protect=protect, ordered_by_stack=ordered_by_stack),
        [
            "import pulumi",
            "from pulumi_incident_statuses import "
            + ("IncidentStatus, IncidentStatusOrder" if orders else "IncidentStatus"),
        ],
        *(
            _declaration(v, record, protect=protect)
            for v, record in zip(found.variables, found.adoptable, strict=True)
        ),
        *orders,
        [
            "statuses: dict[str, IncidentStatus] = {",
            *(f"    {_resource_name(v)!r}: {v}," for v in found.variables),
            "}",
            '"""Every status declared here, by resource name."""',
        ],
        [
            'if __name__ == "__main__":',
            "    for resource_name, status in statuses.items():",
            "        pulumi.export(resource_name, status.id)",
        ],
    ]
    return "\n\n".join("\n".join(block) for block in blocks) + "\n"


def _orders(found: Plan) -> tuple[list[list[str]], list[str]]:
    """The orders to declare, and the categories left to an order of the extended stack."""
    stack_orders = found.stack.orders if found.stack is not None else {}
    ordered_ids = found.stack.ordered_ids if found.stack is not None else frozenset()
    taken = found.stack.resource_names if found.stack is not None else frozenset()
    orders: list[list[str]] = []
    ordered_by_stack: list[str] = []
    order_names = set(taken) | {_resource_name(v) for v in found.variables}
    for category in CONFIGURABLE:
        listed = [
            v
            for v, r in zip(found.variables, found.adoptable, strict=True)
            if r.category == category and r.id not in ordered_ids
        ]
        if stack_orders.get(category):
            if listed:
                ordered_by_stack += [f"{category!r} ({', '.join(stack_orders[category])})"]
            continue
        if listed:
            name = _unused(f"{category}-order", order_names)
            order_names.add(name)
            orders.append(_order(category, name, listed))
    return orders, ordered_by_stack


def import_file(
    records: Iterable[IncidentStatusRecord],
    *,
    stack: StackState | None = None,
    others: Sequence[StackState] = (),
) -> str:
    """The `pulumi import --file` document adopting the statuses `generate` would declare.

    For the provider plugin (`pulumi-resource-incident-statuses`, any Pulumi language): the same
    statuses, order and resource names as `generate` (with ``stack``, as it extends that stack),
    as JSON; and the statuses ``stack`` holds under release 0.2.0's token (`incident:index:...`)
    under their own names, to move them to this release's. `pulumi import` marks what it adopts
    protected, and writes nothing to incident.io.
    """
    return import_document(plan(records, stack=stack, others=others))


def import_document(found: Plan) -> str:
    """The JSON `import_file` writes, for an adoption plan made already."""
    moved: list[dict[str, str]] = [
        {"type": tokens.STATUS, "name": move.name, "id": move.record.id} for move in found.migrated
    ]
    resources = [
        *moved,
        *(
            {"type": tokens.STATUS, "name": _resource_name(variable), "id": record.id}
            for variable, record in zip(found.variables, found.adoptable, strict=True)
        ),
    ]
    # Parents and explicit providers, in the state by the time of the import, go in the name
    # table under their resource names (`pulumi import` uses the names in the code it prints),
    # unless a resource of the document has that name.
    names: dict[str, str] = {}
    for entry, move in zip(moved, found.migrated, strict=True):
        for key, urn in (("parent", move.parent), ("provider", move.provider)):
            if urn is None:
                continue
            if urn not in names:
                taken = {r["name"] for r in resources} | set(names.values())
                names[urn] = _unused(tokens.resource_name(urn), taken)
            entry[key] = names[urn]
    table = {name: urn for urn, name in names.items()}
    document = {"nameTable": table, "resources": resources} if table else {"resources": resources}
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _quoted(urn: str) -> str:
    """``urn`` single-quoted for a POSIX shell, as Pulumi advises for URNs (``$`` joins types)."""
    return "'" + urn.replace("'", "'\\''") + "'"


def migration_steps(found: Plan, *, stack: str, import_file: str) -> list[str]:
    """What to run, around `pulumi import --file IMPORT_FILE`, to move the resources release
    0.2.0's plugin left in ``stack`` to this release's: one line each; empty if there are none.

    The old plugin is gone once this release is installed, and every `pulumi` command but `state`
    loads the providers the state records: so 0.2.0's resources leave the state first (dependents
    first: `pulumi state delete` refuses a resource something still depends on), then the program
    changes, this release's explicit providers are created, and the statuses are imported.
    """
    legacy = found.stack.legacy if found.stack is not None else ()
    if not legacy:
        return []
    flag = f"--stack {shlex.quote(stack)}"
    kinds = [resource.type for resource in legacy]
    counted = ", ".join(
        f"{kinds.count(kind)} {noun if kinds.count(kind) == 1 else plural}"
        for kind, noun, plural in (
            (tokens.LEGACY_STATUS, "status", "statuses"),
            (tokens.LEGACY_ORDER, "order", "orders"),
            (tokens.LEGACY_PROVIDER, "provider", "providers"),
        )
        if kind in kinds
    )
    steps = [
        f"the stack {stack!r} holds resources of release 0.2.0's plugin (package "
        f"`{tokens.LEGACY_PACKAGE}`, incident.io's own provider's name): {counted}. To move them "
        "to this release, writing nothing to incident.io:",
        "1. Drop them from the state (incident.io keeps the statuses), in this order:",
        *(
            f"   pulumi state delete {flag} --force --yes {_quoted(resource.urn)}"
            for resource in reversed(legacy)
        ),
    ]
    held = [resource for resource in legacy if resource.dependents]
    if held:
        steps.append(
            "   `pulumi state delete` refuses a resource others depend on: first remove these "
            "references from the state (`pulumi stack export`, edit, `pulumi stack import`): "
            + "; ".join(f"{', '.join(r.dependents)} on {r.urn}" for r in held)
        )
    steps.append(
        f"2. In the program: every `{tokens.LEGACY_PACKAGE}:index:` type or function becomes "
        f"`{tokens.PACKAGE}:index:` ({tokens.STATUS}, {tokens.ORDER}, {tokens.GET_STATUS}); "
        f"a provider `{tokens.LEGACY_PROVIDER}` becomes `{tokens.PROVIDER}`; the plugin "
        f"`{tokens.LEGACY_PACKAGE}` under plugins.providers becomes `{tokens.PACKAGE}` (the folder "
        f"holding {tokens.PLUGIN}); stack config `{tokens.LEGACY_PACKAGE}:apiKey` and "
        f"`{tokens.LEGACY_PACKAGE}:endpoint` become `{tokens.PACKAGE}:apiKey` and "
        f"`{tokens.PACKAGE}:endpoint` (or INCIDENT_API_KEY and INCIDENT_ENDPOINT)."
    )
    step = 3
    providers = sorted({move.provider for move in found.migrated if move.provider})
    if providers:
        steps += [
            f"{step}. Create this release's explicit providers (only them: nothing is sent to "
            "incident.io):",
            f"   pulumi up {flag} --yes "
            + " ".join(f"--target {_quoted(urn)}" for urn in providers),
        ]
        step += 1
    steps += [
        f"{step}. Import the statuses under this release's token:",
        f"   pulumi import {flag} --yes --file {shlex.quote(import_file)}",
        f"{step + 1}. pulumi up {flag}: it applies the program's options (`protect` among them) "
        "and creates each order in the state, writing nothing while the statuses are in that "
        "order.",
    ]
    return steps
