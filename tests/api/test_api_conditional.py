"""getItem's conditional requests (issue 10, item 4): ``ETag`` on 200, ``If-None-Match`` → 304
with no body while the item is unchanged. On SQLite, and on PostgreSQL with TEST_DATABASE_URL."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from impl.db import Database
from tests.api.helpers import ITEM_NOT_FOUND, Account, assert_common_headers, assert_error
from tests.factories import make_item, make_user

ITEMS_URL = "/api/v1/items"
STRONG_ETAG = re.compile(r'^"[0-9a-f]{32}"$')  # the contract's ETag header schema

ITEM = {"name": "Teapot", "description": "Short and stout", "price": 12.5, "tags": ["kitchen"]}


def item_url(item_id: int) -> str:
    return f"{ITEMS_URL}/{item_id}"


async def create(client: httpx.AsyncClient, account: Account, **fields: Any) -> dict[str, Any]:
    response = await client.post(ITEMS_URL, json={**ITEM, **fields}, headers=account.headers)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def etag_of(client: httpx.AsyncClient, item_id: int) -> str:
    response = await client.get(item_url(item_id))
    assert response.status_code == 200, response.text
    return response.headers["ETag"]


def assert_not_modified(response: httpx.Response, etag: str) -> None:
    assert response.status_code == 304, response.text
    assert response.content == b""
    assert response.headers["ETag"] == etag
    assert "Content-Type" not in response.headers
    assert response.headers.get("Content-Length", "0") == "0"
    assert_common_headers(response)


class TestETag:
    async def test_200_carries_a_strong_etag_that_is_stable_while_unchanged(
        self, client: httpx.AsyncClient, db: Database
    ) -> None:
        item = await make_item(db, owner=await make_user(db))
        first = await client.get(item_url(item.id))
        assert first.status_code == 200
        assert STRONG_ETAG.match(first.headers["ETag"]), first.headers
        assert first.json()["id"] == item.id
        assert await etag_of(client, item.id) == first.headers["ETag"]

    async def test_items_have_different_etags(
        self, client: httpx.AsyncClient, alice: Account
    ) -> None:
        one, two = await create(client, alice), await create(client, alice)
        assert await etag_of(client, one["id"]) != await etag_of(client, two["id"])

    async def test_every_update_changes_the_etag_even_to_the_same_content(
        self, client: httpx.AsyncClient, alice: Account
    ) -> None:
        item = await create(client, alice)
        seen = {await etag_of(client, item["id"])}
        for body in ({**ITEM, "price": 13}, {**ITEM, "price": 13}, ITEM):
            response = await client.put(item_url(item["id"]), json=body, headers=alice.headers)
            assert response.status_code == 200, response.text
            etag = await etag_of(client, item["id"])
            assert etag not in seen  # updated_at moved: a new version, a new tag
            seen.add(etag)


class TestIfNoneMatch:
    async def test_the_current_etag_is_304_without_a_body(
        self, client: httpx.AsyncClient, alice: Account
    ) -> None:
        item = await create(client, alice)
        etag = await etag_of(client, item["id"])
        response = await client.get(item_url(item["id"]), headers={"If-None-Match": etag})
        assert_not_modified(response, etag)

    @pytest.mark.parametrize(
        "header",
        [
            "{etag}",
            "W/{etag}",
            '"other", {etag}',
            '"a,b", W/"x" ,{etag} ,',
            ", ,{etag}",
            "*",
            "  *  ",
        ],
    )
    async def test_a_list_weak_tags_and_star_match(
        self, client: httpx.AsyncClient, alice: Account, header: str
    ) -> None:
        item = await create(client, alice)
        etag = await etag_of(client, item["id"])
        response = await client.get(
            item_url(item["id"]), headers={"If-None-Match": header.format(etag=etag)}
        )
        assert_not_modified(response, etag)

    @pytest.mark.parametrize(
        "header",
        [
            '"0123456789abcdef0123456789abcdef"',
            "{bare}",  # the tag without its quotes is not an entity-tag
            "{etag}x",
            '"unterminated, {etag}',
            "",
            "**",
            "W/*",
            "\x7f\x80\xff",
        ],
    )
    async def test_anything_else_is_a_full_200(
        self, client: httpx.AsyncClient, alice: Account, header: str
    ) -> None:
        item = await create(client, alice)
        etag = await etag_of(client, item["id"])
        value = header.format(etag=etag, bare=etag.strip('"')).encode("latin-1")
        response = await client.get(item_url(item["id"]), headers={b"If-None-Match": value})
        assert response.status_code == 200, response.text
        assert response.json() == item
        assert response.headers["ETag"] == etag

    async def test_an_old_etag_after_an_update_gets_the_new_item(
        self, client: httpx.AsyncClient, alice: Account
    ) -> None:
        item = await create(client, alice)
        old = await etag_of(client, item["id"])
        changed = {**ITEM, "name": "Kettle"}
        assert (
            await client.put(item_url(item["id"]), json=changed, headers=alice.headers)
        ).status_code == 200
        response = await client.get(item_url(item["id"]), headers={"If-None-Match": old})
        assert response.status_code == 200
        assert response.json()["name"] == "Kettle"
        new = response.headers["ETag"]
        assert new != old
        assert_not_modified(
            await client.get(item_url(item["id"]), headers={"If-None-Match": new}), new
        )

    async def test_a_missing_item_is_404_even_for_star(self, client: httpx.AsyncClient) -> None:
        response = await client.get(item_url(424242), headers={"If-None-Match": "*"})
        assert_error(response, 404, ITEM_NOT_FOUND)

    async def test_a_deleted_item_is_404_with_its_old_etag(
        self, client: httpx.AsyncClient, alice: Account
    ) -> None:
        item = await create(client, alice)
        etag = await etag_of(client, item["id"])
        assert (await client.delete(item_url(item["id"]), headers=alice.headers)).status_code == 204
        response = await client.get(item_url(item["id"]), headers={"If-None-Match": etag})
        assert_error(response, 404, ITEM_NOT_FOUND)

    async def test_an_overlong_header_is_422(
        self, client: httpx.AsyncClient, alice: Account
    ) -> None:
        item = await create(client, alice)
        response = await client.get(item_url(item["id"]), headers={"If-None-Match": "x" * 8193})
        assert response.status_code == 422, response.text
        [error] = response.json()["detail"]
        assert error["loc"] == ["header", "If-None-Match"]
