"""Observability beyond the access log and /metrics' request counts (issue 10, item 5).

    install_observability(app, settings, db=..., metrics=...) -> Observability
      ├─ gauges   always: DB pool (size, checked out, overflow), requests in flight
      ├─ tracing  OTEL_EXPORTER_OTLP_ENDPOINT set: OpenTelemetry spans for each request, SQL
      │           statement and Redis command, exported over OTLP (HTTP/protobuf)
      └─ errors   SENTRY_DSN set: error events (unhandled exceptions) to Sentry, tagged with
                  the request id, without request bodies, headers or local variables

Neither OpenTelemetry's SDK nor sentry_sdk is imported unless configured: with both unset the
app pays nothing for them. Log lines carry the trace id (``impl.http.trace_context``).
``Observability.shutdown()`` (the app's lifespan end) flushes what is pending and undoes the
process-wide instrumentation.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable

from starlette.applications import Starlette

from impl.db import Database
from impl.http import Metrics
from impl.settings import Settings

from .gauges import add_gauges

__all__ = ["Observability", "install_observability"]

_logger = logging.getLogger(__name__)

Shutdown = Callable[[], Awaitable[None]]


class Observability:
    def __init__(self, shutdowns: list[Shutdown]) -> None:
        self._shutdowns = shutdowns

    async def shutdown(self) -> None:
        for shutdown in reversed(self._shutdowns):
            try:
                await shutdown()
            except Exception:  # a collector that is down must not fail the app's shutdown
                _logger.warning("observability shutdown failed", exc_info=True)
        self._shutdowns.clear()


def install_observability(
    app: Starlette,
    settings: Settings,
    *,
    db: Database,
    metrics: Metrics,
    in_flight: Callable[[], int],
    secrets: Iterable[str] = (),
) -> Observability:
    """``secrets``: values no error event may carry (those the log formatter redacts)."""
    add_gauges(metrics.registry, in_flight=in_flight, engine=db.engine)
    shutdowns: list[Shutdown] = []
    if settings.sentry_dsn is not None:
        from .errors import setup_error_tracking

        shutdowns.append(setup_error_tracking(settings, secrets=secrets))
    if settings.otel_exporter_otlp_endpoint:
        from .tracing import setup_tracing

        shutdowns.append(setup_tracing(app, settings, engine=db.engine))
    return Observability(shutdowns)
