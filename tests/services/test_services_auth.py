"""AuthService: login (scopes, equal work for every failure, rehash) and token authentication."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import jwt
import pytest

from impl.db import Database, User
from impl.errors import Unauthorized
from impl.security import PasswordHasher, TokenCodec
from impl.services import (
    ADMIN_SCOPES,
    USER_SCOPES,
    Actor,
    AuthService,
    UserChanges,
    UserService,
)
from impl.settings import Settings
from tests.factories import DEFAULT_PASSWORD, TEST_SECRET, actor_for, make_user


@pytest.fixture
def verified_hashes(hasher: PasswordHasher, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every hash the hasher verifies a password against, in order."""
    seen: list[str] = []
    original = hasher._verify_sync

    def spy(password: str, password_hash: str) -> tuple[bool, str | None]:
        seen.append(password_hash)
        return original(password, password_hash)

    monkeypatch.setattr(hasher, "_verify_sync", spy)
    return seen


@pytest.fixture
def costlier() -> Iterator[PasswordHasher]:
    running = PasswordHasher(memory_kib=16, time_cost=2, parallelism=1)
    yield running
    running.close()


async def _token_scopes(codec: TokenCodec, token: str) -> frozenset[str]:
    claims = codec.decode(token)
    assert claims is not None
    return claims.scopes


