"""The HTTP layer: every cross-cutting concern of a request in one pure-ASGI middleware.

``create_app`` calls ``install_http_layer`` once. The concerns act in this order, outermost
first (Starlette's ServerErrorMiddleware and ExceptionMiddleware are its own):

    ServerErrorMiddleware        backstop only
    HttpLayer
      request id                 bound first, so every log line of the request carries it
      security headers           on every answer below, 500, 503 and 429 included
      access log                 sees the final status of every answer
      metrics                    likewise
      CORS                       so that browsers can read 500s and 429s too; answers preflights
      concurrency limit          past MAX_CONCURRENT_REQUESTS in progress: 503 at once
      unhandled error -> 500     inside all of the above
      rate limit                 generous default limit per client: 429
      body size limit            413 above MAX_BODY_BYTES, before the body is read whole
      lone surrogates            a JSON body that is not Unicode text -> 422, as FastAPI reads it
    DeadlineMiddleware           past REQUEST_TIMEOUT seconds: cancelled, 503 (``deadline``)
    ExceptionMiddleware          ServiceError, validation and HTTP errors -> {"detail"}
    router

Why one layer (issue 9): as ten middlewares, each wrapping ``send`` (and some ``receive``)
in closures, parsing the request headers again and rewriting the response headers through
Starlette's ``MutableHeaders``, they cost a third of a cheap request's CPU time. Here the
request headers are read once (``RequestHead``), the response headers are added in one
pass from lists built at start-up, and one ``send`` wrapper (``_Response``) records the
status for the log line and the metrics. Each concern stays a small object of its own
module (``request_id``, ``security_headers``, ``logging.AccessLog``, ``metrics``, ``cors``,
``concurrency``, ``errors``, ``ratelimit``, ``body_limit``, ``json_text``), built once from the
settings (``HttpConcerns``) and called from here, in the order above.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from time import perf_counter

from starlette.applications import Starlette
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from impl.errors import RateLimited
from impl.settings import Settings

from ._asgi import (
    Header,
    RequestHead,
    client_host,
    json_answer,
    route_template,
    send_answer,
)
from .body_limit import BodyLimit
from .concurrency import ConcurrencyLimit
from .context import enter_request, leave_request
from .cors import Cors
from .deadline import DeadlineMiddleware
from .errors import INTERNAL_ERROR, install_error_handlers, log_unhandled
from .json_text import check_json_text, is_json
from .logging import AccessLog
from .metrics import Metrics, RequestMetrics
from .ratelimit import DefaultRateLimit, RateLimiter
from .request_id import RAW_HEADER as REQUEST_ID
from .request_id import request_id_for
from .security_headers import SecurityHeaders

__all__ = ["HttpConcerns", "HttpLayer", "install_http_layer"]


@dataclass(frozen=True, slots=True)
class HttpConcerns:
    """The concerns' state, built once from the settings. ``install_http_layer`` returns
    it, so that the rest of the app can read it (e.g. ``concurrency.in_flight``)."""

    security_headers: SecurityHeaders
    access_log: AccessLog
    metrics: RequestMetrics
    cors: Cors | None
    concurrency: ConcurrencyLimit
    rate_limit: DefaultRateLimit
    body_limit: BodyLimit

    @classmethod
    def from_settings(
        cls, settings: Settings, *, metrics: Metrics, limiter: Callable[[], RateLimiter | None]
    ) -> HttpConcerns:
        return cls(
            security_headers=SecurityHeaders(hsts=settings.environment == "production"),
            access_log=AccessLog(),
            metrics=RequestMetrics(metrics),
            cors=Cors.from_settings(settings),
            concurrency=ConcurrencyLimit(settings.max_concurrent_requests),
            rate_limit=DefaultRateLimit(limiter, settings.rate_limit_default),
            body_limit=BodyLimit(settings.max_body_bytes),
        )


def install_http_layer(
    app: Starlette,
    settings: Settings,
    *,
    metrics: Metrics,
    limiter: Callable[[], RateLimiter | None],
) -> HttpConcerns:
    install_error_handlers(app)
    concerns = HttpConcerns.from_settings(settings, metrics=metrics, limiter=limiter)
    # Another pure-ASGI layer (a per-request concern of its own module) is added here, before
    # HttpLayer: add_middleware puts each new middleware outside the previous ones, so such
    # a layer runs inside every concern above (its answers get the request id, the headers,
    # the log line and the metrics; its exceptions become the contract's 500).
    app.add_middleware(DeadlineMiddleware, seconds=settings.request_timeout)
    app.add_middleware(HttpLayer, concerns=concerns)
    return concerns


class HttpLayer:
    """Pure ASGI; see the module docstring. Anything but HTTP passes through untouched."""

    def __init__(self, app: ASGIApp, *, concerns: HttpConcerns) -> None:
        self.app = app
        self._concerns = concerns

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        concerns = self._concerns
        head = RequestHead(scope)
        request_id = request_id_for(head.request_id)
        token = enter_request(request_id)
        response = _Response(
            send,
            request_id=request_id.encode(),
            security=concerns.security_headers.for_path(head.path),
            cors=concerns.cors,
            origin=head.origin,
        )
        started = perf_counter()
        try:
            await self._answer(scope, head, receive, response)
        finally:
            seconds = perf_counter() - started
            route = route_template(scope)
            concerns.access_log.record(
                method=head.method,
                path=scope["path"],
                route=route,
                status=response.status,
                seconds=seconds,
                client=client_host(scope),
            )
            concerns.metrics.record(head.method, route, response.status, seconds)
            leave_request(token)

    async def _answer(
        self, scope: Scope, head: RequestHead, receive: Receive, response: _Response
    ) -> None:
        """CORS preflight, concurrency limit, unhandled errors."""
        concerns = self._concerns
        if concerns.cors is not None and Cors.is_preflight(head):
            response.cors = None  # the preflight answer has CORS headers of its own
            await send_answer(response, *concerns.cors.preflight(Headers(scope=scope)))
            return
        if not concerns.concurrency.acquire(head.path):
            await send_answer(response, *ConcurrencyLimit.BUSY)
            return
        try:
            await self._checked(scope, head, receive, response)
        except Exception:
            log_unhandled(scope)
            if response.started:
                raise  # too late for a response: let the server drop the connection
            await send_answer(response, *INTERNAL_ERROR)
        finally:
            concerns.concurrency.release(head.path)

    async def _checked(
        self, scope: Scope, head: RequestHead, receive: Receive, response: _Response
    ) -> None:
        """Rate limit, body size, then the app with a ``receive`` that checks the body."""
        concerns = self._concerns
        try:
            await concerns.rate_limit.hit(head.path, client_host(scope))
        except RateLimited as exc:
            await send_answer(response, *json_answer(429, {"detail": exc.detail}, exc.headers))
            return
        if concerns.body_limit.declared_too_large(head.content_length):
            await send_answer(response, *concerns.body_limit.too_large)
            return
        body = _CheckedBody(receive, concerns.body_limit, head.content_type)
        await self.app(scope, body, response)


class _Response:
    """The one ``send`` wrapper: remembers the status (500 until the app answers: if it
    fails before answering, the server's own fallback answers 500) and adds the headers of
    the concerns to the response start, in one pass over its header list."""

    __slots__ = ("_origin", "_request_id", "_security", "_send", "cors", "started", "status")

    def __init__(
        self,
        send: Send,
        *,
        request_id: bytes,
        security: Sequence[Header],
        cors: Cors | None,
        origin: str | None,
    ) -> None:
        self._send = send
        self._request_id = request_id
        self._security = security
        self._origin = origin
        self.cors = cors
        self.status = 500
        self.started = False

    async def __call__(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.started = True
            self.status = message["status"]
            message["headers"] = self._headers(message.get("headers", ()))
        await self._send(message)

    def _headers(self, given: Sequence[Header]) -> list[Header]:
        headers = list(given)
        if self.cors is not None:
            self.cors.add_headers(headers, self._origin)
        present = {name.lower() for name, _ in headers}
        # Security headers: unless the app set its own. The request id: always ours.
        headers += [header for header in self._security if header[0] not in present]
        if REQUEST_ID in present:
            headers = [header for header in headers if header[0].lower() != REQUEST_ID]
        headers.append((REQUEST_ID, self._request_id))
        return headers


class _CheckedBody:
    """The app's ``receive``: counts the body against the size limit (raising its 413 on the
    chunk that goes over) and, when the body is JSON, checks once it is whole that it is
    Unicode text (raising FastAPI's own 422 for undecodable JSON otherwise)."""

    __slots__ = ("_chunks", "_content_type", "_json", "_limit", "_receive", "_received")

    def __init__(self, receive: Receive, limit: BodyLimit, content_type: str | None) -> None:
        self._receive = receive
        self._limit = limit
        self._content_type = content_type
        self._received = 0
        self._json: bool | None = None  # decided at the first chunk
        self._chunks: list[bytes] = []

    async def __call__(self) -> Message:
        message = await self._receive()
        if message["type"] != "http.request":
            return message
        chunk = message.get("body", b"")
        self._received += len(chunk)
        if self._received > self._limit.max_bytes:
            raise self._limit.exceeded()
        if self._json is None:
            self._json = is_json(self._content_type)
        if self._json:
            self._chunks.append(chunk)
            if not message.get("more_body", False):
                check_json_text(b"".join(self._chunks))
        return message
