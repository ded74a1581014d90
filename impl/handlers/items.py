from __future__ import annotations

from dataclasses import dataclass

from generated import (
    CreateItem201,
    GetItem200,
    GetItem304,
    ItemsApi,
    ListItems200,
    Principal,
    models,
)
from impl.services import ItemService

from .conditional import entity_tag, none_match
from .convert import actor, item_model


class ItemsHandlers(ItemsApi):
    def __init__(self, items: ItemService) -> None:
        self._items = items

    async def list_items(self, *, skip: int, limit: int, tag: str | None) -> ListItems200:
        rows, total = await self._items.list(skip=skip, limit=limit, tag=tag)
        return ListItems200(body=[item_model(row) for row in rows], x_total_count=total)

    async def create_item(self, *, principal: Principal, body: models.ItemCreate) -> CreateItem201:
        fields = _ItemFields.of(body)
        item = await self._items.create(
            actor(principal),
            name=fields.name,
            description=fields.description,
            price=fields.price,
            tags=fields.tags,
        )
        return CreateItem201(body=item_model(item), location=f"/api/v1/items/{item.id}")

    async def get_item(self, *, item_id: int, if_none_match: str | None) -> GetItem200 | GetItem304:
        item = await self._items.get(item_id)  # 404 first: a missing item matches nothing
        etag = entity_tag(item)
        if if_none_match is not None and none_match(if_none_match, etag):
            return GetItem304(e_tag=etag)
        return GetItem200(body=item_model(item), e_tag=etag)

    async def update_item(
        self, *, principal: Principal, item_id: int, body: models.ItemUpdate
    ) -> models.Item:
        # PUT replaces: an absent description or tags means null / no tags.
        fields = _ItemFields.of(body)
        return item_model(
            await self._items.replace(
                actor(principal),
                item_id,
                name=fields.name,
                description=fields.description,
                price=fields.price,
                tags=fields.tags,
            )
        )

    async def delete_item(self, *, principal: Principal, item_id: int) -> None:
        # 404 before ownership, as the contract says; the service checks in that order.
        await self._items.delete(actor(principal), item_id)


@dataclass(frozen=True, slots=True)
class _ItemFields:
    name: str
    description: str | None
    price: float
    tags: list[str]

    @classmethod
    def of(cls, body: models.ItemCreate | models.ItemUpdate) -> _ItemFields:
        description = body.description if isinstance(body.description, str) else None
        tags = [tag.root for tag in body.tags] if isinstance(body.tags, list) else []
        return cls(name=body.name, description=description, price=body.price, tags=tags)
