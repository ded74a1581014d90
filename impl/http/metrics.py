"""Prometheus metrics in a registry of the app's own (several apps live in one test run;
the global registry would refuse the second app's metrics as duplicates).

Labels use the route template, never the raw path, and fold unknown methods into OTHER:
a fuzzer sending random paths and methods must not create unbounded time series.
"""

from __future__ import annotations

from dataclasses import dataclass

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    ProcessCollector,
    generate_latest,
)
from starlette.types import ASGIApp, Receive, Scope, Send

from ._asgi import ResponseRecorder, route_template

__all__ = ["CONTENT_TYPE", "Metrics", "MetricsMiddleware", "render"]

CONTENT_TYPE = CONTENT_TYPE_LATEST
UNMATCHED_ROUTE = "<unmatched>"
_KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


@dataclass(frozen=True, slots=True)
class Metrics:
    registry: CollectorRegistry
    requests: Counter
    duration: Histogram

    @classmethod
    def create(cls) -> Metrics:
        registry = CollectorRegistry(auto_describe=True)
        ProcessCollector(registry=registry)
        labels = ("method", "route", "status")
        return cls(
            registry=registry,
            requests=Counter("http_requests", "HTTP requests answered.", labels, registry=registry),
            duration=Histogram(
                "http_request_duration_seconds",
                "Time from receiving a request to finishing its response.",
                labels,
                registry=registry,
            ),
        )


def render(registry: CollectorRegistry) -> bytes:
    """The registry in the text exposition format; serve it with ``CONTENT_TYPE``."""
    return generate_latest(registry)


class MetricsMiddleware:
    def __init__(self, app: ASGIApp, *, metrics: Metrics) -> None:
        self.app = app
        self._metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        response = ResponseRecorder(send)
        try:
            await self.app(scope, receive, response)
        finally:
            method = str(scope["method"])
            labels = (
                method if method in _KNOWN_METHODS else "OTHER",
                route_template(scope) or UNMATCHED_ROUTE,
                str(response.status),
            )
            self._metrics.requests.labels(*labels).inc()
            self._metrics.duration.labels(*labels).observe(response.elapsed)
