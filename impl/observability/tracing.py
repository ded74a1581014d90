"""OpenTelemetry traces, exported over OTLP when OTEL_EXPORTER_OTLP_ENDPOINT is set.

Imported only then (``install_observability``). One span per request (the ASGI
instrumentation, named after the route template), a child per SQL statement (SQLAlchemy) and
per Redis command (the rate-limit store), exported in batches from a background thread.

OTLP over HTTP with protobuf, not gRPC: every collector (OpenTelemetry Collector, Jaeger,
Tempo, vendors) accepts it on port 4318, and it needs no gRPC runtime (a large native wheel)
in the image.

The tracer provider is the app's own, handed to each instrumentation, not installed as the
process-wide default. The SQLAlchemy and Redis instrumentations patch their libraries for the
whole process, so the shutdown undoes them as well as flushing the spans.
"""

from __future__ import annotations

import asyncio

from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
from opentelemetry.instrumentation.redis import RedisInstrumentor
from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor
from opentelemetry.sdk.resources import SERVICE_NAME, SERVICE_VERSION, Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette

from impl.settings import Settings

from . import Shutdown

__all__ = ["setup_tracing"]

# Probes are scraped every few seconds: traces of them are noise.
_EXCLUDED_URLS = "/health,/ready,/metrics"
_EXPORT_TIMEOUT = 5.0  # seconds


def setup_tracing(app: Starlette, settings: Settings, *, engine: AsyncEngine) -> Shutdown:
    endpoint = str(settings.otel_exporter_otlp_endpoint).rstrip("/")
    version = str(getattr(app, "version", ""))
    resource = Resource.create({SERVICE_NAME: settings.otel_service_name, SERVICE_VERSION: version})
    provider = TracerProvider(resource=resource)
    # A collector that does not answer delays the export thread, never a request; the
    # timeout bounds the final flush at shutdown.
    exporter = OTLPSpanExporter(endpoint=f"{endpoint}/v1/traces", timeout=_EXPORT_TIMEOUT)
    provider.add_span_processor(BatchSpanProcessor(exporter))

    FastAPIInstrumentor.instrument_app(
        app,  # type: ignore[arg-type]  # a FastAPI app; typed as Starlette here
        tracer_provider=provider,
        excluded_urls=_EXCLUDED_URLS,
        # Per-message receive/send spans double a trace's size for nothing we need.
        exclude_spans=["receive", "send"],
    )
    sqlalchemy = SQLAlchemyInstrumentor()
    # The instrumentation declares "sqlalchemy < 2.1" and would do nothing on our 2.1; the
    # engine events it listens to are unchanged in 2.1 (tests/api/test_api_observability.py
    # checks the statement spans arrive).
    sqlalchemy.instrument(engine=engine.sync_engine, tracer_provider=provider, skip_dep_check=True)
    redis = RedisInstrumentor()
    redis.instrument(tracer_provider=provider)

    async def shutdown() -> None:
        redis.uninstrument()
        sqlalchemy.uninstrument()
        # Flushing posts to the collector: off the event loop.
        await asyncio.to_thread(provider.shutdown)

    return shutdown
