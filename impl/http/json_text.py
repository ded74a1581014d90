"""JSON request bodies must decode to Unicode text: a lone UTF-16 surrogate is a 422.

RFC 8259 lets a JSON string escape any code unit, so ``"\\ud800"`` is syntactically valid
JSON, and Python's ``json`` module turns it into a ``str`` holding a lone surrogate. Such a
string is not Unicode text: encoding it (for the database driver, for argon2, for the JSON of
a 422 that echoes the input) raises ``UnicodeEncodeError``, which would surface as a 500.
The contract's strings are text, so such a body is invalid input like any malformed JSON.

The HTTP layer (``stack``) watches the request body while the app reads it, and only for
JSON media types (``is_json``): when the whole body holds an escaped surrogate that is not
half of a valid high-low pair, ``check_json_text`` raises ``json.JSONDecodeError`` from
``receive``. FastAPI is at that moment decoding the body, and answers exactly as for any
other undecodable JSON: 422 ``json_invalid``. Routes that never read the body (404, 405,
GET) are not affected.
"""

from __future__ import annotations

import email.message
import functools
import json
import re
from typing import Final

__all__ = ["check_json_text", "is_json", "lone_surrogate_at"]

# One escape sequence: "\uXXXX" or a backslash and the character it escapes. Scanning escapes
# left to right keeps "\\ud800" (an escaped backslash, then the text "ud800") apart from
# "\ud800".
_ESCAPE: Final = re.compile(rb"\\(?:u([0-9A-Fa-f]{4})|.)", re.DOTALL)
_LONE_SURROGATE: Final = "Lone UTF-16 surrogate in a JSON string: not Unicode text"


def lone_surrogate_at(body: bytes) -> int | None:
    """The offset of the first escaped surrogate in ``body`` that is not part of a valid
    high-low pair, or ``None``. Unescaped surrogates cannot occur: they are not valid UTF-8,
    and the JSON decoder already rejects such bytes."""
    if b"\\u" not in body:
        return None
    pending: tuple[int, int] | None = None  # (start, end) of a high surrogate awaiting its low
    for match in _ESCAPE.finditer(body):
        unit = int(match[1], 16) if match[1] is not None else None
        if pending is not None:
            start, end = pending
            if match.start() != end or unit is None or not 0xDC00 <= unit <= 0xDFFF:
                return start
            pending = None
            continue
        if unit is None:
            continue
        if 0xD800 <= unit <= 0xDBFF:
            pending = (match.start(), match.end())
        elif 0xDC00 <= unit <= 0xDFFF:
            return match.start()
    return pending[0] if pending is not None else None


def is_json(content_type: str | None) -> bool:
    """Whether FastAPI reads a body with this ``Content-Type`` as JSON."""
    if not content_type:
        return True  # FastAPI parses a body without a Content-Type as JSON
    if len(content_type) <= _CACHED_LENGTH:
        return _is_json_media_type(content_type)
    return _is_json_media_type.__wrapped__(content_type)


_CACHED_LENGTH: Final = 100


@functools.lru_cache(maxsize=32)  # bodies come with a few content types, over and over
def _is_json_media_type(content_type: str) -> bool:
    message = email.message.Message()
    message["content-type"] = content_type
    subtype = message.get_content_subtype()
    return message.get_content_maintype() == "application" and (
        subtype == "json" or subtype.endswith("+json")
    )


def check_json_text(body: bytes) -> None:
    """Raise ``json.JSONDecodeError`` when the JSON ``body`` is not Unicode text."""
    position = lone_surrogate_at(body)
    if position is not None:
        raise json.JSONDecodeError(_LONE_SURROGATE, body.decode("utf-8", "replace"), position)
