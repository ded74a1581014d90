"""Rate limiting with the ``limits`` library, used directly and asynchronously (issue 3).

``RateLimiter`` counts hits in a moving window, in memory (one process) or in Redis when
``REDIS_URL`` is set (shared by every worker). Handlers call ``hit`` for their own limits
(createToken: the strict login limit per client, and on failed attempts per username and
client; registerUser: its own limit per client); ``RateLimitMiddleware``
applies the generous default limit per client to every request except probes and docs.

A Redis outage (issue 10) takes no request down: every limit, the login and registration
limits included, fails open while the store does not answer within ``REDIS_TIMEOUT``
seconds, and a warning is logged (at most one per ``_WARN_INTERVAL``). Brute force is then
bounded by the argon2 cost and the per-worker concurrency cap only, for as long as the
outage lasts; a 500 or 503 on every login would be the worse trade. redis-py reconnects by
itself when Redis returns. ``ping`` is the readiness check.
"""

from __future__ import annotations

import hashlib
import logging
import math
import time
from collections.abc import Awaitable, Callable, Iterable
from typing import Any, Final
from urllib.parse import quote

import limits
from limits.aio.storage import MemoryStorage, RedisStorage
from limits.aio.strategies import MovingWindowRateLimiter
from limits.errors import StorageError
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

from impl.errors import RateLimited
from impl.settings import Settings

__all__ = ["EXEMPT_PATHS", "DefaultRateLimit", "RateLimiter"]

_logger = logging.getLogger(__name__)

EXEMPT_PATHS = frozenset({"/health", "/ready", "/metrics", "/openapi.json", "/docs", "/redoc"})
_MAX_KEY_LENGTH = 128
_WARN_INTERVAL: Final = 5.0
# Keys made of these characters only are their own escape (``quote(key, safe="")``).
_UNRESERVED: Final = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-~")


class RateLimiter:
    """Create it inside the app's lifespan (``await RateLimiter.create(settings)``): the
    async storages bind to the running event loop. ``close()`` it when the lifespan ends."""

    def __init__(self, storage: MemoryStorage | RedisStorage) -> None:
        self._storage = storage
        self._strategy = MovingWindowRateLimiter(storage)
        self._items: dict[str, limits.RateLimitItem] = {}
        self._warned_at = -_WARN_INTERVAL

    @classmethod
    async def create(cls, settings: Settings) -> RateLimiter:
        if not settings.redis_url:
            return cls(_SweepingMemoryStorage(wrap_exceptions=True))
        # limits' default Redis client is coredis; we ship redis-py (STACK-NOTES). Bounded
        # waits: redis-py waits forever by default and retries three times with backoff.
        options: dict[str, Any] = {
            "socket_connect_timeout": settings.redis_timeout,
            "socket_timeout": settings.redis_timeout,
            "retry": Retry(NoBackoff(), 1),  # once at once: a connection Redis dropped
        }
        storage = RedisStorage(
            _async_uri(settings.redis_url),
            implementation="redispy",
            wrap_exceptions=True,
            **options,
        )
        limiter = cls(storage)
        if not await storage.check():
            await limiter.close()
            # The URL may hold a password: do not echo it.
            raise RuntimeError("The rate-limit store at REDIS_URL does not answer PING")
        return limiter

    async def hit(self, limit: str, *keys: str) -> None:
        """Count one hit against ``limit`` (e.g. ``"10/minute"``) for the given keys, and
        raise ``RateLimited`` with the seconds until a slot frees up when it is exhausted."""
        await self._fail_open(self._hit(limit, keys, count=True), limit)

    async def check(self, limit: str, *keys: str) -> None:
        """Raise ``RateLimited`` when ``limit`` is exhausted for these keys, counting nothing
        (with ``record``: limits on failures only, such as failed logins)."""
        await self._fail_open(self._hit(limit, keys, count=False), limit)

    async def record(self, limit: str, *keys: str) -> None:
        """Count one hit against ``limit`` for these keys, never raising for it."""
        await self._fail_open(
            self._strategy.hit(self._item(limit), *[_safe_key(key) for key in keys]), limit
        )

    async def ping(self) -> bool:
        """Whether the store answers (always, in memory): the readiness check."""
        return await self._storage.check()

    async def _hit(self, limit: str, keys: tuple[str, ...], *, count: bool) -> None:
        item = self._item(limit)
        identifiers = [_safe_key(key) for key in keys]
        strategy = self._strategy
        if await (strategy.hit if count else strategy.test)(item, *identifiers):
            return
        stats = await strategy.get_window_stats(item, *identifiers)
        raise RateLimited(math.ceil(stats.reset_time - time.time()))

    async def _fail_open(self, operation: Awaitable[object], limit: str) -> None:
        try:
            await operation
        except StorageError as exc:
            now = time.monotonic()
            if now - self._warned_at >= _WARN_INTERVAL:
                self._warned_at = now
                _logger.warning(
                    "rate-limit store unavailable: limit %s not applied (%s)",
                    limit,
                    type(exc.storage_error).__name__,
                )

    async def close(self) -> None:
        if isinstance(self._storage, RedisStorage):
            # limits has no close(); the redis-py client behind its bridge has one.
            client = getattr(self._storage.bridge, "storage", None)
            aclose = getattr(client, "aclose", None)
            if aclose is not None:
                await aclose()
        elif self._storage.timer is not None:
            self._storage.timer.cancel()

    def _item(self, limit: str) -> limits.RateLimitItem:
        item = self._items.get(limit)
        if item is None:
            item = self._items[limit] = limits.parse(limit)
        return item


