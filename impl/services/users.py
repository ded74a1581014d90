"""Users: registration, reads, updates (self or admin), deletion, the admin bootstrap."""

from __future__ import annotations

import enum
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, fields
from typing import Final

from impl.db import Database, UniqueViolationError, User, UserRepository, utcnow
from impl.errors import BadRequest, Conflict, Forbidden, NotFound
from impl.security import PasswordHasher

from .actor import ADMIN_SCOPES, USER_SCOPES, Actor

__all__ = ["UNSET", "Unset", "UserChanges", "UserService"]


class Unset(enum.Enum):
    """The type of ``UNSET``: "this field was not given" (as opposed to ``None``)."""

    UNSET = "UNSET"

    def __repr__(self) -> str:
        return "UNSET"


UNSET: Final = Unset.UNSET

_ADMIN_ONLY_FIELDS: Final = frozenset({"is_active", "scopes"})


@dataclass(frozen=True, slots=True, kw_only=True)
class UserChanges:
    """A partial update (updateUser). Fields left ``UNSET`` are not touched;
    ``full_name=None`` clears the full name."""

    email: str | Unset = UNSET
    full_name: str | Unset | None = UNSET
    password: str | Unset = UNSET
    is_active: bool | Unset = UNSET
    scopes: frozenset[str] | Unset = UNSET

    @property
    def given(self) -> frozenset[str]:
        """The names of the fields that were given."""
        return frozenset(f.name for f in fields(self) if getattr(self, f.name) is not UNSET)


class UserService:
    def __init__(self, db: Database, hasher: PasswordHasher) -> None:
        self._db = db
        self._hasher = hasher

    async def register(
        self, *, username: str, email: str, password: str, full_name: str | None = None
    ) -> User:
        """A new active user with the self-registration scopes.

        Conflict when the username or the email is taken, case-insensitively. The unique
        indexes decide, so a concurrent registration that wins the race also ends as Conflict.
        """
        hashed = await self._hasher.hash(password)  # before the transaction: it is slow
        now = utcnow()
        user = User(
            id=uuid.uuid4(),
            username=username,
            email=email,
            full_name=full_name,
            hashed_password=hashed,
            is_active=True,
            scopes=sorted(USER_SCOPES),
            created_at=now,
            updated_at=now,
        )
        try:
            async with self._db.transaction() as session:
                await UserRepository(session).add(user)
        except UniqueViolationError as exc:
            raise Conflict("Username or email already registered") from exc
        return user

    async def get(self, user_id: uuid.UUID) -> User:
        async with self._db.transaction(readonly=True) as session:
            user = await UserRepository(session).get(user_id)
        if user is None:
            raise NotFound("User not found")
        return user

    async def list(self, *, skip: int, limit: int) -> tuple[Sequence[User], int]:
        """A page (oldest first) and the total number of users."""
        async with self._db.transaction(readonly=True) as session:
            users = UserRepository(session)
            return await users.list(offset=skip, limit=limit), await users.count()

    async def update(self, actor: Actor, user_id: uuid.UUID, changes: UserChanges) -> User:
        """Self or admin; ``is_active`` and ``scopes`` by an admin only.

        The order of the checks: Forbidden for a non-admin acting on someone else (whether or
        not that user exists: it needs no lookup and reveals nothing), Forbidden for a non-admin
        sending an admin-only field (even unchanged values: the contract says "sending"), then
        NotFound (what an admin gets for an unknown id), then Conflict for a taken email.
        """
        if user_id != actor.user_id and not actor.is_admin:
            raise Forbidden("Not enough permissions")
        if changes.given & _ADMIN_ONLY_FIELDS and not actor.is_admin:
            raise Forbidden("Only an admin may change is_active or scopes")
        if not isinstance(changes.scopes, Unset) and not changes.scopes <= ADMIN_SCOPES:
            unknown = ", ".join(sorted(changes.scopes - ADMIN_SCOPES))
            raise BadRequest(f"Unknown scopes: {unknown}")
        new_hash = None
        if not isinstance(changes.password, Unset):
            new_hash = await self._hasher.hash(changes.password)
        try:
            async with self._db.transaction() as session:
                users = UserRepository(session)
                user = await users.get(user_id, for_update=True)
                if user is None:
                    raise NotFound("User not found")
                if not isinstance(changes.email, Unset):
                    user.email = changes.email
                if not isinstance(changes.full_name, Unset):
                    user.full_name = changes.full_name
                if new_hash is not None:
                    user.hashed_password = new_hash
                if not isinstance(changes.is_active, Unset):
                    user.is_active = changes.is_active
                if not isinstance(changes.scopes, Unset):
                    user.scopes = sorted(changes.scopes)
                user.updated_at = utcnow()
                await users.flush()
        except UniqueViolationError as exc:
            raise Conflict("Email already registered") from exc
        return user

    async def delete(self, actor: Actor, user_id: uuid.UUID) -> None:
        """Admin only (the contract's ``admin`` scope; checked here again). The user's items go
        with them (ON DELETE CASCADE)."""
        if not actor.is_admin:
            raise Forbidden("Not enough permissions")
        async with self._db.transaction() as session:
            deleted = await UserRepository(session).delete(user_id)
        if not deleted:
            raise NotFound("User not found")

    async def ensure_admin(self, *, username: str, email: str, password: str) -> User:
        """The admin bootstrap (ADMIN_USERNAME/EMAIL/PASSWORD), idempotent.

        Creates the user with every scope, or, if the username exists, makes it an active
        admin. An existing user's email and password are left as they are.
        """
        async with self._db.transaction(readonly=True) as session:
            existing = await UserRepository(session).get_by_username(username)
        if existing is None:
            hashed = await self._hasher.hash(password)
            now = utcnow()
            user = User(
                id=uuid.uuid4(),
                username=username,
                email=email,
                full_name=None,
                hashed_password=hashed,
                is_active=True,
                scopes=sorted(ADMIN_SCOPES),
                created_at=now,
                updated_at=now,
            )
            try:
                async with self._db.transaction() as session:
                    return await UserRepository(session).add(user)
            except UniqueViolationError:
                pass  # created concurrently (another worker), or the email is taken: see below
        async with self._db.transaction() as session:
            users = UserRepository(session)
            admin = await users.get_by_username(username, for_update=True)
            if admin is None:
                raise Conflict(f"Cannot create admin {username!r}: email already registered")
            if set(admin.scopes) != ADMIN_SCOPES or not admin.is_active:
                admin.scopes = sorted(ADMIN_SCOPES)
                admin.is_active = True
                admin.updated_at = utcnow()
                await users.flush()
            return admin
