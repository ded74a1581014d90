"""registerUser, createToken, getCurrentUser."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import jwt
import pytest

from impl.db import Database
from impl.security import TokenCodec
from tests.api.helpers import (
    BAD_CREDENTIALS,
    TOKEN_URL,
    TOO_MANY_REQUESTS,
    USER_SCOPES,
    Account,
    Connect,
    MakeApp,
    MakeClient,
    MakeSettings,
    assert_common_headers,
    assert_error,
    assert_unauthorized,
    assert_user_body,
    assert_validation_error,
    bearer,
    login,
)
from tests.conftest import TEST_SECRET
from tests.factories import DEFAULT_PASSWORD, make_user

REGISTER_URL = "/api/v1/auth/register"
ME_URL = "/api/v1/auth/me"


def registration(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "username": "carol",
        "email": "carol@example.com",
        "password": "a long enough password",
        "full_name": "Carol C.",
    }
    body.update(overrides)
    return body


def claims(token: str) -> dict[str, Any]:
    decoded: dict[str, Any] = jwt.decode(
        token, TEST_SECRET, algorithms=["HS256"], options={"require": ["exp", "iat", "sub"]}
    )
    return decoded


class TestRegisterUser:
    async def test_creates_an_active_user_with_the_self_registration_scopes(
        self, client: httpx.AsyncClient
    ) -> None:
        before = datetime.now(UTC).replace(microsecond=0)
        response = await client.post(REGISTER_URL, json=registration())
        assert response.status_code == 201, response.text
        assert response.headers["Content-Type"] == "application/json"
        body = response.json()
        assert_user_body(body)
        assert body["username"] == "carol"
        assert body["email"] == "carol@example.com"
        assert body["full_name"] == "Carol C."
        assert body["is_active"] is True
        assert sorted(body["scopes"]) == USER_SCOPES
        assert datetime.fromisoformat(body["created_at"]) >= before
        assert "password" not in response.text
        assert_common_headers(response)

    async def test_location_header_is_the_new_users_path(
        self, client: httpx.AsyncClient, alice: Account
    ) -> None:
        response = await client.post(REGISTER_URL, json=registration())
        assert response.status_code == 201
        user_id = response.json()["id"]
        assert response.headers["Location"] == f"/api/v1/users/{user_id}"
        fetched = await client.get(response.headers["Location"], headers=alice.headers)
        assert fetched.status_code == 200
        assert fetched.json() == response.json()

    async def test_full_name_is_optional_and_null_when_absent(
        self, client: httpx.AsyncClient
    ) -> None:
        body = registration()
        del body["full_name"]
        response = await client.post(REGISTER_URL, json=body)
        assert response.status_code == 201
        assert response.json()["full_name"] is None

    async def test_the_new_user_can_log_in_with_the_registered_password(
        self, client: httpx.AsyncClient
    ) -> None:
        assert (await client.post(REGISTER_URL, json=registration())).status_code == 201
        response = await login(client, "carol", "a long enough password")
        assert response.status_code == 200
        me = await client.get(ME_URL, headers=bearer(response.json()["access_token"]))
        assert me.json()["username"] == "carol"

    @pytest.mark.parametrize(
        ("field", "value"),
        [
            ("id", "00000000-0000-0000-0000-000000000001"),
            ("scopes", ["admin"]),
            ("is_active", False),
            ("hashed_password", "x"),
            ("created_at", "2020-01-01T00:00:00Z"),
        ],
    )
    async def test_mass_assignment_of_any_other_field_is_422_and_creates_nobody(
        self, client: httpx.AsyncClient, field: str, value: Any
    ) -> None:
        response = await client.post(REGISTER_URL, json=registration(**{field: value}))
        assert_validation_error(response, ["body", field], "extra_forbidden")
        # Nothing was written: the same registration without the field still succeeds.
        assert (await client.post(REGISTER_URL, json=registration())).status_code == 201

    @pytest.mark.parametrize(
        ("taken", "attempt"),
        [
            ({"username": "carol"}, {"username": "carol", "email": "other@example.com"}),
            ({"username": "carol"}, {"username": "CaRoL", "email": "other@example.com"}),
            ({"email": "carol@example.com"}, {"username": "other", "email": "carol@example.com"}),
            ({"email": "carol@example.com"}, {"username": "other", "email": "Carol@EXAMPLE.com"}),
        ],
    )
    async def test_taken_username_or_email_is_409_case_insensitively(
        self, client: httpx.AsyncClient, taken: dict[str, str], attempt: dict[str, str]
    ) -> None:
        assert (await client.post(REGISTER_URL, json=registration())).status_code == 201
        response = await client.post(REGISTER_URL, json=registration(**attempt))
        assert_error(response, 409, {"detail": "Username or email already registered"})

    @pytest.mark.parametrize(
        ("overrides", "loc", "error_type"),
        [
            ({"username": "ab"}, ["body", "username"], "string_too_short"),
            ({"username": "x" * 33}, ["body", "username"], "string_too_long"),
            ({"username": "bad name"}, ["body", "username"], "string_pattern_mismatch"),
            ({"email": "not-an-email"}, ["body", "email"], "value_error"),
            ({"password": "short"}, ["body", "password"], "string_too_short"),
            ({"password": "x" * 129}, ["body", "password"], "string_too_long"),
            ({"full_name": "x" * 101}, ["body", "full_name"], "string_too_long"),
            ({"full_name": "nul\x00byte"}, ["body", "full_name"], "string_pattern_mismatch"),
            ({"username": 12345}, ["body", "username"], "string_type"),
        ],
    )
    async def test_invalid_field_is_422(
        self,
        client: httpx.AsyncClient,
        overrides: dict[str, Any],
        loc: list[str | int],
        error_type: str,
    ) -> None:
        response = await client.post(REGISTER_URL, json=registration(**overrides))
        assert_validation_error(response, loc, error_type)

    @pytest.mark.parametrize("missing", ["username", "email", "password"])
    async def test_missing_required_field_is_422(
        self, client: httpx.AsyncClient, missing: str
    ) -> None:
        body = registration()
        del body[missing]
        response = await client.post(REGISTER_URL, json=body)
        assert_validation_error(response, ["body", missing], "missing")

    async def test_malformed_json_body_is_422_in_fastapi_shape(
        self, client: httpx.AsyncClient
    ) -> None:
        response = await client.post(
            REGISTER_URL,
            content=b'{"username": "carol",',
            headers={"Content-Type": "application/json"},
        )
        assert response.status_code == 422
        [error] = response.json()["detail"]
        assert error["type"] == "json_invalid"
        assert error["loc"][0] == "body"
        assert error["msg"] == "JSON decode error"


class TestCreateToken:
    async def test_issues_a_bearer_jwt_carrying_all_the_users_scopes(
        self, client: httpx.AsyncClient, alice: Account
    ) -> None:
        before = int(datetime.now(UTC).timestamp())
        response = await login(client, "alice", alice.password)
        assert response.status_code == 200
        assert response.headers["Content-Type"] == "application/json"
        body = response.json()
        assert set(body) == {"access_token", "token_type", "expires_in"}
        assert body["token_type"] == "bearer"
        assert body["expires_in"] == 30 * 60
        token = claims(body["access_token"])
        assert jwt.get_unverified_header(body["access_token"])["alg"] == "HS256"
        assert token["sub"] == str(alice.id)
        assert token["scopes"] == USER_SCOPES
        assert before - 1 <= token["iat"] <= before + 2
        assert token["exp"] - token["iat"] == body["expires_in"]
        assert isinstance(token["jti"], str)
        assert token["jti"]
        assert_common_headers(response)

    async def test_each_token_has_its_own_jti(
        self, client: httpx.AsyncClient, alice: Account
    ) -> None:
        first = (await login(client, "alice", alice.password)).json()["access_token"]
        second = (await login(client, "alice", alice.password)).json()["access_token"]
        assert claims(first)["jti"] != claims(second)["jti"]

    async def test_grant_type_may_be_omitted(
        self, client: httpx.AsyncClient, alice: Account
    ) -> None:
        response = await client.post(
            TOKEN_URL, data={"username": "alice", "password": alice.password}
        )
        assert response.status_code == 200

    async def test_username_matches_case_insensitively(
        self, client: httpx.AsyncClient, alice: Account
    ) -> None:
        response = await login(client, "ALICE", alice.password)
        assert response.status_code == 200
        assert claims(response.json()["access_token"])["sub"] == str(alice.id)

    @pytest.mark.parametrize(
        ("scope", "expected"),
        [
            ("items:write", ["items:write"]),
            ("users:read items:write", ["items:write", "users:read"]),
            ("items:write admin", ["items:write"]),  # a user cannot ask for more than they have
            ("admin", []),
            ("unknown:scope", []),
            (" ", []),
        ],
    )
    async def test_scope_field_is_intersected_with_the_users_scopes(
        self, client: httpx.AsyncClient, alice: Account, scope: str, expected: list[str]
    ) -> None:
        response = await login(client, "alice", alice.password, scope=scope)
        assert response.status_code == 200
        assert claims(response.json()["access_token"])["scopes"] == expected

    async def test_empty_scope_field_asks_for_no_scopes(
        self, client: httpx.AsyncClient, alice: Account
    ) -> None:
        response = await login(client, "alice", alice.password, scope="")
        assert response.status_code == 200
        assert claims(response.json()["access_token"])["scopes"] == []

    async def test_narrowed_token_is_refused_where_the_dropped_scope_is_needed(
        self, client: httpx.AsyncClient, alice: Account
    ) -> None:
        token = (await login(client, "alice", alice.password, scope="items:write")).json()
        headers = bearer(token["access_token"])
        created = await client.post(
            "/api/v1/items", json={"name": "x", "price": 1}, headers=headers
        )
        assert created.status_code == 201
        listed = await client.get("/api/v1/users", headers=headers)
        assert listed.status_code == 403

    async def test_admin_token_carries_all_four_scopes(
        self, client: httpx.AsyncClient, admin: Account
    ) -> None:
        response = await login(client, admin.username, admin.password)
        assert claims(response.json()["access_token"])["scopes"] == [
            "admin",
            "items:write",
            "users:read",
            "users:write",
        ]

    async def test_wrong_password_is_401_with_www_authenticate(
        self, client: httpx.AsyncClient, alice: Account
    ) -> None:
        response = await login(client, "alice", "not the password")
        assert_unauthorized(response, BAD_CREDENTIALS)

    async def test_unknown_username_is_401_with_the_same_answer(
        self, client: httpx.AsyncClient
    ) -> None:
        response = await login(client, "nobody", "whatever password")
        assert_unauthorized(response, BAD_CREDENTIALS)

    async def test_inactive_user_is_401_even_with_the_right_password(
        self, client: httpx.AsyncClient, db: Database
    ) -> None:
        await make_user(db, username="dormant", is_active=False)
        response = await login(client, "dormant", DEFAULT_PASSWORD)
        assert_unauthorized(response, BAD_CREDENTIALS)

    async def test_nul_byte_in_username_is_422(self, client: httpx.AsyncClient) -> None:
        response = await login(client, "ali\x00ce", "whatever password")
        assert_validation_error(response, ["body", "username"], "string_pattern_mismatch")

    @pytest.mark.parametrize("missing", ["username", "password"])
    async def test_missing_credential_is_422(self, client: httpx.AsyncClient, missing: str) -> None:
        form = {"username": "alice", "password": "whatever password"}
        del form[missing]
        response = await client.post(TOKEN_URL, data=form)
        assert_validation_error(response, ["body", missing], "missing")

    async def test_other_grant_type_is_422(self, client: httpx.AsyncClient) -> None:
        response = await client.post(
            TOKEN_URL,
            data={"grant_type": "client_credentials", "username": "a", "password": "b"},
        )
        assert_validation_error(response, ["body", "grant_type"], "enum")

    async def test_json_instead_of_the_form_is_422(
        self, client: httpx.AsyncClient, alice: Account
    ) -> None:
        response = await client.post(
            TOKEN_URL, json={"username": "alice", "password": alice.password}
        )
        assert_validation_error(response, ["body", "username"], "missing")

    async def test_too_many_attempts_from_one_client_is_429_with_retry_after(
        self, make_client: MakeClient, make_settings: MakeSettings, alice: Account
    ) -> None:
        client = await make_client(make_settings(rate_limit_login="3/minute"))
        for n in range(3):
            response = await login(client, f"someone{n}", "wrong password")
            assert response.status_code == 401
        response = await login(client, "alice", alice.password)  # right this time: still 429
        assert_error(response, 429, TOO_MANY_REQUESTS)
        assert 1 <= int(response.headers["Retry-After"]) <= 60

    async def test_failed_attempts_on_one_username_lock_out_only_that_client(
        self, make_app: MakeApp, connect: Connect, make_settings: MakeSettings, db: Database
    ) -> None:
        """Issue 8: failures counted per username alone let anyone lock any user out. They
        are counted per username *and* client: the failing client gets 429 (even with the
        right password), the user logging in from their usual address does not."""
        await make_user(db, username="target")
        app = await make_app(make_settings(rate_limit_login="3/minute"))
        stranger = await connect(app, address="10.0.0.2")
        usual = await connect(app, address="10.0.0.1")
        for attempt in ("wrong one", "wrong two", "wrong three"):
            assert (await login(stranger, "TARGET", attempt)).status_code == 401
        response = await login(stranger, "target", DEFAULT_PASSWORD)
        assert_error(response, 429, TOO_MANY_REQUESTS)
        assert int(response.headers["Retry-After"]) >= 1
        assert (await login(usual, "target", DEFAULT_PASSWORD)).status_code == 200

    async def test_successful_logins_do_not_count_as_failures(
        self, make_client: MakeClient, make_settings: MakeSettings, db: Database
    ) -> None:
        await make_user(db, username="target")
        client = await make_client(make_settings(rate_limit_login="4/minute"))
        assert (await login(client, "target", "wrong")).status_code == 401
        for _ in range(3):  # the per-client limit (4) still counts every attempt
            assert (await login(client, "target", DEFAULT_PASSWORD)).status_code == 200


class TestGetCurrentUser:
    async def test_returns_the_tokens_user(self, client: httpx.AsyncClient, alice: Account) -> None:
        response = await client.get(ME_URL, headers=alice.headers)
        assert response.status_code == 200
        body = response.json()
        assert_user_body(body, alice)
        assert body["full_name"] == "Alice"
        assert body["is_active"] is True
        assert sorted(body["scopes"]) == USER_SCOPES
        assert_common_headers(response)

    async def test_any_valid_token_will_do_whatever_its_scopes(
        self, client: httpx.AsyncClient, alice: Account
    ) -> None:
        response = await login(client, "alice", alice.password, scope="admin")  # gets no scope
        assert claims(response.json()["access_token"])["scopes"] == []
        me = await client.get(ME_URL, headers=bearer(response.json()["access_token"]))
        assert me.status_code == 200
        assert me.json()["id"] == str(alice.id)

    async def test_without_a_token_is_401(self, client: httpx.AsyncClient) -> None:
        assert_unauthorized(await client.get(ME_URL))

    @pytest.mark.parametrize(
        "authorization",
        [
            "Bearer",
            "Bearer ",
            "Bearer not-a-jwt",
            "Basic YWxpY2U6cGFzc3dvcmQ=",
            "Token abc",
            "bearer",
        ],
    )
    async def test_malformed_authorization_header_is_401(
        self, client: httpx.AsyncClient, authorization: str
    ) -> None:
        response = await client.get(ME_URL, headers={"Authorization": authorization})
        assert_unauthorized(response)

    async def test_token_signed_with_another_key_is_401(
        self, client: httpx.AsyncClient, alice: Account
    ) -> None:
        forged = TokenCodec("another-secret-that-is-also-32-bytes-long!").issue(
            str(alice.id), USER_SCOPES
        )
        assert_unauthorized(await client.get(ME_URL, headers=bearer(forged.access_token)))

    async def test_unsigned_alg_none_token_is_401(
        self, client: httpx.AsyncClient, alice: Account
    ) -> None:
        now = datetime.now(UTC)
        payload = {
            "sub": str(alice.id),
            "scopes": USER_SCOPES,
            "iat": now,
            "exp": now + timedelta(hours=1),
            "jti": "x",
        }
        unsigned = jwt.encode(payload, key=None, algorithm="none")
        assert_unauthorized(await client.get(ME_URL, headers=bearer(unsigned)))

    async def test_expired_token_is_401(self, client: httpx.AsyncClient, alice: Account) -> None:
        issued_yesterday = TokenCodec(
            TEST_SECRET, clock=lambda: datetime.now(UTC) - timedelta(days=1)
        ).issue(str(alice.id), USER_SCOPES)
        assert_unauthorized(await client.get(ME_URL, headers=bearer(issued_yesterday.access_token)))

    async def test_token_of_an_unknown_user_is_401(self, client: httpx.AsyncClient) -> None:
        token = TokenCodec(TEST_SECRET).issue(str(uuid.uuid4()), USER_SCOPES)
        assert_unauthorized(await client.get(ME_URL, headers=bearer(token.access_token)))

    async def test_deactivated_users_token_stops_working(
        self, client: httpx.AsyncClient, alice: Account, admin: Account
    ) -> None:
        assert (await client.get(ME_URL, headers=alice.headers)).status_code == 200
        deactivated = await client.put(
            f"/api/v1/users/{alice.id}", json={"is_active": False}, headers=admin.headers
        )
        assert deactivated.status_code == 200
        assert deactivated.json()["is_active"] is False
        assert_unauthorized(await client.get(ME_URL, headers=alice.headers))
        # ... everywhere, not only here:
        created = await client.post(
            "/api/v1/items", json={"name": "x", "price": 1}, headers=alice.headers
        )
        assert_unauthorized(created)
        assert_unauthorized(await login(client, "alice", alice.password), BAD_CREDENTIALS)

    async def test_deleted_users_token_stops_working(
        self, client: httpx.AsyncClient, alice: Account, admin: Account
    ) -> None:
        deleted = await client.delete(f"/api/v1/users/{alice.id}", headers=admin.headers)
        assert deleted.status_code == 204
        assert_unauthorized(await client.get(ME_URL, headers=alice.headers))
