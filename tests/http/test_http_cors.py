from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from impl.http import HttpConcerns, HttpLayer, Metrics, RateLimiter
from impl.http.cors import ALLOWED_HEADERS, ALLOWED_METHODS, EXPOSED_HEADERS
from impl.settings import Settings

ClientFactory = Callable[..., httpx.AsyncClient]

LISTED = "https://app.example.com"
PREFLIGHT = {
    "Access-Control-Request-Method": "POST",
    "Access-Control-Request-Headers": "authorization, content-type",
}


@pytest.fixture
def cors_client(
    make_client: ClientFactory, settings_with: Callable[..., Settings]
) -> httpx.AsyncClient:
    return make_client(settings_with(allowed_origins=[LISTED, "https://admin.example.com"]))


class TestCors:
    async def test_preflight_from_listed_origin_is_allowed_with_credentials(
        self, cors_client: httpx.AsyncClient
    ) -> None:
        response = await cors_client.options("/echo", headers={"Origin": LISTED, **PREFLIGHT})
        assert response.status_code == 200
        assert response.headers["Access-Control-Allow-Origin"] == LISTED
        assert response.headers["Access-Control-Allow-Credentials"] == "true"
        assert "POST" in response.headers["Access-Control-Allow-Methods"]
        assert "authorization" in response.headers["Access-Control-Allow-Headers"].lower()

    async def test_preflight_from_unlisted_origin_is_refused(
        self, cors_client: httpx.AsyncClient
    ) -> None:
        response = await cors_client.options(
            "/echo", headers={"Origin": "https://evil.example.net", **PREFLIGHT}
        )
        assert response.status_code == 400
        assert "Access-Control-Allow-Origin" not in response.headers

    async def test_simple_request_exposes_the_contract_headers(
        self, cors_client: httpx.AsyncClient
    ) -> None:
        response = await cors_client.get("/ok", headers={"Origin": LISTED})
        assert response.headers["Access-Control-Allow-Origin"] == LISTED
        exposed = response.headers["Access-Control-Expose-Headers"].split(",")
        assert {h.strip().lower() for h in exposed} == {h.lower() for h in EXPOSED_HEADERS}

    async def test_unlisted_origin_gets_no_cors_headers(
        self, cors_client: httpx.AsyncClient
    ) -> None:
        response = await cors_client.get("/ok", headers={"Origin": "https://evil.example.net"})
        assert response.status_code == 200
        assert "Access-Control-Allow-Origin" not in response.headers

    async def test_error_answers_are_readable_cross_origin(
        self, cors_client: httpx.AsyncClient
    ) -> None:
        response = await cors_client.get("/boom", headers={"Origin": LISTED})
        assert response.status_code == 500
        assert response.headers["Access-Control-Allow-Origin"] == LISTED

    async def test_wildcard_in_development_never_allows_credentials(
        self, make_client: ClientFactory, settings_with: Callable[..., Settings]
    ) -> None:
        settings = settings_with(environment="development", allowed_origins=["*"])
        response = await make_client(settings).options(
            "/echo", headers={"Origin": "https://anywhere.example", **PREFLIGHT}
        )
        assert response.status_code == 200
        assert response.headers["Access-Control-Allow-Origin"] == "*"
        assert "Access-Control-Allow-Credentials" not in response.headers

    async def test_no_origins_means_no_cors(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/ok", headers={"Origin": LISTED})
        assert response.status_code == 200
        assert "Access-Control-Allow-Origin" not in response.headers


async def _inner(scope: Scope, receive: Receive, send: Send) -> None:
    headers = [(b"content-type", b"application/json"), (b"vary", b"Accept-Encoding")]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": b"{}"})


async def _answer(app: ASGIApp, method: str, headers: list[tuple[bytes, bytes]]) -> Any:
    sent: list[Message] = []
    scope = {
        "type": "http", "method": method, "path": "/ok", "root_path": "", "query_string": b"",
        "headers": headers, "client": ("127.0.0.1", 1),
    }  # fmt: skip

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        sent.append(message)

    await app(scope, receive, send)
    start, body = sent[0], sent[1]
    cors = sorted(
        (name, value)
        for name, value in start["headers"]
        if name.startswith(b"access-control-") or name in (b"vary", b"content-type")
    )
    return start["status"], cors, body["body"]


_ORIGINS = [None, LISTED, "https://evil.example.net"]
_PREFLIGHTS = [
    {},
    {"access-control-request-method": "POST"},
    {"access-control-request-method": "PATCH"},
    {"access-control-request-method": "PUT", "access-control-request-headers": "X-Request-ID"},
    {"access-control-request-method": "POST", "access-control-request-headers": "x-evil, accept"},
    {"access-control-request-method": "GET", "access-control-request-private-network": "true"},
]


@pytest.mark.parametrize("environment", ["production", "development"])
async def test_same_answers_as_starlettes_cors_middleware(
    settings_with: Callable[..., Settings], environment: str
) -> None:
    """The HTTP layer's CORS replaces Starlette's CORSMiddleware (issue 9): for every kind
    of request, the status, CORS headers and body are the ones Starlette gave."""
    origins = [LISTED] if environment == "production" else ["*"]
    settings = settings_with(environment=environment, allowed_origins=origins)
    limiter = await RateLimiter.create(settings)
    try:
        ours = HttpLayer(
            _inner,
            concerns=HttpConcerns.from_settings(
                settings, metrics=Metrics.create(), limiter=lambda: limiter
            ),
        )
        theirs = CORSMiddleware(
            _inner,
            allow_origins=origins,
            allow_credentials="*" not in origins,
            allow_methods=list(ALLOWED_METHODS),
            allow_headers=list(ALLOWED_HEADERS),
            expose_headers=list(EXPOSED_HEADERS),
            max_age=600,
        )
        for origin in _ORIGINS:
            for preflight in _PREFLIGHTS:
                for method in ("GET", "OPTIONS"):
                    fields = {**preflight, **({"origin": origin} if origin else {})}
                    headers = [(k.encode(), v.encode()) for k, v in fields.items()]
                    expected = await _answer(theirs, method, headers)
                    assert await _answer(ours, method, headers) == expected, (method, fields)
    finally:
        await limiter.close()
