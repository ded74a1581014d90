"""An item's stored state as one compact JSON text, and back.

Two readers need the same exact text: the Redis item cache stores it (``impl/cache.py``), and
the ``ETag`` of an item is a hash of it (``impl/handlers/conditional.py``), so every field that
can change (``updated_at`` included) changes both.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime

from .models import Item
from .queries import ItemRecord

__all__ = ["item_from_json", "item_json"]


def item_json(item: Item | ItemRecord) -> str:
    return json.dumps(
        [
            item.id,
            item.name,
            item.description,
            item.price,
            item.tags,
            str(item.owner_id),
            item.created_at.isoformat(),
            item.updated_at.isoformat(),
        ],
        ensure_ascii=False,
        separators=(",", ":"),
    )


def item_from_json(value: bytes | str) -> ItemRecord | None:
    """The record ``item_json`` wrote, or None when ``value`` is not one."""
    try:
        (item_id, name, description, price, tags, owner_id, created_at, updated_at) = json.loads(
            value
        )
        return ItemRecord(
            id=int(item_id),
            name=str(name),
            description=None if description is None else str(description),
            price=float(price),
            tags=[str(tag) for tag in tags],
            owner_id=uuid.UUID(owner_id),
            created_at=datetime.fromisoformat(created_at),
            updated_at=datetime.fromisoformat(updated_at),
        )
    except (ValueError, TypeError):
        return None
