"""The concurrency limit of the HTTP layer (issue 9): past the cap, 503 at once; probes
always pass; the count of requests in flight is readable."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable

import pytest
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from impl.http import HttpLayer, Metrics, RateLimiter
from impl.http.concurrency import BUSY_DETAIL, ConcurrencyLimit
from impl.http.stack import HttpConcerns
from impl.settings import Settings

Limited = Callable[[ASGIApp, int], HttpLayer]


@pytest.fixture
async def limited() -> AsyncIterator[Limited]:
    """``limited(app, n)``: ``app`` inside the HTTP layer, at most ``n`` requests at once."""
    settings = Settings(environment="test", secret_key="k" * 32, redis_url=None)
    limiter = await RateLimiter.create(settings)

    def make(app: ASGIApp, limit: int) -> HttpLayer:
        concerns = HttpConcerns.from_settings(
            settings.model_copy(update={"max_concurrent_requests": limit}),
            metrics=Metrics.create(),
            limiter=lambda: limiter,
        )
        return HttpLayer(app, concerns=concerns)

    yield make
    await limiter.close()


class _SlowApp:
    """Answers 200 once ``release`` is set; counts the requests it was given."""

    def __init__(self) -> None:
        self.release = asyncio.Event()
        self.calls = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.calls += 1
        await self.release.wait()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"{}"})


def _scope(path: str = "/api/v1/items") -> Scope:
    return {
        "type": "http",
        "method": "GET",
        "path": path,
        "root_path": "",
        "headers": [],
        "client": ("127.0.0.1", 1),
    }


def _in_flight(app: HttpLayer) -> int:
    return app._concerns.concurrency.in_flight


async def _call(app: HttpLayer, path: str = "/api/v1/items") -> list[Message]:
    sent: list[Message] = []

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        sent.append(message)

    await app(_scope(path), receive, send)
    return sent


async def test_requests_beyond_the_limit_get_503_with_retry_after_at_once(
    limited: Limited,
) -> None:
    inner = _SlowApp()
    app = limited(inner, 2)
    admitted = [asyncio.ensure_future(_call(app)) for _ in range(2)]
    await asyncio.sleep(0)

    refused = await asyncio.wait_for(_call(app), timeout=1)  # does not wait for the others

    start, body = refused
    assert start["status"] == 503
    headers = dict(start["headers"])
    assert headers[b"retry-after"] == b"1"
    assert headers[b"content-type"] == b"application/json"
    assert int(headers[b"content-length"]) == len(body["body"])
    assert json.loads(body["body"]) == {"detail": BUSY_DETAIL}
    assert inner.calls == 2  # the refused request never reached the app

    assert _in_flight(app) == 2  # what a gauge reads
    inner.release.set()
    assert [messages[0]["status"] for messages in await asyncio.gather(*admitted)] == [200, 200]
    assert _in_flight(app) == 0
    assert (await _call(app))[0]["status"] == 200  # room again


@pytest.mark.parametrize("probe", ["/health", "/ready", "/metrics"])
async def test_probes_are_never_refused(limited: Limited, probe: str) -> None:
    inner = _SlowApp()
    app = limited(inner, 1)
    busy = asyncio.ensure_future(_call(app))
    await asyncio.sleep(0)

    probing = asyncio.ensure_future(_call(app, probe))
    await asyncio.sleep(0)
    inner.release.set()

    assert (await probing)[0]["status"] == 200
    assert (await busy)[0]["status"] == 200


async def test_a_failing_request_frees_its_slot(limited: Limited) -> None:
    async def failing(scope: Scope, receive: Receive, send: Send) -> None:
        raise RuntimeError("boom")

    app = limited(failing, 1)
    assert (await _call(app))[0]["status"] == 500
    assert _in_flight(app) == 0
    assert (await _call(app))[0]["status"] == 500  # not 503: the slot is free again


def test_a_limit_below_one_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        ConcurrencyLimit(0)
