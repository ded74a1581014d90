"""Prometheus metrics in a registry of the app's own (several apps live in one test run;
the global registry would refuse the second app's metrics as duplicates).

Labels use the route template, never the raw path, and fold unknown methods into OTHER:
a fuzzer sending random paths and methods must not create unbounded time series.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    ProcessCollector,
    generate_latest,
)

__all__ = ["CONTENT_TYPE", "Metrics", "RequestMetrics", "render"]

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


class RequestMetrics:
    """Counts each answered request and observes its duration, labelled by method (unknown
    ones folded into OTHER), route template (``<unmatched>``) and status.

    The labelled children are kept per label tuple: ``labels()`` validates its arguments
    and takes a lock on every call. There are few tuples (known methods, the app's routes,
    the statuses it answers), so the cache stays small."""

    def __init__(self, metrics: Metrics) -> None:
        self._metrics = metrics
        self._children: dict[tuple[str, str | None, int], tuple[Any, Any]] = {}

    def record(self, method: str, route: str | None, status: int, seconds: float) -> None:
        key = (method if method in _KNOWN_METHODS else "OTHER", route, status)
        children = self._children.get(key)
        if children is None:
            labels = (key[0], route or UNMATCHED_ROUTE, str(status))
            children = self._children[key] = (
                self._metrics.requests.labels(*labels),
                self._metrics.duration.labels(*labels),
            )
        counter, histogram = children
        counter.inc()
        histogram.observe(seconds)
