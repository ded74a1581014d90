"""listItems, createItem, getItem, updateItem, deleteItem."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from impl.db import Database
from tests.api.helpers import (
    ITEM_NOT_FOUND,
    Account,
    assert_common_headers,
    assert_error,
    assert_forbidden,
    assert_item_body,
    assert_unauthorized,
    assert_validation_error,
    bearer,
    login,
    parse_utc,
)
from tests.factories import make_item, make_user

ITEMS_URL = "/api/v1/items"
BIGINT_MAX = 2**63 - 1


def item_url(item_id: int | str) -> str:
    return f"{ITEMS_URL}/{item_id}"


def new_item(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": "Teapot",
        "description": "Short and stout",
        "price": 12.5,
        "tags": ["kitchen", "ceramic"],
    }
    body.update(overrides)
    return body


# Bodies ItemCreate and ItemUpdate both reject, with where and why.
INVALID_BODIES = [
    ({"price": 0}, ["body", "price"], "greater_than"),
    ({"price": -1}, ["body", "price"], "greater_than"),
    ({"price": 1_000_000_000.01}, ["body", "price"], "less_than_equal"),
    ({"price": "12.5"}, ["body", "price"], "float_type"),
    ({"price": True}, ["body", "price"], "float_type"),
    ({"name": ""}, ["body", "name"], "string_too_short"),
    ({"name": "x" * 101}, ["body", "name"], "string_too_long"),
    ({"name": "nul\x00byte"}, ["body", "name"], "string_pattern_mismatch"),
    ({"description": "x" * 1001}, ["body", "description"], "string_too_long"),
    ({"description": "a\x00"}, ["body", "description"], "string_pattern_mismatch"),
    ({"tags": [f"t{n}" for n in range(21)]}, ["body", "tags"], "too_long"),
    ({"tags": [""]}, ["body", "tags", 0], "string_too_short"),
    ({"tags": ["x" * 51]}, ["body", "tags", 0], "string_too_long"),
    ({"tags": ["ok", "\x00"]}, ["body", "tags", 1], "string_pattern_mismatch"),
    ({"tags": "kitchen"}, ["body", "tags"], "list_type"),
    ({"tags": None}, ["body", "tags"], "list_type"),  # absent is no tags; null is not allowed
    ({"id": 7}, ["body", "id"], "extra_forbidden"),
    ({"owner_id": "00000000-0000-0000-0000-000000000001"}, ["body", "owner_id"], "extra_forbidden"),
]
INVALID_IDS = [
    ("0", "greater_than_equal"),
    ("-1", "greater_than_equal"),
    (str(BIGINT_MAX + 1), "less_than_equal"),
    ("99999999999999999999999999", "less_than_equal"),
    ("abc", "int_parsing"),
    ("1.5", "int_parsing"),
]


class TestListItems:
    async def test_lists_items_newest_first_with_the_total_count(
        self, client: httpx.AsyncClient, db: Database
    ) -> None:
        owner = await make_user(db)
        now = datetime.now(UTC)
        # Inserted oldest-last, so that id order and time order disagree.
        newest = await make_item(db, owner=owner, name="newest", created_at=now)
        middle = await make_item(
            db, owner=owner, name="middle", created_at=now - timedelta(hours=1)
        )
        oldest = await make_item(db, owner=owner, name="oldest", created_at=now - timedelta(days=1))
        response = await client.get(ITEMS_URL)
        assert response.status_code == 200
        assert response.headers["Content-Type"] == "application/json"
        assert response.headers["X-Total-Count"] == "3"
        body = response.json()
        for item in body:
            assert_item_body(item)
        assert [item["id"] for item in body] == [newest.id, middle.id, oldest.id]
        assert_common_headers(response)

    async def test_ties_in_creation_time_are_broken_by_id_newest_first_on_every_page(
        self, client: httpx.AsyncClient, db: Database
    ) -> None:
        owner = await make_user(db)
        moment = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
        ids = [
            (await make_item(db, owner=owner, created_at=moment, tags=["same"])).id
            for _ in range(5)
        ]
        expected = sorted(ids, reverse=True)
        for query in ({}, {"tag": "same"}):  # with and without a filter: other query plans
            whole = await client.get(ITEMS_URL, params=query)
            assert [item["id"] for item in whole.json()] == expected, query
            paged = []
            for skip in range(0, 5, 2):
                page = await client.get(ITEMS_URL, params={**query, "skip": skip, "limit": 2})
                assert page.headers["X-Total-Count"] == "5"
                paged += [item["id"] for item in page.json()]
            assert paged == expected, query

    async def test_skip_and_limit_page_through_while_the_count_stays_total(
        self, client: httpx.AsyncClient, db: Database
    ) -> None:
        owner = await make_user(db)
        now = datetime.now(UTC)
        for n in range(12):
            await make_item(db, owner=owner, name=f"n{n:02}", created_at=now - timedelta(minutes=n))
        default = await client.get(ITEMS_URL)
        assert [item["name"] for item in default.json()] == [f"n{n:02}" for n in range(10)]
        page = await client.get(ITEMS_URL, params={"skip": 10, "limit": 5})
        assert [item["name"] for item in page.json()] == ["n10", "n11"]
        assert page.headers["X-Total-Count"] == "12"
        beyond = await client.get(ITEMS_URL, params={"skip": 10000, "limit": 100})
        assert beyond.status_code == 200
        assert beyond.json() == []
        assert beyond.headers["X-Total-Count"] == "12"

    async def test_empty_list_has_a_zero_count(self, client: httpx.AsyncClient) -> None:
        response = await client.get(ITEMS_URL)
        assert response.status_code == 200
        assert response.json() == []
        assert response.headers["X-Total-Count"] == "0"

    async def test_tag_filter_matches_exactly_that_tag_and_counts_only_matches(
        self, client: httpx.AsyncClient, db: Database
    ) -> None:
        owner = await make_user(db)
        now = datetime.now(UTC)
        both = await make_item(db, owner=owner, tags=["red", "blue"], created_at=now)
        red = await make_item(db, owner=owner, tags=["red"], created_at=now - timedelta(seconds=1))
        await make_item(db, owner=owner, tags=["green"], created_at=now - timedelta(seconds=2))
        await make_item(
            db, owner=owner, tags=["reddish", "Red"], created_at=now - timedelta(seconds=3)
        )
        await make_item(db, owner=owner, tags=[], created_at=now - timedelta(seconds=4))
        response = await client.get(ITEMS_URL, params={"tag": "red"})
        assert response.status_code == 200
        assert [item["id"] for item in response.json()] == [both.id, red.id]
        assert response.headers["X-Total-Count"] == "2"
        paged = await client.get(ITEMS_URL, params={"tag": "red", "skip": 1, "limit": 1})
        assert [item["id"] for item in paged.json()] == [red.id]
        assert paged.headers["X-Total-Count"] == "2"
        nothing = await client.get(ITEMS_URL, params={"tag": "re"})
        assert nothing.json() == []
        assert nothing.headers["X-Total-Count"] == "0"

    async def test_tag_filter_handles_quotes_and_wildcards_literally(
        self, client: httpx.AsyncClient, db: Database
    ) -> None:
        owner = await make_user(db)
        odd = await make_item(db, owner=owner, tags=['say "hi"', "100%", "a_b"])
        await make_item(db, owner=owner, tags=["100x", "aXb"])
        for tag in ['say "hi"', "100%", "a_b"]:
            response = await client.get(ITEMS_URL, params={"tag": tag})
            assert [item["id"] for item in response.json()] == [odd.id], tag

    async def test_needs_no_token(self, client: httpx.AsyncClient, db: Database) -> None:
        await make_item(db, owner=await make_user(db))
        response = await client.get(ITEMS_URL, headers={"Authorization": "Bearer garbage"})
        assert response.status_code == 200
        assert len(response.json()) == 1

    @pytest.mark.parametrize(
        ("params", "loc", "error_type"),
        [
            ({"skip": -1}, ["query", "skip"], "greater_than_equal"),
            ({"skip": 10001}, ["query", "skip"], "less_than_equal"),
            ({"limit": 0}, ["query", "limit"], "greater_than_equal"),
            ({"limit": 101}, ["query", "limit"], "less_than_equal"),
            ({"skip": "x"}, ["query", "skip"], "int_parsing"),
            ({"tag": ""}, ["query", "tag"], "string_too_short"),
            ({"tag": "x" * 51}, ["query", "tag"], "string_too_long"),
            ({"tag": "a\x00b"}, ["query", "tag"], "string_pattern_mismatch"),
        ],
    )
    async def test_out_of_bounds_query_is_422(
        self,
        client: httpx.AsyncClient,
        params: dict[str, Any],
        loc: list[str | int],
        error_type: str,
    ) -> None:
        assert_validation_error(await client.get(ITEMS_URL, params=params), loc, error_type)


class TestCreateItem:
    async def test_creates_an_item_owned_by_the_caller(
        self, client: httpx.AsyncClient, alice: Account
    ) -> None:
        before = datetime.now(UTC) - timedelta(seconds=1)
        response = await client.post(ITEMS_URL, json=new_item(), headers=alice.headers)
        assert response.status_code == 201, response.text
        assert response.headers["Content-Type"] == "application/json"
        body = response.json()
        assert_item_body(body)
        assert body["name"] == "Teapot"
        assert body["description"] == "Short and stout"
        assert body["price"] == 12.5
        assert body["tags"] == ["kitchen", "ceramic"]
        assert body["owner_id"] == str(alice.id)
        assert parse_utc(body["created_at"]) >= before
        assert body["updated_at"] == body["created_at"]
        assert_common_headers(response)

    async def test_location_header_is_the_new_items_path(
        self, client: httpx.AsyncClient, alice: Account
    ) -> None:
        response = await client.post(ITEMS_URL, json=new_item(), headers=alice.headers)
        assert response.status_code == 201
        assert response.headers["Location"] == item_url(response.json()["id"])
        fetched = await client.get(response.headers["Location"])
        assert fetched.status_code == 200
        assert fetched.json() == response.json()

    async def test_optional_fields_default_to_null_description_and_no_tags(
        self, client: httpx.AsyncClient, alice: Account
    ) -> None:
        response = await client.post(
            ITEMS_URL, json={"name": "Bare", "price": 1}, headers=alice.headers
        )
        assert response.status_code == 201
        assert response.json()["description"] is None
        assert response.json()["tags"] == []
        assert response.json()["price"] == 1

    @pytest.mark.parametrize("price", [0.01, 1, 999_999_999.99, 1_000_000_000])
    async def test_price_within_bounds_is_accepted(
        self, client: httpx.AsyncClient, alice: Account, price: float
    ) -> None:
        response = await client.post(ITEMS_URL, json=new_item(price=price), headers=alice.headers)
        assert response.status_code == 201, response.text
        assert response.json()["price"] == price
        assert (await client.get(response.headers["Location"])).json()["price"] == price

    async def test_twenty_tags_of_fifty_characters_are_accepted(
        self, client: httpx.AsyncClient, alice: Account
    ) -> None:
        tags = [f"{n:02}" + "x" * 48 for n in range(20)]
        response = await client.post(ITEMS_URL, json=new_item(tags=tags), headers=alice.headers)
        assert response.status_code == 201
        assert response.json()["tags"] == tags

    async def test_unicode_text_round_trips(
        self, client: httpx.AsyncClient, alice: Account
    ) -> None:
        body = new_item(name="Théière 急須 🫖", description="ünïcødé", tags=["日本"])
        response = await client.post(ITEMS_URL, json=body, headers=alice.headers)
        assert response.status_code == 201
        fetched = (await client.get(response.headers["Location"])).json()
        assert (fetched["name"], fetched["description"], fetched["tags"]) == (
            body["name"],
            body["description"],
            body["tags"],
        )

    @pytest.mark.parametrize(("overrides", "loc", "error_type"), INVALID_BODIES)
    async def test_invalid_body_is_422_and_creates_nothing(
        self,
        client: httpx.AsyncClient,
        alice: Account,
        overrides: dict[str, Any],
        loc: list[str | int],
        error_type: str,
    ) -> None:
        response = await client.post(ITEMS_URL, json=new_item(**overrides), headers=alice.headers)
        assert_validation_error(response, loc, error_type)
        assert (await client.get(ITEMS_URL)).headers["X-Total-Count"] == "0"

    @pytest.mark.parametrize("missing", ["name", "price"])
    async def test_missing_required_field_is_422(
        self, client: httpx.AsyncClient, alice: Account, missing: str
    ) -> None:
        body = new_item()
        del body[missing]
        response = await client.post(ITEMS_URL, json=body, headers=alice.headers)
        assert_validation_error(response, ["body", missing], "missing")

    async def test_malformed_json_body_is_422_in_fastapi_shape(
        self, client: httpx.AsyncClient, alice: Account
    ) -> None:
        response = await client.post(
            ITEMS_URL,
            content=b'{"name": "Teapot", "price": ',
            headers={**alice.headers, "Content-Type": "application/json"},
        )
        error = assert_validation_error(response, ["body", 28], "json_invalid")
        assert error["msg"] == "JSON decode error"

    @pytest.mark.parametrize(
        ("number", "echoed"),
        [(b"NaN", "NaN"), (b"Infinity", "Infinity"), (b"-Infinity", "-Infinity")],
    )
    async def test_non_finite_price_is_422_not_500(
        self, client: httpx.AsyncClient, alice: Account, number: bytes, echoed: str
    ) -> None:
        """Python's JSON parser accepts NaN and Infinity; JSON cannot carry them back, so the
        422 echoes them as strings (it used to fail rendering: a 500)."""
        response = await client.post(
            ITEMS_URL,
            content=b'{"name": "Teapot", "price": ' + number + b"}",
            headers={**alice.headers, "Content-Type": "application/json"},
        )
        error = assert_validation_error(response, ["body", "price"])
        assert error["input"] == echoed

    async def test_missing_body_is_422(self, client: httpx.AsyncClient, alice: Account) -> None:
        response = await client.post(ITEMS_URL, headers=alice.headers)
        assert_validation_error(response, ["body"], "missing")

    async def test_without_a_token_is_401(self, client: httpx.AsyncClient) -> None:
        assert_unauthorized(await client.post(ITEMS_URL, json=new_item()))

    async def test_token_without_items_write_is_403(
        self, client: httpx.AsyncClient, alice: Account
    ) -> None:
        token = (await login(client, "alice", alice.password, scope="users:read")).json()
        response = await client.post(
            ITEMS_URL, json=new_item(), headers=bearer(token["access_token"])
        )
        assert_forbidden(response)

    async def test_user_whose_items_write_was_revoked_is_403(
        self, client: httpx.AsyncClient, alice: Account, admin: Account
    ) -> None:
        revoked = await client.put(
            f"/api/v1/users/{alice.id}", json={"scopes": ["users:read"]}, headers=admin.headers
        )
        assert revoked.status_code == 200
        assert_forbidden(await client.post(ITEMS_URL, json=new_item(), headers=alice.headers))


class TestGetItem:
    async def test_returns_the_item_to_anyone(
        self, client: httpx.AsyncClient, db: Database
    ) -> None:
        owner = await make_user(db)
        item = await make_item(
            db, owner=owner, name="Lamp", description=None, price=3.25, tags=["x"]
        )
        response = await client.get(item_url(item.id))
        assert response.status_code == 200
        body = response.json()
        assert_item_body(body)
        assert body["id"] == item.id
        assert body["name"] == "Lamp"
        assert body["description"] is None
        assert body["price"] == 3.25
        assert body["tags"] == ["x"]
        assert body["owner_id"] == str(owner.id)
        assert_common_headers(response)

    async def test_unknown_id_is_404(self, client: httpx.AsyncClient) -> None:
        assert_error(await client.get(item_url(424242)), 404, ITEM_NOT_FOUND)

    async def test_largest_bigint_id_is_a_plain_404(self, client: httpx.AsyncClient) -> None:
        assert_error(await client.get(item_url(BIGINT_MAX)), 404, ITEM_NOT_FOUND)

    @pytest.mark.parametrize(("item_id", "error_type"), INVALID_IDS)
    async def test_id_that_is_not_a_positive_bigint_is_422(
        self, client: httpx.AsyncClient, item_id: str, error_type: str
    ) -> None:
        response = await client.get(item_url(item_id))
        assert_validation_error(response, ["path", "item_id"], error_type)


class TestUpdateItem:
    async def test_owner_replaces_name_description_price_and_tags(
        self, client: httpx.AsyncClient, alice: Account
    ) -> None:
        created = (await client.post(ITEMS_URL, json=new_item(), headers=alice.headers)).json()
        replacement = {"name": "Kettle", "description": "Whistles", "price": 30, "tags": ["loud"]}
        response = await client.put(
            item_url(created["id"]), json=replacement, headers=alice.headers
        )
        assert response.status_code == 200
        body = response.json()
        assert_item_body(body)
        assert {key: body[key] for key in replacement} == replacement
        assert body["id"] == created["id"]
        assert body["owner_id"] == str(alice.id)
        assert body["created_at"] == created["created_at"]
        assert parse_utc(body["updated_at"]) >= parse_utc(created["updated_at"])
        assert_common_headers(response)
        assert (await client.get(item_url(created["id"]))).json() == body

    async def test_put_replaces_so_absent_description_and_tags_are_cleared(
        self, client: httpx.AsyncClient, alice: Account
    ) -> None:
        created = (await client.post(ITEMS_URL, json=new_item(), headers=alice.headers)).json()
        response = await client.put(
            item_url(created["id"]), json={"name": "Plain", "price": 2}, headers=alice.headers
        )
        assert response.status_code == 200
        assert response.json()["description"] is None
        assert response.json()["tags"] == []

    async def test_admin_replaces_anyones_item_and_ownership_stays(
        self, client: httpx.AsyncClient, alice: Account, admin: Account
    ) -> None:
        created = (await client.post(ITEMS_URL, json=new_item(), headers=alice.headers)).json()
        response = await client.put(
            item_url(created["id"]), json=new_item(name="Moderated"), headers=admin.headers
        )
        assert response.status_code == 200
        assert response.json()["name"] == "Moderated"
        assert response.json()["owner_id"] == str(alice.id)

    async def test_non_owner_is_403_and_the_item_is_unchanged(
        self, client: httpx.AsyncClient, alice: Account, bob: Account
    ) -> None:
        created = (await client.post(ITEMS_URL, json=new_item(), headers=alice.headers)).json()
        response = await client.put(
            item_url(created["id"]), json=new_item(name="Stolen"), headers=bob.headers
        )
        assert_forbidden(response)
        assert (await client.get(item_url(created["id"]))).json() == created

    async def test_missing_item_is_404_even_for_non_owner(
        self, client: httpx.AsyncClient, bob: Account
    ) -> None:
        response = await client.put(item_url(424242), json=new_item(), headers=bob.headers)
        assert_error(response, 404, ITEM_NOT_FOUND)

    @pytest.mark.parametrize(("overrides", "loc", "error_type"), INVALID_BODIES)
    async def test_invalid_body_is_422_and_changes_nothing(
        self,
        client: httpx.AsyncClient,
        alice: Account,
        overrides: dict[str, Any],
        loc: list[str | int],
        error_type: str,
    ) -> None:
        created = (await client.post(ITEMS_URL, json=new_item(), headers=alice.headers)).json()
        response = await client.put(
            item_url(created["id"]), json=new_item(**overrides), headers=alice.headers
        )
        assert_validation_error(response, loc, error_type)
        assert (await client.get(item_url(created["id"]))).json() == created

    @pytest.mark.parametrize(("item_id", "error_type"), INVALID_IDS)
    async def test_id_that_is_not_a_positive_bigint_is_422(
        self, client: httpx.AsyncClient, alice: Account, item_id: str, error_type: str
    ) -> None:
        response = await client.put(item_url(item_id), json=new_item(), headers=alice.headers)
        assert_validation_error(response, ["path", "item_id"], error_type)

    async def test_without_a_token_is_401(self, client: httpx.AsyncClient, alice: Account) -> None:
        created = (await client.post(ITEMS_URL, json=new_item(), headers=alice.headers)).json()
        assert_unauthorized(await client.put(item_url(created["id"]), json=new_item()))

    async def test_token_without_items_write_is_403_even_for_the_owner(
        self, client: httpx.AsyncClient, alice: Account
    ) -> None:
        created = (await client.post(ITEMS_URL, json=new_item(), headers=alice.headers)).json()
        token = (await login(client, "alice", alice.password, scope="users:read")).json()
        response = await client.put(
            item_url(created["id"]), json=new_item(), headers=bearer(token["access_token"])
        )
        assert_forbidden(response)


class TestDeleteItem:
    async def test_owner_deletes_their_item(
        self, client: httpx.AsyncClient, alice: Account
    ) -> None:
        created = (await client.post(ITEMS_URL, json=new_item(), headers=alice.headers)).json()
        response = await client.delete(item_url(created["id"]), headers=alice.headers)
        assert response.status_code == 204
        assert response.content == b""
        assert_common_headers(response)
        assert_error(await client.get(item_url(created["id"])), 404, ITEM_NOT_FOUND)
        again = await client.delete(item_url(created["id"]), headers=alice.headers)
        assert_error(again, 404, ITEM_NOT_FOUND)

    async def test_admin_deletes_anyones_item(
        self, client: httpx.AsyncClient, alice: Account, admin: Account
    ) -> None:
        created = (await client.post(ITEMS_URL, json=new_item(), headers=alice.headers)).json()
        response = await client.delete(item_url(created["id"]), headers=admin.headers)
        assert response.status_code == 204
        assert (await client.get(item_url(created["id"]))).status_code == 404

    async def test_non_owner_is_403_and_the_item_stays(
        self, client: httpx.AsyncClient, alice: Account, bob: Account
    ) -> None:
        created = (await client.post(ITEMS_URL, json=new_item(), headers=alice.headers)).json()
        assert_forbidden(await client.delete(item_url(created["id"]), headers=bob.headers))
        assert (await client.get(item_url(created["id"]))).json() == created

    async def test_missing_item_is_404_even_for_non_owner(
        self, client: httpx.AsyncClient, bob: Account
    ) -> None:
        assert_error(
            await client.delete(item_url(424242), headers=bob.headers), 404, ITEM_NOT_FOUND
        )

    @pytest.mark.parametrize(("item_id", "error_type"), INVALID_IDS)
    async def test_id_that_is_not_a_positive_bigint_is_422(
        self, client: httpx.AsyncClient, alice: Account, item_id: str, error_type: str
    ) -> None:
        response = await client.delete(item_url(item_id), headers=alice.headers)
        assert_validation_error(response, ["path", "item_id"], error_type)

    async def test_without_a_token_is_401(self, client: httpx.AsyncClient, alice: Account) -> None:
        created = (await client.post(ITEMS_URL, json=new_item(), headers=alice.headers)).json()
        assert_unauthorized(await client.delete(item_url(created["id"])))
        assert (await client.get(item_url(created["id"]))).status_code == 200

    async def test_token_without_items_write_is_403_even_for_the_owner(
        self, client: httpx.AsyncClient, alice: Account
    ) -> None:
        created = (await client.post(ITEMS_URL, json=new_item(), headers=alice.headers)).json()
        token = (await login(client, "alice", alice.password, scope="users:read")).json()
        response = await client.delete(
            item_url(created["id"]), headers=bearer(token["access_token"])
        )
        assert_forbidden(response)
