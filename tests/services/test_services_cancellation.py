"""A cancelled operation gives its connection back, its transaction rolled back (issue 10).

The request time limit (impl/http/deadline.py) cancels a request's task wherever it waits:
inside ``Database.transaction()`` after a write, or inside a statement the database is still
running. Either way the write must be gone and the pool whole, or a few timeouts would leave
the workers without connections. On a real engine with its own pool (``isolated_engine``).
"""

from __future__ import annotations

import asyncio
import os

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.pool import QueuePool

from impl.db import Database, Item, ItemRepository
from tests.factories import make_item, make_user

_ON_POSTGRES = os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql")


def _checked_out(engine: AsyncEngine) -> int:
    pool = engine.pool
    assert isinstance(pool, QueuePool)
    return pool.checkedout()


async def _count_items(db: Database) -> int:
    async with db.transaction(readonly=True) as session:
        return int(await session.scalar(select(func.count()).select_from(Item)) or 0)


async def test_a_write_cancelled_inside_its_transaction_is_rolled_back(
    isolated_engine: AsyncEngine,
) -> None:
    db = Database(isolated_engine)
    owner = await make_user(db)
    wrote = asyncio.Event()

    async def write_then_hang() -> None:
        async with db.transaction() as session:
            await ItemRepository(session).add(
                Item(name="lost", price=1, tags=[], owner_id=owner.id)
            )
            wrote.set()
            await asyncio.Event().wait()  # the request time limit cancels it here

    task = asyncio.ensure_future(write_then_hang())
    await wrote.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task

    assert _checked_out(isolated_engine) == 0
    assert await _count_items(db) == 0
    # The write lock (SQLite) or row locks (PostgreSQL) were released: another write passes.
    await asyncio.wait_for(make_item(db, owner=owner), timeout=30)
    assert await _count_items(db) == 1


@pytest.mark.skipif(
    not _ON_POSTGRES, reason="needs TEST_DATABASE_URL (issue 10: a statement the server runs)"
)
@pytest.mark.parametrize("mode", ["transaction", "autocommit"])
async def test_a_statement_cancelled_while_the_database_runs_it_frees_everything(
    isolated_engine: AsyncEngine, mode: str
) -> None:
    """A reader blocked behind ``LOCK TABLE`` is cancelled 10 times: afterwards no connection
    is checked out, none of ours is left in a transaction or a query on the server, and the
    pool serves again once the lock is gone."""
    db = Database(isolated_engine)
    owner = await make_user(db)
    await make_item(db, owner=owner)

    async def read() -> int:
        if mode == "transaction":
            async with db.transaction(readonly=True) as session:
                return int(await session.scalar(text("SELECT count(*) FROM items")) or 0)
        async with db.autocommit() as connection:
            return int(await connection.scalar(text("SELECT count(*) FROM items")) or 0)

    async with isolated_engine.connect() as locker:
        await locker.execute(text("LOCK TABLE items IN ACCESS EXCLUSIVE MODE"))
        blocked_by = int(await locker.scalar(text("SELECT pg_backend_pid()")) or 0)
        for _ in range(10):
            with pytest.raises(TimeoutError):
                async with asyncio.timeout(0.2):
                    await read()
        await locker.rollback()

    assert _checked_out(isolated_engine) == 0
    assert await asyncio.wait_for(read(), timeout=30) == 1
    async with isolated_engine.connect() as connection:
        rows = await connection.execute(
            text(
                "SELECT state, query FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                " AND pid <> :locker AND query ILIKE '%count(*) FROM items%'"
                " AND (state <> 'idle' OR xact_start IS NOT NULL)"
            ),
            {"locker": blocked_by},
        )
        assert rows.all() == []
