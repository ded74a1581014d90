from __future__ import annotations

import re

import httpx
import pytest

HEX32 = re.compile(r"[0-9a-f]{32}")


class TestRequestId:
    async def test_well_formed_client_id_is_echoed(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/ok", headers={"X-Request-ID": "abc.DEF_123-xyz"})
        assert response.status_code == 200
        assert response.headers["X-Request-ID"] == "abc.DEF_123-xyz"

    async def test_id_of_128_characters_is_echoed(self, client: httpx.AsyncClient) -> None:
        request_id = "a" * 128
        response = await client.get("/ok", headers={"X-Request-ID": request_id})
        assert response.headers["X-Request-ID"] == request_id

    @pytest.mark.parametrize(
        "bad_id",
        ["", "a" * 129, "has space", "semi;colon", "<script>", "ünïcode", "a/b"],
    )
    async def test_malformed_client_id_is_replaced(
        self, client: httpx.AsyncClient, bad_id: str
    ) -> None:
        response = await client.get("/ok", headers=[(b"X-Request-ID", bad_id.encode())])
        assert response.headers["X-Request-ID"] != bad_id
        assert HEX32.fullmatch(response.headers["X-Request-ID"])

    async def test_missing_id_gets_a_fresh_one_per_request(self, client: httpx.AsyncClient) -> None:
        first = (await client.get("/ok")).headers["X-Request-ID"]
        second = (await client.get("/ok")).headers["X-Request-ID"]
        assert HEX32.fullmatch(first)
        assert HEX32.fullmatch(second)
        assert first != second

    @pytest.mark.parametrize(
        ("path", "status"), [("/nowhere", 404), ("/denied", 401), ("/boom", 500)]
    )
    async def test_every_answer_carries_an_id(
        self, client: httpx.AsyncClient, path: str, status: int
    ) -> None:
        response = await client.get(path, headers={"X-Request-ID": "trace-1"})
        assert response.status_code == status
        assert response.headers["X-Request-ID"] == "trace-1"
