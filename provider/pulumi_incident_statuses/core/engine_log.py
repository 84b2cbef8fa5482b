"""Messages for the person running `pulumi`, from a provider process, through its engine.

An operation that goes on despite something the person should know (a check incident.io could
not answer, a delete that wrote nothing) returns that as data; the adapter hands it here, and the
engine shows it under the resource, as it shows a program's `pulumi.log.warn`. Each provider
process learns its engine's address from its arguments (`attach`); until then, or if the engine
cannot be told, the message goes to the process's stderr, which the engine logs.
"""

from __future__ import annotations

import sys
import threading
from typing import Any

_lock = threading.Lock()
_address: str | None = None
_stub: Any = None


def attach(address: str) -> None:
    """Send messages to the engine at ``address`` (``127.0.0.1:PORT``)."""
    global _address, _stub
    with _lock:
        _address, _stub = address, None


def warn(message: str, urn: str | None = None) -> None:
    """Show ``message`` as a warning, under the resource ``urn`` when given."""
    _send("WARNING", message, urn)


def info(message: str, urn: str | None = None) -> None:
    """Show ``message`` as information, under the resource ``urn`` when given."""
    _send("INFO", message, urn)


def _send(severity: str, message: str, urn: str | None) -> None:
    stub = _engine()
    if stub is not None:
        from pulumi.runtime.proto import engine_pb2

        request = engine_pb2.LogRequest(
            severity=engine_pb2.LogSeverity.Value(severity), message=message, urn=urn or ""
        )
        try:
            stub.Log(request, timeout=10)
        except Exception as error:  # a message must never fail the operation it is about
            sys.stderr.write(f"could not tell the engine ({error}): ")
        else:
            return
    sys.stderr.write(f"{severity.lower()}: {message}\n")


def _engine() -> Any:
    global _stub
    with _lock:
        if _stub is None and _address is not None:
            import grpc
            from pulumi.runtime.proto import engine_pb2_grpc

            _stub = engine_pb2_grpc.EngineStub(grpc.insecure_channel(_address))
        return _stub
