"""Services wired to the rolled-back ``db`` (see tests/conftest.py), and real databases.

* ``user_service``, ``auth_service``, ``item_service``, ``health_service``: on ``db``.
* ``isolated_engine`` / ``isolated_database``: a real engine and ``Database`` (own pool, real
  commits, concurrent sessions) on a fresh migrated schema of the suite's backend, removed
  afterwards: a new SQLite file, or a new PostgreSQL schema in the ``TEST_DATABASE_URL``
  database (selected per connection with ``search_path``). For tests that need concurrency,
  which the single rolled-back connection cannot give.
* ``sqlite_database``: the same on SQLite whatever the suite's backend (the embedded default).
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.pool import NullPool

from impl.db import Database, create_engine
from impl.db.database import is_sqlite
from impl.db.migrate import upgrade
from impl.security import PasswordHasher, TokenCodec
from impl.services import AuthService, HealthService, ItemService, UserService

POOL_SIZE = 20


@pytest.fixture
def user_service(db: Database, hasher: PasswordHasher) -> UserService:
    return UserService(db, hasher)


@pytest.fixture
def auth_service(db: Database, hasher: PasswordHasher, codec: TokenCodec) -> AuthService:
    return AuthService(db, hasher, codec)


@pytest.fixture
def item_service(db: Database) -> ItemService:
    return ItemService(db)


@pytest.fixture
def health_service(db: Database) -> HealthService:
    return HealthService(db)


@asynccontextmanager
async def _fresh_engine(base_url: str, directory: Path) -> AsyncIterator[AsyncEngine]:
    if is_sqlite(base_url):
        engine = create_engine(f"sqlite+aiosqlite:///{directory / 'fresh' / 'app.db'}")
        try:
            await upgrade(engine)
            yield engine
        finally:
            await engine.dispose()
        return

    schema = f"test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base_url, poolclass=NullPool)
    async with admin.connect() as connection:
        autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
        await autocommit.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    engine = create_engine(
        base_url,
        pool_size=POOL_SIZE,
        max_overflow=0,
        connect_args={"server_settings": {"search_path": schema}},
    )
    try:
        await upgrade(engine)
        yield engine
    finally:
        await engine.dispose()
        async with admin.connect() as connection:
            autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
            await autocommit.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        await admin.dispose()


@pytest.fixture
async def isolated_engine(database_url: str, tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    async with _fresh_engine(database_url, tmp_path) as engine:
        yield engine


@pytest.fixture
def isolated_database(isolated_engine: AsyncEngine) -> Database:
    return Database(isolated_engine)


@pytest.fixture
async def sqlite_database(tmp_path: Path) -> AsyncIterator[Database]:
    async with _fresh_engine("sqlite+aiosqlite://", tmp_path) as engine:
        yield Database(engine)
