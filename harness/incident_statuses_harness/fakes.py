"""The unit tests' stand-ins: one scripted HTTP server and one fake clock.

`ScriptedServer` is a real HTTP server on 127.0.0.1 whose answers a test writes, for what the
emulator will not do (malformed bodies, hang-ups, stalls, echoed keys). `FakeTime` is a clock
that moves only when told or slept on, so retry and creation rules are checked without waiting.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from pulumi_incident_statuses.core.retry import RetryPolicy

__all__ = ["Canned", "FakeTime", "ScriptedServer", "Seen"]

AUTH = b"{AUTH}"
"""Replaced in a body by the request's Authorization header, as a careless server would echo it."""


class FakeTime:
    """A clock that moves only when the code under test sleeps or the test moves ``now``."""

    def __init__(self, now: float = 0.0) -> None:
        self.now = now
        self.sleeps: list[float] = []

    def sleep(self, seconds: float) -> None:
        """Move the clock on at once."""
        self.sleeps.append(seconds)
        self.now += seconds

    def clock(self) -> float:
        """The current reading."""
        return self.now

    __call__ = clock

    def policy(self, **options: Any) -> RetryPolicy:
        """A retry policy that sleeps on this clock, with the jitter fixed at its middle."""
        return RetryPolicy(sleep=self.sleep, clock=self.clock, random=lambda: 0.5, **options)


@dataclass(frozen=True)
class Canned:
    """One scripted answer."""

    status: int
    body: bytes = b""
    headers: tuple[tuple[str, str], ...] = ()
    hang_up: bool = False
    """Close the connection without answering."""
    stall: bool = False
    """Answer nothing until the test ends."""


@dataclass(frozen=True)
class Seen:
    """One request the server received."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        """The request's body, decoded."""
        return json.loads(self.body)


@dataclass
class ScriptedServer:
    """Answers requests from a script, in order; the last answer repeats once the script runs out.

    Answers carry a ``Date`` (the service's clock) unless the script gives one; ``{AUTH}`` in a
    body becomes the request's Authorization header. With ``close_each`` every answer closes
    its connection.
    """

    url: str = ""
    close_each: bool = False
    script: list[Canned] = field(default_factory=lambda: [Canned(200)])
    seen: list[Seen] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    @contextmanager
    def running(cls, *, close_each: bool = False) -> Iterator[ScriptedServer]:
        """A server listening on a free loopback port until the block ends."""
        owner = cls(close_each=close_each)
        server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(owner))
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
        owner.url = f"http://127.0.0.1:{server.server_address[1]}"
        try:
            yield owner
        finally:
            owner.release.set()
            server.shutdown()
            server.server_close()

    def answer(self, *responses: Canned) -> None:
        """Answer the next requests with ``responses``, in order."""
        self.script = list(responses)

    def next(self, seen: Seen) -> Canned:
        """Record a request; the answer it gets."""
        with self.lock:
            self.seen.append(seen)
            return self.script.pop(0) if len(self.script) > 1 else self.script[0]

    def calls(self) -> list[tuple[str, str]]:
        """Method and path of every request so far."""
        return [(s.method, s.path) for s in self.seen]


def _handler(owner: ScriptedServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            canned = owner.next(Seen(self.command, self.path, dict(self.headers), body))
            if canned.stall:
                owner.release.wait(10)
            if canned.hang_up or canned.stall:
                self.close_connection = True
                return
            payload = canned.body.replace(AUTH, (self.headers.get("Authorization") or "").encode())
            self.send_response_only(canned.status)
            if not any(name == "Date" for name, _ in canned.headers):
                self.send_header("Date", self.date_time_string())
            for name, value in canned.headers:
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(payload)))
            if owner.close_each:
                self.send_header("Connection", "close")
                self.close_connection = True
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = do_PUT = do_DELETE = _answer

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler
