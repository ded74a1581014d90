"""CORS from ``ALLOWED_ORIGINS`` (issue 3): ``*`` only in development, credentials only
with listed origins, and the headers the contract defines readable by browser clients."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.middleware.cors import CORSMiddleware

from impl.settings import Settings

__all__ = ["ALLOWED_HEADERS", "ALLOWED_METHODS", "EXPOSED_HEADERS", "add_cors"]

ALLOWED_METHODS = ("GET", "POST", "PUT", "DELETE", "OPTIONS")
ALLOWED_HEADERS = ("Authorization", "Content-Type", "Accept", "X-Request-ID")
EXPOSED_HEADERS = ("X-Request-ID", "X-Total-Count", "Location", "Retry-After")


def add_cors(app: Starlette, settings: Settings) -> None:
    """Add Starlette's CORSMiddleware, or nothing when no origin is allowed (then browsers
    apply the same-origin policy and no preflight succeeds)."""
    origins = list(settings.allowed_origins)
    if not origins:
        return
    wildcard = "*" in origins
    if wildcard and settings.environment != "development":
        # Settings refuses this already; a CORS wildcard must never reach production.
        raise ValueError("ALLOWED_ORIGINS may contain '*' only in development")
    app.add_middleware(
        CORSMiddleware,
        allow_origins=["*"] if wildcard else origins,
        # Credentialed requests with a wildcard would let any site act as the user.
        allow_credentials=not wildcard,
        allow_methods=list(ALLOWED_METHODS),
        allow_headers=list(ALLOWED_HEADERS),
        expose_headers=list(EXPOSED_HEADERS),
        max_age=600,
    )
