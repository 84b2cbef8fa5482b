"""The ``incident-statuses`` command.

A subcommand is a name, its flags (``add_arguments(parser)``) and what it runs
(``run(args) -> int``); adding one is one more entry in ``_SUBCOMMANDS``. ``list``,
``generate`` and ``recover`` live here; ``emulator`` runs the separately installed emulator
(from a checkout: ``pip install ./emulator``), with its own flags.

``list`` and ``generate`` read the organisation with the credentials the provider reads from the
environment: ``INCIDENT_API_KEY``, and ``INCIDENT_ENDPOINT`` unless ``--endpoint`` is given.
``generate --stack`` also reads that stack's state with ``pulumi stack export``, run in the project
folder (``--cwd``) with the environment, as every ``pulumi`` command there runs.
``recover`` works on a stack as ``pulumi`` does (``--stack``, ``--cwd``, and the backend and
passphrase from ``PULUMI_BACKEND_URL`` and ``PULUMI_CONFIG_PASSPHRASE``), with the key and
endpoint from the stack's config or the environment, as the provider reads them.
Exit status: 0 done; 1 incident.io or the file system failed; 2 the command must change first
(no API key, an unusable endpoint, an ``--out`` file that exists without ``--force``, bad flags).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TextIO

from pulumi_incident_statuses.core import categories, dates, stack_state
from pulumi_incident_statuses.core import settings as settings_module
from pulumi_incident_statuses.core.client import IncidentStatusesClient
from pulumi_incident_statuses.core.errors import ConfigurationError, IncidentAPIError
from pulumi_incident_statuses.core.wire import IncidentStatusRecord
from pulumi_incident_statuses.tools import codegen

__all__ = ["Subcommand", "build_parser", "main", "print_statuses"]

_PROG = "incident-statuses"
_USAGE_ERROR = 2

Run = Callable[[argparse.Namespace], int]
"""What a subcommand runs: parsed flags in, exit status out."""


@dataclass(frozen=True)
class Subcommand:
    """One ``incident-statuses <name>`` command: its flags and what it runs."""

    name: str
    help: str
    add_arguments: Callable[[argparse.ArgumentParser], None]
    run: Run


def print_statuses(records: Sequence[IncidentStatusRecord], stream: TextIO) -> None:
    """Write ``records`` to ``stream`` as a table: id, name, category, rank, owner.

    The owner is ``incident.io`` for the statuses incident.io manages (no program may change
    them) and ``your organisation`` for the ones the organisation configures.
    """
    header = ("ID", "NAME", "CATEGORY", "RANK", "OWNER")
    incident_io = categories.owned_by_incident_io(records)
    rows = [
        (
            _cell(record.id),
            _cell(record.name),
            _cell(record.category),
            str(record.rank),
            categories.owner(record, incident_io),
        )
        for record in records
    ]
    widths = [max(_width(row[column]) for row in (header, *rows)) for column in range(5)]
    for row in (header, *rows):
        cells = [
            _padded(text, width, right=column == 3)
            for column, (text, width) in enumerate(zip(row, widths, strict=True))
        ]
        stream.write("  ".join(cells).rstrip() + "\n")


def _padded(text: str, width: int, *, right: bool) -> str:
    padding = " " * (width - _width(text))
    return padding + text if right else text + padding


def _cell(text: str) -> str:
    """``text`` safe to print on a terminal: control and format characters escaped."""
    return "".join(repr(c)[1:-1] if unicodedata.category(c)[0] == "C" else c for c in text)


def _width(text: str) -> int:
    """Columns ``text`` takes on a terminal: wide East Asian characters take two."""
    return sum(
        0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in "WF" else 1
        for c in text
    )


def _add_endpoint_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--endpoint",
        metavar="URL",
        help=f"incident.io API base URL (default: ${settings_module.ENV_ENDPOINT}, "
        "else https://api.incident.io); the key is read from "
        f"${settings_module.ENV_API_KEY}",
    )


def _fetch(args: argparse.Namespace) -> tuple[list[IncidentStatusRecord], str]:
    """Every status of the organisation, and the endpoint they came from."""
    resolved = settings_module.resolve_environment(endpoint=args.endpoint)
    with IncidentStatusesClient.from_settings(resolved) as client:
        return client.list(), client.endpoint


def _reporting_errors(run: Run) -> Run:
    """``run``, with its failures said in one line on stderr instead of a traceback."""

    def guarded(args: argparse.Namespace) -> int:
        try:
            return run(args)
        except ConfigurationError as error:
            _say(str(error))
            return _USAGE_ERROR
        except (IncidentAPIError, OSError) as error:
            _say(str(error))
            return 1

    return guarded


_NO_EMULATOR = (
    "the emulator is not installed: from a checkout of pulumi-incident-statuses, "
    "pip install ./emulator"
)


def _add_emulator_arguments(parser: argparse.ArgumentParser) -> None:
    try:
        from incident_statuses_emulator import config
    except ImportError:
        # Take every word, flags included, as an ignored positional, so that running it says
        # what to install rather than "unrecognized arguments".
        parser.prefix_chars = ""
        parser.add_argument("ignored", nargs="*", help=argparse.SUPPRESS)
        return
    config.add_arguments(parser)


def _run_emulator(args: argparse.Namespace) -> int:
    try:
        from incident_statuses_emulator import server
    except ImportError:
        _say(_NO_EMULATOR)
        return _USAGE_ERROR
    return server.run(args)


def _say(message: str) -> None:
    sys.stderr.write(f"{_PROG}: {message}\n")


def _add_list_arguments(parser: argparse.ArgumentParser) -> None:
    _add_endpoint_argument(parser)
    parser.add_argument(
        "--json",
        action="store_true",
        help="print a JSON array of every status, for scripts: all fields, 'owner' "
        "('incident.io' or 'your organisation') and 'managed' (true when incident.io owns it)",
    )


def _run_list(args: argparse.Namespace) -> int:
    records, _endpoint = _fetch(args)
    if args.json:
        incident_io = categories.owned_by_incident_io(records)
        items = [
            {
                **dataclasses.asdict(record),
                "owner": categories.owner(record, incident_io),
                "managed": record.id in incident_io,
            }
            for record in records
        ]
        json.dump(items, sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        print_statuses(records, sys.stdout)
    return 0


def _add_generate_arguments(parser: argparse.ArgumentParser) -> None:
    _add_endpoint_argument(parser)
    parser.add_argument(
        "--out",
        type=Path,
        metavar="FILE",
        help="write the program to FILE (e.g. __main__.py or statuses.py) instead of stdout",
    )
    parser.add_argument(
        "--force", action="store_true", help="replace FILE if it exists (never done without)"
    )
    parser.add_argument(
        "--no-protect",
        dest="protect",
        action="store_false",
        help="declare the statuses without protect=True, so that pulumi destroy deletes them "
        "from incident.io (by default they are protected, as pulumi import does)",
    )
    parser.add_argument(
        "-s",
        "--stack",
        metavar="NAME",
        help="extend this stack: leave out the statuses it manages and the names and orders it "
        "has (read with `pulumi stack export` in the project folder)",
    )
    parser.add_argument(
        "-C",
        "--cwd",
        type=Path,
        metavar="DIR",
        help="the Pulumi project folder of --stack (default: the working directory)",
    )
    parser.add_argument(
        "--import-file",
        action="store_true",
        help="write the `pulumi import --file` document for the provider plugin instead of a "
        "Python program",
    )


def _run_generate(args: argparse.Namespace) -> int:
    out: Path | None = args.out
    if out is not None and out.exists() and not args.force:
        return _refuse_overwrite(out)
    if args.cwd is not None and args.stack is None:
        _say("--cwd names the project folder of --stack: pass --stack too")
        return _USAGE_ERROR
    try:
        stack, others = _read_stacks(args.stack, args.cwd)
    except stack_state.StackReadError as error:
        _say(str(error))
        return 1
    records, endpoint = _fetch(args)
    found = codegen.plan(records, stack=stack, others=others)
    if args.import_file:
        text = codegen.import_document(found)
    else:
        text = codegen.program(found, endpoint=endpoint, protect=args.protect)
    if stack is not None:
        read = ", ".join(repr(name) for name in (stack.stack, *found.others))
        _say(f"read the stacks {read}: a status one of them manages is not declared again")
    if out is None:
        sys.stdout.write(text)
    else:
        try:
            with out.open("w" if args.force else "x", encoding="utf-8") as file:
                file.write(text)
        except FileExistsError:
            return _refuse_overwrite(out)
        _say(f"wrote {out}: {_summary(found, args)}")
    if stack is not None and stack.legacy:
        _say_migration(found, args)
    return 0


def _say_migration(found: codegen.Plan, args: argparse.Namespace) -> None:
    """How to move the resources of release 0.2.0's plugin in the stack across."""
    if not args.import_file:
        _say(
            f"the stack {args.stack!r} holds resources of release 0.2.0's plugin, left out here: "
            "move them across with --import-file (see the plugin guide, docs/plugin.md)"
        )
        return
    first, *rest = codegen.migration_steps(
        found, stack=args.stack, import_file=str(args.out) if args.out else "FILE"
    )
    _say(first)
    for line in rest:
        sys.stderr.write(f"  {line}\n")


