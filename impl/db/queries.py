"""The hot paths in SQLAlchemy Core: one statement, one round trip each (issue 9).

``ItemQueries`` serves the public item reads and item creation, ``UserQueries`` the user
facts a bearer token check needs on every authenticated request, each on a connection from
``Database.autocommit()``. The ORM's unit of work, identity map and per-row instrumentation
cost more than the query itself on these paths, so they get plain ``ItemRecord`` rows; the
statements are built once at import time (SQLAlchemy caches their compiled form, asyncpg its
prepared statements per connection). Everything else keeps using the ORM repositories.

    async with db.autocommit() as connection:
        page, total = await ItemQueries(connection).page(offset=0, limit=10)

A page and its total come from one query: ``count(*) OVER ()`` counts every matching row
before OFFSET and LIMIT apply. Only a page past the end (no row to carry the total) costs a
second query for the count.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from sqlalchemy import (
    ColumnElement,
    Select,
    String,
    bindparam,
    exists,
    func,
    insert,
    literal,
    select,
)
from sqlalchemy.ext.asyncio import AsyncConnection

from .models import Item, User

__all__ = ["ItemQueries", "ItemRecord", "TokenHolder", "UserQueries", "has_tag"]


@dataclass(frozen=True, slots=True)
class ItemRecord:
    """An item row as the public reads and creation return it (not tracked by any session)."""

    id: int
    name: str
    description: str | None
    price: float
    tags: list[str]
    owner_id: uuid.UUID
    created_at: datetime
    updated_at: datetime


_items: Final = Item.__table__
# The order of ItemRecord's fields: rows become records positionally.
_COLUMNS: Final = tuple(_items.c[name] for name in ItemRecord.__dataclass_fields__)
_NEWEST_FIRST: Final = (_items.c.created_at.desc(), _items.c.id.desc())

_GET: Final = select(*_COLUMNS).where(_items.c.id == bindparam("item_id"))
_INSERT: Final = insert(Item).returning(*_COLUMNS)


def has_tag(dialect_name: str, tag: Any) -> ColumnElement[bool]:
    """``items.tags`` contains ``tag`` (a value or a bind parameter)."""
    if dialect_name == "postgresql":
        # `tags @> '["tag"]'::jsonb`, served by the GIN index ix_items_tags.
        return _items.c.tags.contains(func.jsonb_build_array(tag))
    # SQLite: JSON text; look inside it with json_each (no index; fine for the embedded DB).
    elements = func.json_each(_items.c.tags).table_valued("value")
    return exists(select(literal(1)).select_from(elements).where(elements.c.value == tag))


def _page(dialect_name: str, *, tagged: bool) -> Select[Any]:
    stmt = select(*_COLUMNS, func.count().over().label("total"))
    if tagged:
        stmt = stmt.where(has_tag(dialect_name, bindparam("tag", type_=String())))
    return stmt.order_by(*_NEWEST_FIRST).offset(bindparam("offset")).limit(bindparam("limit"))


def _count(dialect_name: str, *, tagged: bool) -> Select[Any]:
    stmt = select(func.count()).select_from(_items)
    if tagged:
        stmt = stmt.where(has_tag(dialect_name, bindparam("tag", type_=String())))
    return stmt


# Built once per (dialect, tagged): the statement objects are what SQLAlchemy's compiled
# cache is keyed on, so rebuilding them per request would cost a cache-key walk each time.
_PAGES: Final = {
    (dialect, tagged): _page(dialect, tagged=tagged)
    for dialect in ("postgresql", "sqlite")
    for tagged in (False, True)
}
_COUNTS: Final = {
    (dialect, tagged): _count(dialect, tagged=tagged)
    for dialect in ("postgresql", "sqlite")
    for tagged in (False, True)
}


class ItemQueries:
    """Works on the caller's connection; never commits (``Database.autocommit()`` does)."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection
        self._dialect = connection.dialect.name

    async def get(self, item_id: int) -> ItemRecord | None:
        row = (await self._connection.execute(_GET, {"item_id": item_id})).first()
        return None if row is None else ItemRecord(*row)

    async def page(
        self, *, offset: int, limit: int, tag: str | None = None
    ) -> tuple[list[ItemRecord], int]:
        """Newest first, stable under ties (``created_at DESC, id DESC``), and the number of
        items that match, whatever the page."""
        tagged = tag is not None
        params: dict[str, Any] = {"offset": offset, "limit": limit}
        if tagged:
            params["tag"] = tag
        rows = (await self._connection.execute(_PAGES[self._dialect, tagged], params)).all()
        if rows:
            return [ItemRecord(*row[:-1]) for row in rows], int(rows[0][-1])
        if offset == 0 and limit > 0:
            return [], 0  # nothing matches
        # A page past the end: no row carries the window count, so count separately.
        count = await self._connection.scalar(_COUNTS[self._dialect, tagged], params)
        return [], int(count or 0)

    async def insert(
        self,
        *,
        name: str,
        description: str | None,
        price: float,
        tags: Sequence[str],
        owner_id: uuid.UUID,
        created_at: datetime,
    ) -> ItemRecord:
        row = (
            await self._connection.execute(
                _INSERT,
                {
                    "name": name,
                    "description": description,
                    "price": price,
                    "tags": list(tags),
                    "owner_id": owner_id,
                    "created_at": created_at,
                    "updated_at": created_at,
                },
            )
        ).one()
        return ItemRecord(*row)


@dataclass(frozen=True, slots=True)
class TokenHolder:
    """What a bearer token check needs of the token's user (issue 8's revocation rules)."""

    is_active: bool
    token_version: int
    scopes: list[str]


_users: Final = User.__table__
_TOKEN_HOLDER: Final = select(_users.c.is_active, _users.c.token_version, _users.c.scopes).where(
    _users.c.id == bindparam("user_id")
)


class UserQueries:
    """Works on the caller's connection; never commits (``Database.autocommit()`` does)."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def token_holder(self, user_id: uuid.UUID) -> TokenHolder | None:
        row = (await self._connection.execute(_TOKEN_HOLDER, {"user_id": user_id})).first()
        return None if row is None else TokenHolder(*row)
