"""Where the API key and endpoint come from: stack config and the environment, at run time.

The names match incident.io's own providers: stack config `incident:apiKey` (a secret) and
`incident:endpoint`, environment `INCIDENT_API_KEY` and `INCIDENT_ENDPOINT`. The config key wins
over the environment key; the environment endpoint wins over the config endpoint.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from .errors import MissingAPIKeyError

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

    def require_api_key(self) -> str:
        """The API key, or a `MissingAPIKeyError` that says both ways to set one."""
        if not self.api_key:
            raise MissingAPIKeyError(
                "no incident.io API key: set it as a secret in stack config with "
                f"`pulumi config set --secret {CONFIG_API_KEY} <key>`, "
                f"or in the environment variable {ENV_API_KEY}"
            )
        return self.api_key


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
