"""The emulator's HTTP face: the five incident-status operations and the pipeline around them.

Every request under ``/v1/`` goes through these steps, in order:

1. **auth**: a missing or wrong ``Authorization: Bearer`` key is answered 401 at once; it takes no
   rate-limit token and sees no latency or faults.
2. **rate limit**: one token from the key's bucket, or 429 (see ``ratelimit``).
3. **latency**: ``--latency-ms``, awaited, so other requests proceed meanwhile.
4. **fault**: ``--fault-rate`` of requests are answered 500 or 503 and not applied.
5. **apply**: the operation. Store writes are synchronous SQLite transactions with no ``await``
   inside, so on this single event loop each write, rank assignment included, is atomic.
6. **drop**: ``--drop-rate`` of writes (POST, PUT, DELETE), once applied, lose their answer: the
   TCP connection is closed and no byte of a response is sent.

Every answer carries ``X-Request-Id`` and the ``X-RateLimit-*`` headers; errors use incident.io's
ErrorResponse shape. ``/_emulator/stats`` and ``/_emulator/reset`` need no key and skip all of it.
"""

from __future__ import annotations

import asyncio
import dataclasses
import hmac
import json
import logging
import uuid
from dataclasses import dataclass
from datetime import timedelta

from aiohttp import web
from aiohttp.typedefs import Handler

from incident_statuses_emulator.clock import format_instant, utc_now
from incident_statuses_emulator.config import EmulatorConfig
from incident_statuses_emulator.faults import FaultInjector
from incident_statuses_emulator.payloads import parse_create, parse_update
from incident_statuses_emulator.problems import (
    ApiError,
    InjectedFault,
    InvalidRequest,
    MethodNotAllowed,
    NotFound,
    Problem,
    RateLimited,
    Unauthenticated,
)
from incident_statuses_emulator.ratelimit import Allowance, RateLimiter
from incident_statuses_emulator.stats import DROPPED, WRITE_METHODS, Outcome, RequestStats
from incident_statuses_emulator.store import StatusRecord, StatusStore

logger = logging.getLogger(__name__)

COLLECTION = "/v1/incident_statuses"
"""The path of the list and create operations."""

ITEM = "/v1/incident_statuses/{id}"
"""The path template of the show, update and delete operations."""

_API_PREFIX = "/v1/"
_UNMATCHED = "(unmatched)"
_RATE_LIMIT_NAME = "api_key"
_RANK_RACE_WINDOW_S = 0.05


@dataclass
class Emulator:
    """Everything the routes share: settings, the store, and the fault, limit and stats state."""

    config: EmulatorConfig
    store: StatusStore
    limiter: RateLimiter
    faults: FaultInjector
    stats: RequestStats

    @classmethod
    def from_config(cls, config: EmulatorConfig) -> Emulator:
        """Open the store and set up limits and faults as ``config`` says."""
        return cls(
            config=config,
            store=StatusStore(config.db_path),
            limiter=RateLimiter(config.rate_limit),
            faults=FaultInjector(
                fault_rate=config.fault_rate, drop_rate=config.drop_rate, seed=config.seed
            ),
            stats=RequestStats(),
        )

    def accepts(self, key: str) -> bool:
        """Whether ``key`` is the configured API key, compared in constant time."""
        return hmac.compare_digest(_bytes(key), _bytes(self.config.api_key))

    def reset(self) -> None:
        """A fresh organisation: seeded statuses only, zero counts, full buckets, faults rewound."""
        self.store.reset()
        self.stats.reset()
        self.limiter.reset()
        self.faults.reset()


EMULATOR = web.AppKey("emulator", Emulator)
"""Where the application keeps its :class:`Emulator`."""


