"""A time limit on every request: past ``REQUEST_TIMEOUT`` seconds, 503 (issue 10).

A request stuck behind a lock, a slow query or a dependency that stopped answering would
otherwise hold its connection, its database connection and a slot of the concurrency cap
until the client gives up, and Gunicorn's own ``TIMEOUT`` does not help: it restarts a
worker whose event loop stopped beating, not one whose requests are slow. Here the inner app
runs under ``asyncio.timeout``; when it expires the request's task is cancelled where it
waits, every ``async with`` on the way out runs (a database transaction rolls back and its
connection goes back to the pool) and:

* no response started yet: ``503 {"detail": "Request took too long..."}`` with
  ``Retry-After: 1``, documented for every operation as ``ServiceUnavailable``;
* a response already started (the status line is out): nothing truthful can be added, so the
  app returns without finishing it; the server then closes the connection and the client sees
  a cut-off response, never a complete-looking wrong one. A warning is logged either way.

The worker lives on: only the one request is cancelled. The probes (/health, /ready,
/metrics) are not limited here, as they are not by the concurrency cap: their contract has no
``{"detail"}`` 503 and /ready answers its own 503 naming the failing check.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from typing import Final

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ._asgi import route_path
from .concurrency import PROBE_PATHS

__all__ = ["TIMEOUT_DETAIL", "DeadlineMiddleware"]

TIMEOUT_DETAIL: Final = "Request took too long; retry shortly"
_BODY: Final = b'{"detail":"' + TIMEOUT_DETAIL.encode() + b'"}'
_HEADERS: Final = [
    (b"content-type", b"application/json"),
    (b"content-length", str(len(_BODY)).encode()),
    (b"retry-after", b"1"),
]

_logger = logging.getLogger(__name__)


class DeadlineMiddleware:
    """Pure ASGI; ``seconds`` counts from the moment the request enters this middleware."""

    def __init__(
        self, app: ASGIApp, *, seconds: float, exempt_paths: Iterable[str] = PROBE_PATHS
    ) -> None:
        if not seconds > 0:
            raise ValueError("the request time limit must be positive")
        self.app = app
        self.seconds = seconds
        self._exempt = frozenset(exempt_paths)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or route_path(scope) in self._exempt:
            await self.app(scope, receive, send)
            return
        started = False

        async def send_tracking(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            async with asyncio.timeout(self.seconds) as deadline:
                await self.app(scope, receive, send_tracking)
        except TimeoutError:
            if not deadline.expired():
                raise  # the app's own TimeoutError (a client library's), not our limit
            self._log(scope, started=started)
            if not started:
                await send({"type": "http.response.start", "status": 503, "headers": _HEADERS})
                await send({"type": "http.response.body", "body": _BODY})

    def _log(self, scope: Scope, *, started: bool) -> None:
        _logger.warning(
            "request time limit (%ss) passed: %s",
            self.seconds,
            "response cut off, connection closed" if started else "answered 503",
            extra={
                "method": str(scope["method"]),
                "path": str(scope["path"]),
                "request_timeout": self.seconds,
                "response_started": started,
            },
        )
