"""The seed's own tests, ported: health; create an item with a token; list, get and update
users with scopes; 401 without a token; 403 with insufficient scope. Each is also covered in
more detail by its operation's module; these stay as the seed wrote them, as a smoke test of
the main flows end to end (register, log in, use the token)."""

from __future__ import annotations

import httpx

from tests.api.helpers import assert_forbidden, assert_unauthorized, bearer, login


async def register_and_login(
    client: httpx.AsyncClient, username: str, *, scope: str | None = None
) -> tuple[str, dict[str, str]]:
    password = f"{username} password"
    registered = await client.post(
        "/api/v1/auth/register",
        json={"username": username, "email": f"{username}@example.com", "password": password},
    )
    assert registered.status_code == 201
    token = await login(client, username, password, scope=scope)
    assert token.status_code == 200
    return registered.json()["id"], bearer(token.json()["access_token"])


class TestGetHealth:
    async def test_health(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/health")
        assert response.status_code == 200
        assert response.json()["status"] == "ok"


class TestCreateItem:
    async def test_create_item_with_a_token(self, client: httpx.AsyncClient) -> None:
        user_id, headers = await register_and_login(client, "seeder")
        response = await client.post(
            "/api/v1/items",
            json={"name": "Foo", "description": "There goes my hero", "price": 50.5},
            headers=headers,
        )
        assert response.status_code == 201
        body = response.json()
        assert body["name"] == "Foo"
        assert body["description"] == "There goes my hero"
        assert body["price"] == 50.5
        assert body["owner_id"] == user_id
        assert (await client.get(f"/api/v1/items/{body['id']}")).json() == body

    async def test_create_item_without_a_token_is_401(self, client: httpx.AsyncClient) -> None:
        response = await client.post("/api/v1/items", json={"name": "Foo", "price": 1})
        assert_unauthorized(response)

    async def test_create_item_with_insufficient_scope_is_403(
        self, client: httpx.AsyncClient
    ) -> None:
        _, headers = await register_and_login(client, "reader", scope="users:read")
        response = await client.post(
            "/api/v1/items", json={"name": "Foo", "price": 1}, headers=headers
        )
        assert_forbidden(response)


class TestListUsers:
    async def test_list_users_with_users_read(self, client: httpx.AsyncClient) -> None:
        first_id, headers = await register_and_login(client, "first")
        second_id, _ = await register_and_login(client, "second")
        response = await client.get("/api/v1/users", headers=headers)
        assert response.status_code == 200
        assert [user["id"] for user in response.json()] == [first_id, second_id]
        assert response.headers["X-Total-Count"] == "2"

    async def test_list_users_without_a_token_is_401(self, client: httpx.AsyncClient) -> None:
        assert_unauthorized(await client.get("/api/v1/users"))

    async def test_list_users_without_users_read_is_403(self, client: httpx.AsyncClient) -> None:
        _, headers = await register_and_login(client, "writer", scope="items:write")
        assert_forbidden(await client.get("/api/v1/users", headers=headers))


class TestGetUser:
    async def test_get_user_with_users_read(self, client: httpx.AsyncClient) -> None:
        user_id, headers = await register_and_login(client, "someone")
        response = await client.get(f"/api/v1/users/{user_id}", headers=headers)
        assert response.status_code == 200
        assert response.json()["username"] == "someone"


class TestUpdateUser:
    async def test_update_self_with_users_write(self, client: httpx.AsyncClient) -> None:
        user_id, headers = await register_and_login(client, "changer")
        response = await client.put(
            f"/api/v1/users/{user_id}", json={"full_name": "Changed Name"}, headers=headers
        )
        assert response.status_code == 200
        assert response.json()["full_name"] == "Changed Name"

    async def test_update_without_users_write_is_403(self, client: httpx.AsyncClient) -> None:
        user_id, headers = await register_and_login(client, "readonly", scope="users:read")
        response = await client.put(
            f"/api/v1/users/{user_id}", json={"full_name": "Nope"}, headers=headers
        )
        assert_forbidden(response)
