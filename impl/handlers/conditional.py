"""Conditional requests (RFC 9110 §8.8.3, §13.1.2): ``ETag`` and ``If-None-Match``.

An item's entity tag is a hash of every field the representation carries, so it is strong
(equal tags mean byte-equal bodies) and changes with each update (``updated_at`` is one of
the fields). It is computed from the row, wherever that came from (the database or the item
cache), and needs no column or migration.
"""

from __future__ import annotations

import hashlib
import re
from typing import Final

from impl.db import Item, ItemRecord, item_json

__all__ = ["entity_tag", "none_match"]

# One entity-tag of a list (empty elements allowed): optional W/, then a quoted opaque tag.
_TAG: Final = re.compile(r'[\s,]*(?:W/)?("[^"]*")[ \t]*(?:,|$)')


def entity_tag(item: Item | ItemRecord) -> str:
    content = item_json(item)
    return f'"{hashlib.blake2b(content.encode(), digest_size=16).hexdigest()}"'


def none_match(header: str, etag: str) -> bool:
    """True when ``If-None-Match`` matches ``etag``: ``*``, or a listed tag equal to it under
    the weak comparison (``W/`` ignored). A malformed list matches nothing; the request is
    then answered in full, which is always correct."""
    value = header.strip(" \t,")
    if value == "*":
        return True
    position = 0
    while position < len(value):
        match = _TAG.match(value, position)
        if match is None:
            return False
        if match.group(1) == etag:
            return True
        position = match.end()
    return False
