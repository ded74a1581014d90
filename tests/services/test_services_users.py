"""UserService: registration, reads, the update rules, deletion, the admin bootstrap."""

from __future__ import annotations

import uuid
from datetime import UTC, timedelta

import pytest

from impl.db import Database
from impl.errors import BadRequest, Conflict, Forbidden, NotFound
from impl.security import PasswordHasher
from impl.services import (
    ADMIN_SCOPES,
    UNSET,
    USER_SCOPES,
    AdminBootstrapRefused,
    AuthService,
    ItemService,
    UserChanges,
    UserService,
)
from tests.factories import DEFAULT_PASSWORD, actor_for, make_item, make_user


class TestRegister:
    async def test_creates_an_active_user_with_the_self_registration_scopes(
        self, user_service: UserService, hasher: PasswordHasher
    ) -> None:
        user = await user_service.register(
            username="alice", email="alice@example.com", password="s3cret-pw", full_name="Alice"
        )

        assert isinstance(user.id, uuid.UUID)
        assert (user.username, user.email, user.full_name) == (
            "alice",
            "alice@example.com",
            "Alice",
        )
        assert user.is_active is True
        assert user.scopes == sorted(USER_SCOPES)
        assert user.created_at.tzinfo is UTC
        assert user.hashed_password.startswith("$argon2id$")
        assert await hasher.verify_and_update("s3cret-pw", user.hashed_password) == (True, None)

    async def test_the_stored_row_reads_back(self, user_service: UserService) -> None:
        user = await user_service.register(username="bob", email="b@example.com", password="pw" * 4)

        stored = await user_service.get(user.id)

        assert stored is not user
        assert (stored.id, stored.username, stored.email) == (user.id, "bob", "b@example.com")
        assert stored.created_at == user.created_at
        assert stored.created_at.tzinfo is UTC
        assert stored.full_name is None

    @pytest.mark.parametrize("taken", ["alice", "ALICE", "Alice"])
    async def test_username_taken_in_any_case_is_conflict(
        self, user_service: UserService, db: Database, taken: str
    ) -> None:
        await make_user(db, username="aLiCe")

        with pytest.raises(Conflict) as raised:
            await user_service.register(username=taken, email="new@example.com", password="p" * 8)

        assert raised.value.detail == "Username or email already registered"
        assert raised.value.status_code == 409

    @pytest.mark.parametrize("taken", ["alice@example.com", "ALICE@EXAMPLE.COM"])
    async def test_email_taken_in_any_case_is_conflict(
        self, user_service: UserService, db: Database, taken: str
    ) -> None:
        await make_user(db, email="Alice@Example.com")

        with pytest.raises(Conflict, match="Username or email already registered"):
            await user_service.register(username="someone", email=taken, password="p" * 8)

    async def test_a_conflict_leaves_the_database_usable(self, user_service: UserService) -> None:
        await user_service.register(username="carol", email="c@example.com", password="p" * 8)
        with pytest.raises(Conflict):
            await user_service.register(username="CAROL", email="c2@example.com", password="p" * 8)

        await user_service.register(username="dave", email="d@example.com", password="p" * 8)

        _, total = await user_service.list(skip=0, limit=10)
        assert total == 2


class TestGetUser:
    async def test_unknown_id_is_not_found(self, user_service: UserService) -> None:
        with pytest.raises(NotFound, match="User not found"):
            await user_service.get(uuid.uuid4())


class TestListUsers:
    async def test_pages_oldest_first_with_the_total(
        self, user_service: UserService, db: Database
    ) -> None:
        first = await make_user(db, username="first")
        base = first.created_at
        second = await make_user(db, username="second", created_at=base + timedelta(seconds=1))
        third = await make_user(db, username="third", created_at=base + timedelta(seconds=2))

        everyone, total = await user_service.list(skip=0, limit=10)
        page, page_total = await user_service.list(skip=1, limit=1)

        assert [user.id for user in everyone] == [first.id, second.id, third.id]
        assert [user.id for user in page] == [second.id]
        assert total == page_total == 3

    async def test_beyond_the_end_is_empty_with_the_total(
        self, user_service: UserService, db: Database
    ) -> None:
        await make_user(db)

        page, total = await user_service.list(skip=50, limit=10)

        assert (list(page), total) == ([], 1)


