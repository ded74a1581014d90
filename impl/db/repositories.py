"""All SQL lives here. Repositories work inside the caller's session and never commit."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import delete, func, literal, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from .models import Item, User
from .queries import has_tag

__all__ = ["HealthRepository", "ItemRepository", "UserRepository"]


class UserRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, user_id: uuid.UUID, *, for_update: bool = False) -> User | None:
        """``for_update`` locks the row (PostgreSQL; SQLite's write lock covers it already),
        so a concurrent delete cannot slip between this read and the caller's update."""
        return await self._session.get(User, user_id, with_for_update=for_update)

    async def get_by_username(self, username: str, *, for_update: bool = False) -> User | None:
        """Case-insensitive, like the unique index it uses (``uq_users_lower_username``)."""
        stmt = select(User).where(func.lower(User.username) == func.lower(username))
        if for_update:
            stmt = stmt.with_for_update()
        return (await self._session.scalars(stmt)).one_or_none()

    async def get_by_email(self, email: str, *, for_update: bool = False) -> User | None:
        """Case-insensitive, like the unique index it uses (``uq_users_lower_email``)."""
        stmt = select(User).where(func.lower(User.email) == func.lower(email))
        if for_update:
            stmt = stmt.with_for_update()
        return (await self._session.scalars(stmt)).one_or_none()

    async def list(self, *, offset: int, limit: int) -> Sequence[User]:
        """Oldest first, ties broken by id: a stable order for paging."""
        stmt = select(User).order_by(User.created_at, User.id).offset(offset).limit(limit)
        return (await self._session.scalars(stmt)).all()

    async def count(self) -> int:
        return (await self._session.scalar(select(func.count()).select_from(User))) or 0

    async def add(self, user: User) -> User:
        """Insert now (flush), so a unique-index violation surfaces inside the transaction."""
        self._session.add(user)
        await self._session.flush()
        return user

    async def flush(self) -> None:
        await self._session.flush()

    async def replace_password_hash(
        self, user_id: uuid.UUID, *, old_hash: str, new_hash: str
    ) -> bool:
        """Compare-and-set: only if the stored hash is still ``old_hash`` (no lost update when
        the password was changed while the old one was being verified)."""
        stmt = (
            update(User)
            .where(User.id == user_id, User.hashed_password == old_hash)
            .values(hashed_password=new_hash)
            .returning(User.id)
            .execution_options(synchronize_session=False)
        )
        return (await self._session.scalar(stmt)) is not None

    async def delete(self, user_id: uuid.UUID) -> bool:
        """Delete by id; the database cascades to the user's items. False if there was none."""
        stmt = (
            delete(User)
            .where(User.id == user_id)
            .returning(User.id)
            .execution_options(synchronize_session=False)
        )
        return (await self._session.scalar(stmt)) is not None


class ItemRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, item_id: int, *, for_update: bool = False) -> Item | None:
        """``for_update``: as in ``UserRepository.get``."""
        return await self._session.get(Item, item_id, with_for_update=for_update)

    async def count(self, *, tag: str | None = None, owner_id: uuid.UUID | None = None) -> int:
        stmt = select(func.count()).select_from(Item)
        if tag is not None:
            stmt = stmt.where(has_tag(self._session.get_bind().dialect.name, tag))
        if owner_id is not None:
            stmt = stmt.where(Item.owner_id == owner_id)
        return (await self._session.scalar(stmt)) or 0

    async def ids_owned_by(self, owner_id: uuid.UUID) -> list[int]:
        stmt = select(Item.id).where(Item.owner_id == owner_id)
        return list((await self._session.scalars(stmt)).all())

    async def add(self, item: Item) -> Item:
        self._session.add(item)
        await self._session.flush()
        return item

    async def flush(self) -> None:
        await self._session.flush()

    async def delete(self, item: Item) -> None:
        await self._session.delete(item)
        await self._session.flush()


class HealthRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def ping(self) -> bool:
        return (await self._session.scalar(select(literal(1)))) == 1
