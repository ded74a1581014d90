"""ItemService: listing order and filtering, creation, and the 404-before-403 ownership rules."""

from __future__ import annotations

import uuid
from datetime import UTC, timedelta
from typing import Final, TypedDict

import pytest

from impl.db import ITEM_ID_MAX, Database, utcnow
from impl.errors import Forbidden, NotFound, Unauthorized
from impl.services import ADMIN_SCOPES, Actor, ItemService
from tests.factories import actor_for, make_item, make_user


class _ItemFields(TypedDict):
    name: str
    description: str | None
    price: float
    tags: list[str]


NEW: Final[_ItemFields] = {
    "name": "New name",
    "description": "New description",
    "price": 12.5,
    "tags": ["new"],
}


class TestListItems:
    async def test_newest_first(self, item_service: ItemService, db: Database) -> None:
        owner = await make_user(db)
        t0 = utcnow()
        old = await make_item(db, owner=owner, created_at=t0)
        newest = await make_item(db, owner=owner, created_at=t0 + timedelta(seconds=2))
        middle = await make_item(db, owner=owner, created_at=t0 + timedelta(seconds=1))

        items, total = await item_service.list(skip=0, limit=10)

        assert [item.id for item in items] == [newest.id, middle.id, old.id]
        assert total == 3

    async def test_ties_are_broken_by_id_newest_first(
        self, item_service: ItemService, db: Database
    ) -> None:
        owner = await make_user(db)
        same_time = utcnow()
        created = [await make_item(db, owner=owner, created_at=same_time) for _ in range(4)]

        items, _ = await item_service.list(skip=0, limit=10)
        pages = [(await item_service.list(skip=n, limit=1))[0][0].id for n in range(4)]

        expected = sorted((item.id for item in created), reverse=True)
        assert [item.id for item in items] == expected
        assert pages == expected  # stable across pages

    async def test_pages_with_the_total(self, item_service: ItemService, db: Database) -> None:
        owner = await make_user(db)
        t0 = utcnow()
        for n in range(5):
            await make_item(db, owner=owner, name=f"n{n}", created_at=t0 + timedelta(seconds=n))

        page, total = await item_service.list(skip=1, limit=2)

        assert [item.name for item in page] == ["n3", "n2"]
        assert total == 5

    async def test_tag_filter_matches_whole_tags_only(
        self, item_service: ItemService, db: Database
    ) -> None:
        owner = await make_user(db)
        red = await make_item(db, owner=owner, tags=["red", "blue"])
        await make_item(db, owner=owner, tags=["reddish"])
        await make_item(db, owner=owner, tags=["Red"])
        await make_item(db, owner=owner, tags=[])

        items, total = await item_service.list(skip=0, limit=10, tag="red")

        assert [item.id for item in items] == [red.id]
        assert total == 1

    async def test_tag_filter_total_counts_all_matches(
        self, item_service: ItemService, db: Database
    ) -> None:
        owner = await make_user(db)
        for _ in range(3):
            await make_item(db, owner=owner, tags=["sale"])
        await make_item(db, owner=owner, tags=["other"])

        items, total = await item_service.list(skip=0, limit=2, tag="sale")

        assert (len(items), total) == (2, 3)

    @pytest.mark.parametrize("tag", ["nowhere", "", 'a"b', "%", "nul\x00"])
    async def test_unmatched_or_odd_tags_give_nothing(
        self, item_service: ItemService, db: Database, tag: str
    ) -> None:
        await make_item(db, owner=await make_user(db), tags=["red", "a b"])

        items, total = await item_service.list(skip=0, limit=10, tag=tag)

        assert (list(items), total) == ([], 0)


class TestCreateItem:
    async def test_the_actor_owns_the_new_item(
        self, item_service: ItemService, db: Database
    ) -> None:
        owner = await make_user(db)

        item = await item_service.create(
            actor_for(owner), name="Lamp", description=None, price=19.99, tags=["home", "light"]
        )

        assert item.id >= 1
        assert item.owner_id == owner.id
        assert (item.name, item.description, item.price, item.tags) == (
            "Lamp",
            None,
            19.99,
            ["home", "light"],
        )
        assert item.created_at == item.updated_at
        assert item.created_at.tzinfo is UTC
        stored = await item_service.get(item.id)
        assert (stored.owner_id, stored.tags, stored.price) == (owner.id, ["home", "light"], 19.99)

    async def test_ids_increase(self, item_service: ItemService, db: Database) -> None:
        actor = actor_for(await make_user(db))

        first = await item_service.create(actor, name="a", description=None, price=1, tags=[])
        second = await item_service.create(actor, name="b", description=None, price=1, tags=[])

        assert second.id > first.id

    async def test_an_actor_whose_user_is_gone_is_unauthorized(
        self, item_service: ItemService
    ) -> None:
        ghost = Actor(user_id=uuid.uuid4(), scopes=frozenset({"items:write"}))

        with pytest.raises(Unauthorized):
            await item_service.create(ghost, name="x", description=None, price=1.0, tags=[])


