from __future__ import annotations

import logging
import socket
import uuid
from collections.abc import AsyncIterator, Callable

import httpx
import pytest
from limits.aio.storage import RedisStorage

from impl.errors import RateLimited
from impl.http import RateLimiter
from impl.settings import Settings

ClientFactory = Callable[..., httpx.AsyncClient]

REDIS_URL = "redis://127.0.0.1:6379/0"
UNREACHABLE_REDIS_URL = "redis://127.0.0.1:1/0"


def redis_is_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return True
    except OSError:
        return False


@pytest.fixture(params=["memory", "redis"])
async def any_limiter(
    request: pytest.FixtureRequest, settings_with: Callable[..., Settings]
) -> AsyncIterator[RateLimiter]:
    """The limiter on each storage; the Redis one against the real server."""
    if request.param == "redis":
        if not redis_is_up():
            pytest.skip(
                "Redis is not running at 127.0.0.1:6379 (issue 3: start it to test the store)"
            )
        settings = settings_with(redis_url=REDIS_URL)
    else:
        settings = settings_with()
    limiter = await RateLimiter.create(settings)
    yield limiter
    await limiter.close()


def unique() -> str:
    """Keys and client addresses unique per test: Redis keeps counts between runs."""
    return uuid.uuid4().hex


class TestRateLimiterHit:
    async def test_limit_is_exhausted_after_its_amount(self, any_limiter: RateLimiter) -> None:
        key = unique()
        await any_limiter.hit("2/minute", "login", key)
        await any_limiter.hit("2/minute", "login", key)
        with pytest.raises(RateLimited) as caught:
            await any_limiter.hit("2/minute", "login", key)
        assert caught.value.status_code == 429
        assert 1 <= caught.value.retry_after <= 60
        assert caught.value.headers == {"Retry-After": str(caught.value.retry_after)}

    async def test_keys_are_counted_separately(self, any_limiter: RateLimiter) -> None:
        client, alice, bob = unique(), unique(), unique()
        await any_limiter.hit("1/minute", "login", client, alice)
        await any_limiter.hit("1/minute", "login", client, bob)
        with pytest.raises(RateLimited):
            await any_limiter.hit("1/minute", "login", client, alice)

    async def test_keys_containing_the_separator_do_not_collide(
        self, any_limiter: RateLimiter
    ) -> None:
        prefix = unique()
        await any_limiter.hit("1/minute", f"{prefix}/a", "b")
        await any_limiter.hit("1/minute", prefix, "a/b")  # same string once joined by "/"

    async def test_huge_user_supplied_keys_are_accepted(self, any_limiter: RateLimiter) -> None:
        username = unique() + "x" * 100_000
        await any_limiter.hit("1/minute", "login", username)
        with pytest.raises(RateLimited):
            await any_limiter.hit("1/minute", "login", username)


class TestRateLimitMiddleware:
    async def test_default_limit_answers_429_with_retry_after(
        self,
        any_limiter: RateLimiter,
        make_client: ClientFactory,
        settings_with: Callable[..., Settings],
    ) -> None:
        http = make_client(
            settings_with(rate_limit_default="3/minute"), limiter=any_limiter, address=unique()
        )
        for _ in range(3):
            assert (await http.get("/ok")).status_code == 200
        response = await http.get("/ok", headers={"X-Request-ID": "limited-1"})
        assert response.status_code == 429
        assert response.json() == {"detail": "Too many requests"}
        assert 1 <= int(response.headers["Retry-After"]) <= 60
        assert response.headers["X-Request-ID"] == "limited-1"
        assert response.headers["X-Content-Type-Options"] == "nosniff"

    async def test_limit_is_per_client(
        self,
        make_client: ClientFactory,
        settings_with: Callable[..., Settings],
    ) -> None:
        settings = settings_with(rate_limit_default="1/minute")
        first = make_client(settings, address=unique())
        second = make_client(settings, address=unique())
        assert (await first.get("/ok")).status_code == 200
        assert (await first.get("/ok")).status_code == 429
        assert (await second.get("/ok")).status_code == 200

    @pytest.mark.parametrize(
        "path", ["/health", "/ready", "/metrics", "/openapi.json", "/docs", "/redoc"]
    )
    async def test_probes_and_docs_are_exempt(
        self, make_client: ClientFactory, settings_with: Callable[..., Settings], path: str
    ) -> None:
        http = make_client(settings_with(rate_limit_default="1/minute"), address=unique())
        statuses = {(await http.get(path)).status_code for _ in range(5)}
        assert 429 not in statuses

    async def test_handler_raised_rate_limit_is_rendered_too(
        self, client: httpx.AsyncClient
    ) -> None:
        response = await client.get("/limited")
        assert response.status_code == 429
        assert response.json() == {"detail": "Too many requests"}
        assert response.headers["Retry-After"] == "7"

    async def test_limiter_not_started_is_a_loud_500(self, make_client: ClientFactory) -> None:
        response = await make_client(limiter=None).get("/ok")
        assert response.status_code == 500
        assert response.json() == {"detail": "Internal server error"}


class TestRedisOutage:
    async def test_unreachable_redis_fails_at_startup(
        self, settings_with: Callable[..., Settings]
    ) -> None:
        with pytest.raises(RuntimeError, match="does not answer PING") as caught:
            await RateLimiter.create(settings_with(redis_url=UNREACHABLE_REDIS_URL))
        assert "127.0.0.1:1" not in str(caught.value)  # the URL may carry a password

    async def test_every_limit_fails_open_with_one_warning(
        self, make_client: ClientFactory, caplog: pytest.LogCaptureFixture
    ) -> None:
        # Issue 10: a Redis outage takes no request down, the login limit's included.
        broken = RateLimiter(
            RedisStorage(
                "async+" + UNREACHABLE_REDIS_URL, implementation="redispy", wrap_exceptions=True
            )
        )
        try:
            with caplog.at_level(logging.WARNING, logger="impl.http.ratelimit"):
                await broken.hit("1/minute", "login", "client", "alice")
                await broken.hit("1/minute", "login", "client", "alice")
                await broken.check("1/minute", "login-failed", "alice")
                await broken.record("1/minute", "login-failed", "alice")
                response = await make_client(limiter=broken).get("/ok")
            assert response.status_code == 200
            assert not await broken.ping()
            warnings = [r for r in caplog.records if r.name == "impl.http.ratelimit"]
            # One warning per interval, not one per request: an outage must not flood the log.
            assert len(warnings) == 1
            assert warnings[0].levelno == logging.WARNING
            assert "rate-limit store unavailable" in warnings[0].getMessage()
        finally:
            await broken.close()
