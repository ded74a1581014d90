"""The persistence layer itself: migrations, constraints, isolation, SQLite's setup, health."""

from __future__ import annotations

import asyncio
import uuid
import warnings
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession
from sqlalchemy.pool import NullPool

from impl.db import (
    Base,
    Database,
    ForeignKeyViolationError,
    ItemRepository,
    UniqueViolationError,
    User,
    UserRepository,
    create_engine,
    migrate,
)
from impl.db.migrate import (
    current_revision,
    downgrade,
    head_revision,
    include_object_for,
    upgrade,
)
from impl.errors import Conflict
from impl.security import PasswordHasher
from impl.services import HealthService, ItemService, UserService
from tests.factories import actor_for, make_item, make_user


class TestMigrations:
    async def test_the_test_schema_is_at_head(self, db_connection: AsyncConnection) -> None:
        assert head_revision() is not None
        assert await current_revision(db_connection) == head_revision()

    async def test_the_migrated_schema_matches_the_models(
        self, db_connection: AsyncConnection
    ) -> None:
        def diff(connection: Connection) -> list[Any]:
            context = MigrationContext.configure(
                connection,
                opts={
                    "compare_type": True,
                    "include_object": include_object_for(connection.dialect.name),
                },
            )
            with warnings.catch_warnings():
                # Neither backend reflects the lower(...) expression indexes; the migration
                # creates them by hand and test_case_insensitive_unique_indexes checks them.
                warnings.filterwarnings("ignore", message=".*expression-based index")
                return list(compare_metadata(context, Base.metadata))

        assert await db_connection.run_sync(diff) == []

    async def test_case_insensitive_unique_indexes(self, db: Database) -> None:
        await make_user(db, username="Case", email="Case@example.com")

        with pytest.raises(UniqueViolationError):
            await make_user(db, username="cASE")
        with pytest.raises(UniqueViolationError):
            await make_user(db, email="case@EXAMPLE.com")

    async def test_down_to_base_and_up_again(self, isolated_engine: AsyncEngine) -> None:
        def tables(connection: Connection) -> set[str]:
            return set(inspect(connection).get_table_names())

        await downgrade(isolated_engine, "base")
        async with isolated_engine.connect() as connection:
            assert await connection.run_sync(tables) == {"alembic_version"}
            assert await current_revision(connection) is None

        await upgrade(isolated_engine)
        async with isolated_engine.connect() as connection:
            assert await connection.run_sync(tables) == {"alembic_version", "users", "items"}
            assert await current_revision(connection) == head_revision()

    async def test_migrate_creates_the_sqlite_directory(self, tmp_path: Path) -> None:
        target = tmp_path / "var" / "app.db"

        await migrate(f"sqlite+aiosqlite:///{target}")
        await migrate(f"sqlite+aiosqlite:///{target}")  # idempotent

        assert target.is_file()


class TestConstraints:
    async def test_foreign_keys_are_enforced(self, db: Database) -> None:
        with pytest.raises(ForeignKeyViolationError):
            await make_item(db, owner=uuid.uuid4())

    async def test_deleting_a_user_cascades_to_their_items(self, db: Database) -> None:
        owner = await make_user(db)
        await make_item(db, owner=owner)
        await make_item(db, owner=owner)

        async with db.transaction() as session:
            assert await UserRepository(session).delete(owner.id)
        async with db.transaction(readonly=True) as session:
            assert await ItemRepository(session).count(owner_id=owner.id) == 0

    async def test_a_failed_transaction_rolls_back_only_itself(self, db: Database) -> None:
        kept = await make_user(db, username="kept")

        async def add_two() -> None:
            async with db.transaction() as session:
                users = UserRepository(session)
                await users.add(_user("lost"))
                await users.add(_user("KEPT"))

        with pytest.raises(UniqueViolationError):
            await add_two()

        async with db.transaction(readonly=True) as session:
            users = UserRepository(session)
            assert await users.get_by_username("lost") is None
            assert (await users.get(kept.id)) is not None
            assert await users.count() == 1

    async def test_datetimes_come_back_as_the_same_instant_in_utc(self, db: Database) -> None:
        plus_two = timezone(timedelta(hours=2))
        created = datetime(2026, 3, 1, 12, 30, 15, 123456, tzinfo=plus_two)
        user = await make_user(db, created_at=created)

        async with db.transaction(readonly=True) as session:
            stored = await UserRepository(session).get(user.id)

        assert stored is not None
        assert stored.created_at == created
        assert stored.created_at.tzinfo is UTC
        assert stored.created_at.hour == 10


