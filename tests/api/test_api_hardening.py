"""Issue 8: hostile users and hostile input get a clear 4xx, nothing leaks, nothing is lost.

One class per defect the issue reproduced, each driven through the real app over HTTP (on
SQLite, and on PostgreSQL when TEST_DATABASE_URL is set). The server-level ones (slow
clients, the connection cap, proxy headers, ``make serve``) are in tests/http/test_http_server.py.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import httpx
import jwt
import pytest
from pydantic import ValidationError

from impl.http.logging import JsonFormatter
from impl.security import PasswordHasher
from impl.settings import Settings
from tests.api.helpers import (
    TOO_MANY_REQUESTS,
    Account,
    MakeClient,
    MakeSettings,
    assert_common_headers,
    assert_error,
    assert_forbidden,
    assert_unauthorized,
    bearer,
    login,
)
from tests.factories import TEST_SECRET

REGISTER_URL = "/api/v1/auth/register"
ME_URL = "/api/v1/auth/me"
ITEMS_URL = "/api/v1/items"
PASSWORD = "a password nobody may log"


def user_url(user_id: uuid.UUID) -> str:
    return f"/api/v1/users/{user_id}"


def registration(**overrides: object) -> dict[str, object]:
    return {
        "username": "mallory",
        "email": "mallory@example.com",
        "password": PASSWORD,
        **overrides,
    }


class TestBodySizeLimit:
    """A 20 MB body was read whole, and its 422 echoed all of it."""

    @pytest.fixture
    async def small(
        self, make_client: MakeClient, make_settings: MakeSettings
    ) -> httpx.AsyncClient:
        return await make_client(make_settings(max_body_bytes=1024))

    async def test_a_declared_length_over_the_limit_is_413_unread(
        self, small: httpx.AsyncClient
    ) -> None:
        body = json.dumps(registration(full_name="x" * 2000)).encode()
        response = await small.post(
            REGISTER_URL, content=body, headers={"Content-Type": "application/json"}
        )
        assert_error(response, 413, {"detail": "Request body too large: at most 1024 bytes"})
        assert response.headers["Connection"] == "close"

    async def test_a_chunked_body_is_cut_off_at_the_limit(self, small: httpx.AsyncClient) -> None:
        chunks_sent = 0

        async def chunks() -> AsyncIterator[bytes]:
            nonlocal chunks_sent
            yield b'{"username": "mallory", "full_name": "'
            for _ in range(1000):  # 100 kB in all, if it were all read
                chunks_sent += 1
                yield b"x" * 100

        response = await small.post(
            REGISTER_URL, content=chunks(), headers={"Content-Type": "application/json"}
        )
        assert_error(response, 413, {"detail": "Request body too large: at most 1024 bytes"})
        assert chunks_sent < 1000  # the app stopped reading

    async def test_the_form_endpoint_is_limited_too(self, small: httpx.AsyncClient) -> None:
        response = await small.post(
            "/api/v1/auth/token", data={"username": "alice", "password": "p" * 5000}
        )
        assert response.status_code == 413

    async def test_a_body_within_the_limit_is_served(self, small: httpx.AsyncClient) -> None:
        assert (await small.post(REGISTER_URL, json=registration())).status_code == 201

    async def test_the_default_limit_is_one_mebibyte(self, client: httpx.AsyncClient) -> None:
        big = registration(full_name="x" * (1024 * 1024))
        assert (await client.post(REGISTER_URL, json=big)).status_code == 413
        under = registration(full_name="x" * (1000 * 1000))
        assert (await client.post(REGISTER_URL, json=under)).status_code == 422  # maxLength

    async def test_a_422_echoes_only_a_bounded_excerpt(self, client: httpx.AsyncClient) -> None:
        response = await client.post(
            REGISTER_URL, json=registration(full_name="y" * 900_000, tags=list(range(5000)))
        )
        assert response.status_code == 422
        assert len(response.content) < 4000
        errors = {tuple(error["loc"]): error for error in response.json()["detail"]}
        full_name = errors[("body", "full_name")]["input"]
        assert full_name.startswith("yyyy")
        assert len(full_name) <= 101
        assert errors[("body", "tags")]["input"][:3] == [0, 1, 2]


class TestDeepNesting:
    """~600 nested arrays gave a RecursionError 500, and its logged traceback held the
    request's password."""

    @pytest.mark.parametrize("depth", [600, 5_000, 200_000])
    async def test_any_depth_is_a_422_and_the_log_carries_no_password(
        self, client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture, depth: int
    ) -> None:
        nested = "[" * depth + "]" * depth
        body = f'{{"username": "mallory", "email": "m@example.com", "password": "{PASSWORD}", '
        body += f'"full_name": {nested}}}'
        with caplog.at_level(logging.INFO):
            response = await client.post(
                REGISTER_URL, content=body, headers={"Content-Type": "application/json"}
            )
        assert response.status_code == 422, response.text[:500]
        assert len(response.content) < 2000
        assert_common_headers(response)
        formatter = JsonFormatter()
        logged = "\n".join(formatter.format(record) for record in caplog.records)
        assert PASSWORD not in logged
        assert PASSWORD not in response.text


