"""`generate`: an organisation's statuses in, the Pulumi program that adopts them out.

The program declares one `IncidentStatus` per status the organisation may configure, with its
exact current name, description, category and `import_id`, and one `IncidentStatusOrder` per
category listing them in their current order, so that the first `pulumi up` adopts every status
as it stands: nothing is created and, while the declarations match, nothing is written. Pure:
no I/O, and the same records always give the same text.

Which statuses are declared follows incident.io's API description: every category other than
`live` (shown in the app as "Active") and `learning` ("Post-incident") is managed by incident.io
and cannot be configured. That is `triage`, `declined`, `merged`, `canceled`, `paused`, `closed`
and any category incident.io adds later. Programs reference those with `get_incident_status`.
"""

from __future__ import annotations

import keyword
import re
import textwrap
import unicodedata
from collections.abc import Iterable, Sequence

from .categories import CONFIGURABLE, is_managed
from .settings import DEFAULT_ENDPOINT
from .wire import IncidentStatusRecord

__all__ = ["generate", "slug"]

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
    return (CONFIGURABLE.index(record.category), record.rank, record.id)


def _variable_names(records: Sequence[IncidentStatusRecord]) -> list[str]:
    """One distinct identifier per record, in order; later holders of a slug get ``_2``, ``_3``."""
    bases = [_base_name(record) for record in records]
    taken: set[str] = set()
    names: list[str] = []
    for base in bases:
        name, number = base, 1
        while name in taken:
            number += 1
            name = f"{base.rstrip('_')}_{number}"
        taken.add(name)
        names.append(name)
    return names


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


def _declaration(variable: str, record: IncidentStatusRecord) -> list[str]:
    return [
        f"{variable} = IncidentStatus(",
        f"    {_resource_name(variable)!r},",
        *_string_argument("name", record.name),
        *_string_argument("description", record.description),
        f"    category={record.category!r},",
        f"    import_id={record.id!r},",
        ")",
    ]


def _order(category: str, variables: Sequence[str]) -> list[str]:
    return [
        f"{category}_order = IncidentStatusOrder(",
        f"    {category + '-order'!r},",
        f"    category={category!r},",
        "    statuses=[",
        *(f"        {v}.id," for v in variables),
        "    ],",
        ")",
    ]


def _header(endpoint: str, managed: Sequence[IncidentStatusRecord]) -> list[str]:
    """The module docstring: where the program came from and what its first run does."""
    paragraphs = [
        "incident.io incident statuses, generated by `incident-statuses generate` from "
        f"{_docstring_text(endpoint)}.",
        "Each status below already exists: `import_id` makes the first `pulumi up` adopt it "
        "instead of creating it, and while a declaration matches incident.io nothing is written. "
        "Edit a status here and `pulumi up` updates it in place. Once adopted, the `import_id` "
        "lines may stay or go. Each `IncidentStatusOrder` lists its category top first: reorder "
        "a list to reorder the statuses, or delete it to leave that order to the dashboard.",
        "Run this file as a Pulumi program (`__main__.py`), which exports every status's id, or "
        "import it from one: `from statuses import statuses` gives the resources by name.",
    ]
    if managed:
        names = ", ".join(_docstring_text(record.name) for record in managed)
        paragraphs.append(
            f"Not declared, because incident.io manages them: {names}. Reference those with "
            '`get_incident_status(name="...")`.'
        )
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


def generate(records: Iterable[IncidentStatusRecord], *, endpoint: str = DEFAULT_ENDPOINT) -> str:
    """The Python source of a Pulumi program adopting every configurable status in ``records``.

    Statuses are declared in lifecycle order: ``live`` then ``learning``, each by rank, then id;
    each category that has any is followed by the ``IncidentStatusOrder`` that keeps that order.
    Managed statuses (see ``is_managed``) are only named in the header. ``endpoint`` is where the
    records came from, for the header.
    """
    all_records = list(records)
    adoptable = sorted((r for r in all_records if not is_managed(r.category)), key=_lifecycle_order)
    managed = sorted((r for r in all_records if is_managed(r.category)), key=lambda r: r.name)
    variables = _variable_names(adoptable)

    orders = [
        _order(
            category,
            [v for v, r in zip(variables, adoptable, strict=True) if r.category == category],
        )
        for category in CONFIGURABLE
        if any(r.category == category for r in adoptable)
    ]
    blocks = [
        _header(endpoint, managed),
        [
            "import pulumi",
            "from pulumi_incident_statuses import IncidentStatus, IncidentStatusOrder",
        ],
        *(_declaration(v, record) for v, record in zip(variables, adoptable, strict=True)),
        *orders,
        [
            "statuses: dict[str, IncidentStatus] = {",
            *(f"    {_resource_name(v)!r}: {v}," for v in variables),
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
