"""Rows for tests, written straight through the repositories (no service rules in the way).

    user = await make_user(db, scopes=ADMIN_SCOPES)
    item = await make_item(db, owner=user, tags=["red"])

Passwords are hashed with the suite's cheap argon2 cost (``TEST_HASH_COST``), the same as the
``hasher`` fixture's, so logging in with them triggers no rehash.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Final, TypedDict

import argon2

from impl.db import Database, Item, ItemRepository, User, UserRepository, utcnow
from impl.services import USER_SCOPES, Actor


class HashCost(TypedDict):
    memory_kib: int
    time_cost: int
    parallelism: int


# argon2's minimum memory (8 KiB per lane), one pass, one lane: about 0.1 ms per hash.
TEST_HASH_COST: Final[HashCost] = {"memory_kib": 8, "time_cost": 1, "parallelism": 1}
DEFAULT_PASSWORD: Final = "correct horse battery staple"
TEST_SECRET: Final = "test-secret-for-hs256-at-least-32-bytes-long"  # the settings fixture's

_sequence = itertools.count(1)
_argon2 = argon2.PasswordHasher(
    time_cost=TEST_HASH_COST["time_cost"],
    memory_cost=TEST_HASH_COST["memory_kib"],
    parallelism=TEST_HASH_COST["parallelism"],
    type=argon2.Type.ID,
)


def actor_for(user: User, scopes: Iterable[str] | None = None) -> Actor:
    """The actor behind a token of ``user``: all their scopes, or ``scopes``."""
    return Actor(user_id=user.id, scopes=frozenset(user.scopes if scopes is None else scopes))


def hash_password(password: str) -> str:
    return _argon2.hash(password)


async def make_user(
    db: Database,
    *,
    username: str | None = None,
    email: str | None = None,
    password: str = DEFAULT_PASSWORD,
    full_name: str | None = None,
    scopes: Iterable[str] = USER_SCOPES,
    is_active: bool = True,
    hashed_password: str | None = None,
    created_at: datetime | None = None,
) -> User:
    n = next(_sequence)
    now = created_at or utcnow()
    user = User(
        id=uuid.uuid4(),
        username=username or f"user{n}",
        email=email or f"user{n}@example.com",
        full_name=full_name,
        hashed_password=hashed_password or hash_password(password),
        is_active=is_active,
        scopes=sorted(set(scopes)),
        created_at=now,
        updated_at=now,
    )
    async with db.transaction() as session:
        return await UserRepository(session).add(user)


async def make_item(
    db: Database,
    *,
    owner: User | uuid.UUID,
    name: str | None = None,
    description: str | None = None,
    price: float = 9.99,
    tags: Iterable[str] = (),
    id: int | None = None,
    created_at: datetime | None = None,
) -> Item:
    n = next(_sequence)
    now = created_at or utcnow()
    item = Item(
        name=name or f"item {n}",
        description=description,
        price=price,
        tags=list(tags),
        owner_id=owner.id if isinstance(owner, User) else owner,
        created_at=now,
        updated_at=now,
    )
    if id is not None:
        item.id = id
    async with db.transaction() as session:
        return await ItemRepository(session).add(item)
