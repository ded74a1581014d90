"""Integrity errors in backend-neutral terms, so services never catch SQLAlchemy exceptions.

    IntegrityViolationError           any constraint the database refused
    ├── UniqueViolationError          a unique index (username, email)
    └── ForeignKeyViolationError      a reference to a row that is gone (an item's deleted owner)

``Database.transaction()`` raises these (chained to the driver's error) in place of
SQLAlchemy's ``IntegrityError``, whether it surfaced at a flush or at the commit.
"""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError

__all__ = [
    "ForeignKeyViolationError",
    "IntegrityViolationError",
    "UniqueViolationError",
    "translate",
]

# PostgreSQL SQLSTATEs (asyncpg, exposed by SQLAlchemy's adapter as `sqlstate`).
_PG_UNIQUE = "23505"
_PG_FOREIGN_KEY = "23503"


class IntegrityViolationError(Exception):
    """The database refused a write because of a constraint."""


class UniqueViolationError(IntegrityViolationError):
    pass


class ForeignKeyViolationError(IntegrityViolationError):
    pass


def translate(exc: IntegrityError) -> IntegrityViolationError:
    orig = exc.orig
    sqlstate = getattr(orig, "sqlstate", None)
    # sqlite3 (3.11+) names the extended result code; the message is the fallback.
    errorname = getattr(orig, "sqlite_errorname", None)
    message = str(orig)
    if (
        sqlstate == _PG_UNIQUE
        or errorname in {"SQLITE_CONSTRAINT_UNIQUE", "SQLITE_CONSTRAINT_PRIMARYKEY"}
        or "UNIQUE constraint failed" in message
    ):
        return UniqueViolationError(message)
    if (
        sqlstate == _PG_FOREIGN_KEY
        or errorname == "SQLITE_CONSTRAINT_FOREIGNKEY"
        or "FOREIGN KEY constraint failed" in message
    ):
        return ForeignKeyViolationError(message)
    return IntegrityViolationError(message)