def _read_stacks(
    name: str | None, cwd: Path | None
) -> tuple[stack_state.StackState | None, list[stack_state.StackState]]:
    """The stack to extend and every other stack of its backend (`pulumi stack ls --all`)."""
    if name is None:
        return None, []
    stack = stack_state.export(name, cwd=cwd)
    others = [
        stack_state.export(other, cwd=cwd)
        for other in stack_state.stack_names(cwd=cwd)
        if other != name and other.rsplit("/", 1)[-1] != name
    ]
    return stack, others


def _summary(found: codegen.Plan, args: argparse.Namespace) -> str:
    """What was written: how many to adopt, how many left out and why, what to run next."""
    moved = len(found.migrated) if args.import_file else 0
    left_out = [f"{len(found.incident_io)} managed by incident.io"]
    if found.stack is not None:
        held = len(found.held) - moved
        left_out.append(f"{held} the stack {found.stack.stack!r} manages already")
    elsewhere = sum(len(records) for records in found.elsewhere.values())
    if elsewhere:
        left_out.append(f"{elsewhere} other stacks manage")
    declared = len(found.adoptable) + moved
    if args.import_file:
        then = f"`pulumi import --file {args.out}` adopts them (protected, as pulumi import does)"
        if moved:
            then = (
                f"{moved} of them the stack holds under release 0.2.0's tokens, moved to this "
                f"release's under the same names; {then}"
            )
    else:
        then = "its first `pulumi up` adopts them without creating any" + (
            "" if args.protect else " (not protected: pulumi destroy deletes them)"
        )
    return f"{declared} statuses to adopt, {' and '.join(left_out)} left out; {then}"


