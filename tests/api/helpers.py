"""Small helpers shared by the tests/api modules: accounts, logging in, and the assertions every
error response of the contract shares (``{"detail": ...}``, ``WWW-Authenticate`` on 401s,
FastAPI's 422 shape, ``X-Request-ID`` and the security headers on everything)."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Final, Protocol

import httpx

if TYPE_CHECKING:
    from fastapi import FastAPI

    from impl.db import Database
    from impl.settings import Settings

BASE_URL: Final = "http://test"
CLIENT_ADDRESS: Final = "127.0.0.1"
ALLOWED_ORIGIN: Final = "https://app.example.com"
TOKEN_URL: Final = "/api/v1/auth/token"

USER_SCOPES: Final = ["items:write", "users:read", "users:write"]
ADMIN_SCOPES: Final = ["admin", "items:write", "users:read", "users:write"]

NOT_AUTHENTICATED: Final = {"detail": "Not authenticated"}
NOT_ENOUGH_PERMISSIONS: Final = {"detail": "Not enough permissions"}
BAD_CREDENTIALS: Final = {"detail": "Incorrect username or password"}
ITEM_NOT_FOUND: Final = {"detail": "Item not found"}
USER_NOT_FOUND: Final = {"detail": "User not found"}
TOO_MANY_REQUESTS: Final = {"detail": "Too many requests"}
INTERNAL_ERROR: Final = {"detail": "Internal server error"}

# What every response carries (impl/http/security_headers.py, issue 3's "Security headers").
SECURITY_HEADERS: Final = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
}


class MakeSettings(Protocol):
    def __call__(self, **overrides: Any) -> Settings: ...


class MakeClient(Protocol):
    def __call__(
        self,
        settings: Settings | None = None,
        *,
        database: Database | None = None,
        address: str = CLIENT_ADDRESS,
    ) -> Awaitable[httpx.AsyncClient]: ...


class MakeApp(Protocol):
    def __call__(
        self, settings: Settings | None = None, *, database: Database | None = None
    ) -> Awaitable[FastAPI]: ...


class Connect(Protocol):
    def __call__(
        self, app: FastAPI, *, address: str = CLIENT_ADDRESS
    ) -> Awaitable[httpx.AsyncClient]: ...


AccountFactory = Callable[..., Awaitable["Account"]]


@dataclass(frozen=True, slots=True)
class Account:
    id: uuid.UUID
    username: str
    email: str
    password: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return bearer(self.token)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def login(
    client: httpx.AsyncClient, username: str, password: str, *, scope: str | None = None
) -> httpx.Response:
    form = {"grant_type": "password", "username": username, "password": password}
    if scope is not None:
        form["scope"] = scope
    return await client.post(TOKEN_URL, data=form)


def assert_common_headers(response: httpx.Response) -> None:
    """X-Request-ID and the security headers: on every response, errors included."""
    assert response.headers.get("X-Request-ID"), response.headers
    for name, value in SECURITY_HEADERS.items():
        assert response.headers.get(name) == value, (name, response.headers)
    assert "Content-Security-Policy" in response.headers


def assert_error(response: httpx.Response, status: int, body: dict[str, Any]) -> None:
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"] == "application/json"
    assert response.json() == body
    assert_common_headers(response)


def assert_unauthorized(response: httpx.Response, body: dict[str, Any] = NOT_AUTHENTICATED) -> None:
    """The contract: every 401 carries ``WWW-Authenticate: Bearer``."""
    assert_error(response, 401, body)
    assert response.headers["WWW-Authenticate"] == "Bearer"


def assert_forbidden(
    response: httpx.Response, body: dict[str, Any] = NOT_ENOUGH_PERMISSIONS
) -> None:
    assert_error(response, 403, body)
    assert "WWW-Authenticate" not in response.headers


def assert_validation_error(
    response: httpx.Response, loc: list[str | int], error_type: str | None = None
) -> dict[str, Any]:
    """FastAPI's 422 shape, with an error at ``loc`` (of ``error_type``, when given)."""
    assert response.status_code == 422, response.text
    assert response.headers["Content-Type"] == "application/json"
    body = response.json()
    assert list(body) == ["detail"]
    assert isinstance(body["detail"], list)
    assert body["detail"], body
    for error in body["detail"]:
        assert {"loc", "msg", "type"} <= set(error), error
        assert isinstance(error["loc"], list)
        assert isinstance(error["msg"], str)
        assert isinstance(error["type"], str)
    matching = [error for error in body["detail"] if error["loc"] == loc]
    assert matching, f"no error at {loc}: {body['detail']}"
    if error_type is not None:
        assert error_type in {error["type"] for error in matching}, matching
    assert_common_headers(response)
    first: dict[str, Any] = matching[0]
    return first


def parse_utc(value: str) -> datetime:
    """A date-time of the contract: ISO 8601 with a UTC offset."""
    parsed = datetime.fromisoformat(value)
    assert parsed.utcoffset() == timedelta(0), value
    return parsed.astimezone(UTC)


def assert_user_body(body: dict[str, Any], account: Account | None = None) -> None:
    """A ``User`` of the contract: exactly its fields, never a password or hash."""
    assert set(body) == {
        "id",
        "username",
        "email",
        "full_name",
        "is_active",
        "scopes",
        "created_at",
    }
    uuid.UUID(body["id"])
    parse_utc(body["created_at"])
    if account is not None:
        assert body["id"] == str(account.id)
        assert body["username"] == account.username
        assert body["email"] == account.email


def assert_item_body(body: dict[str, Any]) -> None:
    assert set(body) == {
        "id",
        "name",
        "description",
        "price",
        "tags",
        "owner_id",
        "created_at",
        "updated_at",
    }
    assert isinstance(body["id"], int)
    assert body["id"] >= 1
    uuid.UUID(body["owner_id"])
    parse_utc(body["created_at"])
    parse_utc(body["updated_at"])
