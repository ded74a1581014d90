"""``X-Request-ID`` on every response, and in every log line of the request (issue 3).

A client's id is echoed only when it is well formed, so that a caller cannot inject
newlines, markup or megabytes into our logs through it; otherwise a fresh uuid4 is used.
"""

from __future__ import annotations

import re
import uuid

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .context import bind_request

__all__ = ["REQUEST_ID_HEADER", "RequestIdMiddleware", "is_valid_request_id"]

REQUEST_ID_HEADER = "X-Request-ID"
_VALID_ID = re.compile(r"[A-Za-z0-9._-]{1,128}")


def is_valid_request_id(value: str) -> bool:
    return _VALID_ID.fullmatch(value) is not None


class RequestIdMiddleware:
    """Pure ASGI middleware; install it outermost so every other layer sees the id."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = Headers(scope=scope).get(REQUEST_ID_HEADER)
        request_id = (
            incoming if incoming is not None and is_valid_request_id(incoming) else uuid.uuid4().hex
        )

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message)[REQUEST_ID_HEADER] = request_id
            await send(message)

        with bind_request(request_id):
            await self.app(scope, receive, send_with_id)
