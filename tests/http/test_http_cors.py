from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from impl.http.cors import EXPOSED_HEADERS
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
