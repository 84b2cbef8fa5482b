"""Writes the Python resources' typed classes from the resources' declarations.

    python scripts/declare.py [OUT]     (default: the package's declared.py)

`IncidentStatusArgs`, `IncidentStatus` and `IncidentStatusOrder` are what a user's program and
IDE see: every field typed and documented, every keyword spelt out. Python cannot derive that
from data for a type checker, so it is written out here, from `spec`, as Pulumi's code
generators write an SDK from a schema. `tests/test_spec.py` fails when the file is not what this
script writes; `make declare` writes it again.
"""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

from pulumi_incident_statuses.core import spec
from pulumi_incident_statuses.core.spec import Door, Field, Kind, Resource

PACKAGE = Path(spec.__file__).parents[1]
TARGET = PACKAGE / "dynamic" / "declared.py"

_INPUT_TYPES = {
    Kind.STRING: "pulumi.Input[str]",
    Kind.INTEGER: "pulumi.Input[int]",
    Kind.BOOLEAN: "pulumi.Input[bool]",
    Kind.STRINGS: "pulumi.Input[Sequence[pulumi.Input[str]]]",
    Kind.INTEGERS: "pulumi.Input[Sequence[pulumi.Input[int]]]",
}

HEADER = '''"""The Python resources' typed classes: `IncidentStatusArgs`, `IncidentStatus` and
`IncidentStatusOrder`, written by ``scripts/declare.py`` from their declarations in `core.spec`.

Do not edit: change `core.spec` and run ``make declare``. What the resources do is in `resource` and
`order` (their providers) and `provider_base` (`declare`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
from pulumi.dynamic import Resource

from ..core import tokens
from .order import IncidentStatusOrderProvider
from .provider_base import declare
from .resource import IncidentStatusProvider

__all__ = ["IncidentStatus", "IncidentStatusArgs", "IncidentStatusOrder"]
'''


def _docstring(text: str, indent: str) -> list[str]:
    """``text`` as a docstring at ``indent``, wrapped at 100 columns."""
    width = 100 - len(indent) - 3
    lines = textwrap.wrap(text, width=width, break_long_words=False, break_on_hyphens=False)
    if len(lines) == 1 and len(lines[0]) + 6 <= width + 3:
        return [f'{indent}"""{lines[0]}"""']
    return [f'{indent}"""{lines[0]}', *(f"{indent}{line}" for line in lines[1:]), f'{indent}"""']


def _input(found: Field) -> str:
    typed = _INPUT_TYPES[found.kind]
    return typed if found.required else f"{typed} | None"


def _args(resource: Resource) -> list[str]:
    lines = [
        "@dataclass",
        f"class {resource.name}Args:",
        f'    """The inputs of an `{resource.name}`."""',
        "",
    ]
    for found in sorted(_inputs(resource), key=lambda f: not f.required):
        default = "" if found.required else " = None"
        lines += [f"    {found.name}: {_input(found)}{default}", *_docstring(found.doc, "    ")]
    return lines


def _inputs(resource: Resource) -> list[Field]:
    return [f for f in resource.on(Door.PYTHON) if f.input]


def _resource(resource: Resource, *, with_args: bool) -> list[str]:
    inputs = _inputs(resource)
    summary = textwrap.wrap(resource.doc, width=93, break_on_hyphens=False)
    doc = [
        f'    """{summary[0]}',
        *(f"    {line}" for line in summary[1:]),
        "",
        *textwrap.wrap(resource.notes, width=96, initial_indent="    ", subsequent_indent="    "),
        '    """',
    ]
    lines = [
        f'class {resource.name}(Resource, module=tokens.DYNAMIC_MODULE, name="{resource.name}"):',
        *doc,
        "",
    ]
    for found in resource.on(Door.PYTHON):
        typed = f"{found.kind.python} | None" if found.nullable else found.kind.python
        lines.append(f"    {found.name}: pulumi.Output[{typed}]")
        if not with_args or not found.input or found.output:
            lines += _docstring(found.output_doc, "    ")
    lines += ["", "    def __init__(", "        self,", "        resource_name: str,"]
    if with_args:
        lines.append(f"        args: {resource.name}Args | None = None,")
    lines += ["        opts: pulumi.ResourceOptions | None = None,", "        *,"]
    for found in inputs:
        optional = with_args or not found.required
        typed = f"{_input(found)} | None" if optional and found.required else _input(found)
        lines.append(f"        {found.name}: {typed}{' = None' if optional else ''},")
    provider = f"{resource.name}Provider()"
    given = "args" if with_args else "None"
    what = "from `args` or keywords (keywords win where both give one)" if with_args else (
        "from its keywords"
    )
    lines += [
        "    ) -> None:",
        f'        """Declare the resource, {what}."""',
        "        keywords = dict(",
        *(f"            {found.name}={found.name}," for found in inputs),
        "        )",
        f"        declare(self, {provider}, resource_name, opts, {given}, keywords)",
    ]
    return lines


def source() -> str:
    """The module's text."""
    blocks = [
        HEADER.rstrip("\n").split("\n"),
        _args(spec.STATUS),
        _resource(spec.STATUS, with_args=True),
        _resource(spec.ORDER, with_args=False),
    ]
    return "\n\n\n".join("\n".join(block) for block in blocks) + "\n"


def main(argv: list[str]) -> int:
    """Write the module (to ``argv[0]`` if given)."""
    out = Path(argv[0]) if argv else TARGET
    out.write_text(source(), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
