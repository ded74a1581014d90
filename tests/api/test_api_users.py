"""listUsers, getUser, updateUser, deleteUser."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from impl.db import Database
from tests.api.helpers import (
    ADMIN_SCOPES,
    BAD_CREDENTIALS,
    ITEM_NOT_FOUND,
    USER_NOT_FOUND,
    USER_SCOPES,
    Account,
    assert_common_headers,
    assert_error,
    assert_forbidden,
    assert_unauthorized,
    assert_user_body,
    assert_validation_error,
    bearer,
    login,
)
from tests.factories import make_item, make_user

USERS_URL = "/api/v1/users"


def user_url(user_id: uuid.UUID | str) -> str:
    return f"{USERS_URL}/{user_id}"


async def token_with(client: httpx.AsyncClient, account: Account, scope: str) -> dict[str, str]:
    response = await login(client, account.username, account.password, scope=scope)
    assert response.status_code == 200
    return bearer(response.json()["access_token"])


class TestListUsers:
    async def test_lists_users_oldest_first_with_the_total_count(
        self, client: httpx.AsyncClient, db: Database, alice: Account
    ) -> None:
        base = datetime(2026, 1, 1, tzinfo=UTC)
        for n in range(3):
            await make_user(db, username=f"old{n}", created_at=base + timedelta(minutes=n))
        response = await client.get(USERS_URL, headers=alice.headers)
        assert response.status_code == 200
        assert response.headers["Content-Type"] == "application/json"
        assert response.headers["X-Total-Count"] == "4"
        body = response.json()
        for user in body:
            assert_user_body(user)
        assert [user["username"] for user in body] == ["old0", "old1", "old2", "alice"]
        assert_common_headers(response)

    async def test_skip_and_limit_page_through_while_the_count_stays_total(
        self, client: httpx.AsyncClient, db: Database, alice: Account
    ) -> None:
        base = datetime(2026, 1, 1, tzinfo=UTC)
        for n in range(12):
            await make_user(db, username=f"page{n:02}", created_at=base + timedelta(minutes=n))
        default = await client.get(USERS_URL, headers=alice.headers)
        assert [user["username"] for user in default.json()] == [f"page{n:02}" for n in range(10)]
        page = await client.get(USERS_URL, params={"skip": 10, "limit": 2}, headers=alice.headers)
        assert page.status_code == 200
        assert [user["username"] for user in page.json()] == ["page10", "page11"]
        assert page.headers["X-Total-Count"] == "13"
        beyond = await client.get(USERS_URL, params={"skip": 10000}, headers=alice.headers)
        assert beyond.status_code == 200
        assert beyond.json() == []
        assert beyond.headers["X-Total-Count"] == "13"
        most = await client.get(USERS_URL, params={"limit": 100}, headers=alice.headers)
        assert len(most.json()) == 13

    async def test_without_a_token_is_401(self, client: httpx.AsyncClient) -> None:
        assert_unauthorized(await client.get(USERS_URL))

    async def test_token_without_users_read_is_403(
        self, client: httpx.AsyncClient, alice: Account
    ) -> None:
        headers = await token_with(client, alice, "items:write users:write")
        assert_forbidden(await client.get(USERS_URL, headers=headers))

    @pytest.mark.parametrize(
        ("params", "loc", "error_type"),
        [
            ({"skip": -1}, ["query", "skip"], "greater_than_equal"),
            ({"skip": 10001}, ["query", "skip"], "less_than_equal"),
            ({"limit": 0}, ["query", "limit"], "greater_than_equal"),
            ({"limit": 101}, ["query", "limit"], "less_than_equal"),
            ({"limit": "ten"}, ["query", "limit"], "int_parsing"),
        ],
    )
    async def test_paging_out_of_bounds_is_422(
        self,
        client: httpx.AsyncClient,
        alice: Account,
        params: dict[str, Any],
        loc: list[str | int],
        error_type: str,
    ) -> None:
        response = await client.get(USERS_URL, params=params, headers=alice.headers)
        assert_validation_error(response, loc, error_type)


class TestGetUser:
    async def test_returns_any_user_to_a_reader(
        self, client: httpx.AsyncClient, alice: Account, bob: Account
    ) -> None:
        response = await client.get(user_url(bob.id), headers=alice.headers)
        assert response.status_code == 200
        body = response.json()
        assert_user_body(body, bob)
        assert body["full_name"] is None
        assert body["is_active"] is True
        assert sorted(body["scopes"]) == USER_SCOPES
        assert_common_headers(response)

    async def test_unknown_id_is_404(self, client: httpx.AsyncClient, alice: Account) -> None:
        response = await client.get(user_url(uuid.uuid4()), headers=alice.headers)
        assert_error(response, 404, USER_NOT_FOUND)

    async def test_malformed_id_is_422(self, client: httpx.AsyncClient, alice: Account) -> None:
        response = await client.get(user_url("not-a-uuid"), headers=alice.headers)
        assert_validation_error(response, ["path", "user_id"], "uuid_parsing")

    async def test_without_a_token_is_401(self, client: httpx.AsyncClient, bob: Account) -> None:
        assert_unauthorized(await client.get(user_url(bob.id)))

    async def test_token_without_users_read_is_403(
        self, client: httpx.AsyncClient, alice: Account, bob: Account
    ) -> None:
        headers = await token_with(client, alice, "items:write")
        assert_forbidden(await client.get(user_url(bob.id), headers=headers))

    async def test_revoked_scope_takes_effect_at_once_for_existing_tokens(
        self, client: httpx.AsyncClient, alice: Account, admin: Account
    ) -> None:
        """The token says users:read, but the user no longer has it."""
        revoked = await client.put(
            user_url(alice.id), json={"scopes": ["items:write"]}, headers=admin.headers
        )
        assert revoked.status_code == 200
        assert revoked.json()["scopes"] == ["items:write"]
        assert_forbidden(await client.get(user_url(alice.id), headers=alice.headers))


class TestUpdateUser:
    async def test_user_updates_their_own_email_and_full_name(
        self, client: httpx.AsyncClient, alice: Account
    ) -> None:
        response = await client.put(
            user_url(alice.id),
            json={"email": "alice@new.example.com", "full_name": "Alice Liddell"},
            headers=alice.headers,
        )
        assert response.status_code == 200
        body = response.json()
        assert_user_body(body)
        assert body["id"] == str(alice.id)
        assert body["username"] == "alice"
        assert body["email"] == "alice@new.example.com"
        assert body["full_name"] == "Alice Liddell"
        assert sorted(body["scopes"]) == USER_SCOPES
        assert_common_headers(response)
        fetched = await client.get(user_url(alice.id), headers=alice.headers)
        assert fetched.json() == body

    async def test_absent_fields_are_left_alone_and_null_full_name_clears_it(
        self, client: httpx.AsyncClient, alice: Account
    ) -> None:
        untouched = await client.put(user_url(alice.id), json={}, headers=alice.headers)
        assert untouched.status_code == 200
        assert untouched.json()["full_name"] == "Alice"
        assert untouched.json()["email"] == "alice@example.com"
        cleared = await client.put(
            user_url(alice.id), json={"full_name": None}, headers=alice.headers
        )
        assert cleared.status_code == 200
        assert cleared.json()["full_name"] is None
        assert cleared.json()["email"] == "alice@example.com"

    async def test_new_password_replaces_the_old_one(
        self, client: httpx.AsyncClient, alice: Account
    ) -> None:
        response = await client.put(
            user_url(alice.id),
            json={"password": "a brand new password", "current_password": alice.password},
            headers=alice.headers,
        )
        assert response.status_code == 200
        assert "password" not in response.json()
        assert "current_password" not in response.json()
        assert (await login(client, "alice", "a brand new password")).status_code == 200
        assert_unauthorized(await login(client, "alice", alice.password), BAD_CREDENTIALS)

    async def test_non_admin_updating_someone_else_is_403(
        self, client: httpx.AsyncClient, alice: Account, bob: Account
    ) -> None:
        response = await client.put(
            user_url(bob.id), json={"full_name": "Bobby Tables"}, headers=alice.headers
        )
        assert_forbidden(response)
        fetched = await client.get(user_url(bob.id), headers=alice.headers)
        assert fetched.json()["full_name"] is None

    @pytest.mark.parametrize(
        "changes",
        [{"is_active": False}, {"is_active": True}, {"scopes": ["admin"]}, {"scopes": USER_SCOPES}],
    )
    async def test_non_admin_sending_is_active_or_scopes_is_403_even_for_themselves(
        self, client: httpx.AsyncClient, alice: Account, changes: dict[str, Any]
    ) -> None:
        response = await client.put(user_url(alice.id), json=changes, headers=alice.headers)
        assert_forbidden(response, {"detail": "Only an admin may change is_active or scopes"})
        me = await client.get("/api/v1/auth/me", headers=alice.headers)
        assert me.json()["is_active"] is True
        assert sorted(me.json()["scopes"]) == USER_SCOPES

    async def test_admin_updates_anyone_including_scopes_and_is_active(
        self, client: httpx.AsyncClient, alice: Account, admin: Account
    ) -> None:
        response = await client.put(
            user_url(alice.id),
            json={"full_name": "Promoted", "scopes": ADMIN_SCOPES, "is_active": True},
            headers=admin.headers,
        )
        assert response.status_code == 200
        assert response.json()["full_name"] == "Promoted"
        assert sorted(response.json()["scopes"]) == ADMIN_SCOPES
        # The promotion is real: alice's new token carries admin and works as one.
        token = (await login(client, "alice", alice.password)).json()["access_token"]
        deleted = await client.delete(user_url(admin.id), headers=bearer(token))
        assert deleted.status_code == 204

    async def test_admin_on_an_unknown_id_is_404(
        self, client: httpx.AsyncClient, admin: Account
    ) -> None:
        response = await client.put(
            user_url(uuid.uuid4()), json={"full_name": "Nobody"}, headers=admin.headers
        )
        assert_error(response, 404, USER_NOT_FOUND)

    async def test_non_admin_on_an_unknown_id_is_403(
        self, client: httpx.AsyncClient, alice: Account
    ) -> None:
        """Someone else's id, existing or not: users reveal nothing about ids (the
        404-before-403 rule of the contract is for items)."""
        response = await client.put(
            user_url(uuid.uuid4()), json={"full_name": "Nobody"}, headers=alice.headers
        )
        assert_forbidden(response)

    @pytest.mark.parametrize("email", ["bob@example.com", "BOB@Example.COM"])
    async def test_email_taken_by_another_user_is_409_case_insensitively(
        self, client: httpx.AsyncClient, alice: Account, bob: Account, email: str
    ) -> None:
        response = await client.put(
            user_url(alice.id), json={"email": email}, headers=alice.headers
        )
        assert_error(response, 409, {"detail": "Email already registered"})
        me = await client.get("/api/v1/auth/me", headers=alice.headers)
        assert me.json()["email"] == "alice@example.com"

    async def test_own_email_in_another_case_is_not_a_conflict(
        self, client: httpx.AsyncClient, alice: Account
    ) -> None:
        response = await client.put(
            user_url(alice.id), json={"email": "ALICE@example.com"}, headers=alice.headers
        )
        assert response.status_code == 200
        assert response.json()["email"] == "ALICE@example.com"

    @pytest.mark.parametrize(
        ("changes", "loc", "error_type"),
        [
            ({"username": "renamed"}, ["body", "username"], "extra_forbidden"),
            ({"id": str(uuid.uuid4())}, ["body", "id"], "extra_forbidden"),
            ({"email": "nope"}, ["body", "email"], "value_error"),
            ({"email": None}, ["body", "email"], "string_type"),
            ({"password": "short"}, ["body", "password"], "string_too_short"),
            ({"full_name": "x" * 101}, ["body", "full_name"], "string_too_long"),
            ({"full_name": "a\x00b"}, ["body", "full_name"], "string_pattern_mismatch"),
            ({"scopes": ["superuser"]}, ["body", "scopes", 0], "enum"),
            ({"is_active": "no"}, ["body", "is_active"], "bool_type"),
        ],
    )
    async def test_invalid_body_is_422(
        self,
        client: httpx.AsyncClient,
        admin: Account,
        alice: Account,
        changes: dict[str, Any],
        loc: list[str | int],
        error_type: str,
    ) -> None:
        response = await client.put(user_url(alice.id), json=changes, headers=admin.headers)
        assert_validation_error(response, loc, error_type)

    async def test_malformed_id_is_422(self, client: httpx.AsyncClient, alice: Account) -> None:
        response = await client.put(user_url("123"), json={}, headers=alice.headers)
        assert_validation_error(response, ["path", "user_id"], "uuid_parsing")

    async def test_without_a_token_is_401(self, client: httpx.AsyncClient, alice: Account) -> None:
        assert_unauthorized(await client.put(user_url(alice.id), json={"full_name": "X"}))

    async def test_token_without_users_write_is_403_even_for_themselves(
        self, client: httpx.AsyncClient, alice: Account
    ) -> None:
        headers = await token_with(client, alice, "users:read items:write")
        response = await client.put(user_url(alice.id), json={"full_name": "X"}, headers=headers)
        assert_forbidden(response)


class TestDeleteUser:
    async def test_admin_deletes_a_user_and_their_items(
        self, client: httpx.AsyncClient, db: Database, alice: Account, bob: Account, admin: Account
    ) -> None:
        doomed = await make_item(db, owner=alice.id)
        kept = await make_item(db, owner=bob.id)
        response = await client.delete(user_url(alice.id), headers=admin.headers)
        assert response.status_code == 204
        assert response.content == b""
        assert_common_headers(response)
        assert_error(
            await client.get(user_url(alice.id), headers=admin.headers), 404, USER_NOT_FOUND
        )
        assert_error(await client.get(f"/api/v1/items/{doomed.id}"), 404, ITEM_NOT_FOUND)
        assert (await client.get(f"/api/v1/items/{kept.id}")).status_code == 200
        listed = await client.get("/api/v1/items")
        assert listed.headers["X-Total-Count"] == "1"

    async def test_deleting_twice_is_404(
        self, client: httpx.AsyncClient, alice: Account, admin: Account
    ) -> None:
        assert (await client.delete(user_url(alice.id), headers=admin.headers)).status_code == 204
        response = await client.delete(user_url(alice.id), headers=admin.headers)
        assert_error(response, 404, USER_NOT_FOUND)

    async def test_unknown_id_is_404(self, client: httpx.AsyncClient, admin: Account) -> None:
        response = await client.delete(user_url(uuid.uuid4()), headers=admin.headers)
        assert_error(response, 404, USER_NOT_FOUND)

    async def test_non_admin_is_403_even_on_themselves(
        self, client: httpx.AsyncClient, alice: Account, bob: Account
    ) -> None:
        assert_forbidden(await client.delete(user_url(bob.id), headers=alice.headers))
        assert_forbidden(await client.delete(user_url(alice.id), headers=alice.headers))
        assert (await client.get(user_url(bob.id), headers=alice.headers)).status_code == 200

    async def test_admin_token_narrowed_to_lesser_scopes_is_403(
        self, client: httpx.AsyncClient, alice: Account, admin: Account
    ) -> None:
        headers = await token_with(client, admin, "users:read users:write items:write")
        assert_forbidden(await client.delete(user_url(alice.id), headers=headers))

    async def test_malformed_id_is_422(self, client: httpx.AsyncClient, admin: Account) -> None:
        response = await client.delete(user_url("zzz"), headers=admin.headers)
        assert_validation_error(response, ["path", "user_id"], "uuid_parsing")

    async def test_without_a_token_is_401(self, client: httpx.AsyncClient, alice: Account) -> None:
        assert_unauthorized(await client.delete(user_url(alice.id)))
