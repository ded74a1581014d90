"""Users: registration, reads, updates (self or admin), deletion, the admin bootstrap."""

from __future__ import annotations

import enum
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, fields
from typing import Final

from impl.db import (
    Database,
    ItemRepository,
    UniqueViolationError,
    User,
    UserRepository,
    utcnow,
)
from impl.errors import BadRequest, Conflict, Forbidden, NotFound
from impl.security import PasswordHasher

from .actor import ADMIN_SCOPES, USER_SCOPES, Actor
from .cache import ItemCache

__all__ = ["UNSET", "AdminBootstrapRefused", "Unset", "UserChanges", "UserService"]


class Unset(enum.Enum):
    """The type of ``UNSET``: "this field was not given" (as opposed to ``None``)."""

    UNSET = "UNSET"

    def __repr__(self) -> str:
        return "UNSET"


UNSET: Final = Unset.UNSET

_ADMIN_ONLY_FIELDS: Final = frozenset({"is_active", "scopes"})
CURRENT_PASSWORD_REQUIRED: Final = "current_password is required to change your own password"  # noqa: S105 - a message
CURRENT_PASSWORD_WRONG: Final = "current_password is incorrect"  # noqa: S105 - a message


class AdminBootstrapRefused(Exception):
    """ADMIN_USERNAME or ADMIN_EMAIL belongs to an account that is not that admin: start-up
    must stop (the message says which; it never holds the password)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class UserChanges:
    """A partial update (updateUser). Fields left ``UNSET`` are not touched;
    ``full_name=None`` clears the full name."""

    email: str | Unset = UNSET
    full_name: str | Unset | None = UNSET
    password: str | Unset = UNSET
    current_password: str | Unset = UNSET
    is_active: bool | Unset = UNSET
    scopes: frozenset[str] | Unset = UNSET

    @property
    def given(self) -> frozenset[str]:
        """The names of the fields that were given."""
        return frozenset(f.name for f in fields(self) if getattr(self, f.name) is not UNSET)


class UserService:
    def __init__(
        self, db: Database, hasher: PasswordHasher, *, item_cache: ItemCache | None = None
    ) -> None:
        self._db = db
        self._hasher = hasher
        self._item_cache = item_cache

    async def register(
        self, *, username: str, email: str, password: str, full_name: str | None = None
    ) -> User:
        """A new active user with the self-registration scopes.

        Conflict when the username or the email is taken, case-insensitively. The unique
        indexes decide, so a concurrent registration that wins the race also ends as Conflict.
        A taken username or email is found before the (slow, ~200 ms) hash is computed, so
        that repeating a registration costs a query, not argon2 (issue 8).
        """
        async with self._db.transaction(readonly=True) as session:
            users = UserRepository(session)
            if await users.get_by_username(username) or await users.get_by_email(email):
                raise Conflict("Username or email already registered")
        hashed = await self._hasher.hash(password)  # outside any transaction: it is slow
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

        Changing one's own password needs ``current_password`` (Forbidden when missing or
        wrong), so a stolen token cannot become a permanent takeover; an admin resetting
        someone else's does not. A password change, and a deactivation, increment the user's
        ``token_version``, which ends every token issued before (issue 8).
        """
        if user_id != actor.user_id and not actor.is_admin:
            raise Forbidden("Not enough permissions")
        if changes.given & _ADMIN_ONLY_FIELDS and not actor.is_admin:
            raise Forbidden("Only an admin may change is_active or scopes")
        if not isinstance(changes.scopes, Unset) and not changes.scopes <= ADMIN_SCOPES:
            unknown = ", ".join(sorted(changes.scopes - ADMIN_SCOPES))
            raise BadRequest(f"Unknown scopes: {unknown}")
        new_hash = None
        verified_hash: str | None = None  # the hash current_password was checked against
        if not isinstance(changes.password, Unset):
            if user_id == actor.user_id:
                verified_hash = await self._check_current_password(user_id, changes)
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
                if verified_hash is not None and user.hashed_password != verified_hash:
                    # Changed by someone else since current_password was checked.
                    raise Forbidden(CURRENT_PASSWORD_WRONG)
                ends_tokens = new_hash is not None
                if new_hash is not None:
                    user.hashed_password = new_hash
                if not isinstance(changes.is_active, Unset):
                    ends_tokens = ends_tokens or (user.is_active and not changes.is_active)
                    user.is_active = changes.is_active
                if ends_tokens:
                    user.token_version += 1
                if not isinstance(changes.scopes, Unset):
                    user.scopes = sorted(changes.scopes)
                user.updated_at = utcnow()
                await users.flush()
        except UniqueViolationError as exc:
            raise Conflict("Email already registered") from exc
        return user

    async def _check_current_password(self, user_id: uuid.UUID, changes: UserChanges) -> str:
        """The stored hash, once ``changes.current_password`` is verified against it."""
        if isinstance(changes.current_password, Unset):
            raise Forbidden(CURRENT_PASSWORD_REQUIRED)
        async with self._db.transaction(readonly=True) as session:
            user = await UserRepository(session).get(user_id)
        if user is None:
            raise NotFound("User not found")
        matches, _ = await self._hasher.verify_and_update(
            changes.current_password, user.hashed_password
        )
        if not matches:
            raise Forbidden(CURRENT_PASSWORD_WRONG)
        return user.hashed_password

    async def delete(self, actor: Actor, user_id: uuid.UUID) -> None:
        """Admin only (the contract's ``admin`` scope; checked here again). The user's items go
        with them (ON DELETE CASCADE), and out of the item cache once committed.

        With a cache, the user's row is locked first: an item being created for them holds a
        key-share lock on it until it commits, so the ids read next include every item the
        cascade will remove (later creations fail their foreign key)."""
        if not actor.is_admin:
            raise Forbidden("Not enough permissions")
        item_ids: list[int] = []
        try:
            async with self._db.transaction() as session:
                users = UserRepository(session)
                if self._item_cache is not None:
                    if await users.get(user_id, for_update=True) is None:
                        raise NotFound("User not found")
                    item_ids = await ItemRepository(session).ids_owned_by(user_id)
                deleted = await users.delete(user_id)
        finally:
            if item_ids and self._item_cache is not None:
                await self._item_cache.invalidate(item_ids)
        if not deleted:
            raise NotFound("User not found")

    async def ensure_admin(self, *, username: str, email: str, password: str) -> User:
        """The admin bootstrap (ADMIN_USERNAME/EMAIL/PASSWORD), idempotent.

        Only ever creates this admin, or updates the account that already is this admin (same
        username and email, case-insensitively, and the ``admin`` scope): that one is made
        active with every scope again, its email and password left as they are. When the
        username or the email belongs to any other account (say one registered by whoever
        came first), it refuses with ``AdminBootstrapRefused``: promoting that account
        would hand the admin role to its owner (issue 8). The caller has checked the three
        values against the contract's rules.
        """
        for _attempt in range(2):
            async with self._db.transaction(readonly=True) as session:
                users = UserRepository(session)
                by_name = await users.get_by_username(username)
                by_email = await users.get_by_email(email)
            if by_name is not None or by_email is not None:
                break
            user = User(
                id=uuid.uuid4(),
                username=username,
                email=email,
                full_name=None,
                hashed_password=await self._hasher.hash(password),
                is_active=True,
                scopes=sorted(ADMIN_SCOPES),
                created_at=utcnow(),
                updated_at=utcnow(),
            )
            try:
                async with self._db.transaction() as session:
                    return await UserRepository(session).add(user)
            except UniqueViolationError:
                continue  # created meanwhile (another worker starting): look again
        async with self._db.transaction() as session:
            users = UserRepository(session)
            admin = await users.get_by_username(username, for_update=True)
            if admin is None or "admin" not in admin.scopes:
                taken = "username" if admin is not None else "email"
                raise AdminBootstrapRefused(
                    f"ADMIN_USERNAME {username!r} cannot be bootstrapped: the {taken} already "
                    "belongs to an account that is not this admin (choose another, or remove "
                    "or rename that account)"
                )
            if admin.email.lower() != email.lower():
                raise AdminBootstrapRefused(
                    f"ADMIN_EMAIL does not match the email of the existing admin {username!r}; "
                    "it may belong to another account (set it to the admin's current email)"
                )
            if set(admin.scopes) != ADMIN_SCOPES or not admin.is_active:
                admin.scopes = sorted(ADMIN_SCOPES)
                admin.is_active = True
                admin.updated_at = utcnow()
                await users.flush()
            return admin
