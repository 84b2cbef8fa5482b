"""The emulator's settings: defaults, command-line flags, and the frozen result.

Flags, shared by ``incident-statuses emulator`` and ``python -m pulumi_incident_statuses.emulator``:

``--host``        interface to bind (default ``127.0.0.1``)
``--port``        TCP port (default ``8080``; ``0`` picks a free one, printed on startup)
``--db``          SQLite file, kept across restarts (default ``./incident-emulator.db``)
``--api-key``     the one bearer token accepted (default ``emulator-api-key``)
``--latency-ms``  delay added to every API request that passes the rate limit (default 0)
``--fault-rate``  fraction of API requests answered 500/503 without being applied (default 0)
``--drop-rate``   fraction of applied writes answered by closing the connection (default 0)
``--rate-limit``  requests per minute per API key (default 1200)
``--seed``        seed for fault and drop decisions (default: unseeded)
``--rank-race``   race concurrent rank-less creates in a category as incident.io does (default off)
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

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


@dataclass(frozen=True)
class EmulatorConfig:
    """Everything the emulator is started with."""

    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    db_path: Path = DEFAULT_DB
    api_key: str = field(default=DEFAULT_API_KEY, repr=False)
    latency_ms: int = 0
    fault_rate: float = 0.0
    drop_rate: float = 0.0
    rate_limit: int = DEFAULT_RATE_LIMIT
    seed: int | None = None
    rank_race: bool = False


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the emulator's flags on ``parser``."""
    parser.add_argument(
        "--host", metavar="HOST", default=DEFAULT_HOST, help="interface to bind (%(default)s)"
    )
    parser.add_argument(
        "--port",
        metavar="PORT",
        type=_bounded_int(0, 65535),
        default=DEFAULT_PORT,
        help="TCP port, 0 for any free one (%(default)s)",
    )
    parser.add_argument(
        "--db",
        metavar="PATH",
        type=Path,
        default=DEFAULT_DB,
        help="SQLite file that keeps the statuses across restarts (%(default)s)",
    )
    parser.add_argument(
        "--api-key",
        metavar="KEY",
        default=DEFAULT_API_KEY,
        help="the bearer token to accept (default: %(default)s)",
    )
    parser.add_argument(
        "--latency-ms",
        metavar="N",
        type=_bounded_int(0, None),
        default=0,
        help="milliseconds added to every API request (%(default)s)",
    )
    parser.add_argument(
        "--fault-rate",
        metavar="F",
        type=_fraction,
        default=0.0,
        help="fraction of API requests answered 500/503, not applied (%(default)s)",
    )
    parser.add_argument(
        "--drop-rate",
        metavar="F",
        type=_fraction,
        default=0.0,
        help="fraction of writes applied, then answered by closing the connection (%(default)s)",
    )
    parser.add_argument(
        "--rate-limit",
        metavar="N",
        type=_bounded_int(1, None),
        default=DEFAULT_RATE_LIMIT,
        help="requests per minute per API key (%(default)s)",
    )
    parser.add_argument(
        "--seed",
        metavar="N",
        type=int,
        default=None,
        help="seed for fault and drop decisions, for reproducible runs",
    )
    parser.add_argument(
        "--rank-race",
        action="store_true",
        help="a create without a rank picks the next rank, pauses, then takes it: concurrent "
        "creates in one category clash (422 on rank), as on the real service",
    )


def config_from_args(args: argparse.Namespace) -> EmulatorConfig:
    """Build the config from flags declared by :func:`add_arguments`."""
    return EmulatorConfig(
        host=args.host,
        port=args.port,
        db_path=args.db,
        api_key=args.api_key,
        latency_ms=args.latency_ms,
        fault_rate=args.fault_rate,
        drop_rate=args.drop_rate,
        rate_limit=args.rate_limit,
        seed=args.seed,
        rank_race=args.rank_race,
    )


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
