"""Items: public reads; writes by the owner or an admin.

The public reads and creation are one statement each and run on ``Database.autocommit()``
through the Core queries (``ItemRecord``s, one round trip); replacing and deleting keep the
ORM repository inside a transaction (they lock the row, then check ownership).

With an ``ItemCache`` (REDIS_URL), ``get`` reads through it, and ``replace`` and ``delete``
invalidate the item once their transaction has ended, before they return (so before the
write is acknowledged); ``impl/cache.py`` explains why no worker then serves the old row.
Ownership is never taken from the cache: writes check it on the locked database row.
"""

from __future__ import annotations

from collections.abc import Sequence

from impl.db import (
    ITEM_ID_MAX,
    Database,
    ForeignKeyViolationError,
    Item,
    ItemQueries,
    ItemRecord,
    ItemRepository,
    utcnow,
)
from impl.errors import Forbidden, NotFound, Unauthorized

from .actor import Actor
from .cache import ItemCache

__all__ = ["ItemService"]


class ItemService:
    def __init__(self, db: Database, cache: ItemCache | None = None) -> None:
        self._db = db
        self._cache = cache

    async def list(
        self, *, skip: int, limit: int, tag: str | None = None
    ) -> tuple[Sequence[ItemRecord], int]:
        """A page, newest first (ties broken by id, newest first), and the total count, from
        one query."""
        if tag is not None and "\x00" in tag:
            return [], 0  # no tag has one, and PostgreSQL's jsonb cannot hold it
        async with self._db.autocommit() as connection:
            return await ItemQueries(connection).page(offset=skip, limit=limit, tag=tag)

    async def create(
        self,
        actor: Actor,
        *,
        name: str,
        description: str | None,
        price: float,
        tags: Sequence[str],
    ) -> ItemRecord:
        """A new item owned by the actor (never by an owner taken from the input): one
        INSERT ... RETURNING."""
        try:
            async with self._db.autocommit() as connection:
                return await ItemQueries(connection).insert(
                    name=name,
                    description=description,
                    price=price,
                    tags=tags,
                    owner_id=actor.user_id,
                    created_at=utcnow(),
                )
        except ForeignKeyViolationError as exc:
            # The actor's account was deleted after their token was checked: the token no
            # longer stands for anyone (401 is documented for createItem; 409 is not).
            raise Unauthorized() from exc

    async def get(self, item_id: int) -> ItemRecord:
        if not 1 <= item_id <= ITEM_ID_MAX:
            raise NotFound("Item not found")  # cannot exist; also keeps asyncpg from overflowing
        cache = self._cache
        miss = None
        if cache is not None:
            found = await cache.read(item_id)
            if isinstance(found, ItemRecord):
                return found
            miss = found
        async with self._db.autocommit() as connection:
            item = await ItemQueries(connection).get(item_id)
        if item is None:
            raise NotFound("Item not found")  # never cached: a 404 costs one query
        if cache is not None and miss is not None and miss.lease is not None:
            await cache.fill(item_id, miss.lease, item)
        return item

    async def replace(
        self,
        actor: Actor,
        item_id: int,
        *,
        name: str,
        description: str | None,
        price: float,
        tags: Sequence[str],
    ) -> Item:
        """PUT: replaces name, description, price and tags. NotFound is checked before
        ownership (the contract: 404 for a missing item even for a non-owner), then Forbidden
        unless the actor owns the item or is an admin."""
        changing = False
        try:
            async with self._db.transaction() as session:
                items = ItemRepository(session)
                item = await self._get_owned(items, actor, item_id)
                changing = True
                item.name = name
                item.description = description
                item.price = price
                item.tags = list(tags)
                item.updated_at = utcnow()
                await items.flush()
        finally:
            # After the commit (or a failed one, which may still have committed): before
            # the answer either way.
            if changing:
                await self._invalidate(item_id)
        return item

    async def delete(self, actor: Actor, item_id: int) -> None:
        """NotFound before ownership, as in ``replace``."""
        changing = False
        try:
            async with self._db.transaction() as session:
                items = ItemRepository(session)
                item = await self._get_owned(items, actor, item_id)
                changing = True
                await items.delete(item)
        finally:
            if changing:
                await self._invalidate(item_id)

    async def _invalidate(self, item_id: int) -> None:
        if self._cache is not None:
            await self._cache.invalidate([item_id])

    @staticmethod
    async def _get_owned(items: ItemRepository, actor: Actor, item_id: int) -> Item:
        if not 1 <= item_id <= ITEM_ID_MAX:
            raise NotFound("Item not found")
        item = await items.get(item_id, for_update=True)
        if item is None:
            raise NotFound("Item not found")
        if item.owner_id != actor.user_id and not actor.is_admin:
            raise Forbidden("Not enough permissions")
        return item
