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


@dataclass(frozen=True)
class Settings:
    """Resolved credentials and endpoint. The key is kept out of `repr`."""

    api_key: str | None = field(repr=False)
    endpoint: str
    stack_config: bool = True
    """Whether stack config was a place to look (not for the command line, which reads only the
    environment)."""

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
    api_key = _text(get(CONFIG_API_KEY)) or _text(env.get(ENV_API_KEY))
    endpoint = _text(env.get(ENV_ENDPOINT)) or _text(get(CONFIG_ENDPOINT)) or DEFAULT_ENDPOINT
    return Settings(api_key=api_key, endpoint=endpoint)


def resolve_environment(environ: Mapping[str, str] | None = None) -> Settings:
    """Resolve settings from the environment alone, as the command line does."""
    return dataclasses.replace(resolve(None, environ), stack_config=False)
