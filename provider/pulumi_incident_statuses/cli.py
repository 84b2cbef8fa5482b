"""The ``incident-statuses`` command.

Each subcommand lives in its own module exposing ``add_arguments(parser)`` and
``run(args) -> int``; adding one is one more entry in ``_SUBCOMMANDS``.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from pulumi_incident_statuses.emulator import server as emulator_server


@dataclass(frozen=True)
class Subcommand:
    """One ``incident-statuses <name>`` command: its flags and what it runs."""

    name: str
    help: str
    add_arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]


_SUBCOMMANDS: Sequence[Subcommand] = (
    Subcommand(
        name="emulator",
        help="serve a local incident.io-compatible incident statuses API",
        add_arguments=emulator_server.add_arguments,
        run=emulator_server.run,
    ),
)


def build_parser() -> argparse.ArgumentParser:
    """The parser for ``incident-statuses`` and every subcommand."""
    parser = argparse.ArgumentParser(
        prog="incident-statuses",
        description="Manage incident.io incident statuses as Pulumi resources.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for subcommand in _SUBCOMMANDS:
        sub = commands.add_parser(
            subcommand.name, help=subcommand.help, description=subcommand.help
        )
        subcommand.add_arguments(sub)
        sub.set_defaults(run=subcommand.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run ``incident-statuses`` with ``argv`` (default: the process arguments)."""
    args = build_parser().parse_args(argv)
    run: Callable[[argparse.Namespace], int] = args.run
    return run(args)
