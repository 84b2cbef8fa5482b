"""Running the emulator: bind, announce the URL on stdout, serve until SIGTERM or SIGINT.

The one line on stdout, ``emulator listening on http://HOST:PORT``, carries the real port when
``--port 0`` asked for any free one; ``EmulatorProcess`` waits for it. Logs go to stderr and never
include the API key.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
import socket
import sys
from collections.abc import Callable

from aiohttp import web

from incident_statuses_emulator.app import Emulator, create_app
from incident_statuses_emulator.config import (
    READY_PREFIX,
    EmulatorConfig,
    add_arguments,
    config_from_args,
)

logger = logging.getLogger(__name__)

_BACKLOG = 1024

__all__ = ["READY_PREFIX", "add_arguments", "main", "run", "serve"]


def main(argv: list[str] | None = None) -> int:
    """``python -m incident_statuses_emulator``: parse flags and serve."""
    parser = argparse.ArgumentParser(
        prog="python -m incident_statuses_emulator",
        description="Serve a local incident.io-compatible incident statuses API.",
    )
    add_arguments(parser)
    return run(parser.parse_args(argv))


def run(args: argparse.Namespace) -> int:
    """Serve with the flags declared by ``add_arguments``; return the exit status."""
    logging.basicConfig(
        stream=sys.stderr,
        level=logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    config = config_from_args(args)
    try:
        asyncio.run(serve(config))
    except OSError as error:
        logger.error("cannot serve on %s:%s: %s", config.host, config.port, error)
        return 1
    return 0


async def serve(config: EmulatorConfig, announce: Callable[[str], None] | None = None) -> None:
    """Serve until SIGTERM or SIGINT, calling ``announce`` with the URL once listening."""
    stopped = _stop_on_signals()
    emulator = Emulator.from_config(config)
    app = create_app(emulator)
    # aiohttp logs every request through its `aiohttp.access` logger unless given none.
    runner = web.AppRunner(app) if config.access_log else web.AppRunner(app, access_log=None)
    try:
        await runner.setup()
        sock = _listen(config.host, config.port)
        await web.SockSite(runner, sock).start()
        url = _url(sock)
        logger.info("serving %s from %s with %r", url, config.db_path, config)
        (announce or _print_ready)(url)
        await stopped.wait()
        logger.info("stopping")
    finally:
        await runner.cleanup()
        emulator.store.close()


def _listen(host: str, port: int) -> socket.socket:
    family, kind, proto, _, address = socket.getaddrinfo(
        host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
    )[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(_BACKLOG)
        sock.setblocking(False)
    except OSError:
        sock.close()
        raise
    return sock


def _url(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    if sock.family == socket.AF_INET6:
        host = f"[{host}]"
    return f"http://{host}:{port}"


def _print_ready(url: str) -> None:
    print(f"{READY_PREFIX}{url}", flush=True)


def _stop_on_signals() -> asyncio.Event:
    # Installed before the URL is announced, so a SIGTERM sent as soon as the line is read still
    # shuts down cleanly instead of killing the process mid-write.
    stopped = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        # Windows event loops have no signal handlers; Ctrl-C still ends asyncio.run there.
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(signum, stopped.set)
    return stopped