class _SweepingMemoryStorage(MemoryStorage):
    """limits' in-memory storage schedules its sweep of expired entries on every hit, and
    the sweep hops to a worker thread per key: a thread wake-up per request, about a fifth
    of a cheap request's CPU time (issue 9's profile). Sweeping at most once a second keeps
    memory bounded just the same; the limits themselves never depend on the sweep (a hit
    compares timestamps)."""

    _SWEEP_INTERVAL: Final = 1.0
    _next_sweep = 0.0

    async def _MemoryStorage__schedule_expiry(self) -> None:  # noqa: N802 (the base's hook)
        now = time.monotonic()
        if now >= self._next_sweep:
            self._next_sweep = now + self._SWEEP_INTERVAL
            await super()._MemoryStorage__schedule_expiry()  # type: ignore[misc]


def _async_uri(url: str) -> str:
    return url if url.startswith("async+") else f"async+{url}"


def _safe_key(key: str) -> str:
    """Keys are joined with "/" by limits and may be user input (a username): escape them
    so that two key tuples never collide, and bound their length in the store."""
    if len(key) <= _MAX_KEY_LENGTH and _UNRESERVED.issuperset(key):
        return key  # an IP address, "default", most usernames: nothing to escape
    escaped = quote(key, safe="")
    if len(escaped) <= _MAX_KEY_LENGTH:
        return escaped
    return "sha256:" + hashlib.sha256(key.encode()).hexdigest()


class DefaultRateLimit:
    """Applies ``limit`` per client address to every HTTP request outside ``exempt_paths``.

    ``limiter`` returns the running limiter; it is a callable because the limiter only
    exists once the lifespan has started, after the middleware stack was built.
    """

    def __init__(
        self,
        limiter: Callable[[], RateLimiter | None],
        limit: str,
        *,
        exempt_paths: Iterable[str] = EXEMPT_PATHS,
    ) -> None:
        self._limiter = limiter
        limits.parse(limit)  # a malformed limit fails at startup, not on the first request
        self._limit = limit
        self._exempt = frozenset(exempt_paths)

    async def hit(self, path: str, client: str) -> None:
        """Count a request to ``path`` (without the root path) from ``client``; raise
        ``RateLimited`` when the client is over the limit (the HTTP layer answers 429)."""
        if path in self._exempt:
            return
        limiter = self._limiter()
        if limiter is None:
            raise RuntimeError("The rate limiter is not running: was the app's lifespan started?")
        await limiter.hit(self._limit, "default", client)  # fails open (see RateLimiter)
