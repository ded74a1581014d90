"""Past capacity (issue 9): 503 with Retry-After, as the contract's ServiceUnavailable says,
from the concurrency cap and from the bound on password hashes in progress."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import httpx
import pytest

from impl.db import ItemRecord
from impl.errors import ServiceUnavailable
from impl.http.concurrency import BUSY_DETAIL
from impl.security import PasswordHasher
from impl.security.passwords import HASHING_BUSY
from impl.services import ItemService
from tests.api.helpers import Account, MakeClient, MakeSettings


def _assert_busy(response: httpx.Response, detail: str) -> None:
    assert response.status_code == 503
    assert response.json() == {"detail": detail}
    assert response.headers["Retry-After"] == "1"
    assert response.headers["X-Request-ID"]  # still inside the request-id layer


class TestConcurrencyCap:
    async def test_a_request_beyond_the_cap_is_answered_503_at_once(
        self,
        make_client: MakeClient,
        make_settings: MakeSettings,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        client = await make_client(make_settings(max_concurrent_requests=1))
        entered, release = asyncio.Event(), asyncio.Event()
        original = ItemService.list

        async def slow_list(
            self: ItemService, *, skip: int, limit: int, tag: str | None = None
        ) -> tuple[Sequence[ItemRecord], int]:
            entered.set()
            await release.wait()
            return await original(self, skip=skip, limit=limit, tag=tag)

        monkeypatch.setattr(ItemService, "list", slow_list)
        first = asyncio.ensure_future(client.get("/api/v1/items"))
        await asyncio.wait_for(entered.wait(), timeout=5)

        second = await asyncio.wait_for(client.get("/api/v1/items/1"), timeout=5)
        health = await asyncio.wait_for(client.get("/health"), timeout=5)

        _assert_busy(second, BUSY_DETAIL)
        assert health.status_code == 200  # probes pass the cap
        release.set()
        assert (await first).status_code == 200
        assert (await client.get("/api/v1/items/1")).status_code == 404  # room again


class TestHashingBound:
    @pytest.fixture
    def busy_hasher(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Every hash and verification meets a full pool."""

        async def full(self: PasswordHasher, *args: object) -> object:
            raise ServiceUnavailable(HASHING_BUSY, headers={"Retry-After": "1"})

        monkeypatch.setattr(PasswordHasher, "_run", full)

    async def test_login_is_503_when_hashing_is_saturated(
        self, alice: Account, client: httpx.AsyncClient, busy_hasher: None
    ) -> None:
        response = await client.post(
            "/api/v1/auth/token", data={"username": alice.username, "password": alice.password}
        )

        _assert_busy(response, HASHING_BUSY)

    async def test_registration_is_503_when_hashing_is_saturated(
        self, client: httpx.AsyncClient, busy_hasher: None
    ) -> None:
        response = await client.post(
            "/api/v1/auth/register",
            json={"username": "carol", "email": "carol@example.com", "password": "pw-12345678"},
        )

        _assert_busy(response, HASHING_BUSY)