class TestIsolation:
    async def test_writes_stay_inside_the_tests_transaction(
        self, db: Database, migrated_database_url: str
    ) -> None:
        await make_user(db, username="probe")
        outsider = Database(create_engine(migrated_database_url, poolclass=NullPool))
        try:
            async with outsider.transaction(readonly=True) as session:
                assert await UserRepository(session).get_by_username("probe") is None
        finally:
            await outsider.dispose()


class TestSqlite:
    """The embedded default, on a real file with a real pool."""

    async def test_foreign_keys_and_wal_are_on(self, sqlite_database: Database) -> None:
        async with sqlite_database.transaction(readonly=True) as session:
            assert await session.scalar(text("PRAGMA foreign_keys")) == 1
            assert await session.scalar(text("PRAGMA journal_mode")) == "wal"

    async def test_concurrent_registrations_of_one_name_give_one_user_and_conflicts(
        self, sqlite_database: Database, hasher: PasswordHasher
    ) -> None:
        users = UserService(sqlite_database, hasher)

        results = await asyncio.gather(
            *(
                users.register(username="racer", email=f"r{n}@example.com", password="p" * 8)
                for n in range(10)
            ),
            return_exceptions=True,
        )

        # BEGIN IMMEDIATE: writers wait for each other (no "database is locked"), and every
        # loser meets the unique index.
        assert sum(isinstance(result, User) for result in results) == 1
        assert sum(isinstance(result, Conflict) for result in results) == 9

    async def test_concurrent_item_creation_keeps_exact_counts(
        self, sqlite_database: Database
    ) -> None:
        owners = [await make_user(sqlite_database) for _ in range(3)]
        items = ItemService(sqlite_database)

        created = await asyncio.gather(
            *(
                items.create(actor_for(owner), name=f"n{n}", description=None, price=1, tags=[])
                for owner in owners
                for n in range(10)
            )
        )

        assert len({item.id for item in created}) == 30
        _, total = await items.list(skip=0, limit=1)
        assert total == 30

    async def test_a_read_does_not_wait_for_an_open_write(
        self, sqlite_database: Database, hasher: PasswordHasher
    ) -> None:
        async with sqlite_database.transaction() as session:
            await UserRepository(session).add(_user("uncommitted"))
            # Another connection reads the last committed state at once (WAL, deferred BEGIN).
            async with asyncio.timeout(2):
                _, total = await UserService(sqlite_database, hasher).list(skip=0, limit=1)
            assert total == 0


class _HangingDatabase(Database):
    @asynccontextmanager
    async def transaction(self, *, readonly: bool = False) -> AsyncIterator[AsyncSession]:
        async with super().transaction(readonly=readonly) as session:
            await asyncio.sleep(10)
            yield session


class TestHealth:
    async def test_a_reachable_database_is_healthy(self, health_service: HealthService) -> None:
        assert await health_service.check() == {"database": True}

    async def test_an_unreachable_database_is_not_healthy(self) -> None:
        unreachable = Database(
            create_engine("postgresql+asyncpg://nobody@127.0.0.1:1/none", poolclass=NullPool)
        )
        try:
            assert await HealthService(unreachable, timeout=5).check() == {"database": False}
        finally:
            await unreachable.dispose()

    async def test_a_slow_database_is_not_healthy_after_the_timeout(
        self, db_connection: AsyncConnection
    ) -> None:
        health = HealthService(_HangingDatabase(db_connection), timeout=0.05)

        async with asyncio.timeout(2):
            assert await health.check() == {"database": False}

    async def test_every_check_is_named_and_runs_within_the_timeout(self, db: Database) -> None:
        async def hangs() -> bool:
            await asyncio.sleep(10)
            return True

        async def fails() -> bool:
            raise ConnectionError("refused")

        async def passes() -> bool:
            return True

        health = HealthService(
            db, timeout=0.05, checks={"hangs": hangs, "fails": fails, "passes": passes}
        )
        async with asyncio.timeout(2):
            result = await health.check()
        assert result == {"database": True, "hangs": False, "fails": False, "passes": True}


def _user(username: str) -> User:
    now = datetime.now(UTC)
    return User(
        id=uuid.uuid4(),
        username=username,
        email=f"{username}@example.com",
        full_name=None,
        hashed_password="not-a-hash",
        is_active=True,
        scopes=[],
        created_at=now,
        updated_at=now,
    )