class TestCurrentPasswordAndTokenRevocation:
    """A stolen token could change the password (no current password asked) and stayed
    valid afterwards: a permanent takeover."""

    async def test_changing_ones_own_password_needs_the_current_one(
        self, client: httpx.AsyncClient, alice: Account
    ) -> None:
        missing = await client.put(
            user_url(alice.id), json={"password": "stolen-token-pw"}, headers=alice.headers
        )
        assert_forbidden(
            missing, {"detail": "current_password is required to change your own password"}
        )
        wrong = await client.put(
            user_url(alice.id),
            json={"password": "stolen-token-pw", "current_password": "a guess"},
            headers=alice.headers,
        )
        assert_forbidden(wrong, {"detail": "current_password is incorrect"})
        assert (await login(client, "alice", alice.password)).status_code == 200
        assert (await login(client, "alice", "stolen-token-pw")).status_code == 401

    async def test_a_password_change_ends_every_older_token(
        self, client: httpx.AsyncClient, alice: Account
    ) -> None:
        other_session = (await login(client, "alice", alice.password)).json()["access_token"]
        response = await client.put(
            user_url(alice.id),
            json={"password": "the new password", "current_password": alice.password},
            headers=alice.headers,
        )
        assert response.status_code == 200
        for token in (alice.token, other_session):
            assert_unauthorized(await client.get(ME_URL, headers=bearer(token)))
        fresh = (await login(client, "alice", "the new password")).json()["access_token"]
        assert (await client.get(ME_URL, headers=bearer(fresh))).status_code == 200

    async def test_other_changes_keep_tokens_valid(
        self, client: httpx.AsyncClient, alice: Account
    ) -> None:
        response = await client.put(
            user_url(alice.id), json={"full_name": "Alice B."}, headers=alice.headers
        )
        assert response.status_code == 200
        assert (await client.get(ME_URL, headers=alice.headers)).status_code == 200

    async def test_an_admin_resets_a_password_without_it_and_ends_the_users_tokens(
        self, client: httpx.AsyncClient, alice: Account, admin: Account
    ) -> None:
        response = await client.put(
            user_url(alice.id), json={"password": "reset by admin"}, headers=admin.headers
        )
        assert response.status_code == 200
        assert_unauthorized(await client.get(ME_URL, headers=alice.headers))
        assert (await login(client, "alice", "reset by admin")).status_code == 200

    async def test_reactivation_does_not_bring_old_tokens_back(
        self, client: httpx.AsyncClient, alice: Account, admin: Account
    ) -> None:
        for active in (False, True):
            response = await client.put(
                user_url(alice.id), json={"is_active": active}, headers=admin.headers
            )
            assert response.status_code == 200
        assert_unauthorized(await client.get(ME_URL, headers=alice.headers))
        assert (await login(client, "alice", alice.password)).status_code == 200


