"""Where the key and endpoint come from, and what errors then tell a person to check."""

from __future__ import annotations

import pytest

from pulumi_incident_statuses.core import settings
from pulumi_incident_statuses.core.errors import MissingAPIKeyError


def lookup(values: dict[str, str]) -> settings.ConfigLookup:
    return values.get


def test_each_source_is_remembered_and_the_providers_own_settings_win() -> None:
    environ = {"INCIDENT_API_KEY": "env-key", "INCIDENT_ENDPOINT": "http://127.0.0.1:1"}
    config = {"incident:apiKey": "config-key", "incident:endpoint": "http://127.0.0.1:2"}

    # As in every Pulumi provider: what is set on the provider wins, the environment is the
    # default. Both settings alike, so that a key never goes to another organisation's endpoint.
    both = settings.resolve(lookup(config), environ)
    assert (both.api_key, both.endpoint) == ("config-key", "http://127.0.0.1:2")
    assert both.origin == settings.Origin(api_key="incident:apiKey", endpoint="incident:endpoint")

    config_only = settings.resolve(lookup(config), {})
    assert config_only.origin == settings.Origin("incident:apiKey", "incident:endpoint")
    env_only = settings.resolve(None, environ)
    assert env_only.origin == settings.Origin("INCIDENT_API_KEY", "INCIDENT_ENDPOINT")
    nothing = settings.resolve(None, {})
    assert (nothing.api_key, nothing.endpoint) == (None, settings.DEFAULT_ENDPOINT)
    assert nothing.origin == settings.Origin(None, settings.DEFAULTED)


def test_where_the_endpoint_was_set_is_said_in_words() -> None:
    said = {
        origin.endpoint: origin.endpoint_set_by()
        for origin in (
            settings.resolve(None, {"INCIDENT_ENDPOINT": "http://127.0.0.1:1"}).origin,
            settings.resolve(lookup({"incident:endpoint": "http://127.0.0.1:2"}), {}).origin,
            settings.resolve(None, {}).origin,
        )
    }
    assert said == {
        "INCIDENT_ENDPOINT": "set by the environment variable INCIDENT_ENDPOINT",
        "incident:endpoint": "set by stack config incident:endpoint",
        "default": "the default; set incident:endpoint or INCIDENT_ENDPOINT for another",
    }
    assert settings.Origin().endpoint_set_by() is None


def test_the_plugin_reads_its_own_namespace_and_names_an_explicit_providers_arguments() -> None:
    config = {"incident-statuses:apiKey": "k", "incident:endpoint": "http://127.0.0.1:2"}
    default = settings.resolve(lookup(config), {}, namespace="incident-statuses")
    assert (default.api_key, default.endpoint) == ("k", settings.DEFAULT_ENDPOINT)
    assert default.origin.endpoint_set_by() == (
        "the default; set incident-statuses:endpoint or INCIDENT_ENDPOINT for another"
    )
    hint = default.origin.key_hint()
    assert hint is not None and hint.startswith(
        "check the API key in stack config incident-statuses:apiKey."
    )

    explicit = settings.resolve(
        lookup({"incident-statuses:endpoint": "http://127.0.0.1:4"}),
        {"INCIDENT_API_KEY": "env-key", "INCIDENT_ENDPOINT": "http://127.0.0.1:1"},
        namespace="incident-statuses",
        provider="org-b",
    )
    assert explicit.endpoint == "http://127.0.0.1:4"
    assert explicit.origin.endpoint_set_by() == (
        "set by the endpoint argument of the provider 'org-b'"
    )
    assert explicit.origin.key_hint() == (
        "check the API key in the environment variable INCIDENT_API_KEY"
    )
    missing = settings.resolve(None, {}, namespace="incident-statuses")
    with pytest.raises(MissingAPIKeyError, match="incident-statuses:apiKey"):
        missing.require_api_key()


def test_the_command_line_speaks_of_its_own_flags_and_never_of_rotation() -> None:
    flagged = settings.resolve_environment({"INCIDENT_API_KEY": "k"}, endpoint="http://127.0.0.1:3")
    assert flagged.endpoint == "http://127.0.0.1:3"
    assert flagged.origin.endpoint_set_by() == "set by --endpoint"
    assert flagged.origin.key_hint() == (
        "check the API key in the environment variable INCIDENT_API_KEY"
    )
    defaulted = settings.resolve_environment({"INCIDENT_API_KEY": "k"})
    assert defaulted.origin.endpoint_set_by() == (
        "the default; set INCIDENT_ENDPOINT or --endpoint for another"
    )
    # `recover` reads the stack's config too, but is the command line all the same.
    recovering = settings.for_command_line(settings.resolve(lookup({"incident:apiKey": "k"}), {}))
    assert recovering.origin.key_hint() == (
        "check the API key in the stack's config incident:apiKey"
    )
    in_a_run = settings.resolve(lookup({"incident:apiKey": "k"}), {}).origin.key_hint()
    assert in_a_run is not None and "--run-program" in in_a_run