class TestUpdateUser:
    async def test_self_changes_email_full_name_and_password(
        self, user_service: UserService, auth_service: AuthService, db: Database
    ) -> None:
        user = await make_user(db, username="erin", full_name="Erin")

        updated = await user_service.update(
            actor_for(user),
            user.id,
            UserChanges(
                email="erin@new.example",
                full_name="Erin E.",
                password="new-password",
                current_password=DEFAULT_PASSWORD,
            ),
        )

        assert (updated.email, updated.full_name) == ("erin@new.example", "Erin E.")
        assert updated.updated_at > user.updated_at
        assert updated.created_at == user.created_at
        assert await auth_service.login(username="erin", password="new-password")

    async def test_unset_fields_are_left_alone_and_none_clears_full_name(
        self, user_service: UserService, db: Database
    ) -> None:
        user = await make_user(db, full_name="Frank", email="frank@example.com")

        updated = await user_service.update(
            actor_for(user), user.id, UserChanges(full_name=None, email=UNSET)
        )

        assert updated.full_name is None
        assert updated.email == "frank@example.com"
        assert updated.hashed_password == user.hashed_password
        assert (await user_service.get(user.id)).full_name is None

    async def test_own_email_in_another_case_is_not_a_conflict(
        self, user_service: UserService, db: Database
    ) -> None:
        user = await make_user(db, email="gina@example.com")

        updated = await user_service.update(
            actor_for(user), user.id, UserChanges(email="GINA@example.com")
        )

        assert updated.email == "GINA@example.com"

    async def test_email_taken_by_another_user_in_any_case_is_conflict(
        self, user_service: UserService, db: Database
    ) -> None:
        await make_user(db, email="taken@example.com")
        user = await make_user(db)

        with pytest.raises(Conflict, match="Email already registered"):
            await user_service.update(
                actor_for(user), user.id, UserChanges(email="TAKEN@example.com")
            )

    async def test_non_admin_on_someone_else_is_forbidden(
        self, user_service: UserService, db: Database
    ) -> None:
        user = await make_user(db)
        other = await make_user(db, full_name="Other")

        with pytest.raises(Forbidden):
            await user_service.update(actor_for(user), other.id, UserChanges(full_name="Mine"))

        assert (await user_service.get(other.id)).full_name == "Other"

    async def test_non_admin_on_an_unknown_id_is_forbidden_not_404(
        self, user_service: UserService, db: Database
    ) -> None:
        user = await make_user(db)

        with pytest.raises(Forbidden):
            await user_service.update(actor_for(user), uuid.uuid4(), UserChanges(full_name="x"))

    @pytest.mark.parametrize(
        "changes",
        [
            UserChanges(is_active=True),
            UserChanges(is_active=False),
            UserChanges(scopes=frozenset({"items:write"})),
            UserChanges(scopes=ADMIN_SCOPES, full_name="sneaky"),
        ],
        ids=["is_active-unchanged", "is_active", "scopes", "scopes-with-other-fields"],
    )
    async def test_non_admin_sending_admin_only_fields_is_forbidden_even_for_self(
        self, user_service: UserService, db: Database, changes: UserChanges
    ) -> None:
        user = await make_user(db, full_name="Self")

        with pytest.raises(Forbidden):
            await user_service.update(actor_for(user), user.id, changes)

        stored = await user_service.get(user.id)
        assert (stored.is_active, stored.scopes, stored.full_name) == (
            True,
            sorted(USER_SCOPES),
            "Self",
        )

    async def test_admin_sets_is_active_and_scopes(
        self, user_service: UserService, db: Database
    ) -> None:
        admin = await make_user(db, scopes=ADMIN_SCOPES)
        user = await make_user(db)

        updated = await user_service.update(
            actor_for(admin),
            user.id,
            UserChanges(is_active=False, scopes=frozenset({"users:read", "items:write"})),
        )

        assert updated.is_active is False
        assert updated.scopes == ["items:write", "users:read"]
        stored = await user_service.get(user.id)
        assert (stored.is_active, stored.scopes) == (False, ["items:write", "users:read"])

    async def test_admin_on_an_unknown_id_is_not_found(
        self, user_service: UserService, db: Database
    ) -> None:
        admin = await make_user(db, scopes=ADMIN_SCOPES)

        with pytest.raises(NotFound):
            await user_service.update(actor_for(admin), uuid.uuid4(), UserChanges(full_name="x"))

    async def test_an_admin_token_without_the_admin_scope_is_not_admin(
        self, user_service: UserService, db: Database
    ) -> None:
        admin = await make_user(db, scopes=ADMIN_SCOPES)
        other = await make_user(db)

        with pytest.raises(Forbidden):
            await user_service.update(
                actor_for(admin, USER_SCOPES), other.id, UserChanges(full_name="x")
            )

    async def test_unknown_scope_names_are_bad_request(
        self, user_service: UserService, db: Database
    ) -> None:
        admin = await make_user(db, scopes=ADMIN_SCOPES)

        with pytest.raises(BadRequest, match="root"):
            await user_service.update(
                actor_for(admin), admin.id, UserChanges(scopes=frozenset({"admin", "root"}))
            )


