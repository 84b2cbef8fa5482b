"""The API key stays out of what the provider raises and pickles; plain http leaves nothing.

The engine-level checks (state, exported state with secrets, verbose engine output) are in
`test_resource_engine.py`; the client's own errors, those without an answer included, in
`test_client_malformed.py`. Here the provider's methods are called directly, as the dynamic
provider process calls them, with the key configured as the engine configures it.
"""

from __future__ import annotations

import base64
import hmac
import socket
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from pulumi.dynamic import ConfigureRequest
from pulumi.dynamic.config import Config
from pulumi.dynamic.dynamic import serialize_provider

from incident_statuses_emulator import app as emulator_app
from incident_statuses_emulator.config import EmulatorConfig
from incident_statuses_emulator.process import EmulatorProcess
from pulumi_incident_statuses.core.errors import (
    AuthenticationError,
    InsecureEndpointError,
    NotFoundError,
    StatusConflictError,
    ValidationError,
)
from pulumi_incident_statuses.dynamic.resource import IncidentStatusProvider

SECRET = "sk-live-never-anywhere-5e2d"
WRONG = "sk-live-also-secret-but-wrong-91b0"


def configured(endpoint: str, api_key: str = SECRET, **more: str) -> IncidentStatusProvider:
    """A provider configured as the engine configures it: the whole stack config, decrypted."""
    provider = IncidentStatusProvider()
    raw = {"incident:apiKey": api_key, "incident:endpoint": endpoint, **more}
    provider.configure(ConfigureRequest(Config(raw_config=raw, project_name="statuses")))
    return provider


def pickled(provider: IncidentStatusProvider) -> bytes:
    """The bytes the SDK stores as `__provider` in every resource's state."""
    return base64.b64decode(serialize_provider(provider))


def everything_said(error: BaseException) -> str:
    """What the provider process sends the engine for an exception: its formatted traceback."""
    return "".join(traceback.format_exception(error)) + repr(error) + repr(vars(error))


@pytest.fixture
def secret_emulator(
    emulator_factory: Callable[..., EmulatorProcess],
) -> EmulatorProcess:
    return emulator_factory(api_key=SECRET)


@pytest.fixture(autouse=True)
def _no_key_in_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("INCIDENT_API_KEY", raising=False)
    monkeypatch.delenv("INCIDENT_ENDPOINT", raising=False)


def status(name: str = "Investigating", **changes: Any) -> dict[str, Any]:
    return {"name": name, "description": "Looking", "category": "live", **changes}


def failures(secret_emulator: EmulatorProcess) -> Iterator[tuple[type[Exception], BaseException]]:
    """Make the provider fail in every way a run can, and yield what each call raised."""
    url = secret_emulator.url
    good = configured(url)
    made = good.create(status())

    calls: list[tuple[type[Exception], Callable[[], object]]] = [
        (AuthenticationError, lambda: configured(url, WRONG).create(status("Other"))),
        (AuthenticationError, lambda: configured(url, WRONG).read(made.id, made.outs)),
        (StatusConflictError, lambda: good.create(status(description="Someone else's"))),
        (ValidationError, lambda: good.create(status("Triage 2", category="triage"))),
        (ValidationError, lambda: good.create(status("Ranked", rank=10_000_000))),
        (NotFoundError, lambda: good.update("01NOSUCHSTATUS", {}, status())),
        (StatusConflictError, lambda: good.create(status("Adopted", import_id="01NOSUCH"))),
    ]
    for expected, call in calls:
        with pytest.raises(expected) as caught:
            call()
        yield expected, caught.value


def test_the_key_is_in_no_error_the_provider_raises(secret_emulator: EmulatorProcess) -> None:
    seen = list(failures(secret_emulator))
    assert len(seen) == 7
    for expected, error in seen:
        said = everything_said(error)
        assert SECRET not in said, expected.__name__
        assert WRONG not in said, expected.__name__
    auth = seen[0][1]
    assert isinstance(auth, AuthenticationError)
    assert "401" in str(auth) and "check the API key" in str(auth)


def test_a_configured_provider_pickles_without_the_key(secret_emulator: EmulatorProcess) -> None:
    provider = configured(secret_emulator.url)
    made = provider.create(status())
    provider.update(made.id, made.outs, status(description="Still looking"))

    # Configured and used, it holds nothing: the key lives beside it, in the provider module.
    assert vars(provider) == {}
    data = pickled(provider)
    assert data == pickled(IncidentStatusProvider())
    assert SECRET.encode() not in data
    assert secret_emulator.url.encode() not in data


def test_the_program_side_provider_never_holds_the_key(
    secret_emulator: EmulatorProcess, monkeypatch: pytest.MonkeyPatch
) -> None:
    # What a program builds for every IncidentStatus, with the key where programs find it.
    monkeypatch.setenv("INCIDENT_API_KEY", SECRET)
    monkeypatch.setenv("INCIDENT_ENDPOINT", secret_emulator.url)
    provider = IncidentStatusProvider()
    before = pickled(provider)
    provider.read(provider.create(status()).id, {})
    assert vars(provider) == {}
    assert pickled(provider) == before
    assert SECRET.encode() not in before


def test_plain_http_to_another_host_is_refused_before_anything_is_sent(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    opened: list[object] = []

    def refuse(*args: Any, **kwargs: Any) -> None:
        opened.append(args)
        raise AssertionError("a connection was attempted")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    for endpoint in ("http://192.0.2.10", "http://incident.example:8080", "http://[2001:db8::1]"):
        provider = configured(endpoint)
        with pytest.raises(InsecureEndpointError) as caught:
            provider.create(status())
        assert "refusing to send the API key over plain http" in str(caught.value)
        assert SECRET not in everything_said(caught.value)
    assert opened == []


def test_the_emulator_compares_keys_in_constant_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    compared: list[tuple[bytes, bytes]] = []
    compare_digest = hmac.compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        compared.append((a, b))
        return compare_digest(a, b)

    monkeypatch.setattr(emulator_app.hmac, "compare_digest", spy)
    emulator = emulator_app.Emulator.from_config(
        EmulatorConfig(db_path=tmp_path / "statuses.db", api_key=SECRET)
    )
    try:
        assert emulator.accepts(SECRET)
        for wrong in ("", SECRET[:-1], SECRET + "x", WRONG, "\u00e9t\u00e9", "\udcff"):
            assert not emulator.accepts(wrong)
    finally:
        emulator.store.close()
    # Every comparison, the mismatched lengths included, went through compare_digest.
    assert len(compared) == 7
    assert all(b == SECRET.encode() for _, b in compared)
