"""The emulator's settings, declared once.

Each field of :class:`EmulatorConfig` carries its flag, metavar, parser and help; the command
line (:func:`add_arguments`, :func:`config_from_args`) and the child process's arguments
(:meth:`EmulatorConfig.to_argv`, used by ``EmulatorProcess``) are all read off those fields, so
a new setting is one more field. ``incident-statuses emulator --help`` lists them.
"""

from __future__ import annotations

import argparse
import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DEFAULT_HOST = "127.0.0.1"
"""Loopback only, unless asked otherwise."""

DEFAULT_PORT = 8080
"""The port ``--port`` defaults to."""

DEFAULT_DB = Path("incident-emulator.db")
"""The SQLite file ``--db`` defaults to, relative to the working directory."""

DEFAULT_API_KEY = "emulator-api-key"
"""The bearer token accepted unless ``--api-key`` says otherwise."""

DEFAULT_RATE_LIMIT = 1200
"""incident.io's default: 1200 requests per minute per API key."""

READY_PREFIX = "emulator listening on "
"""What the one stdout line announcing the URL starts with; ``EmulatorProcess`` waits for it."""


def _fraction(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"{text} is not between 0 and 1")
    return value


def _bounded_int(low: int, high: int | None) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not an integer") from None
        if value < low or (high is not None and value > high):
            bound = f"at least {low}" if high is None else f"between {low} and {high}"
            raise argparse.ArgumentTypeError(f"{value} is not {bound}")
        return value

    return parse


def _flag(
    default: Any,
    flag: str,
    help_text: str,
    *,
    metavar: str | None = None,
    parse: Callable[[str], Any] | None = None,
    shown: bool = True,
) -> Any:
    """A config field that is also a command-line flag (a bool default makes a switch)."""
    metadata = {"flag": flag, "help": help_text, "metavar": metavar, "parse": parse}
    return dataclasses.field(default=default, repr=shown, metadata=metadata)


@dataclass(frozen=True)
class EmulatorConfig:
    """Everything the emulator is started with; each field is one flag."""

    host: str = _flag(DEFAULT_HOST, "--host", "interface to bind (%(default)s)", metavar="HOST")
    port: int = _flag(
        DEFAULT_PORT,
        "--port",
        "TCP port, 0 for any free one (%(default)s)",
        metavar="PORT",
        parse=_bounded_int(0, 65535),
    )
    db_path: Path = _flag(  # noqa: RUF009 - a Path is not changed in place
        DEFAULT_DB,
        "--db",
        "SQLite file that keeps the statuses across restarts (%(default)s)",
        metavar="PATH",
        parse=Path,
    )
    api_key: str = _flag(
        DEFAULT_API_KEY,
        "--api-key",
        "the bearer token to accept (default: %(default)s)",
        metavar="KEY",
        shown=False,
    )
    latency_ms: int = _flag(
        0,
        "--latency-ms",
        "milliseconds added to every API request (%(default)s)",
        metavar="N",
        parse=_bounded_int(0, None),
    )
    fault_rate: float = _flag(
        0.0,
        "--fault-rate",
        "fraction of API requests answered 500/503, not applied (%(default)s)",
        metavar="F",
        parse=_fraction,
    )
    drop_rate: float = _flag(
        0.0,
        "--drop-rate",
        "fraction of writes applied, then answered by closing the connection (%(default)s)",
        metavar="F",
        parse=_fraction,
    )
    rate_limit: int = _flag(
        DEFAULT_RATE_LIMIT,
        "--rate-limit",
        "requests per minute per API key (%(default)s)",
        metavar="N",
        parse=_bounded_int(1, None),
    )
    seed: int | None = _flag(
        None,
        "--seed",
        "seed for fault and drop decisions, for reproducible runs",
        metavar="N",
        parse=int,
    )
    rank_race: bool = _flag(
        False,
        "--rank-race",
        "a create without a rank picks the next rank, pauses, then takes it: concurrent "
        "creates in one category clash (422 on rank), as on the real service",
    )
    access_log: bool = _flag(
        False,
        "--access-log",
        "log every request on stderr (off by default: the log line costs a third of a "
        "request's CPU, which the benchmarks would count against the provider)",
    )

    def to_argv(self) -> list[str]:
        """These settings as the flags that give them (unset and off ones left out)."""
        argv: list[str] = []
        for spec in dataclasses.fields(self):
            value = getattr(self, spec.name)
            if value is True:
                argv.append(spec.metadata["flag"])
            elif value is not None and value is not False:
                argv += [spec.metadata["flag"], str(value)]
        return argv


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the emulator's flags on ``parser``."""
    for spec in dataclasses.fields(EmulatorConfig):
        flag, help_text = spec.metadata["flag"], spec.metadata["help"]
        if isinstance(spec.default, bool):
            parser.add_argument(flag, dest=spec.name, action="store_true", help=help_text)
            continue
        parser.add_argument(
            flag,
            dest=spec.name,
            metavar=spec.metadata["metavar"],
            type=spec.metadata["parse"] or str,
            default=spec.default,
            help=help_text,
        )


def config_from_args(args: argparse.Namespace) -> EmulatorConfig:
    """Build the config from flags declared by :func:`add_arguments`."""
    names = (spec.name for spec in dataclasses.fields(EmulatorConfig))
    return EmulatorConfig(**{name: getattr(args, name) for name in names})
