"""The ASGI entry point: ``uvicorn impl.main:app`` (settings from the environment)."""

from __future__ import annotations

from impl.app import create_app
from impl.settings import Settings

app = create_app(Settings())
