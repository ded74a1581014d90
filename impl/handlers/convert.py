"""ORM rows → contract models, and principals → service actors."""

from __future__ import annotations

import uuid

from generated import Principal, models
from impl.db import Item, ItemRecord, User
from impl.services import Actor


def user_model(user: User) -> models.User:
    return models.User.model_validate(user, from_attributes=True)


def item_model(item: Item | ItemRecord) -> models.Item:
    return models.Item.model_validate(item, from_attributes=True)


def actor(principal: Principal) -> Actor:
    """The verifier only issues principals whose subject is a user id."""
    return Actor(user_id=uuid.UUID(principal.subject), scopes=principal.scopes)
