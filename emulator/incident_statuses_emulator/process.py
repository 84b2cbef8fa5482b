"""The emulator as a child process on loopback, for tests, benchmarks and demos.

Usage::

    with EmulatorProcess(db_path=tmp / "statuses.db", fault_rate=0.1, seed=7) as emulator:
        client = SomeClient(endpoint=emulator.url, api_key=DEFAULT_API_KEY)
        ...
        print(emulator.stats())
"""

from __future__ import annotations

import contextlib
import os
import queue
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from types import TracebackType
from typing import Any

import requests

from incident_statuses_emulator.config import DEFAULT_API_KEY, READY_PREFIX, EmulatorConfig

__all__ = ["DEFAULT_API_KEY", "EmulatorProcess", "EmulatorStartError"]

_STDERR_TAIL_BYTES = 4000
_STOP_TIMEOUT = 10.0
_HTTP_TIMEOUT = 10.0


class EmulatorStartError(RuntimeError):
    """The emulator exited, or did not announce its URL in time; carries its stderr tail."""


class EmulatorProcess:
    """Runs the emulator as a child process on loopback."""

    def __init__(
        self,
        *,
        db_path: Path,
        port: int = 0,
        python: str = sys.executable,
        log_path: Path | None = None,
        start_timeout: float = 60.0,
        **settings: Any,
    ) -> None:
        """Describe the emulator to run; nothing starts until :meth:`start`.

        ``settings`` are further fields of :class:`EmulatorConfig` (``api_key``, ``fault_rate``,
        ``rank_race``, ...); unlike the command line, the port defaults to any free one.
        """
        self.config = EmulatorConfig(db_path=db_path, port=port, **settings)
        self.db_path = db_path
        self._python = python
        self._requested_log_path = log_path
        self._start_timeout = start_timeout
        self._process: subprocess.Popen[bytes] | None = None
        self._url: str | None = None
        self._log_path: Path | None = None
        self._log_is_temporary = False

    def start(self) -> None:
        """Spawn the emulator and wait for it to announce its URL."""
        if self._process is not None:
            raise RuntimeError("this emulator is already running")
        with self._open_log().open("ab") as log:
            self._process = subprocess.Popen(
                self._command(),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=log,
            )
        line = _first_line(self._process, self._start_timeout)
        if line is not None and line.startswith(READY_PREFIX):
            self._url = line.removeprefix(READY_PREFIX).strip()
            return
        if line is None:
            reason = f"did not announce its URL within {self._start_timeout:g}s"
        elif not line:
            reason = f"exited with status {self._process.wait(_STOP_TIMEOUT)}"
        else:
            reason = f"printed {line!r} instead of its URL"
        tail = self.log_text()[-_STDERR_TAIL_BYTES:]
        self.stop()
        raise EmulatorStartError(f"the emulator {reason}; its stderr ended with:\n{tail}")

    @property
    def url(self) -> str:
        """The base URL, e.g. ``http://127.0.0.1:41234``."""
        if self._url is None:
            raise RuntimeError("the emulator is not running")
        return self._url

    @property
    def pid(self) -> int:
        """The child's process id."""
        if self._process is None:
            raise RuntimeError("the emulator is not running")
        return self._process.pid

    @property
    def log_path(self) -> Path | None:
        """Where the child's stderr goes (a temporary file unless ``log_path`` was given)."""
        return self._log_path

    def log_text(self) -> str:
        """Everything the child has logged so far."""
        if self._log_path is None or not self._log_path.exists():
            return ""
        return self._log_path.read_text(encoding="utf-8", errors="replace")

    def stop(self) -> None:
        """Terminate the child (killing it if it lingers) and wait for it; safe to repeat."""
        process, self._process, self._url = self._process, None, None
        if process is not None:
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(_STOP_TIMEOUT)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
            if process.stdout is not None:
                process.stdout.close()
        if self._log_is_temporary and self._log_path is not None:
            self._log_path.unlink(missing_ok=True)
            self._log_path = None
            self._log_is_temporary = False

    def stats(self) -> dict[str, Any]:
        """The emulator's request counts (``GET /_emulator/stats``)."""
        response = requests.get(f"{self.url}/_emulator/stats", timeout=_HTTP_TIMEOUT)
        response.raise_for_status()
        counts: dict[str, Any] = response.json()
        return counts

    def reset(self) -> None:
        """Back to a fresh organisation with zeroed counts (``POST /_emulator/reset``)."""
        requests.post(f"{self.url}/_emulator/reset", timeout=_HTTP_TIMEOUT).raise_for_status()

    def __enter__(self) -> EmulatorProcess:
        """Start, for ``with EmulatorProcess(...) as emulator:``."""
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Stop."""
        self.stop()

    def _command(self) -> list[str]:
        return [self._python, "-m", "incident_statuses_emulator", *self.config.to_argv()]

    def _open_log(self) -> Path:
        if self._requested_log_path is not None:
            self._log_path = self._requested_log_path
        elif self._log_path is None:
            handle, name = tempfile.mkstemp(prefix="incident-emulator-", suffix=".log")
            os.close(handle)
            self._log_path = Path(name)
            self._log_is_temporary = True
        return self._log_path


def _first_line(process: subprocess.Popen[bytes], timeout: float) -> str | None:
    """The child's first stdout line ("" if it exited first), or None if ``timeout`` passed."""
    lines: queue.Queue[bytes] = queue.Queue(maxsize=1)
    stream = process.stdout

    def read() -> None:
        # A pipe read cannot time out by itself; the thread lets the caller stop waiting.
        with contextlib.suppress(ValueError, OSError):
            lines.put(stream.readline() if stream is not None else b"")

    threading.Thread(target=read, name="emulator-stdout", daemon=True).start()
    try:
        return lines.get(timeout=timeout).decode("utf-8", errors="replace")
    except queue.Empty:
        return None
