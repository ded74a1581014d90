from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import urlsplit

import httpx
import pytest

from impl.http.security_headers import API_CSP
from impl.settings import Settings

ClientFactory = Callable[..., httpx.AsyncClient]

BASELINE = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
}


def csp_directives(header: str) -> dict[str, list[str]]:
    directives: dict[str, list[str]] = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.netloc else "'self'"


class TestSecurityHeaders:
    @pytest.mark.parametrize(
        ("method", "path", "status"),
        [
            ("GET", "/ok", 200),
            ("GET", "/nowhere", 404),
            ("DELETE", "/things/1", 405),
            ("POST", "/echo", 422),
            ("GET", "/denied", 401),
            ("GET", "/limited", 429),
            ("GET", "/boom", 500),
        ],
    )
    async def test_present_on_every_answer(
        self, client: httpx.AsyncClient, method: str, path: str, status: int
    ) -> None:
        response = await client.request(method, path)
        assert response.status_code == status
        for name, value in BASELINE.items():
            assert response.headers[name] == value
        assert response.headers["Content-Security-Policy"] == API_CSP
        assert "Strict-Transport-Security" not in response.headers

    async def test_api_csp_allows_nothing(self, client: httpx.AsyncClient) -> None:
        directives = csp_directives((await client.get("/ok")).headers["Content-Security-Policy"])
        assert directives["default-src"] == ["'none'"]
        assert directives["frame-ancestors"] == ["'none'"]

    @pytest.mark.parametrize("path", ["/docs", "/redoc"])
    async def test_docs_load_everything_from_the_app_under_a_csp_without_inline_scripts(
        self, client: httpx.AsyncClient, path: str
    ) -> None:
        """Issue 8: Swagger UI came from a CDN, unpinned, under a CSP allowing inline
        scripts. Now every asset is the app's own (so /docs works offline), and no script
        may run unless it is a file served from here."""
        response = await client.get(path)
        assert response.status_code == 200
        directives = csp_directives(response.headers["Content-Security-Policy"])
        assert directives["script-src"] == ["'self'"]
        assert "'unsafe-inline'" not in directives["script-src"]
        sources = [source for values in directives.values() for source in values]
        assert not [source for source in sources if "." in source or "//" in source]  # no host
        assert not re.search(r"<script(?![^>]*\ssrc=)[^>]*>", response.text)  # none inline
        assert "http://" not in response.text
        assert "https://" not in response.text
        scripts = re.findall(r'<script[^>]*\ssrc="([^"]+)"', response.text)
        links = re.findall(r'<link[^>]*\shref="([^"]+)"', response.text)
        assert scripts
        for url in [*scripts, *links]:
            assert origin(url) == "'self'", url
            asset = await client.get(url)
            assert asset.status_code == 200, url
            assert asset.content, url
        assert directives["connect-src"] == ["'self'"]  # it may fetch /openapi.json only
        assert directives["frame-ancestors"] == ["'none'"]

    async def test_hsts_only_in_production(
        self, make_client: ClientFactory, settings_with: Callable[..., Settings]
    ) -> None:
        async with make_client(settings_with(environment="production")) as http:
            for path in ("/ok", "/boom"):
                response = await http.get(path)
                assert response.headers["Strict-Transport-Security"].startswith("max-age=")
