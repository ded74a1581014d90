"""Outages (issue 10, item 2): the database or Redis goes away under a running app, then returns.

The app reaches the real PostgreSQL (``TEST_DATABASE_URL``) or Redis (``TEST_REDIS_URL``)
through ``tests.proxy.TcpProxy``, which the test cuts (connections reset, port closed), stalls
(connections hang) and restores; the machine's shared servers are never touched. Each request
runs under ``asyncio.timeout(_NO_HANG)``: a generous bound that only a hang reaches (the app's
own limits here are 0.5 s), so these are not timing tests: a hang fails them, slowness does not.
"""

from __future__ import annotations

import asyncio
import logging
import os
import uuid
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from typing import Final

import httpx
import pytest
from sqlalchemy.engine import make_url

from impl.app import create_app
from impl.db import Database
from impl.settings import Settings
from tests.api.helpers import BASE_URL, TOKEN_URL, MakeSettings
from tests.proxy import TcpProxy, proxied

_NO_HANG: Final = 5.0  # seconds; see the module docstring
_UNAVAILABLE: Final = {"detail": "Database unavailable; retry shortly"}
_REQUESTS: Final = ("/api/v1/items", "/api/v1/items/1")  # a page (two statements), one row


async def _get(client: httpx.AsyncClient, path: str) -> httpx.Response:
    async with asyncio.timeout(_NO_HANG):
        return await client.get(path)


async def _client(
    stack: AsyncExitStack,
    settings: Settings,
    *,
    database: Database | None = None,
    address: str = "127.0.0.1",
) -> httpx.AsyncClient:
    app = create_app(settings, database=database)
    await stack.enter_async_context(app.router.lifespan_context(app))
    transport = httpx.ASGITransport(app=app, client=(address, 50000))
    return await stack.enter_async_context(
        httpx.AsyncClient(transport=transport, base_url=BASE_URL)
    )


@pytest.fixture
async def stack() -> AsyncIterator[AsyncExitStack]:
    async with AsyncExitStack() as running:
        yield running


# --- the database -----------------------------------------------------------------------------


class TestUnreachableDatabase:
    """No PostgreSQL needed: nothing listens on port 1, so this runs in every pass."""

    async def test_every_kind_of_request_answers_503_with_retry_after(
        self, make_settings: MakeSettings, stack: AsyncExitStack
    ) -> None:
        settings = make_settings(
            database_url="postgresql+asyncpg://nobody@127.0.0.1:1/none", ready_timeout=0.5
        )
        client = await _client(stack, settings)
        for path in _REQUESTS:
            response = await _get(client, path)
            assert response.status_code == 503
            assert response.json() == _UNAVAILABLE
            assert response.headers["Retry-After"] == "1"
            assert "X-Request-ID" in response.headers
        async with asyncio.timeout(_NO_HANG):
            response = await client.post(
                "/api/v1/auth/register",
                json={"username": "nobody", "email": "n@example.com", "password": "pw-123456789"},
            )
        assert response.status_code == 503
        assert response.json() == _UNAVAILABLE
        ready = await _get(client, "/ready")
        assert ready.status_code == 503
        assert ready.json()["detail"] == "Not ready: database unavailable"


@pytest.fixture
async def database_proxy(migrated_database_url: str) -> AsyncIterator[tuple[TcpProxy, str]]:
    """A proxy in front of the test PostgreSQL, and the database URL through it."""
    if make_url(migrated_database_url).get_backend_name() != "postgresql":
        pytest.skip("issue 10: the database outage test needs PostgreSQL (set TEST_DATABASE_URL)")
    async with proxied(migrated_database_url, 5432) as proxy_and_url:
        yield proxy_and_url


