"""/metrics figures read at scrape time: the database pool and the requests in flight."""

from __future__ import annotations

from collections.abc import Callable

from prometheus_client import CollectorRegistry, Gauge
from sqlalchemy.ext.asyncio import AsyncEngine

__all__ = ["add_gauges"]


def add_gauges(
    registry: CollectorRegistry, *, in_flight: Callable[[], int], engine: AsyncEngine
) -> None:
    """``in_flight``: the concurrency cap's count (``HttpConcerns.concurrency.in_flight``)."""
    Gauge(
        "http_requests_in_flight",
        "Requests in progress on this worker (those MAX_CONCURRENT_REQUESTS counts).",
        registry=registry,
    ).set_function(in_flight)
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