def _refuse_overwrite(out: Path) -> int:
    _say(f"{out} exists; not overwriting it (pass --force to replace it)")
    return _USAGE_ERROR


def _add_recover_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "-s",
        "--stack",
        metavar="NAME",
        help="the stack to recover (default: the current stack of the project folder)",
    )
    parser.add_argument(
        "-C",
        "--cwd",
        type=Path,
        metavar="DIR",
        help="the Pulumi project folder, as for pulumi (default: the working directory)",
    )
    parser.add_argument(
        "--cancel",
        action="store_true",
        help="first release the lock the killed run left (pulumi cancel); only when no run "
        "of this stack is going on anywhere",
    )
    parser.add_argument(
        "--since",
        type=_instant_argument,
        metavar="TIME",
        help="when the killed run started, e.g. 2026-11-28T09:30:00Z (default: the end of the "
        "stack's last operation finished before it, from the stack's history, or its first "
        "run's start)",
    )
    parser.add_argument(
        "--dry-run", action="store_true", help="say what would be imported; change nothing"
    )


def _instant_argument(text: str) -> datetime:
    when = dates.instant(text)
    if when is None:
        if dates.instant(text, assume_utc=True) is not None:
            raise argparse.ArgumentTypeError(f"give a time zone, e.g. {text}Z")
        raise argparse.ArgumentTypeError(f"not an RFC 3339 time: {text!r}")
    return when


def _run_recover(args: argparse.Namespace) -> int:
    # Imported here: the other commands start without loading Pulumi.
    from pulumi import automation as auto

    from pulumi_incident_statuses.tools import recovery

    work_dir = str((args.cwd or Path.cwd()).resolve())
    try:
        name = args.stack or _current_stack(work_dir)
        if name is None:
            _say("no stack selected in this project: pass --stack")
            return _USAGE_ERROR
        stack = auto.select_stack(stack_name=name, work_dir=work_dir)
        result = recovery.recover(stack, cancel=args.cancel, since=args.since, dry_run=args.dry_run)
    except auto.CommandError as error:
        _say(str(error).strip())
        return 1
    verb = "would import" if args.dry_run else "imported"
    for urn, status_id in result.imported.items():
        sys.stdout.write(f"{verb} {urn.rsplit('::', 1)[-1]}: {status_id}\n")
    for unmatched in result.unmatched:
        sys.stdout.write(f"not matched {unmatched.create.resource_name}: {unmatched.reason}\n")
    if not result.imported and not result.unmatched:
        sys.stdout.write(f"stack {name!r} has no pending creates of incident statuses\n")
    elif not args.dry_run:
        sys.stdout.write("run `pulumi up` to finish the deployment\n")
    return 0


def _current_stack(work_dir: str) -> str | None:
    from pulumi import automation as auto

    current = auto.LocalWorkspace(work_dir=work_dir).stack()
    return current.name if current is not None else None


_SUBCOMMANDS: Sequence[Subcommand] = (
    Subcommand(
        name="list",
        help="print every incident status of the organisation as a table (or --json)",
        add_arguments=_add_list_arguments,
        run=_reporting_errors(_run_list),
    ),
    Subcommand(
        name="generate",
        help="write a Pulumi program that adopts the organisation's own statuses, protected",
        add_arguments=_add_generate_arguments,
        run=_reporting_errors(_run_generate),
    ),
    Subcommand(
        name="recover",
        help="after a killed pulumi up: import the statuses its unfinished creates made",
        add_arguments=_add_recover_arguments,
        run=_reporting_errors(_run_recover),
    ),
    Subcommand(
        name="emulator",
        help="serve a local incident.io-compatible incident statuses API",
        add_arguments=_add_emulator_arguments,
        run=_run_emulator,
    ),
)


def build_parser() -> argparse.ArgumentParser:
    """The parser for ``incident-statuses`` and every subcommand."""
    parser = argparse.ArgumentParser(
        prog=_PROG,
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
    run: Run = args.run
    return run(args)
