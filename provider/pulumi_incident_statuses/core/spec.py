"""Each resource of this package, declared once: its fields, and what each of them is.

A field has a name (snake_case, as the operations and the Python resources spell it; its name on
the plugin's wire is the camelCase of it), a kind, a doc a user reads, whether the program
declares it (an input, required or not) or only reads it (an output), whether changing it
replaces the resource, whether it is secret, and which ways in have it. Everything else follows
from here: the operations' inputs, outputs and replace rule (`operations`), the plugin's schema
and the names and lists it converts (`plugin`), and the Python resources' typed classes
(`declared`, written from here by ``scripts/declare.py``). Adding a field is one line here.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

__all__ = ["CONFIG", "GET_STATUS", "ORDER", "STATUS", "Door", "Field", "Kind", "Resource", "camel"]


class Door(enum.Enum):
    """A way in to the package's resources."""

    PYTHON = "python"
    """The dynamic resources, `IncidentStatus(...)` in a Python program."""
    PLUGIN = "plugin"
    """The provider plugin, from Pulumi YAML or a generated SDK."""
    COMMAND_LINE = "command line"
    """The `incident-statuses` command."""


BOTH = frozenset({Door.PYTHON, Door.PLUGIN})
PYTHON_ONLY = frozenset({Door.PYTHON})


class Kind(enum.Enum):
    """What a field holds: its Python type and its type in the plugin's schema."""

    STRING = ("str", {"type": "string"})
    INTEGER = ("int", {"type": "integer"})
    BOOLEAN = ("bool", {"type": "boolean"})
    STRINGS = ("list[str]", {"type": "array", "items": {"type": "string"}})
    INTEGERS = ("list[int]", {"type": "array", "items": {"type": "integer"}})

    @property
    def python(self) -> str:
        """The Python type, as annotations spell it."""
        python: str = self.value[0]
        return python

    @property
    def schema(self) -> dict[str, object]:
        """The type as a Pulumi package schema spells it."""
        return dict(self.value[1])


def camel(name: str) -> str:
    """``name`` as the plugin's wire spells it: ``created_at`` -> ``createdAt``."""
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


@dataclass(frozen=True)
class Field:
    """One field of a resource."""

    name: str
    kind: Kind
    doc: str
    """What it is, as the program declares it (or, for an output only, as it reads it)."""
    input: bool = False
    """Whether the program declares it."""
    required: bool = False
    """Whether the program must declare it."""
    replaces: bool = False
    """Whether a change of it replaces the resource."""
    secret: bool = False
    output: str | None = None
    """What it is as an output, when that says more than ``doc``."""
    nullable: bool = False
    """Whether its output may be None (when the program left it out)."""
    doors: frozenset[Door] = BOTH
    """The ways in that have it."""

    @property
    def wire(self) -> str:
        """Its name on the plugin's wire and in its schema."""
        return camel(self.name)

    @property
    def output_doc(self) -> str:
        """What it is as an output."""
        return self.output or self.doc


@dataclass(frozen=True)
class Resource:
    """A resource's declaration: its name, what it is, and its fields."""

    name: str
    doc: str
    fields: tuple[Field, ...] = field(default=())
    notes: str = ""
    """What a Python program's author should know beyond ``doc``, for its class's docstring."""

    def on(self, door: Door) -> tuple[Field, ...]:
        """The fields ``door`` has."""
        return tuple(f for f in self.fields if door in f.doors)

    def inputs(self, door: Door = Door.PYTHON) -> tuple[str, ...]:
        """The names of the fields the program declares through ``door``."""
        return tuple(f.name for f in self.on(door) if f.input)

    def outputs(self, door: Door = Door.PYTHON) -> tuple[str, ...]:
        """The names of every field an output has through ``door`` (the inputs among them)."""
        return tuple(f.name for f in self.on(door))

    def required(self) -> tuple[str, ...]:
        """The names of the inputs the program must declare."""
        return tuple(f.name for f in self.fields if f.required)

    def replacing(self) -> tuple[str, ...]:
        """The names of the inputs whose change replaces the resource."""
        return tuple(f.name for f in self.fields if f.replaces)


