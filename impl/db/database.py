"""The async engine and the one way services reach the database: ``Database.transaction()``.

    async with db.transaction() as session:           # one transaction per service operation
        users = UserRepository(session)
        ...                                           # commit on exit, rollback on exception

SQLite (the embedded default) gets three fixes on every connection:

* ``PRAGMA foreign_keys=ON``: SQLite ignores foreign keys (and so ``ON DELETE CASCADE``)
  otherwise.
* SQLAlchemy, not the driver, emits ``BEGIN``: sqlite3's own transaction handling starts
  transactions only before DML, which breaks SAVEPOINT (and so the per-test rollback) and
  lets reads run outside the transaction.
* Write transactions begin with ``BEGIN IMMEDIATE``: they take the write lock up front and wait
  for it (busy timeout) instead of failing with "database is locked" when a read lock cannot be
  upgraded. Two concurrent registrations of one name then serialize and the second one meets
  the unique index (409), never a 500. Read-only transactions (``readonly=True``) use a
  deferred ``BEGIN`` and, with WAL, never wait for a writer.

PostgreSQL gets the pool settings (size, overflow, pre-ping, recycle) from ``Settings``.
Pre-ping is not a round trip on every checkout (issue 9: it was two of an item read's five):
only a connection that sat idle in the pool for ``PING_AFTER_IDLE_SECONDS`` is pinged, and
one that does not answer is replaced before anyone uses it. A connection that breaks within
that interval (the server restarted) fails the one statement it runs; SQLAlchemy then
invalidates the whole pool, so the next checkouts get fresh connections.

Outages (issue 10): on PostgreSQL (asyncpg) a connection attempt gives up after
``DB_CONNECT_TIMEOUT`` seconds, a statement after ``DB_COMMAND_TIMEOUT``, and waiting for a
pooled connection after ``DB_POOL_TIMEOUT``. Any such failure, a refused connection or one the
server dropped comes out of ``transaction()``/``autocommit()`` as ``DatabaseUnavailableError``
(a 503 with Retry-After), and the pool replaces the dead connections by itself: when the
database returns, the next requests succeed without a restart.

``Database.autocommit()`` is the hot path for operations that are one statement (an item
read, a page with its total, an insert): no BEGIN, no COMMIT, one round trip.
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from sqlalchemy import event
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.exc import DisconnectionError, IntegrityError
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import ConnectionPoolEntry, Pool, PoolProxiedConnection

from .errors import DatabaseUnavailableError, is_unavailable, translate

if TYPE_CHECKING:
    from impl.settings import Settings

__all__ = [
    "PING_AFTER_IDLE_SECONDS",
    "Database",
    "create_engine",
    "is_sqlite",
    "prepare_sqlite_file",
]

PING_AFTER_IDLE_SECONDS: Final = 10.0
"""A pooled connection idle for longer is pinged at checkout (``pool_pre_ping=True``)."""
_CHECKED_IN_AT: Final = "x_checked_in_at"  # connection record info key
_UNAVAILABLE_LOG_INTERVAL: Final = 5.0
"""During an outage every request fails the same way: one warning per interval is enough."""

_logger = logging.getLogger(__name__)

# Connection execution option read by the SQLite "begin" hook below.
_SQLITE_BEGIN: Final = "x_sqlite_begin"
_BEGIN_STATEMENTS: Final = {"DEFERRED": "BEGIN", "IMMEDIATE": "BEGIN IMMEDIATE"}


def is_sqlite(url: str | URL) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def prepare_sqlite_file(url: str | URL) -> None:
    """Create the directory of a SQLite database file (``./var/`` by default) if missing."""
    parsed = make_url(url)
    database = parsed.database
    if (
        parsed.get_backend_name() != "sqlite"
        or not database
        or database == ":memory:"
        or database.startswith("file:")  # URI filenames: left to the caller
    ):
        return
    Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)


def create_engine(
    url: str | URL,
    *,
    pool_size: int = 15,
    max_overflow: int = 0,
    pool_pre_ping: bool = True,
    pool_recycle: int = 1800,
    echo: bool = False,
    pool_timeout: float = 30.0,
    connect_timeout: float | None = None,
    command_timeout: float | None = None,
    poolclass: type[Pool] | None = None,
    connect_args: Mapping[str, Any] | None = None,
) -> AsyncEngine:
    """An ``AsyncEngine`` with our per-backend setup; pool settings apply to PostgreSQL only,
    the two timeouts to asyncpg only (its ``timeout`` and ``command_timeout``)."""
    args = dict(connect_args or {})
    if make_url(url).get_driver_name() == "asyncpg":
        if connect_timeout is not None:
            args.setdefault("timeout", connect_timeout)
        if command_timeout is not None:
            args.setdefault("command_timeout", command_timeout)
    kwargs: dict[str, Any] = {"echo": echo, "connect_args": args}
    if poolclass is not None:
        kwargs["poolclass"] = poolclass
    if is_sqlite(url):
        prepare_sqlite_file(url)
        engine = create_async_engine(url, **kwargs)
        _install_sqlite_hooks(engine)
        return engine
    kwargs["pool_recycle"] = pool_recycle
    if poolclass is None:
        kwargs["pool_size"] = pool_size
        kwargs["max_overflow"] = max_overflow
        kwargs["pool_timeout"] = pool_timeout
    engine = create_async_engine(url, **kwargs)
    if pool_pre_ping:
        _install_idle_ping(engine)
    return engine


def _install_idle_ping(engine: AsyncEngine) -> None:
    """Pre-ping only connections that were idle for ``PING_AFTER_IDLE_SECONDS`` (SQLAlchemy's
    own ``pool_pre_ping`` pings at every checkout: a round trip per operation)."""

    @event.listens_for(engine.sync_engine, "checkin")
    def _on_checkin(_dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
        record.info[_CHECKED_IN_AT] = time.monotonic()

    @event.listens_for(engine.sync_engine, "checkout")
    def _on_checkout(
        dbapi_connection: Any, record: ConnectionPoolEntry, _proxy: PoolProxiedConnection
    ) -> None:
        checked_in_at = record.info.get(_CHECKED_IN_AT)
        if checked_in_at is None or time.monotonic() - checked_in_at < PING_AFTER_IDLE_SECONDS:
            return  # brand new, or recently proven alive
        try:
            dbapi_connection.ping()
        except Exception as error:
            # The documented way to have the pool discard this connection and retry with a
            # fresh one (up to three times) before the caller ever sees it.
            raise DisconnectionError("the pooled connection did not answer a ping") from error


def _install_sqlite_hooks(engine: AsyncEngine) -> None:
    database = engine.url.database
    file_backed = bool(database) and database != ":memory:"

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Driver-level autocommit: the "begin" hook below emits BEGIN itself.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA foreign_keys=ON")
            if file_backed:
                # Readers do not block the writer, nor the writer readers.
                cursor.execute("PRAGMA journal_mode=WAL")
        finally:
            cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Connection) -> None:
        options = connection.get_execution_options()
        if options.get("isolation_level") == "AUTOCOMMIT":
            return  # Database.autocommit(): each statement on its own, no BEGIN
        connection.exec_driver_sql(_BEGIN_STATEMENTS[options.get(_SQLITE_BEGIN, "DEFERRED")])


class Database:
    """Sessions for the services: one ``transaction()`` per service operation.

    ``Database(engine)`` (or ``Database.from_settings(settings)``) is what the app uses.
    ``Database(connection)`` is for tests: every transaction becomes a SAVEPOINT inside the
    connection's outer transaction, which the test rolls back; the caller owns the connection.
    """

    def __init__(self, bind: AsyncEngine | AsyncConnection) -> None:
        self.dialect_name: str = bind.dialect.name
        self._unavailable_logged_at = -_UNAVAILABLE_LOG_INTERVAL
        self._bound_engine = bind.engine if isinstance(bind, AsyncConnection) else bind
        if isinstance(bind, AsyncConnection):
            self._engine: AsyncEngine | None = None
            self._connection: AsyncConnection | None = bind
            sessions = async_sessionmaker(
                bind, expire_on_commit=False, join_transaction_mode="create_savepoint"
            )
            self._write_sessions = self._read_sessions = sessions
            return
        self._engine = bind
        self._connection = None
        # Each statement is its own transaction (PostgreSQL and SQLite alike): no BEGIN/COMMIT.
        self._autocommit_engine = bind.execution_options(isolation_level="AUTOCOMMIT")
        write_bind = bind
        if self.dialect_name == "sqlite":
            write_bind = bind.execution_options(**{_SQLITE_BEGIN: "IMMEDIATE"})
        self._write_sessions = async_sessionmaker(write_bind, expire_on_commit=False)
        self._read_sessions = async_sessionmaker(bind, expire_on_commit=False)

    @property
    def engine(self) -> AsyncEngine:
        """The engine behind the sessions (for a ``Database(connection)``, the connection's)."""
        return self._bound_engine

    @classmethod
    def from_settings(cls, settings: Settings) -> Database:
        return cls(
            create_engine(
                settings.database_url,
                pool_size=settings.db_pool_size,
                max_overflow=settings.db_max_overflow,
                pool_pre_ping=settings.db_pool_pre_ping,
                pool_recycle=settings.db_pool_recycle,
                pool_timeout=settings.db_pool_timeout,
                connect_timeout=settings.db_connect_timeout,
                command_timeout=settings.db_command_timeout,
                echo=settings.db_echo,
            )
        )

    @asynccontextmanager
    async def transaction(self, *, readonly: bool = False) -> AsyncIterator[AsyncSession]:
        """A session in a transaction: committed on normal exit, rolled back on an exception.

        ``readonly=True`` is a promise not to write (on SQLite it begins without taking the
        write lock). An ``IntegrityError`` from a flush or the commit comes out as an
        ``impl.db.errors.IntegrityViolationError``; a lost database a
        ``DatabaseUnavailableError``.
        """
        sessions = self._read_sessions if readonly else self._write_sessions
        try:
            async with sessions.begin() as session:
                yield session
        except IntegrityError as exc:
            raise translate(exc) from exc
        except Exception as exc:
            if not is_unavailable(exc, self.dialect_name):
                raise
            raise self._unavailable(exc) from exc

    @asynccontextmanager
    async def autocommit(self) -> AsyncIterator[AsyncConnection]:
        """A Core connection outside any explicit transaction, for an operation that is one
        statement: it commits (or fails) on its own, in one round trip.

        Only for single statements: two statements here see two different snapshots and are
        not undone together. Errors come out as in ``transaction()``. On a
        ``Database(connection)`` (tests) the statement runs in a SAVEPOINT of the outer
        transaction instead, so a failed statement does not abort the test's transaction.
        """
        try:
            if self._connection is not None:
                async with self._connection.begin_nested():
                    yield self._connection
                return
            async with self._autocommit_engine.connect() as connection:
                yield connection
        except IntegrityError as exc:
            raise translate(exc) from exc
        except Exception as exc:
            if not is_unavailable(exc, self.dialect_name):
                raise
            raise self._unavailable(exc) from exc

    def _unavailable(self, exc: Exception) -> DatabaseUnavailableError:
        now = time.monotonic()
        if now - self._unavailable_logged_at >= _UNAVAILABLE_LOG_INTERVAL:
            self._unavailable_logged_at = now
            # The error's class and text (host and port, never a password: the log formatter
            # redacts URLs' credentials); no traceback, it is not a bug.
            _logger.warning("database unavailable: answering 503 (%s: %s)", type(exc).__name__, exc)
        return DatabaseUnavailableError()

    async def dispose(self) -> None:
        """Close the pool (the app's shutdown). A no-op for a ``Database(connection)``."""
        if self._engine is not None:
            await self._engine.dispose()
