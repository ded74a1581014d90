"""A request body larger than ``MAX_BODY_BYTES`` is 413, answered before it is read whole.

Pure ASGI (issue 8: one 20 MB registration grew the process by ~120 MB and its 422 echoed it
all back). A declared ``Content-Length`` above the limit is answered at once, without calling
the app. A body without one (chunked) is counted while the app reads it: the chunk that goes
over the limit raises Starlette's ``HTTPException(413)`` from ``receive``. FastAPI re-raises
an ``HTTPException`` met while reading a body, and the error handlers render it as
``{"detail": ...}``. Both answers carry ``Connection: close``: the rest of the body is not
worth reading.
"""

from __future__ import annotations

from typing import Final

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["BodySizeLimitMiddleware", "too_large_detail"]

_CLOSE: Final = {"Connection": "close"}


def too_large_detail(max_bytes: int) -> str:
    return f"Request body too large: at most {max_bytes} bytes"


class BodySizeLimitMiddleware:
    """Install it inside the error-rendering layers (see ``stack``)."""

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        if max_bytes < 1:
            raise ValueError("max_bytes must be at least 1")
        self.app = app
        self._max = max_bytes
        self._detail = too_large_detail(max_bytes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length")
        # The server has already refused a malformed Content-Length (400); a digit string is
        # compared by length first, so a 10**9-digit one costs nothing to refuse.
        if declared is not None and declared.isdigit() and _exceeds(declared, self._max):
            response = JSONResponse({"detail": self._detail}, status_code=413, headers=_CLOSE)
            await response(scope, receive, send)
            return
        received = 0

        async def counted_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self._max:
                    raise HTTPException(413, detail=self._detail, headers=_CLOSE)
            return message

        await self.app(scope, counted_receive, send)


def _exceeds(digits: str, limit: int) -> bool:
    digits = digits.lstrip("0") or "0"
    bound = str(limit)
    return len(digits) > len(bound) or (len(digits) == len(bound) and digits > bound)
