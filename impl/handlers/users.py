from __future__ import annotations

import uuid

from generated import ListUsers200, Principal, UsersApi, models
from impl.services import UNSET, UserChanges, UserService

from .convert import actor, user_model


class UsersHandlers(UsersApi):
    def __init__(self, users: UserService) -> None:
        self._users = users

    async def list_users(self, *, principal: Principal, skip: int, limit: int) -> ListUsers200:
        rows, total = await self._users.list(skip=skip, limit=limit)
        return ListUsers200(body=[user_model(row) for row in rows], x_total_count=total)

    async def get_user(self, *, principal: Principal, user_id: uuid.UUID) -> models.User:
        return user_model(await self._users.get(user_id))

    async def update_user(
        self, *, principal: Principal, user_id: uuid.UUID, body: models.UserUpdate
    ) -> models.User:
        # Absent fields are MISSING (left alone); full_name may be null (cleared).
        full_name = body.full_name
        changes = UserChanges(
            email=body.email if isinstance(body.email, str) else UNSET,
            full_name=full_name if full_name is None or isinstance(full_name, str) else UNSET,
            password=body.password if isinstance(body.password, str) else UNSET,
            current_password=body.current_password
            if isinstance(body.current_password, str)
            else UNSET,
            is_active=body.is_active if isinstance(body.is_active, bool) else UNSET,
            scopes=frozenset(s.value for s in body.scopes)
            if isinstance(body.scopes, list)
            else UNSET,
        )
        return user_model(await self._users.update(actor(principal), user_id, changes))

    async def delete_user(self, *, principal: Principal, user_id: uuid.UUID) -> None:
        await self._users.delete(actor(principal), user_id)
