"""The API key and endpoint: where they come from (stack config and the environment, at run
time) and whether they are usable, checked before anything is sent.

The dynamic resources read stack config `incident:apiKey` (a secret) and `incident:endpoint`, as
incident.io's own providers do; the provider plugin reads its own namespace
(`incident-statuses:apiKey`, or the arguments of an explicit provider). The environment variables
`INCIDENT_API_KEY` and `INCIDENT_ENDPOINT` are shared with incident.io's providers. As in every
Pulumi provider, a value set on the provider (stack config for the default one) wins, and the
environment variable is the default when it is unset.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from .errors import ConfigurationError, InsecureEndpointError, MissingAPIKeyError

NAMESPACE = "incident"
"""The stack config namespace the dynamic resources read."""
CONFIG_API_KEY = f"{NAMESPACE}:apiKey"
CONFIG_ENDPOINT = f"{NAMESPACE}:endpoint"
ENV_API_KEY = "INCIDENT_API_KEY"
ENV_ENDPOINT = "INCIDENT_ENDPOINT"

DEFAULT_ENDPOINT = "https://api.incident.io"
"""incident.io's public API."""

ConfigLookup = Callable[[str], object]

ENDPOINT_FLAG = "--endpoint"
"""The command line's own way to set the endpoint (`incident-statuses list` and `generate`)."""
DEFAULTED = "default"
"""`Origin.endpoint` when nothing set one and `DEFAULT_ENDPOINT` is used."""


def argument(name: str, provider: str) -> str:
    """How `Origin` names the argument ``name`` (``apiKey``) of the explicit ``provider``."""
    return f"the {name} argument of the provider {provider!r}"


def _is_config_key(source: str) -> bool:
    return ":" in source and not source.startswith("the ")


@dataclass(frozen=True)
class Origin:
    """Where a client's API key and endpoint were set, so that its errors say what to check."""

    api_key: str | None = None
    """`ENV_API_KEY`, a stack config key (`CONFIG_API_KEY`, or the plugin's), or an explicit
    provider's argument (see `argument`); None when the caller handed the key over itself."""
    endpoint: str | None = None
    """`ENV_ENDPOINT`, a stack config key, a provider's argument, `ENDPOINT_FLAG` or `DEFAULTED`;
    None when the caller handed the endpoint over itself."""
    command_line: bool = False
    """Whether the `incident-statuses` command made the client rather than a Pulumi run."""
    namespace: str = NAMESPACE
    """The stack config namespace the provider reads (`incident`, or the plugin's own)."""

    def key_hint(self) -> str | None:
        """What to do about a key incident.io refused, naming where it came from."""
        if self.api_key is None:
            return None
        if self.api_key == ENV_API_KEY:
            return f"check the API key in the environment variable {ENV_API_KEY}"
        if self.command_line:
            return f"check the API key in the stack's config {self.api_key}"
        where = f"stack config {self.api_key}" if _is_config_key(self.api_key) else self.api_key
        return (
            f"check the API key in {where}. After changing it, `pulumi refresh` and `pulumi "
            "destroy` still send the key recorded by the last `pulumi up`: run `pulumi up` "
            "first, or add --run-program"
        )

    def endpoint_set_by(self) -> str | None:
        """Where the endpoint was set, as a clause ("set by ..."); None if not known."""
        if self.endpoint is None:
            return None
        if self.endpoint == ENV_ENDPOINT:
            return f"set by the environment variable {ENV_ENDPOINT}"
        if self.endpoint == ENDPOINT_FLAG:
            return f"set by {ENDPOINT_FLAG}"
        if self.endpoint == DEFAULTED:
            if self.command_line:
                return f"the default; set {ENV_ENDPOINT} or {ENDPOINT_FLAG} for another"
            return f"the default; set {self.namespace}:endpoint or {ENV_ENDPOINT} for another"
        if _is_config_key(self.endpoint):
            return f"set by stack config {self.endpoint}"
        return f"set by {self.endpoint}"

    @property
    def from_environment(self) -> bool:
        """Whether both the key and the endpoint came from the environment (or the flag)."""
        return self.api_key in (ENV_API_KEY, None) and self.endpoint in (
            ENV_ENDPOINT,
            ENDPOINT_FLAG,
            None,
        )


@dataclass(frozen=True)
class Settings:
    """Resolved credentials and endpoint. The key is kept out of `repr`."""

    api_key: str | None = field(repr=False)
    endpoint: str
    stack_config: bool = True
    """Whether stack config was a place to look (not for the command line, which reads only the
    environment)."""
    origin: Origin = Origin()
    """Where the key and endpoint were found."""

    def require_api_key(self) -> str:
        """The API key, or a `MissingAPIKeyError` that says where to set one."""
        if not self.api_key:
            raise missing_api_key(
                stack_config=self.stack_config, config_key=f"{self.origin.namespace}:apiKey"
            )
        return self.api_key