class TestDeleteUser:
    async def test_admin_deletes_a_user_and_their_items(
        self, user_service: UserService, item_service: ItemService, db: Database
    ) -> None:
        admin = await make_user(db, scopes=ADMIN_SCOPES)
        user = await make_user(db)
        item = await make_item(db, owner=user)
        kept = await make_item(db, owner=admin)

        await user_service.delete(actor_for(admin), user.id)

        with pytest.raises(NotFound):
            await user_service.get(user.id)
        with pytest.raises(NotFound):
            await item_service.get(item.id)
        assert (await item_service.get(kept.id)).id == kept.id

    async def test_unknown_id_is_not_found(self, user_service: UserService, db: Database) -> None:
        admin = await make_user(db, scopes=ADMIN_SCOPES)

        with pytest.raises(NotFound):
            await user_service.delete(actor_for(admin), uuid.uuid4())

    async def test_non_admin_is_forbidden(self, user_service: UserService, db: Database) -> None:
        user = await make_user(db)

        with pytest.raises(Forbidden):
            await user_service.delete(actor_for(user), user.id)

        assert await user_service.get(user.id)


class TestEnsureAdmin:
    async def test_creates_an_admin_who_can_log_in(
        self, user_service: UserService, auth_service: AuthService
    ) -> None:
        admin = await user_service.ensure_admin(
            username="root", email="root@example.com", password="root-password"
        )

        assert admin.scopes == sorted(ADMIN_SCOPES)
        assert admin.is_active is True
        assert await auth_service.login(username="root", password="root-password")

    async def test_is_idempotent(self, user_service: UserService) -> None:
        first = await user_service.ensure_admin(
            username="root", email="root@example.com", password="root-password"
        )
        again = await user_service.ensure_admin(
            username="ROOT", email="root@example.com", password="root-password"
        )

        _, total = await user_service.list(skip=0, limit=10)
        assert again.id == first.id
        assert total == 1

    async def test_restores_the_existing_admin_and_keeps_their_password(
        self, user_service: UserService, auth_service: AuthService, db: Database
    ) -> None:
        user = await make_user(
            db, username="boss", email="boss@example.com", scopes=["admin"], is_active=False
        )

        admin = await user_service.ensure_admin(
            username="BOSS", email="Boss@Example.com", password="ignored-password"
        )

        assert admin.id == user.id
        assert (admin.scopes, admin.is_active) == (sorted(ADMIN_SCOPES), True)
        assert await auth_service.login(username="boss", password=DEFAULT_PASSWORD)

    @pytest.mark.parametrize(
        ("existing", "taken"),
        [
            ({"username": "boss"}, "username"),  # registered first by someone else
            ({"email": "boss@example.com"}, "email"),
            ({"username": "boss", "email": "boss@example.com"}, "username"),  # not an admin
        ],
    )
    async def test_an_account_that_is_not_this_admin_is_refused_and_left_alone(
        self, user_service: UserService, db: Database, existing: dict[str, str], taken: str
    ) -> None:
        user = await make_user(db, username=existing.get("username"), email=existing.get("email"))

        with pytest.raises(AdminBootstrapRefused, match=f"the {taken} already belongs"):
            await user_service.ensure_admin(
                username="boss", email="boss@example.com", password="root-password"
            )

        unchanged = await user_service.get(user.id)
        assert (unchanged.scopes, unchanged.hashed_password) == (user.scopes, user.hashed_password)
        _, total = await user_service.list(skip=0, limit=10)
        assert total == 1

    async def test_an_admin_with_another_email_is_refused(
        self, user_service: UserService, db: Database
    ) -> None:
        await make_user(db, username="boss", email="boss@example.com", scopes=ADMIN_SCOPES)

        with pytest.raises(AdminBootstrapRefused, match="ADMIN_EMAIL does not match"):
            await user_service.ensure_admin(
                username="boss", email="other@example.com", password="root-password"
            )
