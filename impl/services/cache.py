"""The item cache port: what ``ItemService`` asks of a read-through cache (issue 10).

The adapter is ``impl.cache.RedisItemCache``; its docstring explains how a read after an
acknowledged write never sees stale data from any worker. The contract between the two:

* ``read`` answers the cached row, or a ``CacheMiss`` whose ``lease`` (when not None) lets
  this reader ``fill`` the cache with what it then reads from the database;
* ``fill`` stores the row only if no write has invalidated the item since the lease was
  given (else it silently does nothing);
* ``invalidate`` runs after a write has committed, before it is acknowledged.

None of them raises: a cache that fails is a cache that misses (the adapter logs it). The
cache holds rows, never decisions: who may change or delete an item is checked on the
database's row, inside the writing transaction, every time.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from impl.db import ItemRecord

__all__ = ["CacheMiss", "ItemCache"]


@dataclass(frozen=True, slots=True)
class CacheMiss:
    lease: str | None


class ItemCache(Protocol):
    async def read(self, item_id: int) -> ItemRecord | CacheMiss: ...

    async def fill(self, item_id: int, lease: str, item: ItemRecord) -> None: ...

    async def invalidate(self, item_ids: Iterable[int]) -> None: ...
