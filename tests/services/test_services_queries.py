"""The one-round-trip paths (issue 9): ``Database.autocommit()``, the Core item queries with
their window count, and the pool's pre-ping of idle connections only."""

from __future__ import annotations

import os
import uuid
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.dialects.postgresql.asyncpg import AsyncAdapt_asyncpg_connection
from sqlalchemy.ext.asyncio import AsyncEngine

import impl.db.database
from impl.db import (
    Database,
    ForeignKeyViolationError,
    ItemQueries,
    ItemRecord,
    TokenHolder,
    UserQueries,
    create_engine,
    utcnow,
)
from impl.services import ItemService
from tests.factories import actor_for, make_item, make_user

_ON_POSTGRES = os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql")


class TestTokenHolder:
    """The bearer check's one statement: what revocation needs, and nothing for a stranger."""

    async def test_the_users_flags_version_and_scopes(self, db: Database) -> None:
        user = await make_user(db, scopes=["items:read"], is_active=False)

        async with db.autocommit() as connection:
            holder = await UserQueries(connection).token_holder(user.id)

        assert holder == TokenHolder(is_active=False, token_version=0, scopes=["items:read"])

    async def test_an_unknown_user_has_none(self, db: Database) -> None:
        async with db.autocommit() as connection:
            assert await UserQueries(connection).token_holder(uuid.uuid4()) is None


class TestPageAndTotal:
    async def test_a_page_past_the_end_still_has_the_total(
        self, item_service: ItemService, db: Database
    ) -> None:
        owner = await make_user(db)
        for n in range(3):
            await make_item(db, owner=owner, name=f"n{n}")

        page, total = await item_service.list(skip=10, limit=5)

        assert list(page) == []
        assert total == 3  # no row carries the window count there: counted separately

    async def test_a_tagged_page_past_the_end_counts_only_the_tag(
        self, item_service: ItemService, db: Database
    ) -> None:
        owner = await make_user(db)
        await make_item(db, owner=owner, tags=["red"])
        await make_item(db, owner=owner, tags=["red", "blue"])
        await make_item(db, owner=owner, tags=["blue"])

        assert (await item_service.list(skip=5, limit=5, tag="red"))[1] == 2
        page, total = await item_service.list(skip=0, limit=1, tag="blue")
        assert [item.tags for item in page] == [["blue"]]
        assert total == 2

    async def test_the_total_is_the_same_on_every_page(
        self, item_service: ItemService, db: Database
    ) -> None:
        owner = await make_user(db)
        t0 = utcnow()
        for n in range(5):
            await make_item(db, owner=owner, created_at=t0 + timedelta(seconds=n))

        totals = [(await item_service.list(skip=skip, limit=2))[1] for skip in (0, 2, 4, 6)]

        assert totals == [5, 5, 5, 5]

    async def test_records_carry_every_field(self, item_service: ItemService, db: Database) -> None:
        owner = await make_user(db)
        stored = await make_item(db, owner=owner, description="d", price=2.5, tags=["x"])

        record = await item_service.get(stored.id)

        assert record == ItemRecord(
            id=stored.id,
            name=stored.name,
            description="d",
            price=2.5,
            tags=["x"],
            owner_id=owner.id,
            created_at=stored.created_at,
            updated_at=stored.updated_at,
        )
        assert record.created_at.utcoffset() == timedelta(0)


class TestAutocommit:
    async def test_a_created_item_is_committed_at_once(self, isolated_database: Database) -> None:
        owner = await make_user(isolated_database)
        items = ItemService(isolated_database)

        created = await items.create(
            actor_for(owner), name="n", description=None, price=1, tags=["t"]
        )

        # Another connection of the pool sees it: no transaction was left open or rolled back.
        async with isolated_database.transaction(readonly=True) as session:
            name = await session.scalar(
                text("SELECT name FROM items WHERE id = :id"), {"id": created.id}
            )
        assert name == "n"
        assert (await items.get(created.id)).tags == ["t"]

    async def test_a_refused_insert_raises_the_translated_error(
        self, isolated_database: Database
    ) -> None:
        with pytest.raises(ForeignKeyViolationError):
            async with isolated_database.autocommit() as connection:
                await ItemQueries(connection).insert(
                    name="n",
                    description=None,
                    price=1,
                    tags=[],
                    owner_id=uuid.uuid4(),
                    created_at=utcnow(),
                )
        # The pool's connection is usable afterwards.
        async with isolated_database.autocommit() as connection:
            assert await ItemQueries(connection).get(1) is None

    async def test_in_a_test_transaction_a_failed_statement_spoils_nothing(
        self, db: Database
    ) -> None:
        owner = await make_user(db)
        with pytest.raises(ForeignKeyViolationError):
            async with db.autocommit() as connection:
                await ItemQueries(connection).insert(
                    name="n",
                    description=None,
                    price=1,
                    tags=[],
                    owner_id=uuid.uuid4(),
                    created_at=utcnow(),
                )

        item = await ItemService(db).create(
            actor_for(owner), name="after", description=None, price=1, tags=[]
        )
        assert (await ItemService(db).get(item.id)).name == "after"


@pytest.mark.skipif(not _ON_POSTGRES, reason="needs TEST_DATABASE_URL (issue 9: PostgreSQL pool)")
class TestIdlePing:
    async def _backend_pid(self, engine: AsyncEngine) -> int:
        async with engine.connect() as connection:
            return int(await connection.scalar(text("SELECT pg_backend_pid()")) or 0)

    async def test_a_recently_used_connection_is_not_pinged(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        pings: list[object] = []
        original: Any = AsyncAdapt_asyncpg_connection.ping  # untyped in SQLAlchemy

        def counting_ping(self: AsyncAdapt_asyncpg_connection) -> None:
            pings.append(self)
            original(self)

        monkeypatch.setattr(AsyncAdapt_asyncpg_connection, "ping", counting_ping)
        engine = create_engine(os.environ["TEST_DATABASE_URL"], pool_size=1, max_overflow=0)
        try:
            first = await self._backend_pid(engine)
            second = await self._backend_pid(engine)
            assert first == second  # the same pooled connection, reused...
            assert pings == []  # ...without a round trip to ping it

            monkeypatch.setattr(impl.db.database, "PING_AFTER_IDLE_SECONDS", 0.0)
            await self._backend_pid(engine)
            assert len(pings) == 1  # idle "long enough": pinged once at checkout
        finally:
            await engine.dispose()

    async def test_a_dead_idle_connection_is_replaced_before_use(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        engine = create_engine(os.environ["TEST_DATABASE_URL"], pool_size=1, max_overflow=0)
        admin = create_engine(os.environ["TEST_DATABASE_URL"], pool_size=1, max_overflow=0)
        try:
            dead = await self._backend_pid(engine)
            async with admin.connect() as connection:
                await connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": dead})
            monkeypatch.setattr(impl.db.database, "PING_AFTER_IDLE_SECONDS", 0.0)

            fresh = await self._backend_pid(engine)  # no error: the ping caught it

            assert fresh != dead
        finally:
            await engine.dispose()
            await admin.dispose()
