"""The read-through item cache (impl/cache.py, issue 10 item 4) with ``ItemService`` and
``UserService`` on the test's database and a real Redis (TEST_REDIS_URL; every key under a
prefix of the test's own, removed afterwards).

The race the lease exists for is played step by step: a reader that missed, read the old row
and is about to fill, while a writer commits and invalidates in between.
"""

from __future__ import annotations

import asyncio
import logging
import os
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from redis.asyncio import Redis

from impl.cache import RedisItemCache
from impl.db import Database, ItemRecord, ItemRepository
from impl.errors import Forbidden, NotFound
from impl.security import PasswordHasher
from impl.services import ADMIN_SCOPES, CacheMiss, ItemService, UserService
from impl.settings import Settings
from tests.factories import actor_for, make_item, make_user

REDIS_URL = os.environ.get("TEST_REDIS_URL", "")
UNREACHABLE_REDIS_URL = "redis://127.0.0.1:1/0"

needs_redis = pytest.mark.skipif(not REDIS_URL, reason="needs TEST_REDIS_URL (issue 10)")


def cache_settings(settings: Settings, **overrides: Any) -> Settings:
    values = settings.model_dump()
    values.update(
        redis_url=REDIS_URL,
        cache_key_prefix=f"test-{uuid.uuid4().hex[:12]}:",
        item_cache_ttl=60,
        **overrides,
    )
    return Settings(_env_file=None, **values)  # type: ignore[call-arg, unused-ignore]


@pytest.fixture
async def cache(settings: Settings) -> AsyncIterator[RedisItemCache]:
    configured = cache_settings(settings)
    running = RedisItemCache(configured)
    await running.start()
    try:
        yield running
    finally:
        await running.close()
        async with Redis.from_url(REDIS_URL) as redis:
            keys = [key async for key in redis.scan_iter(f"{configured.cache_key_prefix}*")]
            if keys:
                await redis.delete(*keys)


@pytest.fixture
async def redis() -> AsyncIterator[Redis]:
    async with Redis.from_url(REDIS_URL) as client:
        yield client


async def change_behind_the_cache(db: Database, item_id: int, name: str) -> None:
    """An UPDATE the services never see (as an operator's SQL would be): the cache keeps the
    old row, which is how these tests tell a cached read from a database read."""
    async with db.transaction() as session:
        item = await ItemRepository(session).get(item_id)
        assert item is not None
        item.name = name


