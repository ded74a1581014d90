"""Database errors in backend-neutral terms, so services never catch SQLAlchemy exceptions.

    IntegrityViolationError           any constraint the database refused
    ├── UniqueViolationError          a unique index (username, email)
    └── ForeignKeyViolationError      a reference to a row that is gone (an item's deleted owner)

    impl.errors.ServiceUnavailable
    └── DatabaseUnavailableError      the database cannot be reached (503, Retry-After)

``Database.transaction()`` and ``autocommit()`` raise these (chained to the driver's error) in
place of SQLAlchemy's ``IntegrityError``, whether it surfaced at a flush or at the commit,
and of a connection failure (``is_unavailable``). The latter is a ``ServiceUnavailable``
(issue 10): no service has to catch it, and every operation answers the contract's shared
503 ``{"detail": ...}`` with ``Retry-After`` while the database is away, never a 500.
"""

from __future__ import annotations

import asyncpg  # type: ignore[import-untyped]  # no py.typed
from sqlalchemy import exc as sa_exc
from sqlalchemy.exc import IntegrityError

from impl.errors import ServiceUnavailable

__all__ = [
    "DATABASE_UNAVAILABLE",
    "DatabaseUnavailableError",
    "ForeignKeyViolationError",
    "IntegrityViolationError",
    "UniqueViolationError",
    "is_unavailable",
    "translate",
]

DATABASE_UNAVAILABLE = "Database unavailable; retry shortly"


class DatabaseUnavailableError(ServiceUnavailable):
    """The database could not be reached or dropped the connection; nothing was committed
    unless the failure struck after the COMMIT was sent (then the client cannot know, as
    with any network failure, and a retry of a create may find a conflict)."""

    default_detail = DATABASE_UNAVAILABLE


# asyncpg's errors for a server that is going away, starting or full; SQLAlchemy usually wraps
# them (then ``connection_invalidated`` or the wrapper's class says so) but not always at connect.
_ASYNCPG_UNAVAILABLE = (
    asyncpg.exceptions.PostgresConnectionError,
    asyncpg.exceptions.ConnectionDoesNotExistError,
    asyncpg.exceptions.CannotConnectNowError,
    asyncpg.exceptions.AdminShutdownError,
    asyncpg.exceptions.CrashShutdownError,
    asyncpg.exceptions.TooManyConnectionsError,
)


def is_unavailable(exc: BaseException, dialect_name: str) -> bool:
    """Whether ``exc`` means "the database is not there" rather than a bug: a refused or
    timed-out connection (``OSError``, ``TimeoutError``, the driver's ``timeout`` and
    ``command_timeout``), a connection the server dropped, the pool's own timeout
    (``DB_POOL_TIMEOUT``). On SQLite an ``OperationalError`` is a local fault ("no such
    table"), not an outage, and stays a 500."""
    if isinstance(
        exc,
        OSError | TimeoutError | sa_exc.TimeoutError | sa_exc.DisconnectionError,
    ):
        return True
    if isinstance(exc, _ASYNCPG_UNAVAILABLE):
        return True
    if isinstance(exc, sa_exc.DBAPIError):
        if exc.connection_invalidated:
            return True
        if dialect_name != "sqlite" and isinstance(
            exc, sa_exc.OperationalError | sa_exc.InterfaceError
        ):
            return True
        # The driver's own error, and the asyncpg error the SQLAlchemy adapter wraps.
        orig = exc.orig
        for inner in (orig, getattr(orig, "__cause__", None)):
            if isinstance(inner, (OSError, TimeoutError, *_ASYNCPG_UNAVAILABLE)):
                return True
    return False


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
