"""HTTP fixtures for tests/api: the real app (``impl.app.create_app``) on the test's rolled-back
database, its lifespan entered, and an ``httpx.AsyncClient`` talking to it in process.

* ``api_settings``: the suite's ``settings`` (tests/conftest.py: ENVIRONMENT=test, a 32+ byte
  secret, cheap argon2) plus one allowed CORS origin and rate limits no ordinary test reaches.
  ``make_settings(**overrides)`` builds variants (a low rate limit, the ADMIN_* bootstrap).
* ``make_app(settings=None, *, database=None)``: a fresh app with its lifespan running;
  ``connect(app, address=...)``: a client for it, seen as coming from ``address``;
  ``make_client(...)``: both at once. ``app`` and ``client``: the default ones. Lifespans and
  clients are closed when the test ends.
* ``alice`` and ``bob`` (two ordinary users), ``admin`` (made by ``UserService.ensure_admin``):
  ``Account``s holding a real token obtained from ``POST /api/v1/auth/token``.

httpx's ASGITransport, never Starlette's TestClient (it warns, and warnings are errors here).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from impl.app import create_app
from impl.db import Database
from impl.security import PasswordHasher
from impl.services import UserService
from impl.settings import Settings
from tests.api.helpers import (
    ALLOWED_ORIGIN,
    BASE_URL,
    CLIENT_ADDRESS,
    Account,
    AccountFactory,
    Connect,
    MakeApp,
    MakeClient,
    MakeSettings,
    login,
)
from tests.factories import DEFAULT_PASSWORD, make_user


@pytest.fixture
def make_settings(settings: Settings) -> MakeSettings:
    """The suite's settings with ``overrides`` applied, validated like any ``Settings``
    (every field is given explicitly, so neither the environment nor a .env leaks in)."""

    def make(**overrides: Any) -> Settings:
        values = settings.model_dump()
        values.update(
            allowed_origins=[ALLOWED_ORIGIN],
            rate_limit_default="10000/minute",
            rate_limit_login="1000/minute",
            rate_limit_register="1000/minute",
        )
        values.update(overrides)
        return Settings(_env_file=None, **values)  # type: ignore[call-arg, unused-ignore]

    return make


@pytest.fixture
def api_settings(make_settings: MakeSettings) -> Settings:
    return make_settings()


@pytest.fixture
async def _stack() -> AsyncIterator[AsyncExitStack]:
    """Closes, when the test ends, the clients and app lifespans the fixtures below opened."""
    async with AsyncExitStack() as stack:
        yield stack


@pytest.fixture
def make_app(_stack: AsyncExitStack, db: Database, api_settings: Settings) -> MakeApp:
    """A fresh app (on the test's database unless told otherwise) with its lifespan running."""

    async def make(
        settings: Settings | None = None, *, database: Database | None = None
    ) -> FastAPI:
        app = create_app(settings or api_settings, database=database or db)
        await _stack.enter_async_context(app.router.lifespan_context(app))
        return app

    return make


@pytest.fixture
def connect(_stack: AsyncExitStack) -> Connect:
    """A client for ``app`` that the app sees coming from ``address``."""

    async def make(app: FastAPI, *, address: str = CLIENT_ADDRESS) -> httpx.AsyncClient:
        transport = httpx.ASGITransport(app=app, client=(address, 50000))
        return await _stack.enter_async_context(
            httpx.AsyncClient(transport=transport, base_url=BASE_URL)
        )

    return make


@pytest.fixture
def make_client(make_app: MakeApp, connect: Connect) -> MakeClient:
    async def make(
        settings: Settings | None = None,
        *,
        database: Database | None = None,
        address: str = CLIENT_ADDRESS,
    ) -> httpx.AsyncClient:
        return await connect(await make_app(settings, database=database), address=address)

    return make


@pytest.fixture
async def app(make_app: MakeApp) -> FastAPI:
    return await make_app()


@pytest.fixture
async def client(app: FastAPI, connect: Connect) -> httpx.AsyncClient:
    return await connect(app)


@pytest.fixture
def make_account(db: Database, client: httpx.AsyncClient) -> AccountFactory:
    """A user written to the database, and a token for them from the token endpoint."""

    async def make(*, scope: str | None = None, **user_fields: Any) -> Account:
        password = user_fields.pop("password", DEFAULT_PASSWORD)
        user = await make_user(db, password=password, **user_fields)
        response = await login(client, user.username, password, scope=scope)
        assert response.status_code == 200, response.text
        return Account(
            id=user.id,
            username=user.username,
            email=user.email,
            password=password,
            token=response.json()["access_token"],
        )

    return make


@pytest.fixture
async def alice(make_account: AccountFactory) -> Account:
    return await make_account(username="alice", email="alice@example.com", full_name="Alice")


@pytest.fixture
async def bob(make_account: AccountFactory) -> Account:
    return await make_account(username="bob", email="bob@example.com")


@pytest.fixture
async def admin(db: Database, hasher: PasswordHasher, client: httpx.AsyncClient) -> Account:
    user = await UserService(db, hasher).ensure_admin(
        username="root", email="root@example.com", password=DEFAULT_PASSWORD
    )
    response = await login(client, "root", DEFAULT_PASSWORD)
    assert response.status_code == 200, response.text
    return Account(
        id=user.id,
        username=user.username,
        email=user.email,
        password=DEFAULT_PASSWORD,
        token=response.json()["access_token"],
    )