@needs_redis
class TestReadThrough:
    async def test_a_read_fills_the_cache_and_later_reads_come_from_it(
        self, db: Database, cache: RedisItemCache, redis: Redis
    ) -> None:
        items = ItemService(db, cache)
        item = await make_item(db, owner=await make_user(db), name="Lamp")
        assert (await items.get(item.id)).name == "Lamp"
        assert await redis.exists(cache.row_key(item.id)) == 1
        assert await redis.exists(cache.lease_key(item.id)) == 0  # given back on fill
        ttl = await redis.pttl(cache.row_key(item.id))
        assert 0 < ttl <= 60_000
        await change_behind_the_cache(db, item.id, "Changed behind")
        cached = await items.get(item.id)
        assert cached.name == "Lamp"
        fresh = await ItemService(db).get(item.id)  # no cache: the database's row
        assert fresh.name == "Changed behind"
        assert isinstance(cached, ItemRecord)
        assert (cached.id, cached.owner_id, cached.created_at, cached.tags, cached.price) == (
            fresh.id,
            fresh.owner_id,
            fresh.created_at,
            fresh.tags,
            fresh.price,
        )

    async def test_replace_invalidates_so_the_next_read_is_fresh(
        self, db: Database, cache: RedisItemCache
    ) -> None:
        items = ItemService(db, cache)
        owner = await make_user(db)
        item = await make_item(db, owner=owner, name="Lamp")
        await items.get(item.id)
        await items.replace(
            actor_for(owner), item.id, name="Kettle", description=None, price=3.0, tags=["x"]
        )
        after = await items.get(item.id)
        assert (after.name, after.price, after.tags) == ("Kettle", 3.0, ["x"])

    async def test_delete_invalidates_so_the_next_read_is_404(
        self, db: Database, cache: RedisItemCache, redis: Redis
    ) -> None:
        items = ItemService(db, cache)
        owner = await make_user(db)
        item = await make_item(db, owner=owner)
        await items.get(item.id)
        await items.delete(actor_for(owner), item.id)
        assert await redis.exists(cache.row_key(item.id)) == 0
        with pytest.raises(NotFound):
            await items.get(item.id)
        assert await redis.exists(cache.row_key(item.id)) == 0  # a 404 is not cached

    async def test_deleting_a_user_invalidates_their_cached_items(
        self, db: Database, cache: RedisItemCache, hasher: PasswordHasher
    ) -> None:
        items = ItemService(db, cache)
        owner, other = await make_user(db), await make_user(db)
        theirs = [await make_item(db, owner=owner) for _ in range(3)]
        kept = await make_item(db, owner=other, name="Kept")
        for item in [*theirs, kept]:
            await items.get(item.id)
        admin = await make_user(db, scopes=ADMIN_SCOPES)
        await UserService(db, hasher, item_cache=cache).delete(actor_for(admin), owner.id)
        for item in theirs:
            with pytest.raises(NotFound):
                await items.get(item.id)
        await change_behind_the_cache(db, kept.id, "Changed behind")
        assert (await items.get(kept.id)).name == "Kept"  # another user's: still cached

    async def test_ownership_is_checked_on_the_database_row_not_the_cache(
        self, db: Database, cache: RedisItemCache
    ) -> None:
        items = ItemService(db, cache)
        owner, stranger = await make_user(db), await make_user(db)
        item = await make_item(db, owner=owner, name="Lamp")
        await items.get(item.id)
        with pytest.raises(Forbidden):
            await items.replace(
                actor_for(stranger), item.id, name="Mine", description=None, price=1, tags=[]
            )
        with pytest.raises(Forbidden):
            await items.delete(actor_for(stranger), item.id)
        assert (await items.get(item.id)).name == "Lamp"

    async def test_a_failed_write_leaves_the_cache_as_it_was(
        self, db: Database, cache: RedisItemCache, redis: Redis
    ) -> None:
        items = ItemService(db, cache)
        owner, stranger = await make_user(db), await make_user(db)
        item = await make_item(db, owner=owner)
        await items.get(item.id)
        with pytest.raises(Forbidden):
            await items.delete(actor_for(stranger), item.id)
        assert await redis.exists(cache.row_key(item.id)) == 1

    async def test_an_unreadable_entry_is_a_miss_with_a_warning(
        self, db: Database, cache: RedisItemCache, redis: Redis, caplog: pytest.LogCaptureFixture
    ) -> None:
        items = ItemService(db, cache)
        item = await make_item(db, owner=await make_user(db), name="Lamp")
        await redis.set(cache.row_key(item.id), b"\xffnot json", px=60_000)
        with caplog.at_level(logging.WARNING, logger="impl.cache"):
            assert (await items.get(item.id)).name == "Lamp"
        assert any("unreadable entry" in r.getMessage() for r in caplog.records)