class TestLogin:
    async def test_token_for_the_user_with_all_their_scopes(
        self, auth_service: AuthService, codec: TokenCodec, settings: Settings, db: Database
    ) -> None:
        user = await make_user(db, username="alice")

        issued = await auth_service.login(username="alice", password=DEFAULT_PASSWORD)

        claims = codec.decode(issued.access_token)
        assert claims is not None
        assert claims.subject == str(user.id)
        assert claims.scopes == USER_SCOPES
        assert issued.expires_in == settings.access_token_expire_minutes * 60

    async def test_usernames_match_case_insensitively(
        self, auth_service: AuthService, db: Database
    ) -> None:
        await make_user(db, username="Alice")

        assert await auth_service.login(username="aLICE", password=DEFAULT_PASSWORD)

    @pytest.mark.parametrize(
        ("requested", "granted"),
        [
            (frozenset({"items:write"}), frozenset({"items:write"})),
            (frozenset({"items:write", "admin"}), frozenset({"items:write"})),
            (frozenset({"admin", "no-such-scope"}), frozenset()),
            (frozenset(), frozenset()),
            (None, USER_SCOPES),
        ],
        ids=["subset", "more-than-own", "none-of-own", "empty", "not-asked"],
    )
    async def test_scopes_are_the_requested_ones_intersected_with_the_users(
        self,
        auth_service: AuthService,
        codec: TokenCodec,
        db: Database,
        requested: frozenset[str] | None,
        granted: frozenset[str],
    ) -> None:
        await make_user(db, username="bob")

        issued = await auth_service.login(
            username="bob", password=DEFAULT_PASSWORD, requested_scopes=requested
        )

        assert await _token_scopes(codec, issued.access_token) == granted

    async def test_admin_gets_every_scope(
        self, auth_service: AuthService, codec: TokenCodec, db: Database
    ) -> None:
        await make_user(db, username="root", scopes=ADMIN_SCOPES)

        issued = await auth_service.login(username="root", password=DEFAULT_PASSWORD)

        assert await _token_scopes(codec, issued.access_token) == ADMIN_SCOPES

    async def test_wrong_password_is_unauthorized(
        self, auth_service: AuthService, db: Database
    ) -> None:
        await make_user(db, username="carol")

        with pytest.raises(Unauthorized) as raised:
            await auth_service.login(username="carol", password="not-the-password")

        assert raised.value.detail == "Incorrect username or password"
        assert raised.value.headers == {"WWW-Authenticate": "Bearer"}

    async def test_unknown_username_verifies_against_the_dummy_hash(
        self,
        auth_service: AuthService,
        hasher: PasswordHasher,
        verified_hashes: list[str],
    ) -> None:
        with pytest.raises(Unauthorized, match="Incorrect username or password"):
            await auth_service.login(username="nobody", password="whatever-password")

        # The same work as a wrong password: one argon2 verification at the real cost.
        assert verified_hashes == [hasher.dummy_hash]

    async def test_nul_in_username_is_just_an_unknown_user(
        self, auth_service: AuthService, hasher: PasswordHasher, verified_hashes: list[str]
    ) -> None:
        with pytest.raises(Unauthorized):
            await auth_service.login(username="nul\x00byte", password="whatever")

        assert verified_hashes == [hasher.dummy_hash]

    async def test_inactive_user_is_unauthorized_after_the_same_work(
        self, auth_service: AuthService, db: Database, verified_hashes: list[str]
    ) -> None:
        user = await make_user(db, username="dora", is_active=False)

        with pytest.raises(Unauthorized, match="Incorrect username or password"):
            await auth_service.login(username="dora", password=DEFAULT_PASSWORD)

        assert verified_hashes == [user.hashed_password]

    async def test_wrong_password_does_the_same_work(
        self, auth_service: AuthService, db: Database, verified_hashes: list[str]
    ) -> None:
        user = await make_user(db, username="eve")

        with pytest.raises(Unauthorized):
            await auth_service.login(username="eve", password="wrong-password")

        assert verified_hashes == [user.hashed_password]

    async def test_hash_with_old_parameters_is_replaced_on_login(
        self,
        auth_service: AuthService,
        user_service: UserService,
        costlier: PasswordHasher,
        db: Database,
    ) -> None:
        old_hash = await costlier.hash("the-password")
        user = await make_user(db, username="fred", hashed_password=old_hash)

        await auth_service.login(username="fred", password="the-password")

        rehashed = (await user_service.get(user.id)).hashed_password
        assert rehashed != old_hash
        assert rehashed.startswith("$argon2id$v=19$m=8,t=1,p=1$")
        assert await auth_service.login(username="fred", password="the-password")
        assert (await user_service.get(user.id)).hashed_password == rehashed

    async def test_no_rehash_for_current_parameters(
        self, auth_service: AuthService, user_service: UserService, db: Database
    ) -> None:
        user = await make_user(db, username="gus")

        await auth_service.login(username="gus", password=DEFAULT_PASSWORD)

        assert (await user_service.get(user.id)).hashed_password == user.hashed_password

    async def test_no_rehash_for_a_wrong_password(
        self,
        auth_service: AuthService,
        user_service: UserService,
        costlier: PasswordHasher,
        db: Database,
    ) -> None:
        old_hash = await costlier.hash("the-password")
        user = await make_user(db, username="hal", hashed_password=old_hash)

        with pytest.raises(Unauthorized):
            await auth_service.login(username="hal", password="wrong")

        assert (await user_service.get(user.id)).hashed_password == old_hash