def missing_api_key(
    *, stack_config: bool = True, config_key: str = CONFIG_API_KEY
) -> MissingAPIKeyError:
    """The one error for a missing key, naming the places a key is read from."""
    where = f"the environment variable {ENV_API_KEY}"
    if stack_config:
        where = (
            "it as a secret in stack config with "
            f"`pulumi config set --secret {config_key} <key>`, or in {where}"
        )
    return MissingAPIKeyError(f"no incident.io API key: set {where}")


def checked_api_key(api_key: str) -> str:
    """``api_key``, once it is one that can go in a header."""
    if not api_key or not api_key.strip():
        raise missing_api_key()
    if not all(33 <= ord(char) < 127 for char in api_key):
        # Said here because requests would quote the offending header value in its error.
        raise ConfigurationError(
            "the incident.io API key has spaces or characters that cannot go in a header"
        )
    return api_key


def _is_loopback(host: str) -> bool:
    if host.rstrip(".").lower() == "localhost":
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped.is_loopback
    return address.is_loopback


def checked_endpoint(endpoint: str) -> str:
    """``endpoint`` without its trailing slash, once it is safe to send the API key there."""
    try:
        parts = urlsplit(endpoint.strip())
        # Reading the port is what checks it.
        host, _port = parts.hostname, parts.port
    except ValueError:
        raise ConfigurationError(f"the endpoint {endpoint!r} is not a valid URL") from None
    if parts.scheme not in ("https", "http") or not host:
        raise ConfigurationError(
            f"the endpoint {endpoint!r} must be an https:// URL, e.g. {DEFAULT_ENDPOINT!r}"
        )
    if parts.username is not None or parts.password is not None:
        raise ConfigurationError("the endpoint must not contain a user name or password")
    if parts.query or parts.fragment:
        raise ConfigurationError(f"the endpoint {endpoint!r} must not have a query or fragment")
    if parts.scheme == "http" and not _is_loopback(host):
        raise InsecureEndpointError(
            f"refusing to send the API key over plain http to {host!r}; use https://, "
            "or http:// only to a loopback address such as an emulator on 127.0.0.1"
        )
    return parts.geturl().rstrip("/")


def _text(value: object) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def resolve(
    config: ConfigLookup | None = None,
    environ: Mapping[str, str] | None = None,
    *,
    namespace: str = NAMESPACE,
    provider: str | None = None,
) -> Settings:
    """Resolve settings from a config lookup (the provider's `Config.get`) and the environment.

    ``config`` is looked up as ``NAMESPACE:apiKey`` and ``NAMESPACE:endpoint``; what it holds wins
    over the environment. ``provider`` names an explicit provider whose arguments ``config``
    holds, so that errors name those arguments rather than stack config.
    """
    env = os.environ if environ is None else environ
    get = config or (lambda _key: None)
    key_name, endpoint_name = f"{namespace}:apiKey", f"{namespace}:endpoint"

    def source(config_key: str, argument_name: str) -> str:
        return config_key if provider is None else argument(argument_name, provider)

    keys = (
        (source(key_name, "apiKey"), _text(get(key_name))),
        (ENV_API_KEY, _text(env.get(ENV_API_KEY))),
    )
    endpoints = (
        (source(endpoint_name, "endpoint"), _text(get(endpoint_name))),
        (ENV_ENDPOINT, _text(env.get(ENV_ENDPOINT))),
    )
    key_from, api_key = next(((name, value) for name, value in keys if value), (None, None))
    endpoint_from, endpoint = next(
        ((name, value) for name, value in endpoints if value), (DEFAULTED, DEFAULT_ENDPOINT)
    )
    return Settings(
        api_key=api_key,
        endpoint=endpoint or DEFAULT_ENDPOINT,
        origin=Origin(api_key=key_from, endpoint=endpoint_from, namespace=namespace),
    )


def resolve_environment(
    environ: Mapping[str, str] | None = None, *, endpoint: str | None = None
) -> Settings:
    """Resolve settings from the environment alone, as the command line does; ``endpoint``
    (its ``--endpoint`` flag) wins over the environment's."""
    found = resolve(None, environ)
    origin = dataclasses.replace(found.origin, command_line=True)
    if endpoint:
        found = dataclasses.replace(found, endpoint=endpoint)
        origin = dataclasses.replace(origin, endpoint=ENDPOINT_FLAG)
    return dataclasses.replace(found, stack_config=False, origin=origin)


def for_command_line(found: Settings) -> Settings:
    """``found`` (read from a stack's config and the environment) as the command line uses it:
    its errors speak of the command line, not of a Pulumi run."""
    return dataclasses.replace(
        found, origin=dataclasses.replace(found.origin, command_line=True)
    )
