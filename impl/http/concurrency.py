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

from ._asgi import Header

__all__ = ["BUSY_DETAIL", "PROBE_PATHS", "ConcurrencyLimit"]

BUSY_DETAIL: Final = "Server busy; retry shortly"
# The probes: no {"detail"} 503 in their contract, so neither this cap nor the request time
# limit (``deadline``) applies to them.
PROBE_PATHS: Final = frozenset({"/health", "/ready", "/metrics"})
_BODY: Final = b'{"detail":"' + BUSY_DETAIL.encode() + b'"}'
_HEADERS: Final = (
    (b"content-type", b"application/json"),
    (b"content-length", str(len(_BODY)).encode()),
    (b"retry-after", b"1"),
)


class ConcurrencyLimit:
    """Counts HTTP requests from the moment they enter the HTTP layer until they return.

    ``acquire(path)`` is false when the request must be refused (answer it with ``BUSY``);
    after a true one, ``release(path)`` when the request is done. Probes are never counted.
    ``in_flight`` is the number of requests being worked on (readable at any time, e.g. by
    a gauge); one event loop per worker, so no lock is needed.
    """

    BUSY: Final[tuple[int, tuple[Header, ...], bytes]] = (503, _HEADERS, _BODY)

    def __init__(self, limit: int, *, exempt_paths: Iterable[str] = PROBE_PATHS) -> None:
        if limit < 1:
            raise ValueError("the concurrency limit must be at least 1")
        self.limit = limit
        self.in_flight = 0
        self._exempt = frozenset(exempt_paths)

    def acquire(self, path: str) -> bool:
        if path in self._exempt:
            return True
        if self.in_flight >= self.limit:
            return False
        self.in_flight += 1
        return True

    def release(self, path: str) -> None:
        if path not in self._exempt:
            self.in_flight -= 1
