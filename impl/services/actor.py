"""Who is acting, and the scope names of the contract."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Final

__all__ = [
    "ADMIN",
    "ADMIN_SCOPES",
    "ITEMS_WRITE",
    "USERS_READ",
    "USERS_WRITE",
    "USER_SCOPES",
    "Actor",
]

ITEMS_WRITE: Final = "items:write"
USERS_READ: Final = "users:read"
USERS_WRITE: Final = "users:write"
ADMIN: Final = "admin"

USER_SCOPES: Final = frozenset({ITEMS_WRITE, USERS_READ, USERS_WRITE})
"""What a self-registered user gets."""
ADMIN_SCOPES: Final = USER_SCOPES | {ADMIN}
"""What an admin has: every scope."""


@dataclass(frozen=True, slots=True)
class Actor:
    """The authenticated caller: the token's scopes intersected with the user's current ones."""

    user_id: uuid.UUID
    scopes: frozenset[str]

    @property
    def is_admin(self) -> bool:
        return ADMIN in self.scopes
