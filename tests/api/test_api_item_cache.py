"""getItem through the item cache, over HTTP in process (issue 10, item 4).

* With TEST_REDIS_URL: reads are served from the cache (a change made behind the app's back
  stays invisible), writes through the API are seen at once, and the ETag of a cached read is
  the ETag of the same row read from the database.
* A Redis of the test's own (``redis-server`` on a free port, stopped and started again by
  the test; the machine's shared Redis is never touched): while it is down, reads and writes
  answer as usual (from the database) with warnings in the log, never a 5xx; once it is back
  the cache is used again without a restart.
"""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
import socket
import subprocess
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from redis.asyncio import Redis

from impl.db import Database, ItemRepository
from tests.api.helpers import Account, MakeClient, MakeSettings

ITEMS_URL = "/api/v1/items"
ITEM = {"name": "Lamp", "description": None, "price": 3.5, "tags": ["light"]}
REDIS_URL = os.environ.get("TEST_REDIS_URL", "")


def item_url(item_id: int) -> str:
    return f"{ITEMS_URL}/{item_id}"


async def change_behind_the_app(db: Database, item_id: int, name: str) -> None:
    async with db.transaction() as session:
        item = await ItemRepository(session).get(item_id)
        assert item is not None
        item.name = name


async def create(client: httpx.AsyncClient, account: Account) -> dict[str, Any]:
    response = await client.post(ITEMS_URL, json=ITEM, headers=account.headers)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


@pytest.fixture
async def prefix() -> AsyncIterator[str]:
    """A key prefix of this test's own; its keys are removed afterwards."""
    name = f"test-{uuid.uuid4().hex[:12]}:"
    yield name
    if REDIS_URL:
        async with Redis.from_url(REDIS_URL) as redis:
            keys = [key async for key in redis.scan_iter(f"{name}*")]
            if keys:
                await redis.delete(*keys)


@pytest.mark.skipif(not REDIS_URL, reason="needs TEST_REDIS_URL (issue 10)")
class TestCachedGetItem:
    @pytest.fixture
    async def cached_client(
        self, make_settings: MakeSettings, make_client: MakeClient, prefix: str
    ) -> httpx.AsyncClient:
        return await make_client(make_settings(redis_url=REDIS_URL, cache_key_prefix=prefix))

    async def test_reads_come_from_the_cache_and_writes_are_seen_at_once(
        self,
        cached_client: httpx.AsyncClient,
        client: httpx.AsyncClient,
        alice: Account,
        db: Database,
    ) -> None:
        item = await create(cached_client, alice)
        first = await cached_client.get(item_url(item["id"]))
        assert first.status_code == 200
        await change_behind_the_app(db, item["id"], "Behind")
        cached = await cached_client.get(item_url(item["id"]))
        assert cached.json()["name"] == "Lamp"  # served from Redis
        assert cached.headers["ETag"] == first.headers["ETag"]
        assert (await client.get(item_url(item["id"]))).json()["name"] == "Behind"  # no cache

        replaced = {**ITEM, "name": "Kettle"}
        response = await cached_client.put(
            item_url(item["id"]), json=replaced, headers=alice.headers
        )
        assert response.status_code == 200
        after = await cached_client.get(item_url(item["id"]))
        assert after.json() == response.json()
        assert after.headers["ETag"] != first.headers["ETag"]

        assert (
            await cached_client.delete(item_url(item["id"]), headers=alice.headers)
        ).status_code == 204
        assert (await cached_client.get(item_url(item["id"]))).status_code == 404

    async def test_a_cached_read_has_the_databases_etag_and_answers_304(
        self, cached_client: httpx.AsyncClient, client: httpx.AsyncClient, alice: Account
    ) -> None:
        item = await create(cached_client, alice)
        from_db = await client.get(item_url(item["id"]))  # the app without a cache
        await cached_client.get(item_url(item["id"]))  # fills
        from_cache = await cached_client.get(item_url(item["id"]))
        assert from_cache.json() == from_db.json()
        assert from_cache.headers["ETag"] == from_db.headers["ETag"]
        response = await cached_client.get(
            item_url(item["id"]), headers={"If-None-Match": from_db.headers["ETag"]}
        )
        assert response.status_code == 304
        assert response.content == b""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class PrivateRedis:
    """``redis-server`` on a free loopback port, no persistence; stop() and start() again."""

    def __init__(self, directory: Path) -> None:
        self.port = free_port()
        self.directory = directory
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        binary = shutil.which("redis-server")
        assert binary is not None
        self.process = subprocess.Popen(
            [
                binary,
                "--bind",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.directory),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(200):
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.1):
                    return
            except OSError:
                if self.process.poll() is not None:
                    break
                time.sleep(0.05)
        raise AssertionError("redis-server did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(10)
            self.process = None


@contextmanager
def private_redis(directory: Path) -> Iterator[PrivateRedis]:
    server = PrivateRedis(directory)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.mark.skipif(
    shutil.which("redis-server") is None, reason="needs redis-server installed (issue 10)"
)
class TestRedisOutage:
    async def test_down_is_the_database_with_a_warning_and_back_is_the_cache_again(
        self,
        make_settings: MakeSettings,
        make_client: MakeClient,
        alice: Account,
        db: Database,
        tmp_path: Path,
        caplog: pytest.LogCaptureFixture,
    ) -> None:
        with private_redis(tmp_path) as redis_server:
            client = await make_client(make_settings(redis_url=redis_server.url, cache_timeout=0.5))
            item = await create(client, alice)
            assert (await client.get(item_url(item["id"]))).status_code == 200  # cached

            redis_server.stop()
            with caplog.at_level(logging.WARNING):
                down = await client.get(item_url(item["id"]))
                assert down.status_code == 200, down.text
                assert down.json()["name"] == "Lamp"
                replaced = {**ITEM, "name": "Kettle"}
                response = await client.put(
                    item_url(item["id"]), json=replaced, headers=alice.headers
                )
                assert response.status_code == 200, response.text
                after = await client.get(item_url(item["id"]))
                assert (after.status_code, after.json()["name"]) == (200, "Kettle")
            warnings = [r.getMessage() for r in caplog.records if r.name == "impl.cache"]
            assert any(m.startswith("item cache unavailable") for m in warnings), warnings
            assert any("invalidation of 1 item(s) failed" in m for m in warnings), warnings

            redis_server.start()  # empty: no persistence
            # Reads skip Redis for a second after a failure (impl/cache.py); then one fills.
            async with Redis.from_url(redis_server.url) as redis:
                for _ in range(100):
                    assert (await client.get(item_url(item["id"]))).status_code == 200
                    if await redis.keys(f"*item:{{{item['id']}}}"):
                        break
                    await asyncio.sleep(0.05)
                else:
                    raise AssertionError("the cache was not used again once Redis was back")
            await change_behind_the_app(db, item["id"], "Behind")
            cached = await client.get(item_url(item["id"]))
            assert cached.json()["name"] == "Kettle"  # served from the restarted Redis
