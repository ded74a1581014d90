"""ORM rows. Tables are plural snake_case; every ``_at`` column is timezone-aware UTC.

There are no ORM relationships: repositories query explicitly, and ``ON DELETE CASCADE`` on
``items.owner_id`` lets the database remove a deleted user's items.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Double,
    ForeignKey,
    Identity,
    Index,
    Integer,
    String,
    Uuid,
    func,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base
from .types import UTCDateTime, json_document, utcnow

__all__ = ["ITEM_ID_MAX", "Item", "User"]

ITEM_ID_MAX = 2**63 - 1
"""Largest item id: ``items.id`` is a signed 64-bit integer on both backends."""


class User(Base):
    __tablename__ = "users"

    id: Mapped[uuid.UUID] = mapped_column(Uuid(), primary_key=True, default=uuid.uuid4)
    username: Mapped[str] = mapped_column(String(32))
    email: Mapped[str] = mapped_column(String(320))
    full_name: Mapped[str | None] = mapped_column(String(100))
    hashed_password: Mapped[str] = mapped_column(String(255))
    is_active: Mapped[bool] = mapped_column(Boolean(), default=True, server_default=true())
    # A sorted JSON list of scope names (portable: JSONB on PostgreSQL, JSON text on SQLite).
    scopes: Mapped[list[str]] = mapped_column(json_document(), default=list)
    # Tokens carry the value current when they were issued; a password change or a
    # deactivation increments it, which ends every token issued before (issue 8).
    token_version: Mapped[int] = mapped_column(Integer(), default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    __table_args__ = (
        # The contract: usernames and emails are unique regardless of case, and the database
        # (not a check-then-insert in Python) enforces it, so concurrent inserts cannot both win.
        Index("uq_users_lower_username", func.lower(username), unique=True),
        Index("uq_users_lower_email", func.lower(email), unique=True),
    )

    def __repr__(self) -> str:
        return f"User(id={self.id!s}, username={self.username!r})"


class Item(Base):
    __tablename__ = "items"

    # BIGINT identity on PostgreSQL; on SQLite the rowid alias (INTEGER PRIMARY KEY, also
    # 64-bit) with AUTOINCREMENT, so the id of a deleted item is never handed out again.
    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"), Identity(), primary_key=True
    )
    name: Mapped[str] = mapped_column(String(100))
    description: Mapped[str | None] = mapped_column(String(1000))
    price: Mapped[float] = mapped_column(Double())
    tags: Mapped[list[str]] = mapped_column(json_document(), default=list)
    owner_id: Mapped[uuid.UUID] = mapped_column(
        Uuid(), ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    __table_args__ = (
        # listItems: newest first, ties broken by id (a backward scan of this index).
        Index("ix_items_created_at_id", created_at, id),
        # listItems?tag=: `tags @> '["tag"]'` on PostgreSQL. jsonb_path_ops supports only
        # containment, which is all we ask of it, and is smaller and faster than jsonb_ops.
        Index(
            "ix_items_tags",
            tags,
            postgresql_using="gin",
            postgresql_ops={"tags": "jsonb_path_ops"},
            info={"only_on": "postgresql"},  # read by the migrations' autogenerate filter
        ).ddl_if(dialect="postgresql"),
        {"sqlite_autoincrement": True},
    )

    def __repr__(self) -> str:
        return f"Item(id={self.id!r}, name={self.name!r})"