class TestGetItem:
    async def test_unknown_id_is_not_found(self, item_service: ItemService) -> None:
        with pytest.raises(NotFound, match="Item not found"):
            await item_service.get(123456789)

    @pytest.mark.parametrize("item_id", [0, -1, ITEM_ID_MAX + 1, 2**64])
    async def test_ids_outside_bigint_are_not_found(
        self, item_service: ItemService, item_id: int
    ) -> None:
        with pytest.raises(NotFound):
            await item_service.get(item_id)

    async def test_the_largest_bigint_id_works(
        self, item_service: ItemService, db: Database
    ) -> None:
        owner = await make_user(db)
        await make_item(db, owner=owner, id=ITEM_ID_MAX, name="max")

        assert (await item_service.get(ITEM_ID_MAX)).name == "max"
        items, _ = await item_service.list(skip=0, limit=1)
        assert items[0].id == ITEM_ID_MAX


class TestReplaceItem:
    async def test_owner_replaces_every_field(
        self, item_service: ItemService, db: Database
    ) -> None:
        owner = await make_user(db)
        item = await make_item(db, owner=owner, description="old", tags=["old"])

        replaced = await item_service.replace(actor_for(owner), item.id, **NEW)

        assert (replaced.name, replaced.description, replaced.price, replaced.tags) == (
            "New name",
            "New description",
            12.5,
            ["new"],
        )
        assert replaced.created_at == item.created_at
        assert replaced.updated_at > item.updated_at
        assert replaced.owner_id == owner.id
        stored = await item_service.get(item.id)
        assert (stored.name, stored.tags, stored.updated_at) == (
            "New name",
            ["new"],
            replaced.updated_at,
        )

    async def test_admin_replaces_anyones_item(
        self, item_service: ItemService, db: Database
    ) -> None:
        owner = await make_user(db)
        admin = await make_user(db, scopes=ADMIN_SCOPES)
        item = await make_item(db, owner=owner)

        replaced = await item_service.replace(actor_for(admin), item.id, **NEW)

        assert replaced.name == "New name"
        assert replaced.owner_id == owner.id  # an admin's edit does not take ownership

    async def test_non_owner_is_forbidden(self, item_service: ItemService, db: Database) -> None:
        item = await make_item(db, owner=await make_user(db), name="Original")
        stranger = await make_user(db)

        with pytest.raises(Forbidden):
            await item_service.replace(actor_for(stranger), item.id, **NEW)

        assert (await item_service.get(item.id)).name == "Original"

    async def test_missing_item_is_404_even_for_non_owner(
        self, item_service: ItemService, db: Database
    ) -> None:
        stranger = await make_user(db)

        with pytest.raises(NotFound):
            await item_service.replace(actor_for(stranger), 987654321, **NEW)

    async def test_id_beyond_bigint_is_404(self, item_service: ItemService, db: Database) -> None:
        with pytest.raises(NotFound):
            await item_service.replace(actor_for(await make_user(db)), 2**63, **NEW)


class TestDeleteItem:
    async def test_owner_deletes(self, item_service: ItemService, db: Database) -> None:
        owner = await make_user(db)
        item = await make_item(db, owner=owner)

        await item_service.delete(actor_for(owner), item.id)

        with pytest.raises(NotFound):
            await item_service.get(item.id)

    async def test_admin_deletes_anyones_item(
        self, item_service: ItemService, db: Database
    ) -> None:
        item = await make_item(db, owner=await make_user(db))
        admin = await make_user(db, scopes=ADMIN_SCOPES)

        await item_service.delete(actor_for(admin), item.id)

        with pytest.raises(NotFound):
            await item_service.get(item.id)

    async def test_non_owner_is_forbidden(self, item_service: ItemService, db: Database) -> None:
        item = await make_item(db, owner=await make_user(db))
        stranger = await make_user(db)

        with pytest.raises(Forbidden):
            await item_service.delete(actor_for(stranger), item.id)

        assert await item_service.get(item.id)

    async def test_missing_item_is_404_even_for_non_owner(
        self, item_service: ItemService, db: Database
    ) -> None:
        stranger = await make_user(db)

        with pytest.raises(NotFound):
            await item_service.delete(actor_for(stranger), 987654321)

    async def test_a_deleted_id_is_not_reused(
        self, item_service: ItemService, db: Database
    ) -> None:
        owner = await make_user(db)
        actor = actor_for(owner)
        first = await item_service.create(actor, name="a", description=None, price=1, tags=[])
        await item_service.delete(actor, first.id)

        second = await item_service.create(actor, name="b", description=None, price=1, tags=[])

        assert second.id > first.id
