"""Column types that behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Dialect
from sqlalchemy.dialects import postgresql
from sqlalchemy.types import TypeDecorator, TypeEngine

__all__ = ["UTCDateTime", "json_document", "utcnow"]


def utcnow() -> datetime:
    """The current time, timezone-aware UTC (the only kind of datetime we store)."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """``TIMESTAMP WITH TIME ZONE`` that always hands back aware UTC datetimes.

    PostgreSQL stores an instant and asyncpg returns it aware. SQLite has no such type:
    SQLAlchemy stores the text ``YYYY-MM-DD HH:MM:SS.ffffff`` (fixed width, so it also sorts
    chronologically) and reads it back naive. We therefore convert to UTC before storing and
    attach UTC when reading. Naive datetimes are refused: their meaning is a guess.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value!r}: pass a timezone-aware datetime")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(
        self,
        value: datetime | None,
        dialect: Dialect,  # noqa: ARG002  (the TypeDecorator signature)
    ) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def json_document() -> TypeEngine[Any]:
    """JSONB on PostgreSQL, JSON (text) on SQLite.

    JSONB first and the JSON variant second, in this order: the column's Python-side type is
    then JSONB, whose ``.contains()`` compiles to ``@>`` (served by a GIN index) on PostgreSQL.
    The reverse order turns ``.contains()`` into LIKE, which asyncpg rejects for a JSON value.
    """
    return postgresql.JSONB().with_variant(JSON(), "sqlite")
