"""A request body larger than ``MAX_BODY_BYTES`` is 413, answered before it is read whole.

Issue 8: one 20 MB registration grew the process by ~120 MB and its 422 echoed it all back.
A declared ``Content-Length`` above the limit is answered at once, without calling the app
(``BodyLimit.declared_too_large``, then ``too_large``). A body without one (chunked) is
counted while the app reads it (the HTTP layer's ``receive``): the chunk that goes over the
limit raises Starlette's ``HTTPException(413)`` from ``receive`` (``BodyLimit.exceeded``).
FastAPI re-raises an ``HTTPException`` met while reading a body, and the error handlers render
it as ``{"detail": ...}``. Both answers carry ``Connection: close``: the rest of the body is
not worth reading.
"""

from __future__ import annotations

from typing import Final

from starlette.exceptions import HTTPException

from ._asgi import Header, json_answer

__all__ = ["BodyLimit", "too_large_detail"]

_CLOSE: Final = {"Connection": "close"}


def too_large_detail(max_bytes: int) -> str:
    return f"Request body too large: at most {max_bytes} bytes"


class BodyLimit:
    """Install it inside the error-rendering layers (see ``stack``)."""

    def __init__(self, max_bytes: int) -> None:
        if max_bytes < 1:
            raise ValueError("max_bytes must be at least 1")
        self.max_bytes = max_bytes
        self._detail = too_large_detail(max_bytes)
        self.too_large: tuple[int, list[Header], bytes] = json_answer(
            413, {"detail": self._detail}, _CLOSE
        )
        """The answer to a declared length above the limit: status, headers, body."""

    def declared_too_large(self, content_length: str | None) -> bool:
        """Whether a declared ``Content-Length`` is above the limit. The server has already
        refused a malformed one (400); a digit string is compared by length first, so a
        10**9-digit one costs nothing to refuse."""
        return (
            content_length is not None
            and content_length.isdigit()
            and _exceeds(content_length, self.max_bytes)
        )

    def exceeded(self) -> HTTPException:
        """What ``receive`` raises on the chunk that takes the body over the limit."""
        return HTTPException(413, detail=self._detail, headers=_CLOSE)


def _exceeds(digits: str, limit: int) -> bool:
    digits = digits.lstrip("0") or "0"
    bound = str(limit)
    return len(digits) > len(bound) or (len(digits) == len(bound) and digits > bound)
