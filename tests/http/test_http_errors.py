from __future__ import annotations

import httpx
import pytest

INTERNAL_ERROR = {"detail": "Internal server error"}


class TestValidationErrors:
    async def test_invalid_body_is_422_in_fastapi_shape(self, client: httpx.AsyncClient) -> None:
        response = await client.post("/echo", json={"x": "not a number"})
        assert response.status_code == 422
        [error] = response.json()["detail"]
        assert error["loc"] == ["body", "x"]
        assert error["type"] == "int_parsing"
        assert isinstance(error["msg"], str)

    async def test_extra_field_is_422(self, client: httpx.AsyncClient) -> None:
        response = await client.post("/echo", json={"x": 1, "is_admin": True})
        assert response.status_code == 422
        [error] = response.json()["detail"]
        assert error["loc"] == ["body", "is_admin"]
        assert error["type"] == "extra_forbidden"

    async def test_invalid_query_parameter_is_422(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/page", params={"limit": "ten"})
        assert response.status_code == 422
        assert response.json()["detail"][0]["loc"] == ["query", "limit"]

    @pytest.mark.parametrize(
        "body", [b'{"x": 1', b"not json at all", b"\xff\xfe\x00garbage", b'{"x": 1}\x00\xff']
    )
    async def test_malformed_json_is_422_never_400(
        self, client: httpx.AsyncClient, body: bytes
    ) -> None:
        response = await client.post(
            "/echo", content=body, headers={"Content-Type": "application/json"}
        )
        assert response.status_code == 422
        detail = response.json()["detail"]
        assert isinstance(detail, list)
        assert {"loc", "msg", "type"} <= set(detail[0])
        assert detail[0]["loc"][0] == "body"


class TestHttpErrors:
    async def test_unknown_path_is_404_detail(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/nowhere")
        assert response.status_code == 404
        assert response.json() == {"detail": "Not Found"}

    async def test_405_lists_every_method_of_the_path(self, client: httpx.AsyncClient) -> None:
        response = await client.delete("/things/1")
        assert response.status_code == 405
        assert response.json() == {"detail": "Method Not Allowed"}
        assert response.headers["Allow"] == "GET, PUT"


class TestServiceErrors:
    async def test_unauthorized_carries_www_authenticate(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/denied")
        assert response.status_code == 401
        assert response.json() == {"detail": "Not authenticated"}
        assert response.headers["WWW-Authenticate"] == "Bearer"

    async def test_rate_limited_carries_retry_after(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/limited")
        assert response.status_code == 429
        assert response.json() == {"detail": "Too many requests"}
        assert response.headers["Retry-After"] == "7"


class TestUnhandledErrors:
    async def test_500_body_is_exact_and_leaks_nothing(
        self, client: httpx.AsyncClient, leaky_message: str
    ) -> None:
        response = await client.get("/boom")
        assert response.status_code == 500
        assert response.headers["Content-Type"] == "application/json"
        assert response.content == b'{"detail":"Internal server error"}'
        assert leaky_message not in response.text
        assert "Traceback" not in response.text

    async def test_500_carries_request_id_and_security_headers(
        self, client: httpx.AsyncClient
    ) -> None:
        response = await client.get("/boom", headers={"X-Request-ID": "boom-1"})
        assert response.json() == INTERNAL_ERROR
        assert response.headers["X-Request-ID"] == "boom-1"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["X-Frame-Options"] == "DENY"
        assert "Content-Security-Policy" in response.headers

    async def test_app_keeps_serving_after_a_500(self, client: httpx.AsyncClient) -> None:
        assert (await client.get("/boom")).status_code == 500
        assert (await client.get("/ok")).status_code == 200
