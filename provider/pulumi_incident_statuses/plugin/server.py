"""`pulumi-resource-incident-statuses`: the executable the engine starts for its package.

It serves `IncidentProvider` over gRPC on a loopback port and prints the port, as every provider
plugin does. The SDK's servicer (`pulumi.provider.experimental.server`) answers any exception
with its message and the Python stack; an `IncidentAPIError` is a message for the person running
`pulumi`, so it goes back alone (its request id included), as the dynamic providers show it.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Awaitable, Callable
from typing import Any

from ..core import deployment, versions
from ..core.errors import IncidentAPIError
from .schema import PLUGIN

_NEEDS = (
    "pulumi.provider.experimental.provider",
    "pulumi.provider.experimental.property_value",
    "pulumi.provider.experimental.server",
)
# The servicer methods that run provider operations; each is wrapped to show errors message first.
_OPERATIONS = (
    "CheckConfig",
    "Configure",
    "Check",
    "Diff",
    "Create",
    "Read",
    "Update",
    "Delete",
    "Invoke",
)
_MAX_MESSAGE_BYTES = 400 * 1024 * 1024


def missing_sdk(installed: str | None, missing: str) -> str:
    """The message for an SDK without the provider interface this plugin is served with."""
    found = (
        f"no pulumi Python SDK in the environment of {sys.executable}"
        if installed is None
        else f"pulumi {installed} in the environment of {sys.executable} has no {missing}"
    )
    return (
        f"{PLUGIN}: {found}. This plugin is written against pulumi's provider "
        f"interface of {versions.REQUIREMENT} (tested with {versions.TESTED_SDK}): "
        f"pip install '{versions.REQUIREMENT}' there"
    )


def _sdk_problem() -> str | None:
    import importlib

    installed = versions.installed_sdk()
    if installed is None:
        return missing_sdk(None, "pulumi package")
    if not versions.MINIMUM <= versions.release(installed) < (4,):
        return missing_sdk(installed, "provider interface this plugin supports")
    for module in _NEEDS:
        try:
            importlib.import_module(module)
        except ImportError:
            return missing_sdk(installed, module)
    return None


def _message_first(method: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
    import grpc

    async def run(self: Any, request: Any, context: Any) -> Any:
        try:
            return await method(self, request, context)
        except Exception as wrapped:
            # The SDK's servicer re-raises every error as a new Exception with the stack in its
            # text, inside its `except`: the error itself is that exception's context.
            error = wrapped if isinstance(wrapped, IncidentAPIError) else wrapped.__context__
            if isinstance(error, IncidentAPIError):
                await context.abort(grpc.StatusCode.UNKNOWN, str(error))
            raise

    return run


def serve(engine_address: str, args: list[str]) -> None:
    """Serve the provider for the engine at `engine_address` until the engine stops it."""
    import asyncio

    from ..core import engine_log

    # The deployment's records are shared with the engine's other provider processes (the
    # dynamic resources' among them), and messages for the person go to the engine.
    deployment.share(engine_address)
    engine_log.attach(engine_address)

    import grpc
    from pulumi.provider.experimental.server import ProviderServicer
    from pulumi.runtime.proto import provider_pb2_grpc

    from .provider import THREADS, IncidentProvider

    provider = IncidentProvider()
    deployment.DEPLOYMENT.run_on(THREADS)

    class Servicer(ProviderServicer):
        async def Configure(self, request: Any, context: Any) -> Any:
            # The SDK's request leaves out which provider is configured; errors name it.
            provider.provider_urn = request.urn or None
            return await super().Configure(request, context)

    servicer_type = type(
        "MessageFirstServicer",
        (Servicer,),
        {name: _message_first(getattr(Servicer, name)) for name in _OPERATIONS},
    )

    async def run() -> None:
        server = grpc.aio.server(
            options=[
                ("grpc.max_receive_message_length", _MAX_MESSAGE_BYTES),
                ("grpc.max_send_message_length", _MAX_MESSAGE_BYTES),
            ]
        )
        servicer = servicer_type(args, versions.package(), provider, engine_address)
        provider_pb2_grpc.add_ResourceProviderServicer_to_server(servicer, server)
        port = server.add_insecure_port("127.0.0.1:0")
        await server.start()
        sys.stdout.write(f"{port}\n")
        sys.stdout.flush()
        try:
            await server.wait_for_termination()
        finally:
            await server.stop(None)

    try:
        # The engine stops a plugin with SIGINT, which ends `run` (asyncio's own handler).
        asyncio.run(run())
    except KeyboardInterrupt:
        pass
    provider.close()


def main(argv: list[str] | None = None) -> int:
    """Entry point of `pulumi-resource-incident-statuses ENGINE_ADDRESS`."""
    args = sys.argv[1:] if argv is None else argv
    problem = _sdk_problem()
    if problem is not None:
        print(problem, file=sys.stderr)
        return 1
    engine = deployment.engine_address(args)
    if engine is None:
        print(
            f"{PLUGIN}: the Pulumi engine starts this plugin with its address; "
            "put it on PATH (or name it in Pulumi.yaml under plugins.providers) and run pulumi",
            file=sys.stderr,
        )
        return 2
    serve(engine, args)
    sys.stdout.flush()
    sys.stderr.flush()
    # What the process did is in incident.io, the ledger's files and the engine's state, so
    # nothing is left to tear down but the interpreter itself, with the SDK's and gRPC's modules:
    # about 65 ms, which the engine waits for each time it stops the plugin.
    os._exit(0)
