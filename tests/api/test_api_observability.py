"""Observability (issue 10, item 5): traces over OTLP, trace ids in log lines, error events to
Sentry, and the pool and in-flight figures on /metrics.

The OTLP collector and the Sentry server are real HTTP servers started here (``_Sink``): the
app's exporters post to them over the network as they would in production, and the test
decodes what arrived (protobuf ``ExportTraceServiceRequest``, Sentry envelopes).
"""

from __future__ import annotations

import asyncio
import gzip
import importlib
import io
import json
import os
import subprocess
import sys
import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import AsyncExitStack
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Final

import httpx
import pytest
from fastapi import FastAPI
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.proto.trace.v1.trace_pb2 import Span
from prometheus_client.parser import text_string_to_metric_families

from impl.app import create_app
from impl.db import Database, create_engine
from impl.http import configure_logging
from impl.settings import Settings
from tests.api.helpers import BASE_URL, TOKEN_URL, MakeSettings

_BEARER: Final = "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJzZWNyZXQifQ.c2lnbmF0dXJlLXNlY3JldA"
_PASSWORD: Final = "body-password-never-sent-4242"


@dataclass(frozen=True)
class _Request:
    path: str
    headers: dict[str, str]
    body: bytes


class _Sink:
    """An HTTP server on 127.0.0.1 that answers every POST 200 and keeps what it was sent."""

    def __init__(self) -> None:
        self.requests: list[_Request] = []
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                encoding = self.headers.get("Content-Encoding")
                if encoding == "gzip":
                    body = gzip.decompress(body)
                elif encoding == "br":  # sentry-sdk compresses with brotli when it is installed
                    body = importlib.import_module("brotli").decompress(body)
                headers = {name.lower(): value for name, value in self.headers.items()}
                sink.requests.append(_Request(self.path, headers, body))
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, *_args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()


@pytest.fixture
def sink() -> Iterator[_Sink]:
    running = _Sink()
    yield running
    running.close()


async def _start(stack: AsyncExitStack, app: FastAPI) -> httpx.AsyncClient:
    await stack.enter_async_context(app.router.lifespan_context(app))
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
    return await stack.enter_async_context(
        httpx.AsyncClient(transport=transport, base_url=BASE_URL)
    )