STATUS = Resource(
    "IncidentStatus",
    "An incident.io incident status (Investigating, Fixing, Monitoring, ...).",
    (
        Field(
            "name",
            Kind.STRING,
            'Unique name of the status, e.g. "Investigating".',
            input=True,
            required=True,
        ),
        Field(
            "description",
            Kind.STRING,
            "Rich-text description shown to responders.",
            input=True,
            required=True,
        ),
        Field(
            "category",
            Kind.STRING,
            "`live`, `learning` or `closed`. Changing it replaces the status.",
            input=True,
            required=True,
            replaces=True,
        ),
        Field(
            "rank",
            Kind.INTEGER,
            "Order within the category (0..999999). Unset: appended on create, never reordered.",
            input=True,
            output="Order within the category. Declared: as incident.io holds it. Unset: as it "
            "was when this resource last changed it; an `IncidentStatusOrder` records the ranks "
            "it gives.",
        ),
        Field(
            "import_id",
            Kind.STRING,
            "Id of an existing status to adopt on create instead of creating a new one.",
            input=True,
            output="The adopted status's id, when the resource was created by adoption.",
            nullable=True,
            doors=PYTHON_ONLY,
        ),
        Field("created_at", Kind.STRING, "When the status was created (RFC 3339)."),
        Field(
            "updated_at",
            Kind.STRING,
            "When the status last changed (RFC 3339), as this resource last saw it change.",
        ),
        Field(
            "rank_declared",
            Kind.BOOLEAN,
            "Whether the program declares the rank (else a refresh leaves it out of the inputs).",
            doors=PYTHON_ONLY,
        ),
    ),
    notes="The inputs are documented once, on `IncidentStatusArgs`; the outputs of the same "
    "names are those values as incident.io holds them. Credentials come from stack config "
    "`incident:apiKey` (secret) or `INCIDENT_API_KEY`, the endpoint from `incident:endpoint` or "
    "`INCIDENT_ENDPOINT`; never from resource inputs.",
)

ORDER = Resource(
    "IncidentStatusOrder",
    "The order of some statuses within one category: the first listed is the top. Statuses it "
    "does not list are never written; deleting it leaves every rank as it is.",
    (
        Field(
            "category",
            Kind.STRING,
            "`live` or `learning`. Changing it replaces the order.",
            input=True,
            required=True,
            replaces=True,
        ),
        Field(
            "statuses",
            Kind.STRINGS,
            "Status ids, top first.",
            input=True,
            required=True,
            output="The listed status ids, top first (after a refresh: in the order incident.io "
            "holds).",
        ),
        Field("ranks", Kind.INTEGERS, "The rank of each listed status, as incident.io holds it."),
        Field("declared", Kind.STRINGS, "The list as the last `pulumi up` applied it."),
        Field(
            "moved_outside",
            Kind.BOOLEAN,
            "Whether the last refresh found the statuses out of the declared order.",
        ),
        Field(
            "restores",
            Kind.INTEGER,
            "How many `pulumi up`s in a row put the order back after a move outside the stack.",
        ),
    ),
    notes="List each status in at most one order, and do not also set `rank` on an "
    "`IncidentStatus` listed here: the order chooses ranks itself.",
)

CONFIG = Resource(
    "Provider",
    "The incident.io organisation an API key opens.",
    (
        Field(
            "api_key",
            Kind.STRING,
            "incident.io API key; for the default provider, stack config `{package}:apiKey` "
            "(set it with --secret). Unset: the environment variable INCIDENT_API_KEY.",
            input=True,
            secret=True,
        ),
        Field(
            "endpoint",
            Kind.STRING,
            "incident.io API endpoint, https:// (http:// only to a loopback address such as an "
            "emulator); for the default provider, stack config `{package}:endpoint`. Unset: the "
            "environment variable INCIDENT_ENDPOINT, else https://api.incident.io.",
            input=True,
        ),
    ),
)
"""The plugin's provider configuration (``{package}`` stands for the package's name)."""

GET_STATUS = Resource(
    "getIncidentStatus",
    "A status the program does not manage, by exact name or by id (give one of them).",
    (
        Field("name", Kind.STRING, "The status's exact name.", input=True),
        Field("id", Kind.STRING, "The status's id.", input=True),
    ),
)
"""The lookup's arguments; it answers with ``id`` and every output of `STATUS` the plugin has."""
