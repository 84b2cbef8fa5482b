"""One request to incident.io over one ``requests.Session``, its answer read (`wire`): the
transport under `IncidentStatusesClient`, which decides what to send."""

from __future__ import annotations

import functools
import logging
import os
import time
from http.client import RemoteDisconnected

import requests

from . import versions
from .errors import APIConnectionError
from .settings import Origin
from .wire import Reply, redact, reply_or_raise

__all__ = ["Transport"]

# Connecting takes well under a second to a live API: a host that lets a connection hang says as
# much as one that refuses it, and the retry policy's time for an unreachable endpoint is short.
_CONNECT_TIMEOUT = 5.0

logger = logging.getLogger(__name__)


@functools.cache
def _user_agent() -> str:
    return f"{versions.DISTRIBUTION}/{versions.package()}"


def _session_for(endpoint: str) -> requests.Session:
    """A session with the environment's proxy and CA bundle settings read once.

    With ``trust_env`` on, requests scans every environment variable again for each request to
    find proxies (a third of a request's CPU, measured: see CONTRIBUTING): the endpoint never
    changes, so its
    settings are resolved here, with the same rules (``no_proxy`` included), and then fixed.
    """
    session = requests.Session()
    session.proxies.update(requests.utils.get_environ_proxies(endpoint))
    bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
    if bundle:
        session.verify = bundle
    session.trust_env = False
    return session


class _BearerAuth(requests.auth.AuthBase):
    """Adds the API key to each request; never shows it."""

    def __init__(self, api_key: str) -> None:
        self._api_key = api_key

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = f"Bearer {self._api_key}"
        return request

    def __repr__(self) -> str:
        return "_BearerAuth(<redacted>)"


class Transport:
    """Sends one request at a time to ``endpoint`` with the API key, and reads the answer."""

    def __init__(
        self,
        api_key: str,
        endpoint: str,
        *,
        timeout: float,
        origin: Origin,
        session: requests.Session | None = None,
    ) -> None:
        """``api_key`` and ``endpoint`` as checked by `settings`; ``origin`` says where they
        were set, for errors to name."""
        self.endpoint = endpoint
        self._api_key = api_key
        self._auth = _BearerAuth(api_key)
        self._timeout = timeout
        self._origin = origin
        self._owns_session = session is None
        self._session = session if session is not None else _session_for(endpoint)
        self._headers = {
            "Accept": "application/json",
            "Content-Type": "application/json",
            "User-Agent": _user_agent(),
        }

    def close(self) -> None:
        """Close the connections of the session it made (not of one passed in)."""
        if self._owns_session:
            self._session.close()

    def send(self, method: str, path: str, payload: dict[str, object] | None = None) -> Reply:
        """One request, its response mapped to a result or a typed error."""
        began = time.monotonic()
        response: requests.Response | None = None
        reason = ""
        unreachable = False
        try:
            response = self._session.request(
                method,
                self.endpoint + path,
                json=payload,
                headers=self._headers,
                auth=self._auth,
                timeout=(min(_CONNECT_TIMEOUT, self._timeout), self._timeout),
                allow_redirects=False,
            )
        except requests.RequestException as error:
            reason = redact(
                _transport_reason(error, self._timeout, min(_CONNECT_TIMEOUT, self._timeout)),
                self._api_key,
            )
            unreachable = _unreachable(error)
        if response is None:
            # Raised out here so that the requests exception, whose request carries the
            # Authorization header, is not kept as this error's context.
            logger.debug("%s %s: no response (%s)", method, path, reason)
            raise APIConnectionError(
                method=method,
                path=path,
                reason=reason,
                endpoint=self.endpoint,
                endpoint_set_by=self._origin.endpoint_set_by(),
                unreachable=unreachable,
            )
        logger.debug(
            "%s %s -> %d in %.0f ms",
            method,
            path,
            response.status_code,
            (time.monotonic() - began) * 1000,
        )
        return reply_or_raise(
            response, method=method, path=path, secret=self._api_key, origin=self._origin
        )


def _unreachable(error: requests.RequestException) -> bool:
    """Whether no connection could be made at all: refused, no such host, or none in time."""
    if isinstance(error, requests.ConnectTimeout):
        return True
    # A connection made and then dropped says the endpoint lives: it may answer the next time.
    made = ("connection closed without a response", "connection reset")
    return isinstance(error, requests.ConnectionError) and _transport_reason(error, 0) not in made


def _transport_reason(
    error: requests.RequestException, timeout: float, connect_timeout: float | None = None
) -> str:
    """A short account of why no response arrived."""
    if isinstance(error, requests.ConnectTimeout):
        return f"timed out connecting after {connect_timeout or timeout:g}s"
    if isinstance(error, requests.Timeout):
        return f"no response within {timeout:g}s"
    seen: set[int] = set()
    pending: list[object] = [error]
    while pending:
        cause = pending.pop()
        if id(cause) in seen or not isinstance(cause, BaseException):
            continue
        seen.add(id(cause))
        if isinstance(cause, ConnectionRefusedError):
            return "connection refused"
        if isinstance(cause, RemoteDisconnected):
            return "connection closed without a response"
        if isinstance(cause, ConnectionResetError):
            return "connection reset"
        pending.extend([*cause.args, cause.__cause__, cause.__context__])
        pending.append(getattr(cause, "reason", None))
    if isinstance(error, requests.exceptions.ChunkedEncodingError):
        return "connection closed in the middle of the response"
    return type(error).__name__
