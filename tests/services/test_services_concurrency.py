"""Races on PostgreSQL, with real concurrent sessions (not the rolled-back connection).

Each test gets ``isolated_database``: its own pool on a fresh schema, dropped afterwards.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import uuid
from collections import Counter

import pytest
from sqlalchemy import text

from impl.db import Database, ItemRepository, User, UserRepository, utcnow
from impl.errors import Conflict, NotFound
from impl.security import PasswordHasher
from impl.services import ADMIN_SCOPES, ItemService, UserService
from tests.factories import actor_for, make_item, make_user

pytestmark = pytest.mark.skipif(
    not os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql"),
    reason="needs TEST_DATABASE_URL (issue 3)",
)


async def test_parallel_registrations_of_one_username_give_one_user(
    isolated_database: Database, hasher: PasswordHasher
) -> None:
    users = UserService(isolated_database, hasher)
    names = ["racer", "RACER", "Racer", "rAcEr", "racer"] * 2

    results = await asyncio.gather(
        *(
            users.register(username=name, email=f"racer{n}@example.com", password="p" * 8)
            for n, name in enumerate(names)
        ),
        return_exceptions=True,
    )

    kinds = Counter(type(result).__name__ for result in results)
    assert kinds == {"User": 1, "Conflict": 9}
    assert all(
        result.detail == "Username or email already registered"
        for result in results
        if isinstance(result, Conflict)
    )
    async with isolated_database.transaction(readonly=True) as session:
        assert await UserRepository(session).count() == 1
        winner = await UserRepository(session).get_by_username("racer")
    assert winner is not None
    assert winner.id == next(result.id for result in results if isinstance(result, User))


async def _wait_until_a_backend_waits_for_a_lock(db: Database) -> None:
    query = text(
        "SELECT count(*) FROM pg_stat_activity"
        " WHERE datname = current_database() AND wait_event_type = 'Lock'"
    )
    async with asyncio.timeout(5):
        while True:
            async with db.transaction(readonly=True) as session:
                if await session.scalar(query):
                    return
            await asyncio.sleep(0.01)


@pytest.mark.parametrize(("winner_commits", "outcome"), [(True, Conflict), (False, User)])
async def test_registration_blocked_by_an_uncommitted_insert_of_the_same_name(
    isolated_database: Database,
    hasher: PasswordHasher,
    winner_commits: bool,
    outcome: type[object],
) -> None:
    """The race exactly: our INSERT waits on the other transaction's row in the unique index,
    then fails (it committed: 409, not 500) or goes through (it rolled back)."""
    users = UserService(isolated_database, hasher)
    now = utcnow()
    winner = User(
        id=uuid.uuid4(),
        username="racer",
        email="first@example.com",
        full_name=None,
        hashed_password="x",
        is_active=True,
        scopes=[],
        created_at=now,
        updated_at=now,
    )

    class WinnerRollsBackError(Exception):
        pass

    with contextlib.suppress(WinnerRollsBackError):
        async with isolated_database.transaction() as session:
            await UserRepository(session).add(winner)
            loser = asyncio.create_task(
                users.register(username="RACER", email="second@example.com", password="p" * 8)
            )
            await _wait_until_a_backend_waits_for_a_lock(isolated_database)
            assert not loser.done()
            if not winner_commits:
                raise WinnerRollsBackError

    result = (await asyncio.gather(loser, return_exceptions=True))[0]
    assert isinstance(result, outcome)


async def test_parallel_registrations_of_one_email_give_one_user(
    isolated_database: Database, hasher: PasswordHasher
) -> None:
    users = UserService(isolated_database, hasher)

    results = await asyncio.gather(
        *(
            users.register(username=f"u{n}", email="Same@Example.com", password="p" * 8)
            for n in range(10)
        ),
        return_exceptions=True,
    )

    assert sum(isinstance(result, User) for result in results) == 1
    assert sum(isinstance(result, Conflict) for result in results) == 9


async def test_parallel_item_creation_by_several_users_keeps_exact_counts(
    isolated_database: Database,
) -> None:
    owners = [await make_user(isolated_database) for _ in range(4)]
    items = ItemService(isolated_database)
    per_owner = 15

    created = await asyncio.gather(
        *(
            items.create(actor_for(owner), name=f"{n}", description=None, price=1.5, tags=["bulk"])
            for n in range(per_owner)
            for owner in owners
        )
    )

    assert len({item.id for item in created}) == per_owner * len(owners)
    assert Counter(item.owner_id for item in created) == {owner.id: per_owner for owner in owners}
    async with isolated_database.transaction(readonly=True) as session:
        repository = ItemRepository(session)
        for owner in owners:
            assert await repository.count(owner_id=owner.id) == per_owner
        assert await repository.count(tag="bulk") == per_owner * len(owners)
    listed, total = await items.list(skip=0, limit=100)
    assert total == len(listed) == per_owner * len(owners)


async def test_parallel_deletes_of_one_item_give_one_success_and_404s(
    isolated_database: Database,
) -> None:
    owner = await make_user(isolated_database)
    admin = await make_user(isolated_database, scopes=ADMIN_SCOPES)
    item = await make_item(isolated_database, owner=owner)
    items = ItemService(isolated_database)

    results = await asyncio.gather(
        *(items.delete(actor_for(who), item.id) for who in (owner, admin) * 4),
        return_exceptions=True,
    )

    # The row lock (SELECT ... FOR UPDATE) makes the losers see the row gone: 404, not a 500.
    assert sum(result is None for result in results) == 1
    assert sum(isinstance(result, NotFound) for result in results) == 7


async def test_parallel_replace_and_delete_never_fail_unexpectedly(
    isolated_database: Database,
) -> None:
    owner = await make_user(isolated_database)
    item = await make_item(isolated_database, owner=owner)
    items = ItemService(isolated_database)
    actor = actor_for(owner)

    results = await asyncio.gather(
        items.delete(actor, item.id),
        *(
            items.replace(actor, item.id, name=f"v{n}", description=None, price=2.0, tags=[])
            for n in range(6)
        ),
        return_exceptions=True,
    )

    unexpected = [
        r for r in results if isinstance(r, BaseException) and not isinstance(r, NotFound)
    ]
    assert unexpected == []
    with pytest.raises(NotFound):
        await items.get(item.id)
