"""A cap on requests in progress per worker: beyond it, 503 at once (issue 9).

Past capacity a server that queues everything answers everyone late: at 1,024 connections
the p99 reached the clients' 5 s timeout. With the cap, at most ``limit`` requests are being
worked on; one more is answered ``503 {"detail": ...}`` with ``Retry-After: 1`` before any
routing, database or validation work, so the requests that are accepted keep a bounded
latency and the rejected ones learn at once that they should come back (documented for every
operation in openapi.yaml as ``ServiceUnavailable``). The probes (/health, /ready, /metrics)
are never turned away: an orchestrator must not take a busy worker for a dead one.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

from starlette.types import ASGIApp, Receive, Scope, Send

from ._asgi import route_path

__all__ = ["BUSY_DETAIL", "ConcurrencyLimitMiddleware"]

BUSY_DETAIL: Final = "Server busy; retry shortly"
_PROBES: Final = frozenset({"/health", "/ready", "/metrics"})
_BODY: Final = b'{"detail":"' + BUSY_DETAIL.encode() + b'"}'
_HEADERS: Final = [
    (b"content-type", b"application/json"),
    (b"content-length", str(len(_BODY)).encode()),
    (b"retry-after", b"1"),
]


class ConcurrencyLimitMiddleware:
    """Pure ASGI; counts HTTP requests from the moment they enter until they return."""

    def __init__(self, app: ASGIApp, *, limit: int, exempt_paths: Iterable[str] = _PROBES):
        if limit < 1:
            raise ValueError("the concurrency limit must be at least 1")
        self.app = app
        self.limit = limit
        self.in_flight = 0
        self._exempt = frozenset(exempt_paths)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or route_path(scope) in self._exempt:
            await self.app(scope, receive, send)
            return
        if self.in_flight >= self.limit:
            await send({"type": "http.response.start", "status": 503, "headers": _HEADERS})
            await send({"type": "http.response.body", "body": _BODY})
            return
        self.in_flight += 1  # one event loop per worker: no lock needed
        try:
            await self.app(scope, receive, send)
        finally:
            self.in_flight -= 1