def create_app(emulator: Emulator) -> web.Application:
    """The aiohttp application serving ``emulator``."""
    app = web.Application(middlewares=[_api_pipeline])
    app[EMULATOR] = emulator
    app.router.add_get(COLLECTION, _list_statuses, allow_head=False)
    app.router.add_post(COLLECTION, _create_status)
    app.router.add_get(ITEM, _show_status, allow_head=False)
    app.router.add_put(ITEM, _update_status)
    app.router.add_delete(ITEM, _delete_status)
    app.router.add_get("/_emulator/stats", _stats, allow_head=False)
    app.router.add_post("/_emulator/reset", _reset)
    return app


async def _list_statuses(request: web.Request) -> web.StreamResponse:
    records = request.app[EMULATOR].store.list_statuses()
    return web.json_response({"incident_statuses": [_status_json(r) for r in records]})


async def _create_status(request: web.Request) -> web.StreamResponse:
    payload = parse_create(await _json_body(request))
    emulator = request.app[EMULATOR]
    if emulator.config.rank_race and payload.rank is None:
        # The real service reads the next rank and writes it later; appends that overlap in
        # one category pick the same rank and all but one are refused.
        payload = dataclasses.replace(payload, rank=emulator.store.next_rank(payload.category))
        await asyncio.sleep(_RANK_RACE_WINDOW_S)
    record = emulator.store.create(payload)
    return web.json_response({"incident_status": _status_json(record)}, status=201)


async def _show_status(request: web.Request) -> web.StreamResponse:
    record = request.app[EMULATOR].store.get(request.match_info["id"])
    return web.json_response({"incident_status": _status_json(record)})


async def _update_status(request: web.Request) -> web.StreamResponse:
    payload = parse_update(await _json_body(request))
    record = request.app[EMULATOR].store.update(request.match_info["id"], payload)
    return web.json_response({"incident_status": _status_json(record)})


async def _delete_status(request: web.Request) -> web.StreamResponse:
    request.app[EMULATOR].store.delete(request.match_info["id"])
    return web.Response(status=202)


async def _stats(request: web.Request) -> web.StreamResponse:
    return web.json_response(request.app[EMULATOR].stats.snapshot())


async def _reset(request: web.Request) -> web.StreamResponse:
    request.app[EMULATOR].reset()
    logger.info("reset to a fresh organisation")
    return web.Response(status=204)


@web.middleware
async def _api_pipeline(request: web.Request, handler: Handler) -> web.StreamResponse:
    if not request.path.startswith(_API_PREFIX):
        return await handler(request)
    emulator = request.app[EMULATOR]
    request_id = str(uuid.uuid4())
    response, allowance, outcome = await _answer(request, handler, emulator, request_id)
    response.headers["X-Request-Id"] = request_id
    response.headers.update(allowance.headers())
    emulator.stats.record(request.method, _route_template(request), outcome)
    return response


async def _answer(
    request: web.Request, handler: Handler, emulator: Emulator, request_id: str
) -> tuple[web.StreamResponse, Allowance, Outcome]:
    key = _bearer_key(request)
    if key is None or not emulator.accepts(key):
        refusal = _error_response(_unauthenticated(), request_id)
        return refusal, emulator.limiter.untouched(), refusal.status

    allowance = emulator.limiter.take(key)
    if not allowance.allowed:
        retry_at = utc_now() + timedelta(seconds=allowance.retry_after_seconds)
        limited = RateLimited(
            limit=allowance.limit,
            retry_after_seconds=allowance.retry_after_seconds,
            retry_at=format_instant(retry_at),
        )
        refusal = _error_response(limited, request_id)
        return refusal, allowance, refusal.status

    if emulator.config.latency_ms:
        await asyncio.sleep(emulator.config.latency_ms / 1000)

    fault = emulator.faults.fault()
    if fault is not None:
        logger.info("injected %d for %s %s", fault, request.method, request.path)
        failure = _error_response(InjectedFault(fault), request_id)
        return failure, allowance, failure.status

    response = await _apply(request, handler, request_id)
    if request.method in WRITE_METHODS and emulator.faults.drop():
        logger.info("dropping the connection after applying %s %s", request.method, request.path)
        _drop_connection(request)
        return response, allowance, DROPPED
    return response, allowance, response.status


