"""Security headers on every response (issue 3), errors and rate-limit answers included.

API responses are JSON and need nothing from a browser, so their CSP forbids everything.
Swagger UI (/docs) and ReDoc (/redoc) load their scripts and styles from this app only
(``docs.py``; issue 8: no CDN, no inline script), so their CSP allows scripts from 'self'
alone. Styles keep 'unsafe-inline' (ReDoc's styled-components write <style> elements; an
injected style cannot run code), images may be data: URLs, and ReDoc's search runs in a
blob: worker. ``Strict-Transport-Security`` is added in production only.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Final

from ._asgi import Header

__all__ = ["API_CSP", "DOCS_CSP", "DOCS_PATHS", "HSTS", "SecurityHeaders"]

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

_ALWAYS: Final = (
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "no-referrer"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
)


class SecurityHeaders:
    """The headers every response gets unless it set one of them itself: two header
    lists, built once (API responses, and the documentation pages with their own CSP).

    ``hsts`` should be true only in production: a browser that once saw the header refuses
    plain HTTP to that host (localhost included) for ``max-age`` seconds.
    """

    def __init__(self, *, hsts: bool = False, docs_paths: Iterable[str] = DOCS_PATHS) -> None:
        self._docs_paths = frozenset(docs_paths)
        self._api = _raw(API_CSP, hsts=hsts)
        self._docs = _raw(DOCS_CSP, hsts=hsts)

    def for_path(self, path: str) -> Sequence[Header]:
        """The headers for a response to ``path`` (without the app's root path)."""
        return self._docs if path in self._docs_paths else self._api


def _raw(csp: str, *, hsts: bool) -> tuple[Header, ...]:
    pairs = [*_ALWAYS, ("Content-Security-Policy", csp)]
    if hsts:
        pairs.append(("Strict-Transport-Security", HSTS))
    return tuple((name.lower().encode(), value.encode()) for name, value in pairs)
