"""``X-Request-ID`` on every response, and in every log line of the request (issue 3).

A client's id is echoed only when it is well formed, so that a caller cannot inject
newlines, markup or megabytes into our logs through it; otherwise a fresh uuid4 is used.
The HTTP layer (``stack``) binds the id for the request and sets the response header,
replacing one the app may have set.
"""

from __future__ import annotations

import re
import uuid
from typing import Final

__all__ = ["REQUEST_ID_HEADER", "is_valid_request_id", "request_id_for"]

REQUEST_ID_HEADER = "X-Request-ID"
RAW_HEADER: Final = REQUEST_ID_HEADER.lower().encode()
_VALID_ID = re.compile(r"[A-Za-z0-9._-]{1,128}")


def is_valid_request_id(value: str) -> bool:
    return _VALID_ID.fullmatch(value) is not None


def request_id_for(incoming: str | None) -> str:
    """The id of a request that came with ``incoming`` (its ``X-Request-ID``, or ``None``)."""
    if incoming is not None and is_valid_request_id(incoming):
        return incoming
    return uuid.uuid4().hex