class TestDatabaseOutage:
    async def test_requests_answer_503_while_cut_and_recover_when_it_returns(
        self,
        database_proxy: tuple[TcpProxy, str],
        make_settings: MakeSettings,
        stack: AsyncExitStack,
        caplog: pytest.LogCaptureFixture,
    ) -> None:
        proxy, url = database_proxy
        settings = make_settings(
            database_url=url, db_connect_timeout=0.5, db_command_timeout=0.5, ready_timeout=0.5
        )
        client = await _client(stack, settings)  # the app's own engine and pool, via the proxy

        assert (await _get(client, "/ready")).status_code == 200
        assert (await _get(client, "/api/v1/items")).status_code == 200  # pooled connections

        await proxy.cut()
        with caplog.at_level(logging.WARNING, logger="impl.db.database"):
            for path in _REQUESTS * 2:  # pooled connections reset, then refused new ones
                response = await _get(client, path)
                assert response.status_code == 503, (path, response.text)
                assert response.json() == _UNAVAILABLE
                assert response.headers["Retry-After"] == "1"
        assert any("database unavailable" in r.getMessage() for r in caplog.records)
        ready = await _get(client, "/ready")
        assert ready.status_code == 503
        assert ready.json() == {
            "status": "error",
            "checks": {"database": "error"},
            "detail": "Not ready: database unavailable",
        }

        await proxy.restore()  # the same app, no restart
        for path in ("/ready", *_REQUESTS):
            response = await _get(client, path)
            assert response.status_code in (200, 404), (path, response.text)
        assert (await _get(client, "/ready")).json() == {
            "status": "ok",
            "checks": {"database": "ok"},
        }

    async def test_a_database_that_hangs_answers_503_not_a_hang(
        self,
        database_proxy: tuple[TcpProxy, str],
        make_settings: MakeSettings,
        stack: AsyncExitStack,
    ) -> None:
        proxy, url = database_proxy
        settings = make_settings(
            database_url=url, db_connect_timeout=0.5, db_command_timeout=0.5, ready_timeout=0.5
        )
        client = await _client(stack, settings)
        assert (await _get(client, "/api/v1/items")).status_code == 200

        await proxy.stall()  # pooled connections hang (command timeout), new ones too (connect)
        for path in _REQUESTS * 2:
            response = await _get(client, path)
            assert response.status_code == 503, (path, response.text)
            assert response.json() == _UNAVAILABLE
        ready = await _get(client, "/ready")
        assert ready.status_code == 503
        assert ready.json()["checks"] == {"database": "error"}

        await proxy.restore()
        assert (await _get(client, "/ready")).status_code == 200
        assert (await _get(client, "/api/v1/items")).status_code == 200


# --- Redis ------------------------------------------------------------------------------------


@pytest.fixture
async def redis_proxy() -> AsyncIterator[tuple[TcpProxy, str]]:
    """A proxy in front of the test Redis, and the Redis URL through it."""
    target = os.environ.get("TEST_REDIS_URL")
    if not target:
        pytest.skip("issue 10: the Redis outage test needs Redis (set TEST_REDIS_URL)")
    async with proxied(target, 6379) as proxy_and_url:
        yield proxy_and_url


class TestRedisOutage:
    async def test_rate_limits_fail_open_while_cut_and_count_again_after(
        self,
        redis_proxy: tuple[TcpProxy, str],
        make_settings: MakeSettings,
        db: Database,
        stack: AsyncExitStack,
        caplog: pytest.LogCaptureFixture,
    ) -> None:
        proxy, url = redis_proxy
        settings = make_settings(
            redis_url=url, redis_timeout=0.5, ready_timeout=0.5, rate_limit_login="2/minute"
        )
        address = f"10.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}.7"  # fresh counters
        client = await _client(stack, settings, database=db, address=address)
        wrong = {"username": f"u{uuid.uuid4().hex[:12]}", "password": "wrong-password-1"}

        async def login() -> httpx.Response:
            async with asyncio.timeout(_NO_HANG):
                return await client.post(TOKEN_URL, data=wrong)

        ready = await _get(client, "/ready")
        assert ready.json() == {"status": "ok", "checks": {"database": "ok", "redis": "ok"}}

        await proxy.cut()
        with caplog.at_level(logging.WARNING, logger="impl.http.ratelimit"):
            # Far past the login limit (2/minute): every limit fails open, never a 500.
            for _ in range(4):
                assert (await login()).status_code == 401
            assert (await _get(client, "/api/v1/items")).status_code == 200
        assert any(
            "rate-limit store unavailable" in r.getMessage() and r.levelno == logging.WARNING
            for r in caplog.records
        )
        ready = await _get(client, "/ready")
        assert ready.status_code == 503
        assert ready.json() == {
            "status": "error",
            "checks": {"database": "ok", "redis": "error"},
            "detail": "Not ready: redis unavailable",
        }

        await proxy.restore()  # the same app, no restart: limits count again
        assert (await _get(client, "/ready")).status_code == 200
        assert (await login()).status_code == 401
        assert (await login()).status_code == 401
        assert (await login()).status_code == 429

    async def test_a_redis_that_hangs_fails_open_within_its_timeout(
        self,
        redis_proxy: tuple[TcpProxy, str],
        make_settings: MakeSettings,
        db: Database,
        stack: AsyncExitStack,
    ) -> None:
        proxy, url = redis_proxy
        settings = make_settings(redis_url=url, redis_timeout=0.5, ready_timeout=0.5)
        client = await _client(stack, settings, database=db, address="10.0.0.9")
        await proxy.stall()
        assert (await _get(client, "/api/v1/items")).status_code == 200
        ready = await _get(client, "/ready")
        assert ready.status_code == 503
        assert ready.json()["checks"] == {"database": "ok", "redis": "error"}
        await proxy.restore()
        assert (await _get(client, "/ready")).status_code == 200