class TestRegistrationLimit:
    """Registration had no limit of its own and hashed before checking uniqueness."""

    async def test_registrations_per_client_are_limited(
        self, make_client: MakeClient, make_settings: MakeSettings
    ) -> None:
        client = await make_client(make_settings(rate_limit_register="2/minute"))
        for n in range(2):
            body = registration(username=f"user{n}", email=f"u{n}@example.com")
            assert (await client.post(REGISTER_URL, json=body)).status_code == 201
        response = await client.post(REGISTER_URL, json=registration())
        assert_error(response, 429, TOO_MANY_REQUESTS)
        assert int(response.headers["Retry-After"]) >= 1
        assert (await login(client, "mallory", PASSWORD)).status_code == 401  # not created

    async def test_the_default_is_a_few_per_minute(self) -> None:
        default = Settings.model_fields["rate_limit_register"].default
        assert default == "5/minute"

    async def test_a_taken_username_or_email_is_409_before_any_hashing(
        self, client: httpx.AsyncClient, alice: Account, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        hashed: list[str] = []
        original = PasswordHasher.hash

        async def counting_hash(self: PasswordHasher, password: str) -> str:
            hashed.append(password)
            return await original(self, password)

        monkeypatch.setattr(PasswordHasher, "hash", counting_hash)
        for taken in ({"username": "ALICE"}, {"email": alice.email.upper()}):
            response = await client.post(REGISTER_URL, json=registration(**taken))
            assert_error(response, 409, {"detail": "Username or email already registered"})
        assert hashed == []
        assert (await client.post(REGISTER_URL, json=registration())).status_code == 201
        assert hashed == [PASSWORD]


class TestSettingsErrorsHideSecrets:
    """A settings error at start-up printed ADMIN_PASSWORD and the tail of SECRET_KEY."""

    @pytest.mark.parametrize(
        ("overrides", "expected"),
        [
            ({}, "SECRET_KEY must be at least 32 bytes"),
            ({"rate_limit_login": "lots"}, "rate_limit_login"),
            ({"db_pool_size": "hunter2-pool"}, "db_pool_size"),
        ],
    )
    def test_no_value_appears_in_the_message(
        self, overrides: dict[str, object], expected: str
    ) -> None:
        values: dict[str, object] = {
            "environment": "production",
            # Strings, as they come from the environment.
            "secret_key": "short-key-TAIL-1234",
            "admin_username": "boss",
            "admin_email": "boss@example.com",
            "admin_password": "hunter2-admin-password",
            **overrides,
        }
        with pytest.raises(ValidationError) as raised:
            Settings(_env_file=None, **values)  # type: ignore[call-arg, unused-ignore, arg-type]
        message = str(raised.value)
        assert expected in message
        for secret in ("short-key-TAIL-1234", "TAIL", "hunter2", "boss@example.com", "lots"):
            assert secret not in message


class TestAbsurdTokenTimes:
    """A correctly signed token with exp=10**18 was a 500."""

    @pytest.mark.parametrize(
        "times",
        [
            {"exp": 10**18},
            {"iat": 10**18, "exp": 10**18 + 60},
            {"iat": -(10**18)},
            {"exp": float("inf")},
            {"iat": 1.5e300, "exp": 1.5e300},
            {"exp": True},
        ],
    )
    async def test_is_401(
        self, client: httpx.AsyncClient, alice: Account, times: dict[str, object]
    ) -> None:
        now = int(datetime.now(UTC).timestamp())
        claims = {
            "sub": str(alice.id),
            "scopes": ["users:read"],
            "iat": now,
            "exp": now + 600,
            "jti": "x",
            **times,
        }
        token = jwt.encode(claims, TEST_SECRET, algorithm="HS256")
        assert_unauthorized(await client.get(ME_URL, headers=bearer(token)))

    async def test_a_token_that_lives_longer_than_ours_is_401(
        self, client: httpx.AsyncClient, alice: Account
    ) -> None:
        now = int(datetime.now(UTC).timestamp())
        claims = {"sub": str(alice.id), "scopes": [], "iat": now, "exp": now + 86400, "jti": "x"}
        token = jwt.encode(claims, TEST_SECRET, algorithm="HS256")
        assert_unauthorized(await client.get(ME_URL, headers=bearer(token)))


class TestNoRedirectFromTheHostHeader:
    """``GET /api/v1/items/`` with ``Host: evil.example`` answered 307 to evil.example."""

    @pytest.mark.parametrize("path", ["/api/v1/items/", "/api/v1/users/", "/docs/"])
    async def test_a_trailing_slash_is_404_without_a_location(
        self, client: httpx.AsyncClient, path: str
    ) -> None:
        response = await client.get(path, headers={"Host": "evil.example"})
        assert_error(response, 404, {"detail": "Not Found"})
        assert "Location" not in response.headers