async def _apply(request: web.Request, handler: Handler, request_id: str) -> web.StreamResponse:
    try:
        return await handler(request)
    except ApiError as error:
        return _error_response(error, request_id)
    except web.HTTPException as http_error:
        return _error_response(_from_http_exception(http_error), request_id)
    except Exception:
        logger.exception("failed to handle %s %s", request.method, request.path)
        internal = ApiError([Problem("internal_error", "The emulator failed on this request")])
        return _error_response(internal, request_id)


def _drop_connection(request: web.Request) -> None:
    # abort() discards anything buffered; aiohttp then finds the transport closing when it tries
    # to write the response and treats it as a client disconnect, so nothing reaches the wire.
    transport = request.transport
    if transport is not None:
        transport.abort()


def _error_response(error: ApiError, request_id: str) -> web.Response:
    body: dict[str, object] = {
        "type": error.error_type,
        "status": error.status,
        "request_id": request_id,
        "errors": [_problem_json(problem) for problem in error.problems],
    }
    headers: dict[str, str] = {}
    if isinstance(error, RateLimited):
        body["rate_limit"] = {
            "name": _RATE_LIMIT_NAME,
            "limit": error.limit,
            "remaining": 0,
            "retry_after": error.retry_at,
        }
        headers["Retry-After"] = str(error.retry_after_seconds)
    return web.json_response(body, status=error.status, headers=headers)


def _problem_json(problem: Problem) -> dict[str, object]:
    entry: dict[str, object] = {"code": problem.code, "message": problem.message}
    if problem.field is not None:
        entry["source"] = {"field": problem.field, "pointer": f"/{problem.field}"}
    return entry


def _status_json(record: StatusRecord) -> dict[str, object]:
    return {
        "id": record.id,
        "name": record.name,
        "description": record.description,
        "category": record.category,
        "rank": record.rank,
        "created_at": record.created_at,
        "updated_at": record.updated_at,
    }


async def _json_body(request: web.Request) -> object:
    raw = await request.read()
    try:
        return json.loads(raw, parse_constant=_reject_constant)
    except ValueError:
        raise InvalidRequest(
            [Problem("invalid_json", "The request body must be a JSON object")]
        ) from None


def _reject_constant(name: str) -> object:
    raise ValueError(f"{name} is not JSON")


def _bearer_key(request: web.Request) -> str | None:
    scheme, _, key = request.headers.get("Authorization", "").partition(" ")
    key = key.strip()
    if scheme.lower() != "bearer" or not key:
        return None
    return key


def _unauthenticated() -> Unauthenticated:
    return Unauthenticated(
        [
            Problem(
                "missing_authorization_material",
                "Missing or invalid API key: send 'Authorization: Bearer <API key>'",
            )
        ]
    )


def _from_http_exception(http_error: web.HTTPException) -> ApiError:
    if isinstance(http_error, web.HTTPNotFound):
        return NotFound([Problem("not_found", "No API operation lives at this path")])
    if isinstance(http_error, web.HTTPMethodNotAllowed):
        allowed = ", ".join(sorted(http_error.allowed_methods))
        return MethodNotAllowed(
            [Problem("method_not_allowed", f"This path accepts only {allowed}")]
        )
    return InvalidRequest([Problem("invalid_request", http_error.reason)], status=http_error.status)


def _route_template(request: web.Request) -> str:
    resource = request.match_info.route.resource
    if request.match_info.http_exception is not None or resource is None:
        return _UNMATCHED
    return resource.canonical


def _bytes(text: str) -> bytes:
    # Header values can hold any byte; surrogateescape round-trips them so compare_digest
    # never sees non-ASCII str (which it refuses) and never raises on a hostile key.
    return text.encode("utf-8", "surrogateescape")