def _log_lines(stream: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def _spans(sink: _Sink) -> list[Span]:
    spans: list[Span] = []
    for request in sink.requests:
        assert request.path == "/v1/traces"
        assert request.headers["content-type"] == "application/x-protobuf"
        export = ExportTraceServiceRequest.FromString(request.body)
        for resource_spans in export.resource_spans:
            for scope_spans in resource_spans.scope_spans:
                spans.extend(scope_spans.spans)
    return spans


def _attributes(span: Span) -> dict[str, str]:
    return {attribute.key: attribute.value.string_value for attribute in span.attributes}


# --- traces -----------------------------------------------------------------------------------


class TestTracing:
    async def test_request_sql_and_redis_spans_share_one_trace_and_the_log_lines_name_it(
        self, sink: _Sink, make_settings: MakeSettings, db: Database
    ) -> None:
        redis_url = os.environ.get("TEST_REDIS_URL")  # Redis spans when there is a Redis
        settings = make_settings(
            otel_exporter_otlp_endpoint=f"http://127.0.0.1:{sink.port}", redis_url=redis_url
        )
        stream = io.StringIO()
        async with AsyncExitStack() as stack:
            app = create_app(settings, database=db)
            configure_logging("INFO", stream=stream)
            client = await _start(stack, app)
            response = await client.get("/api/v1/items/12345")
            assert response.status_code == 404
        # The lifespan's end flushed the batch to the collector.

        spans = _spans(sink)
        server = [s for s in spans if s.kind == Span.SpanKind.SPAN_KIND_SERVER]
        assert [s.name for s in server] == ["GET /api/v1/items/{item_id}"]
        trace_id = server[0].trace_id
        sql = [
            s
            for s in spans
            if "db.statement" in _attributes(s) and _attributes(s).get("db.system") != "redis"
        ]
        assert sql, [s.name for s in spans]
        assert any("FROM items" in _attributes(s)["db.statement"] for s in sql)
        traced = [s for s in spans if s.trace_id == trace_id]
        assert all(s in traced for s in sql)
        if redis_url:
            redis = [s for s in traced if _attributes(s).get("db.system") == "redis"]
            assert redis, [s.name for s in spans]

        access = [line for line in _log_lines(stream) if line["logger"] == "impl.access"]
        assert len(access) == 1
        assert access[0]["trace_id"] == trace_id.hex()
        assert access[0]["request_id"] == response.headers["X-Request-ID"]

    async def test_without_an_endpoint_log_lines_carry_a_null_trace_id(
        self, make_settings: MakeSettings, db: Database
    ) -> None:
        stream = io.StringIO()
        async with AsyncExitStack() as stack:
            app = create_app(make_settings(), database=db)
            configure_logging("INFO", stream=stream)
            client = await _start(stack, app)
            response = await client.get("/api/v1/items/12345")
        access = [line for line in _log_lines(stream) if line["logger"] == "impl.access"]
        assert access[0]["request_id"] == response.headers["X-Request-ID"]
        assert access[0]["trace_id"] is None

    def test_neither_library_is_imported_when_unconfigured(self, settings: Settings) -> None:
        # A fresh interpreter: this test process has imported both for the tests above.
        # (redis-py imports OpenTelemetry's API and metrics SDK by itself when installed:
        # not tracing, not the exporter, not the instrumentations.)
        script = (
            "import sys\n"
            "from impl.app import create_app\n"
            "from impl.settings import Settings\n"
            "create_app(Settings(_env_file=None, environment='test', secret_key='x' * 40,"
            " database_url=sys.argv[1]))\n"
            "print(sorted(m for m in sys.modules if m.startswith(('opentelemetry.sdk.trace', "
            "'opentelemetry.instrumentation', 'opentelemetry.exporter', 'sentry_sdk'))))\n"
        )
        env = {k: v for k, v in os.environ.items() if not k.startswith(("OTEL_", "SENTRY_"))}
        result = subprocess.run(
            [sys.executable, "-c", script, settings.database_url],
            capture_output=True,
            text=True,
            check=True,
            env=env,
            timeout=60,
        )
        assert result.stdout.strip().splitlines()[-1] == "[]"


# --- error tracking ---------------------------------------------------------------------------


def _envelope_items(body: bytes) -> list[tuple[dict[str, Any], bytes]]:
    """A Sentry envelope: a header line, then items: a header line and a payload (``length``
    bytes when the header says so, else up to the next newline)."""
    _, _, rest = body.partition(b"\n")
    items = []
    while rest.strip():
        header_line, _, rest = rest.partition(b"\n")
        header = json.loads(header_line)
        length = header.get("length")
        if length is None:
            payload, _, rest = rest.partition(b"\n")
        else:
            payload, rest = rest[:length], rest[length + 1 :]
        items.append((header, payload))
    return items


class TestErrorTracking:
    async def test_an_unhandled_error_sends_an_event_tagged_with_the_request_id_and_no_secrets(
        self, sink: _Sink, make_settings: MakeSettings, db: Database
    ) -> None:
        import sentry_sdk

        settings = make_settings(sentry_dsn=f"http://publickey@127.0.0.1:{sink.port}/1")
        async with AsyncExitStack() as stack:
            app = create_app(settings, database=db)

            async def boom() -> None:
                raise RuntimeError("the handler failed")

            app.add_api_route("/boom", boom, methods=["POST"])
            client = await _start(stack, app)
            assert sentry_sdk.is_initialized()
            response = await client.post(
                "/boom",
                json={"password": _PASSWORD},
                headers={"Authorization": _BEARER, "Cookie": "session=cookie-secret"},
            )
            assert response.status_code == 500
            assert response.json() == {"detail": "Internal server error"}
            # A handled error (a 404, a failed login) is no event.
            assert (await client.get("/api/v1/items/12345")).status_code == 404
            wrong = {"username": "nobody", "password": _PASSWORD}
            assert (await client.post(TOKEN_URL, data=wrong)).status_code == 401
        # The lifespan's end flushed the event and shut Sentry down.
        assert not sentry_sdk.is_initialized()

        envelopes = [r for r in sink.requests if r.path == "/api/1/envelope/"]
        events = [
            json.loads(payload)
            for envelope in envelopes
            for header, payload in _envelope_items(envelope.body)
            if header.get("type") == "event"
        ]
        assert len(events) == 1
        event = events[0]
        assert event["tags"]["request_id"] == response.headers["X-Request-ID"]
        assert event["exception"]["values"][-1]["type"] == "RuntimeError"
        assert "request" not in event
        everything = b"".join(envelope.body for envelope in envelopes).decode().lower()
        for secret in (_BEARER.split()[1], _PASSWORD, "cookie-secret", "authorization"):
            assert secret.lower() not in everything

    async def test_without_a_dsn_sentry_is_not_initialised(
        self, make_settings: MakeSettings, db: Database
    ) -> None:
        import sentry_sdk

        async with AsyncExitStack() as stack:
            await _start(stack, create_app(make_settings(), database=db))
            assert not sentry_sdk.is_initialized()


# --- /metrics ---------------------------------------------------------------------------------


def _samples(text: str) -> dict[str, float]:
    return {
        sample.name: sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if not sample.labels
    }


def database_is_postgres(database: Database) -> bool:
    # create_engine applies DB_POOL_SIZE to PostgreSQL only; SQLite keeps SQLAlchemy's 5.
    return database.dialect_name == "postgresql"


@pytest.fixture
async def pooled_database(migrated_database_url: str) -> AsyncIterator[Database]:
    """A ``Database`` with a real pool (the suite's ``db`` is one connection)."""
    database = Database(create_engine(migrated_database_url, pool_size=3, max_overflow=2))
    yield database
    await database.dispose()


class TestMetricsGauges:
    async def test_pool_figures_follow_the_connections_in_use(
        self, make_settings: MakeSettings, pooled_database: Database
    ) -> None:
        async with AsyncExitStack() as stack:
            client = await _start(stack, create_app(make_settings(), database=pooled_database))

            async def scrape() -> dict[str, float]:
                response = await client.get("/metrics")
                assert response.status_code == 200
                return _samples(response.text)

            idle = await scrape()
            assert idle["db_pool_size"] == 3 if database_is_postgres(pooled_database) else 5
            assert idle["db_pool_checked_out"] == 0
            async with pooled_database.autocommit(), pooled_database.autocommit():
                busy = await scrape()
            assert busy["db_pool_checked_out"] == 2
            assert busy["db_pool_overflow"] == idle["db_pool_overflow"] + 2
            assert (await scrape())["db_pool_checked_out"] == 0

    async def test_in_flight_counts_a_request_in_progress(
        self, make_settings: MakeSettings, db: Database
    ) -> None:
        async with AsyncExitStack() as stack:
            client = await _start(stack, create_app(make_settings(), database=db))
            assert _samples((await client.get("/metrics")).text)["http_requests_in_flight"] == 0
            release = asyncio.Event()

            async def slow_body() -> AsyncIterator[bytes]:
                yield b'{"username": '
                await release.wait()
                yield b"42}"

            slow = asyncio.create_task(
                client.post(
                    "/api/v1/auth/register",
                    content=slow_body(),
                    headers={"Content-Type": "application/json"},
                )
            )
            try:
                async with asyncio.timeout(5):
                    while True:  # until the request is inside the app, waiting for its body
                        text = (await client.get("/metrics")).text
                        if _samples(text)["http_requests_in_flight"] == 1:
                            break
                        await asyncio.sleep(0.01)
            finally:
                release.set()
            assert (await slow).status_code == 422
            assert _samples((await client.get("/metrics")).text)["http_requests_in_flight"] == 0
