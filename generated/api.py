# generated from openapi.yaml by scripts/generate.py — do not edit.
"""The contract as Python types: one Protocol per tag, one result class per response."""

from __future__ import annotations

import datetime  # noqa: F401
import uuid  # noqa: F401
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, Protocol  # noqa: F401

from . import models  # noqa: F401
from .security import Principal, SecurityVerifier  # noqa: F401

# Type checkers see every operation as abstract, so a handler class that misses one
# cannot be instantiated (mypy names the method). At run time the class can be built
# and create_router() refuses it instead, naming every missing operationId.
if TYPE_CHECKING:
    from abc import abstractmethod as operation
else:
    from ._runtime import operation


@dataclass(frozen=True, slots=True, kw_only=True)
class RegisterUser201:
    """201 response of registerUser: The user was created."""

    body: models.User
    location: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ListUsers200:
    """200 response of listUsers: A page of users."""

    body: list[models.User]
    x_total_count: int


@dataclass(frozen=True, slots=True, kw_only=True)
class ListItems200:
    """200 response of listItems: A page of items."""

    body: list[models.Item]
    x_total_count: int


@dataclass(frozen=True, slots=True, kw_only=True)
class CreateItem201:
    """201 response of createItem: The item was created."""

    body: models.Item
    location: str


@dataclass(frozen=True, slots=True, kw_only=True)
class GetItem200:
    """200 response of getItem: The item."""

    body: models.Item
    e_tag: str


@dataclass(frozen=True, slots=True, kw_only=True)
class GetItem304:
    """304 response of getItem: Not modified: `If-None-Match` names the item's current `ETag` (or is `*`). No
    body; the `ETag` header is the current one."""

    e_tag: str


class HealthApi(Protocol):
    """Operations tagged 'health'."""

    @operation
    async def get_health(self) -> models.Health:
        """GET /health [getHealth]

        Liveness probe"""

    @operation
    async def get_readiness(self) -> models.Readiness:
        """GET /ready [getReadiness]

        Readiness probe"""

    @operation
    async def get_metrics(self) -> str:
        """GET /metrics [getMetrics]

        Prometheus metrics"""


class AuthApi(Protocol):
    """Operations tagged 'auth'."""

    @operation
    async def register_user(self, *, body: models.UserCreate) -> RegisterUser201:
        """POST /api/v1/auth/register [registerUser]

        Register a new user"""

    @operation
    async def create_token(self, *, body: models.TokenRequest) -> models.Token:
        """POST /api/v1/auth/token [createToken]

        Obtain an access token (OAuth2 password flow)"""

    @operation
    async def get_current_user(self, *, principal: Principal) -> models.User:
        """GET /api/v1/auth/me [getCurrentUser]

        The authenticated user"""


class UsersApi(Protocol):
    """Operations tagged 'users'."""

    @operation
    async def list_users(self, *, principal: Principal, skip: int, limit: int) -> ListUsers200:
        """GET /api/v1/users [listUsers]

        List users"""

    @operation
    async def get_user(self, *, principal: Principal, user_id: uuid.UUID) -> models.User:
        """GET /api/v1/users/{user_id} [getUser]

        Get a user"""

    @operation
    async def update_user(
        self, *, principal: Principal, user_id: uuid.UUID, body: models.UserUpdate
    ) -> models.User:
        """PUT /api/v1/users/{user_id} [updateUser]

        Update a user"""

    @operation
    async def delete_user(self, *, principal: Principal, user_id: uuid.UUID) -> None:
        """DELETE /api/v1/users/{user_id} [deleteUser]

        Delete a user"""


class ItemsApi(Protocol):
    """Operations tagged 'items'."""

    @operation
    async def list_items(self, *, skip: int, limit: int, tag: str | None) -> ListItems200:
        """GET /api/v1/items [listItems]

        List items"""

    @operation
    async def create_item(self, *, principal: Principal, body: models.ItemCreate) -> CreateItem201:
        """POST /api/v1/items [createItem]

        Create an item"""

    @operation
    async def get_item(self, *, item_id: int, if_none_match: str | None) -> GetItem200 | GetItem304:
        """GET /api/v1/items/{item_id} [getItem]

        Get an item"""

    @operation
    async def update_item(
        self, *, principal: Principal, item_id: int, body: models.ItemUpdate
    ) -> models.Item:
        """PUT /api/v1/items/{item_id} [updateItem]

        Replace an item"""

    @operation
    async def delete_item(self, *, principal: Principal, item_id: int) -> None:
        """DELETE /api/v1/items/{item_id} [deleteItem]

        Delete an item"""


@dataclass(frozen=True, slots=True, kw_only=True)
class Handlers:
    """The implementation of every tag; ``None`` where nothing implements it yet."""

    health: HealthApi | None = None
    auth: AuthApi | None = None
    users: UsersApi | None = None
    items: ItemsApi | None = None
    security: SecurityVerifier | None = None
