"""The read-through item cache in Redis (issue 10): the adapter of ``ItemCache``.

Shared by every worker and machine that shares ``REDIS_URL``. Per item, two keys (one hash
slot, so a script may touch both under Redis Cluster too)::

    {prefix}v1:item:{42}         the row, JSON, expiring after ITEM_CACHE_TTL seconds
    {prefix}v1:item:{42}:lease   who may fill the row after a miss, expiring after 5 s

Staleness: why a read after an acknowledged write never sees the old row
-------------------------------------------------------------------------
Invalidating after the commit is not enough on its own. The race it leaves::

    reader (worker A)                     writer (worker B)
    cache miss
    SELECT → old row
                                          UPDATE, COMMIT
                                          DEL the cached row
                                          200 to the client
    SET the old row  ← stale until the TTL, for every worker

So a reader may only fill what no write has touched since its miss: a *lease*. The miss
(``read``, one script) also takes the lease if nobody holds it (``SET NX`` of a random
token); ``fill`` (one script) stores the row only if the lease key still holds that token,
and drops the lease; ``invalidate`` deletes the row *and the lease*, after the commit and
before the write is acknowledged. In the race above the writer's DEL removes the reader's
lease, so its late SET does nothing. A reader that takes a lease after the invalidation
runs its SELECT after the commit, so it reads the new row. Redis runs each script
atomically, so no step falls between another's GET and SET. An expired lease (a reader
slower than 5 s) fails safe: the fill does nothing. Readers that find the lease taken read
the database and do not fill (a burst of misses on one item costs one fill, not many).

Chosen over the alternatives: a version number kept in Redis and compared on fill needs that
counter to outlive every reader, or it resets and an old reader's fill passes again (a lease
that expires only ever blocks a fill); a version column in the row cannot tell a reader that
its copy is old without reading the row, which is the query the cache saves; a short TTL
alone bounds the staleness but does not remove it.

What is left: when Redis cannot be reached for the invalidation (logged as a warning) while
other workers still reach it, they may serve the old row until ITEM_CACHE_TTL ends; keep the
TTL short. A user's deletion removes their items by ``ON DELETE CASCADE``: ``UserService``
invalidates them the same way (it reads their ids with the user's row locked).

Failures
--------
Nothing here raises into a request: a failed or slow (``CACHE_TIMEOUT``) Redis call is a
miss, logged as a warning, and the read goes to the database. After a failure, reads skip
Redis for a second (one warning per second, not per request, and no timeout per request
while Redis is down); invalidations are always attempted.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from collections.abc import Iterable
from typing import Any, Final

from redis.asyncio import Redis
from redis.backoff import NoBackoff
from redis.exceptions import RedisError
from redis.retry import Retry

from impl.db import ItemRecord, item_from_json, item_json
from impl.services.cache import CacheMiss
from impl.settings import Settings

__all__ = ["RedisItemCache"]

logger = logging.getLogger(__name__)

_LEASE_MS: Final = 5000
_READ_PAUSE: Final = 1.0  # seconds reads skip Redis after a failure

# KEYS: row, lease. ARGV: token, lease ms. → {1, row} | {0, 1 when the lease was taken, else 0}
_READ: Final = """
local row = redis.call('GET', KEYS[1])
if row then return {1, row} end
if redis.call('SET', KEYS[2], ARGV[1], 'NX', 'PX', ARGV[2]) then return {0, 1} end
return {0, 0}
"""
# KEYS: row, lease. ARGV: token, row, ttl ms. → 1 when stored
_FILL: Final = """
if redis.call('GET', KEYS[2]) == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
  redis.call('DEL', KEYS[2])
  return 1
end
return 0
"""


class RedisItemCache:
    """Build it with the settings; ``start()`` inside the app's lifespan (the client binds
    to the running loop), ``close()`` when it ends. Before ``start`` every read misses."""

    def __init__(self, settings: Settings) -> None:
        if not settings.redis_url:
            raise ValueError("the item cache needs REDIS_URL")
        self._url = settings.redis_url
        self._prefix = f"{settings.cache_key_prefix}v1:item:"
        self._ttl_ms = settings.item_cache_ttl * 1000
        self._timeout = settings.cache_timeout
        self._client: Redis | None = None
        self._read_script: Any = None
        self._fill_script: Any = None
        self._paused_until = 0.0

    async def start(self) -> None:
        client = Redis.from_url(
            self._url,
            socket_timeout=self._timeout,
            socket_connect_timeout=self._timeout,
            # One immediate retry: a pooled connection that Redis dropped (a restart) fails
            # once; no backoff, CACHE_TIMEOUT bounds the whole call anyway.
            retry=Retry(NoBackoff(), 1),
        )
        self._client = client
        self._read_script = client.register_script(_READ)
        self._fill_script = client.register_script(_FILL)

    async def close(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            await client.aclose()

    def row_key(self, item_id: int) -> str:
        return f"{self._prefix}{{{item_id}}}"

    def lease_key(self, item_id: int) -> str:
        return f"{self._prefix}{{{item_id}}}:lease"

    async def read(self, item_id: int) -> ItemRecord | CacheMiss:
        if self._client is None or time.monotonic() < self._paused_until:
            return CacheMiss(None)
        token = secrets.token_hex(8)
        keys = [self.row_key(item_id), self.lease_key(item_id)]
        try:
            async with asyncio.timeout(self._timeout):
                found, value = await self._read_script(keys=keys, args=[token, _LEASE_MS])
        except (RedisError, OSError, TimeoutError) as exc:
            self._failed("read", exc)
            return CacheMiss(None)
        if found:
            record = item_from_json(value)
            if record is not None and record.id == item_id:
                return record
            logger.warning(
                "item cache: unreadable entry for item %d; reading the database", item_id
            )
            return CacheMiss(None)
        return CacheMiss(token if value else None)

    async def fill(self, item_id: int, lease: str, item: ItemRecord) -> None:
        if self._client is None:
            return
        keys = [self.row_key(item_id), self.lease_key(item_id)]
        try:
            async with asyncio.timeout(self._timeout):
                await self._fill_script(keys=keys, args=[lease, item_json(item), self._ttl_ms])
        except (RedisError, OSError, TimeoutError) as exc:
            self._failed("fill", exc)

    async def invalidate(self, item_ids: Iterable[int]) -> None:
        if self._client is None:
            return
        keys = [
            key for item_id in item_ids for key in (self.row_key(item_id), self.lease_key(item_id))
        ]
        if not keys:
            return
        try:
            async with asyncio.timeout(self._timeout):
                # One DEL per item: its two keys share a hash slot (Redis Cluster-safe).
                async with self._client.pipeline(transaction=False) as pipe:
                    for index in range(0, len(keys), 2):
                        pipe.delete(keys[index], keys[index + 1])
                    await pipe.execute()
        except (RedisError, OSError, TimeoutError) as exc:
            logger.warning(
                "item cache: invalidation of %d item(s) failed (%s); other workers may serve "
                "the old rows for up to ITEM_CACHE_TTL seconds",
                len(keys) // 2,
                _describe(exc),
            )
            self._paused_until = time.monotonic() + _READ_PAUSE

    def _failed(self, what: str, exc: BaseException) -> None:
        now = time.monotonic()
        if now >= self._paused_until:
            logger.warning(
                "item cache unavailable (%s failed: %s); reading from the database",
                what,
                _describe(exc),
            )
        self._paused_until = now + _READ_PAUSE


def _describe(exc: BaseException) -> str:
    text = str(exc).strip()
    if isinstance(exc, TimeoutError) and not text:
        return "TimeoutError: no answer within CACHE_TIMEOUT"
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
