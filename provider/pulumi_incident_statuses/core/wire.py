"""What crosses the wire, read as data: status bodies decoded into records, error answers mapped
to the typed errors of ``errors``, HTTP dates (``Date``, ``Retry-After``) read, and the API key
redacted from anything quoted. The client sends; this module says what came back.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from .dates import http_date
from .errors import (
    APIStatusError,
    AuthenticationError,
    ErrorDetail,
    MalformedResponseError,
    PermissionDeniedError,
    error_class_for,
)
from .settings import Origin

if TYPE_CHECKING:
    # Only the type: reading data loads no HTTP stack (codegen imports the record from here).
    import requests

__all__ = [
    "IncidentStatusRecord",
    "Reply",
    "parse_retry_after",
    "redact",
    "reply_or_raise",
]

_STRING_FIELDS = ("id", "name", "description", "category", "created_at", "updated_at")
_NOT_JSON = object()
_SECONDS = re.compile(r"\d+(\.\d+)?")


@dataclass(frozen=True)
class IncidentStatusRecord:
    """One incident status as incident.io returns it."""

    id: str
    """incident.io's id for the status, e.g. ``01FCNDV6P870EA6S7TK1DSYD5H``."""
    name: str
    """The status's name, unique within the organisation."""
    description: str
    """Rich-text description."""
    category: str
    """``live``, ``learning``, ``closed``, or a category incident.io manages; may be a new one."""
    rank: int
    """Position within its category, lowest first."""
    created_at: str
    """When it was created, RFC 3339."""
    updated_at: str
    """When it last changed, RFC 3339."""

    @classmethod
    def _checked(cls, data: Any) -> IncidentStatusRecord:
        """The record for a status object `_status_problem` found nothing wrong with.

        Unknown categories and extra fields are accepted, so that the API may grow.
        """
        return cls(**{item.name: data[item.name] for item in fields(cls)})


def _status_problem(data: object, where: str) -> str | None:
    """What keeps ``data`` from being a status object, or None if it is one."""
    if not isinstance(data, dict):
        return f"{where} is not an object"
    for name in _STRING_FIELDS:
        if not isinstance(data.get(name), str):
            return f"{where} has no string {name!r}"
    rank = data.get("rank")
    if not isinstance(rank, int) or isinstance(rank, bool):
        return f"{where} has no integer 'rank'"
    return None


def parse_retry_after(value: str | None, *, now: datetime) -> float | None:
    """The wait a ``Retry-After`` value asks for, as seconds or an HTTP-date; None if unreadable.

    incident.io's documentation has given both forms (seconds, and an HTTP-date such as ``Thu, 17
    Apr 2025 11:17:18 UTC``), so both are accepted. A date in the past means no wait.
    """
    if value is None:
        return None
    value = value.strip()
    if _SECONDS.fullmatch(value):
        return float(value)
    when = http_date(value)
    return None if when is None else max(0.0, (when - now).total_seconds())


def redact(text: str, secret: str) -> str:
    """``text`` without the API key, also in its JSON-escaped spelling."""
    for spelling in {secret, json.dumps(secret)[1:-1]}:
        text = text.replace(spelling, "[redacted]")
    return text


@dataclass(frozen=True)
class Reply:
    """A 2xx response, with what is needed to decode it or say why it cannot be decoded."""

    method: str
    path: str
    status: int
    content: bytes
    secret: str = field(repr=False)
    date: str | None = None
    """The ``Date`` header: the service's clock when it answered."""

    def malformed(self, reason: str) -> MalformedResponseError:
        text = redact(self.content.decode("utf-8", errors="replace"), self.secret)
        return MalformedResponseError(
            status=self.status, method=self.method, path=self.path, reason=reason, snippet=text
        )

    def json_object(self, key: str) -> object:
        """The value under ``key`` of the JSON object the body must be."""
        if not self.content.strip():
            raise self.malformed("the body is empty")
        try:
            body = json.loads(self.content)
        except ValueError:
            # Raised below, not here: the decode error would be kept as context, whole body
            # and all, and the body may echo the API key.
            body = _NOT_JSON
        if body is _NOT_JSON:
            raise self.malformed("the body is not JSON")
        if not isinstance(body, dict) or key not in body:
            raise self.malformed(f"expected a JSON object with {key!r}")
        return body[key]

    def status_record(self) -> IncidentStatusRecord:
        """The body's ``incident_status``."""
        data = self.json_object("incident_status")
        problem = _status_problem(data, "incident_status")
        if problem is not None:
            raise self.malformed(problem)
        return IncidentStatusRecord._checked(data)

    def status_records(self) -> list[IncidentStatusRecord]:
        """The body's ``incident_statuses``."""
        items = self.json_object("incident_statuses")
        if not isinstance(items, list):
            raise self.malformed("incident_statuses is not a list")
        for index, data in enumerate(items):
            problem = _status_problem(data, f"incident_statuses[{index}]")
            if problem is not None:
                raise self.malformed(problem)
        return [IncidentStatusRecord._checked(data) for data in items]


def _error_fields(content: bytes) -> dict[str, Any]:
    """What an error answer's body says, as `APIStatusError` fields: its type, request id and
    details if it is an incident.io error body, else the start of its text."""
    try:
        body = json.loads(content)
    except ValueError:
        body = None
    if not isinstance(body, dict) or not ({"type", "errors"} & body.keys()):
        return {"snippet": content.decode() or None}
    kind = body.get("type")
    request_id = body.get("request_id")
    details: list[ErrorDetail] = []
    entries = body.get("errors")
    for entry in entries if isinstance(entries, list) else ():
        if not isinstance(entry, dict):
            continue
        code, message, source = entry.get("code"), entry.get("message"), entry.get("source")
        source_field = source.get("field") if isinstance(source, dict) else None
        details.append(
            ErrorDetail(
                code=code if isinstance(code, str) else "",
                message=message if isinstance(message, str) else "",
                field=source_field if isinstance(source_field, str) and source_field else None,
            )
        )
    return {
        "type": kind if isinstance(kind, str) else None,
        "request_id": request_id if isinstance(request_id, str) else None,
        "errors": tuple(details),
    }


def _hint(error_class: type[APIStatusError], origin: Origin | None) -> str | None:
    """A hint naming where a refused key came from, or None for the class's own."""
    if origin is None or origin.api_key is None:
        return None
    if issubclass(error_class, AuthenticationError):
        return origin.key_hint()
    if issubclass(error_class, PermissionDeniedError):
        return f"{PermissionDeniedError.hint}; the key is the one in {origin.api_key}"
    return None


def reply_or_raise(
    response: requests.Response,
    *,
    method: str,
    path: str,
    secret: str,
    origin: Origin | None = None,
) -> Reply:
    """The one place a response becomes a result, or the typed exception it stands for.

    ``origin`` says where the key came from, for the hint of a 401 or 403.
    """
    status = response.status_code
    if 200 <= status < 300:
        return Reply(method, path, status, response.content, secret, response.headers.get("Date"))
    content = redact(response.content.decode("utf-8", errors="replace"), secret).encode()
    error_class = error_class_for(status)
    raise error_class(
        status=status,
        method=method,
        path=path,
        retry_after=parse_retry_after(response.headers.get("Retry-After"), now=datetime.now(UTC)),
        hint=_hint(error_class, origin),
        **_error_fields(content),
    )
