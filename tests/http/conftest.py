"""A tiny FastAPI app wearing the whole HTTP layer, and clients for it.

Everything is a fixture, not an importable helper: tests/http has no ``__init__.py`` (a
package named ``http`` would shadow the standard library), so test modules cannot import
from each other or from this file under every pytest import mode.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from pydantic import BaseModel, ConfigDict, ValidationError

from impl.errors import RateLimited, Unauthorized
from impl.http import Metrics, RateLimiter, install_http_layer, serve_docs, set_user_id
from impl.settings import Settings

SECRET = "test-secret-key-that-is-long-enough-for-hs256"
LEAKY_MESSAGE = "SELECT password_hash FROM users WHERE username = 'alice'"

# make_client(settings=None, *, limiter=<the fixture's>, metrics=None, address="127.0.0.1")
ClientFactory = Callable[..., httpx.AsyncClient]


def make_settings(**overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "environment": "test",
        "secret_key": SECRET,
        "redis_url": None,
        "allowed_origins": [],
        "rate_limit_default": "1000/minute",
    }
    values.update(overrides)
    return Settings(**values)  # explicit values win over the environment and .env


class Echo(BaseModel):
    model_config = ConfigDict(extra="forbid")
    x: int


def build_app(settings: Settings, limiter: RateLimiter | None, metrics: Metrics) -> FastAPI:
    app = FastAPI(docs_url=None, redoc_url=None)
    serve_docs(app)

    @app.get("/ok")
    async def ok() -> dict[str, bool]:
        return {"ok": True}

    @app.post("/echo")
    async def echo(body: Echo) -> Echo:
        return body

    @app.get("/page")
    async def page(limit: int = 10) -> dict[str, int]:
        return {"limit": limit}

    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError(LEAKY_MESSAGE)

    @app.post("/fails-after-validation")
    async def fails_after_validation(body: dict[str, Any]) -> None:
        # Issue 8: an error raised while handling a validation error; the logged traceback
        # quoted the validation error's input, a password included.
        try:
            Echo.model_validate(body)
        except ValidationError as exc:
            raise RuntimeError("failed while handling invalid input") from exc

    @app.get("/denied")
    async def denied() -> None:
        raise Unauthorized()

    @app.get("/limited")
    async def limited() -> None:
        raise RateLimited(7)

    @app.get("/whoami")
    async def whoami() -> dict[str, str]:
        set_user_id("user-42")
        return {"user": "user-42"}

    # Two routes for one path, as a generated router may register them.
    @app.get("/things/{thing_id}")
    async def get_thing(thing_id: int) -> dict[str, int]:
        return {"id": thing_id}

    @app.put("/things/{thing_id}")
    async def put_thing(thing_id: int) -> dict[str, int]:
        return {"id": thing_id}

    @app.get("/health")
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    install_http_layer(app, settings, metrics=metrics, limiter=lambda: limiter)
    return app


@pytest.fixture
def leaky_message() -> str:
    """What /boom's exception says: it must reach the log and never the client."""
    return LEAKY_MESSAGE


@pytest.fixture
def settings() -> Settings:
    return make_settings()


@pytest.fixture
def settings_with() -> Callable[..., Settings]:
    return make_settings


@pytest.fixture
async def limiter(settings: Settings) -> AsyncIterator[RateLimiter]:
    running = await RateLimiter.create(settings)
    yield running
    await running.close()


@pytest.fixture
async def make_client(limiter: RateLimiter) -> AsyncIterator[ClientFactory]:
    """Clients for fresh apps; each is closed when the test ends."""
    async with AsyncExitStack() as stack:
        default_limiter = limiter

        def make(
            settings: Settings | None = None,
            *,
            limiter: RateLimiter | None = default_limiter,
            metrics: Metrics | None = None,
            address: str = "127.0.0.1",
        ) -> httpx.AsyncClient:
            app = build_app(settings or make_settings(), limiter, metrics or Metrics.create())
            transport = httpx.ASGITransport(app=app, client=(address, 50000))
            client = httpx.AsyncClient(transport=transport, base_url="http://testserver")
            stack.push_async_callback(client.aclose)
            return client

        yield make


@pytest.fixture
def client(make_client: ClientFactory, settings: Settings) -> httpx.AsyncClient:
    return make_client(settings)
