"""Login (OAuth2 password flow) and authentication of bearer tokens."""

from __future__ import annotations

import uuid
from typing import Final

from impl.db import Database, UserQueries, UserRepository
from impl.errors import Unauthorized
from impl.security import IssuedToken, PasswordHasher, TokenCodec

from .actor import Actor

__all__ = ["BAD_CREDENTIALS", "AuthService"]

BAD_CREDENTIALS: Final = "Incorrect username or password"


class AuthService:
    def __init__(self, db: Database, hasher: PasswordHasher, codec: TokenCodec) -> None:
        self._db = db
        self._hasher = hasher
        self._codec = codec

    async def login(
        self, *, username: str, password: str, requested_scopes: frozenset[str] | None = None
    ) -> IssuedToken:
        """A token for these credentials, or Unauthorized.

        Unknown username, wrong password and inactive user all get the same answer after the
        same work: one argon2 verification (against a dummy hash when there is no user), so
        neither the message nor the time tells which it was. Usernames match
        case-insensitively, like their uniqueness.

        Scopes: ``requested_scopes`` intersected with the user's; all of the user's when
        ``None`` (no ``scope`` field). An empty set asks for nothing and gets nothing.
        A hash made with other parameters than the current ones is replaced on success.
        """
        user = None
        if "\x00" not in username:  # no username has one, and PostgreSQL text cannot hold it
            async with self._db.transaction(readonly=True) as session:
                user = await UserRepository(session).get_by_username(username)
        stored_hash = user.hashed_password if user is not None else None
        # No transaction is held while argon2 runs (~200 ms at production cost).
        matches, new_hash = await self._hasher.verify_and_update(password, stored_hash)
        if user is None or stored_hash is None or not matches or not user.is_active:
            raise Unauthorized(BAD_CREDENTIALS)
        if new_hash is not None:
            async with self._db.transaction() as session:
                await UserRepository(session).replace_password_hash(
                    user.id, old_hash=stored_hash, new_hash=new_hash
                )
        own_scopes = frozenset(user.scopes)
        scopes = own_scopes if requested_scopes is None else requested_scopes & own_scopes
        return self._codec.issue(str(user.id), scopes, version=user.token_version)

    async def authenticate(self, token: str) -> Actor | None:
        """The actor behind a bearer token, or None (then the contract answers 401).

        The token must decode (signature, algorithm, expiry), and its user must still exist and
        be active: deactivating or deleting a user ends their tokens at once. Its version must
        be the user's current one: a password change or a deactivation (which increment it)
        ends every token issued before, for good (reactivating brings none back). The actor's scopes
        are the token's intersected with the user's current ones, so revoking a scope also
        takes effect at once.
        """
        claims = self._codec.decode(token)
        if claims is None:
            return None
        try:
            user_id = uuid.UUID(claims.subject)
        except ValueError:
            return None
        # One statement on an autocommit connection: one round trip, no BEGIN/COMMIT (issue 9).
        async with self._db.autocommit() as connection:
            holder = await UserQueries(connection).token_holder(user_id)
        if holder is None or not holder.is_active or claims.version != holder.token_version:
            return None
        return Actor(user_id=user_id, scopes=claims.scopes & frozenset(holder.scopes))
