"""DeadlineMiddleware (issue 10): past REQUEST_TIMEOUT, the request is cancelled and 503.

Tiny ASGI apps in process (both CI passes). The limits are fractions of a second and the
slow apps wait on events that are never set: nothing here depends on how fast the machine is.
"""

from __future__ import annotations

import asyncio
import json
import logging

import pytest
from pydantic import ValidationError
from starlette.types import Message, Receive, Scope, Send

from impl.http.deadline import TIMEOUT_DETAIL, DeadlineMiddleware
from impl.settings import Settings

LIMIT = 0.05


class _App:
    """Sends ``before`` messages, then waits for ``release`` (never set unless a test sets
    it), then sends ``after``; records whether it was cancelled and cleaned up."""

    def __init__(self, before: list[Message] | None = None, after: list[Message] | None = None):
        self.before = before or []
        self.after = after or [
            {"type": "http.response.start", "status": 200, "headers": []},
            {"type": "http.response.body", "body": b"{}"},
        ]
        self.release = asyncio.Event()
        self.cancelled = False
        self.cleaned_up = False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            for message in self.before:
                await send(message)
            await self.release.wait()
            for message in self.after:
                await send(message)
        except asyncio.CancelledError:
            self.cancelled = True
            raise
        finally:
            self.cleaned_up = True


async def _call(app: DeadlineMiddleware, path: str = "/api/v1/items") -> list[Message]:
    sent: list[Message] = []
    scope: Scope = {"type": "http", "method": "GET", "path": path, "root_path": "", "headers": []}

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        sent.append(message)

    await app(scope, receive, send)
    return sent


async def test_a_request_past_the_limit_is_cancelled_and_answered_503(
    caplog: pytest.LogCaptureFixture,
) -> None:
    inner = _App()
    with caplog.at_level(logging.WARNING, logger="impl.http.deadline"):
        start, body = await _call(DeadlineMiddleware(inner, seconds=LIMIT))

    assert start["status"] == 503
    headers = dict(start["headers"])
    assert headers[b"content-type"] == b"application/json"
    assert headers[b"retry-after"] == b"1"
    assert int(headers[b"content-length"]) == len(body["body"])
    assert json.loads(body["body"]) == {"detail": TIMEOUT_DETAIL}
    assert body.get("more_body", False) is False
    assert inner.cancelled
    assert inner.cleaned_up  # its `finally`s (a rollback) ran
    [record] = caplog.records
    assert record.levelno == logging.WARNING
    assert "answered 503" in record.getMessage()


async def test_a_request_within_the_limit_is_untouched() -> None:
    inner = _App()
    inner.release.set()
    messages = await _call(DeadlineMiddleware(inner, seconds=60))
    assert messages == inner.after
    assert not inner.cancelled


async def test_after_the_response_started_the_response_is_left_unfinished(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Past the status line no 503 can be sent: the app returns with the body unfinished (the
    server then closes the connection) rather than a second start or a body that looks whole."""
    start = {"type": "http.response.start", "status": 200, "headers": []}
    first = {"type": "http.response.body", "body": b"[1,", "more_body": True}
    inner = _App(before=[start, first])
    with caplog.at_level(logging.WARNING, logger="impl.http.deadline"):
        messages = await _call(DeadlineMiddleware(inner, seconds=LIMIT))

    assert messages == [start, first]
    assert inner.cancelled
    [record] = caplog.records
    assert "connection closed" in record.getMessage()


@pytest.mark.parametrize("probe", ["/health", "/ready", "/metrics"])
async def test_probes_are_not_limited(probe: str) -> None:
    inner = _App()
    middleware = DeadlineMiddleware(inner, seconds=LIMIT)
    answering = asyncio.ensure_future(_call(middleware, probe))
    await asyncio.sleep(LIMIT * 4)  # well past the limit
    assert not answering.done()
    inner.release.set()
    assert (await answering)[0]["status"] == 200
    assert not inner.cancelled


async def test_the_apps_own_timeout_error_is_not_taken_for_the_limit() -> None:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        raise TimeoutError("a client library gave up")

    with pytest.raises(TimeoutError, match="client library"):
        await _call(DeadlineMiddleware(app, seconds=60))


async def test_other_scopes_pass_through() -> None:
    seen: list[str] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        await asyncio.sleep(LIMIT * 2)
        seen.append(scope["type"])

    async def receive() -> Message:
        return {"type": "lifespan.startup"}

    async def send(message: Message) -> None:
        pass

    await DeadlineMiddleware(app, seconds=LIMIT)({"type": "lifespan"}, receive, send)
    assert seen == ["lifespan"]


@pytest.mark.parametrize("seconds", [0, -1])
def test_the_limit_must_be_positive(seconds: float) -> None:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        pass

    with pytest.raises(ValueError, match="positive"):
        DeadlineMiddleware(app, seconds=seconds)
    with pytest.raises(ValidationError, match="request_timeout"):
        Settings(_env_file=None, environment="test", secret_key="x" * 32, request_timeout=seconds)  # type: ignore[call-arg, unused-ignore]


def test_the_default_is_thirty_seconds() -> None:
    settings = Settings(_env_file=None, environment="test", secret_key="x" * 32)  # type: ignore[call-arg, unused-ignore]
    assert settings.request_timeout == 30