class TestAuthenticate:
    async def _login(self, auth_service: AuthService, user: User) -> str:
        issued = await auth_service.login(username=user.username, password=DEFAULT_PASSWORD)
        return issued.access_token

    async def test_valid_token_gives_the_actor(
        self, auth_service: AuthService, db: Database
    ) -> None:
        user = await make_user(db)
        token = await self._login(auth_service, user)

        actor = await auth_service.authenticate(token)

        assert actor == Actor(user_id=user.id, scopes=USER_SCOPES)

    async def test_scopes_are_the_tokens(self, auth_service: AuthService, db: Database) -> None:
        user = await make_user(db, scopes=ADMIN_SCOPES)
        issued = await auth_service.login(
            username=user.username,
            password=DEFAULT_PASSWORD,
            requested_scopes=frozenset({"users:read"}),
        )

        actor = await auth_service.authenticate(issued.access_token)

        assert actor is not None
        assert actor.scopes == {"users:read"}
        assert not actor.is_admin

    async def test_revoked_scopes_leave_the_token_at_once(
        self, auth_service: AuthService, user_service: UserService, db: Database
    ) -> None:
        admin = await make_user(db, scopes=ADMIN_SCOPES)
        user = await make_user(db)
        token = await self._login(auth_service, user)

        await user_service.update(
            actor_for(admin), user.id, UserChanges(scopes=frozenset({"users:read"}))
        )

        actor = await auth_service.authenticate(token)
        assert actor is not None
        assert actor.scopes == {"users:read"}

    async def test_a_deactivated_users_token_stops_working(
        self, auth_service: AuthService, user_service: UserService, db: Database
    ) -> None:
        admin = await make_user(db, scopes=ADMIN_SCOPES)
        user = await make_user(db)
        token = await self._login(auth_service, user)
        assert await auth_service.authenticate(token) is not None

        await user_service.update(actor_for(admin), user.id, UserChanges(is_active=False))

        assert await auth_service.authenticate(token) is None

    async def test_a_deleted_users_token_stops_working(
        self, auth_service: AuthService, user_service: UserService, db: Database
    ) -> None:
        admin = await make_user(db, scopes=ADMIN_SCOPES)
        user = await make_user(db)
        token = await self._login(auth_service, user)

        await user_service.delete(actor_for(admin), user.id)

        assert await auth_service.authenticate(token) is None

    async def test_tampered_token(self, auth_service: AuthService, db: Database) -> None:
        user = await make_user(db)
        admin = await make_user(db, scopes=ADMIN_SCOPES)
        header, _, signature = (await self._login(auth_service, user)).split(".")
        _, admin_payload, _ = (await self._login(auth_service, admin)).split(".")

        assert await auth_service.authenticate(f"{header}.{admin_payload}.{signature}") is None

    async def test_alg_none(self, auth_service: AuthService, db: Database) -> None:
        user = await make_user(db)
        _, payload, _ = (await self._login(auth_service, user)).split(".")
        none_header = "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0"  # {"alg":"none","typ":"JWT"}

        assert await auth_service.authenticate(f"{none_header}.{payload}.") is None

    async def test_expired_token(self, auth_service: AuthService, db: Database) -> None:
        user = await make_user(db)
        an_hour_ago = TokenCodec(TEST_SECRET, clock=lambda: datetime.now(UTC) - timedelta(hours=1))
        token = an_hour_ago.issue(str(user.id), USER_SCOPES).access_token

        assert await auth_service.authenticate(token) is None

    async def test_token_signed_with_another_secret(
        self, auth_service: AuthService, db: Database
    ) -> None:
        user = await make_user(db)
        token = TokenCodec("x" * 32).issue(str(user.id), USER_SCOPES).access_token

        assert await auth_service.authenticate(token) is None

    @pytest.mark.parametrize("subject", ["not-a-uuid", str(uuid.uuid4())])
    async def test_subject_that_is_not_a_user(
        self, auth_service: AuthService, codec: TokenCodec, subject: str
    ) -> None:
        token = codec.issue(subject, USER_SCOPES).access_token

        assert await auth_service.authenticate(token) is None

    async def test_hs512_token_with_the_same_secret(
        self, auth_service: AuthService, db: Database
    ) -> None:
        user = await make_user(db)
        now = datetime.now(UTC)
        claims = {
            "sub": str(user.id),
            "scopes": sorted(USER_SCOPES),
            "iat": now,
            "exp": now + timedelta(minutes=5),
            "jti": "x",
        }
        # PyJWT would warn that the key is short for HS512; the point is the pinned algorithm.
        with pytest.warns(jwt.InsecureKeyLengthWarning):
            token = jwt.encode(claims, TEST_SECRET, algorithm="HS512")

        assert await auth_service.authenticate(token) is None