@needs_redis
class TestLease:
    async def test_a_fill_after_an_invalidation_is_refused(
        self, db: Database, cache: RedisItemCache, redis: Redis
    ) -> None:
        item = await ItemService(db).get((await make_item(db, owner=await make_user(db))).id)
        miss = await cache.read(item.id)
        assert isinstance(miss, CacheMiss)
        assert miss.lease is not None
        await cache.invalidate([item.id])  # a writer committed meanwhile
        await cache.fill(item.id, miss.lease, item)  # the reader's (old) row
        assert await redis.exists(cache.row_key(item.id)) == 0
        second = await cache.read(item.id)
        assert isinstance(second, CacheMiss)
        assert second.lease is not None  # the next reader may fill

    async def test_only_one_reader_at_a_time_holds_the_lease(
        self, db: Database, cache: RedisItemCache
    ) -> None:
        item = await ItemService(db).get((await make_item(db, owner=await make_user(db))).id)
        first, second = await cache.read(item.id), await cache.read(item.id)
        assert isinstance(first, CacheMiss)
        assert isinstance(second, CacheMiss)
        assert first.lease is not None
        assert second.lease is None
        await cache.fill(item.id, first.lease, item)
        assert await cache.read(item.id) == item

    async def test_a_stale_token_cannot_fill_over_another_readers_lease(
        self, db: Database, cache: RedisItemCache, redis: Redis
    ) -> None:
        item = await ItemService(db).get((await make_item(db, owner=await make_user(db))).id)
        old = await cache.read(item.id)
        assert isinstance(old, CacheMiss)
        assert old.lease is not None
        await cache.invalidate([item.id])
        new = await cache.read(item.id)
        assert isinstance(new, CacheMiss)
        assert new.lease is not None
        await cache.fill(item.id, old.lease, item)
        assert await redis.exists(cache.row_key(item.id)) == 0
        await cache.fill(item.id, new.lease, item)
        assert await redis.exists(cache.row_key(item.id)) == 1

    async def test_the_race_through_the_service_ends_with_the_new_row(
        self, db: Database, settings: Settings
    ) -> None:
        """Reader: miss, SELECT (old row), then held just before its fill; writer: replace
        (commit, invalidate); then the reader fills. A read after that sees the new row."""

        class HeldFill(RedisItemCache):
            def __init__(self, configured: Settings) -> None:
                super().__init__(configured)
                self.reached = asyncio.Event()
                self.release = asyncio.Event()

            async def fill(self, item_id: int, lease: str, item: ItemRecord) -> None:
                self.reached.set()
                await self.release.wait()
                await super().fill(item_id, lease, item)

        configured = cache_settings(settings)
        held = HeldFill(configured)
        await held.start()
        try:
            owner = await make_user(db)
            item = await make_item(db, owner=owner, name="Old")
            reader = asyncio.create_task(ItemService(db, held).get(item.id))
            await asyncio.wait_for(held.reached.wait(), 10)
            await ItemService(db, held).replace(
                actor_for(owner), item.id, name="New", description=None, price=1, tags=[]
            )
            held.release.set()
            assert (await reader).name == "Old"  # it began before the write: fine
            # Acknowledged write: every read from now on is the new row (through the cache).
            plain = RedisItemCache(configured)
            await plain.start()
            try:
                assert (await ItemService(db, plain).get(item.id)).name == "New"
                assert (await ItemService(db, plain).get(item.id)).name == "New"
            finally:
                await plain.close()
        finally:
            await held.close()
            async with Redis.from_url(REDIS_URL) as redis:
                keys = [k async for k in redis.scan_iter(f"{configured.cache_key_prefix}*")]
                if keys:
                    await redis.delete(*keys)


class TestRedisDown:
    async def test_reads_and_writes_go_on_with_warnings(
        self, db: Database, settings: Settings, caplog: pytest.LogCaptureFixture
    ) -> None:
        values = settings.model_dump()
        values.update(redis_url=UNREACHABLE_REDIS_URL, cache_timeout=0.5)
        down = RedisItemCache(Settings(_env_file=None, **values))  # type: ignore[call-arg, unused-ignore]
        await down.start()
        try:
            items = ItemService(db, down)
            owner = await make_user(db)
            item = await make_item(db, owner=owner, name="Lamp")
            with caplog.at_level(logging.WARNING, logger="impl.cache"):
                assert (await items.get(item.id)).name == "Lamp"
                assert (await items.get(item.id)).name == "Lamp"  # within the pause: no call
                await items.replace(
                    actor_for(owner), item.id, name="Kettle", description=None, price=1, tags=[]
                )
                assert (await items.get(item.id)).name == "Kettle"
        finally:
            await down.close()
        messages = [r.getMessage() for r in caplog.records]
        unavailable = [m for m in messages if m.startswith("item cache unavailable")]
        assert len(unavailable) == 1, messages  # one warning per pause, not one per request
        assert any(m.startswith("item cache: invalidation of 1 item(s) failed") for m in messages)
