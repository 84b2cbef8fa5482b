"""The API key and endpoint: where they come from (stack config and the environment, at run
time) and whether they are usable, checked before anything is sent.

The names match incident.io's own providers: stack config `incident:apiKey` (a secret) and
`incident:endpoint`, environment `INCIDENT_API_KEY` and `INCIDENT_ENDPOINT`. The config key wins
over the environment key; the environment endpoint wins over the config endpoint.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from .errors import ConfigurationError, InsecureEndpointError, MissingAPIKeyError

CONFIG_API_KEY = "incident:apiKey"
CONFIG_ENDPOINT = "incident:endpoint"
ENV_API_KEY = "INCIDENT_API_KEY"
ENV_ENDPOINT = "INCIDENT_ENDPOINT"

DEFAULT_ENDPOINT = "https://api.incident.io"
"""incident.io's public API."""

ConfigLookup = Callable[[str], object]

ENDPOINT_FLAG = "--endpoint"
"""The command line's own way to set the endpoint (`incident-statuses list` and `generate`)."""
DEFAULTED = "default"
"""`Origin.endpoint` when nothing set one and `DEFAULT_ENDPOINT` is used."""


@dataclass(frozen=True)
class Origin:
    """Where a client's API key and endpoint were set, so that its errors say what to check."""

    api_key: str | None = None
    """`CONFIG_API_KEY` or `ENV_API_KEY`; None when the caller handed the key over itself."""
    endpoint: str | None = None
    """`ENV_ENDPOINT`, `CONFIG_ENDPOINT`, `ENDPOINT_FLAG` or `DEFAULTED`; None when the caller
    handed the endpoint over itself."""
    command_line: bool = False
    """Whether the `incident-statuses` command made the client rather than a Pulumi run."""

    def key_hint(self) -> str | None:
        """What to do about a key incident.io refused, naming where it came from."""
        if self.api_key == CONFIG_API_KEY and self.command_line:
            return f"check the API key in the stack's config {CONFIG_API_KEY}"
        if self.api_key == CONFIG_API_KEY:
            return (
                f"check the API key in stack config {CONFIG_API_KEY}. After rotating it, "
                "`pulumi refresh` and `pulumi destroy` still send the key recorded by the last "
                "`pulumi up`: run `pulumi up` first, or add --run-program"
            )
        if self.api_key == ENV_API_KEY:
            return f"check the API key in the environment variable {ENV_API_KEY}"
        return None

    def endpoint_set_by(self) -> str | None:
        """Where the endpoint was set, as a clause ("set by ..."); None if not known."""
        if self.endpoint is None:
            return None
        if self.endpoint == ENV_ENDPOINT:
            return f"set by the environment variable {ENV_ENDPOINT}"
        if self.endpoint == CONFIG_ENDPOINT:
            return f"set by stack config {CONFIG_ENDPOINT}"
        if self.endpoint == ENDPOINT_FLAG:
            return f"set by {ENDPOINT_FLAG}"
        other = ENDPOINT_FLAG if self.command_line else CONFIG_ENDPOINT
        return f"the default; set {ENV_ENDPOINT} or {other} for another"


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
            raise missing_api_key(stack_config=self.stack_config)
        return self.api_key


def missing_api_key(*, stack_config: bool = True) -> MissingAPIKeyError:
    """The one error for a missing key, naming the places a key is read from."""
    where = f"the environment variable {ENV_API_KEY}"
    if stack_config:
        where = (
            "it as a secret in stack config with "
            f"`pulumi config set --secret {CONFIG_API_KEY} <key>`, or in {where}"
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
    config: ConfigLookup | None = None, environ: Mapping[str, str] | None = None
) -> Settings:
    """Resolve settings from a config lookup (the provider's `Config.get`) and the environment."""
    env = os.environ if environ is None else environ
    get = config or (lambda _key: None)
    keys = (
        (CONFIG_API_KEY, _text(get(CONFIG_API_KEY))),
        (ENV_API_KEY, _text(env.get(ENV_API_KEY))),
    )
    endpoints = (
        (ENV_ENDPOINT, _text(env.get(ENV_ENDPOINT))),
        (CONFIG_ENDPOINT, _text(get(CONFIG_ENDPOINT))),
    )
    key_from, api_key = next(((name, value) for name, value in keys if value), (None, None))
    endpoint_from, endpoint = next(
        ((name, value) for name, value in endpoints if value), (DEFAULTED, DEFAULT_ENDPOINT)
    )
    return Settings(
        api_key=api_key,
        endpoint=endpoint or DEFAULT_ENDPOINT,
        origin=Origin(api_key=key_from, endpoint=endpoint_from),
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
