"""Security headers on every response (issue 3), errors and rate-limit answers included.

API responses are JSON and need nothing from a browser, so their CSP forbids everything.
Swagger UI (/docs) and ReDoc (/redoc) load their scripts and styles from this app only
(``docs.py``; issue 8: no CDN, no inline script), so their CSP allows scripts from 'self'
alone. Styles keep 'unsafe-inline' (ReDoc's styled-components write <style> elements; an
injected style cannot run code), images may be data: URLs, and ReDoc's search runs in a
blob: worker. ``Strict-Transport-Security`` is added in production only.
"""

from __future__ import annotations

from collections.abc import Iterable

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ._asgi import route_path

__all__ = ["API_CSP", "DOCS_CSP", "DOCS_PATHS", "HSTS", "SecurityHeadersMiddleware"]

API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
DOCS_CSP = "; ".join(
    (
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "worker-src 'self' blob:",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "form-action 'self'",
    )
)
DOCS_PATHS = frozenset({"/docs", "/redoc"})
HSTS = "max-age=63072000; includeSubDomains"

_ALWAYS = (
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "no-referrer"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
)


class SecurityHeadersMiddleware:
    """Adds the headers unless the response already set one of them itself.

    ``hsts`` should be true only in production: a browser that once saw the header refuses
    plain HTTP to that host (localhost included) for ``max-age`` seconds.
    """

    def __init__(
        self, app: ASGIApp, *, hsts: bool = False, docs_paths: Iterable[str] = DOCS_PATHS
    ) -> None:
        self.app = app
        self._hsts = hsts
        self._docs_paths = frozenset(docs_paths)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        csp = DOCS_CSP if route_path(scope) in self._docs_paths else API_CSP

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in _ALWAYS:
                    headers.setdefault(name, value)
                headers.setdefault("Content-Security-Policy", csp)
                if self._hsts:
                    headers.setdefault("Strict-Transport-Security", HSTS)
            await send(message)

        await self.app(scope, receive, send_with_headers)
