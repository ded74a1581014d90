"""/metrics figures read at scrape time: the database pool and the requests in flight."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Gauge
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette

__all__ = ["add_gauges", "requests_in_flight"]


def add_gauges(registry: CollectorRegistry, *, app: Starlette, engine: AsyncEngine) -> None:
    Gauge(
        "http_requests_in_flight",
        "Requests in progress on this worker (those MAX_CONCURRENT_REQUESTS counts).",
        registry=registry,
    ).set_function(lambda: requests_in_flight(app))
    pool = engine.pool
    # QueuePool's figures; other pools (NullPool, StaticPool: tests) have none to give.
    figures = [getattr(pool, name, None) for name in ("size", "checkedout", "overflow")]
    size, checked_out, overflow = figures
    if size is None or checked_out is None or overflow is None:
        return
    Gauge(
        "db_pool_size", "Connections the pool keeps (DB_POOL_SIZE).", registry=registry
    ).set_function(size)
    Gauge("db_pool_checked_out", "Pooled connections in use now.", registry=registry).set_function(
        checked_out
    )
    Gauge(
        "db_pool_overflow",
        "Connections beyond DB_POOL_SIZE now open (negative: pool slots not yet opened).",
        registry=registry,
    ).set_function(overflow)


def requests_in_flight(app: Starlette) -> int:
    """The concurrency limiter's count (``impl.http.concurrency``), found in the built
    middleware stack by its ``in_flight`` attribute; 0 before the first request built it."""
    layer: object = getattr(app, "middleware_stack", None)
    for _ in range(64):  # the stack is a chain of ``.app``; bounded in case of a cycle
        if layer is None:
            break
        in_flight = getattr(layer, "in_flight", None)
        if isinstance(in_flight, int):
            return in_flight
        layer = getattr(layer, "app", None)
    return 0
