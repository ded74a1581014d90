"""Explicit cases for what generated data never reaches, and for what fuzzing once found.

Random data never logs in, never guesses a user's own id, never holds an admin token, and
never trips the login limit on purpose (STACK-NOTES): those paths are pinned here, each case
validated with every Schemathesis check (``call_and_validate``) besides the assertions.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from schemathesis.core.transport import Response
from schemathesis.python.asgi import get_client

from impl.app import create_app
from tests.contract.harness import (
    ADMIN,
    ALICE,
    BOB,
    FORM,
    Account,
    ContractRun,
    contract_settings,
)

TOKEN = "/api/v1/auth/token"
REGISTER = "/api/v1/auth/register"
ME = "/api/v1/auth/me"
USERS = "/api/v1/users"
USER = "/api/v1/users/{user_id}"
ITEMS = "/api/v1/items"
ITEM = "/api/v1/items/{item_id}"


@pytest.fixture
def run(contract_run: ContractRun) -> ContractRun:
    contract_run.reset()
    return contract_run


def call(run: ContractRun, method: str, path: str, **kwargs: Any) -> Response:
    """One request through every Schemathesis check (and the suite's own)."""
    case = run.case(method, path, **kwargs)
    return case.call_and_validate(app=run.app, additional_checks=[run.check_ownership])


def login(run: ContractRun, username: str, password: str, **extra: str) -> Response:
    return call(
        run,
        "POST",
        TOKEN,
        body={"username": username, "password": password, **extra},
        media_type=FORM,
    )


def new_user(n: int = 1) -> dict[str, str]:
    return {
        "username": f"pinned{n}",
        "email": f"pinned{n}@example.com",
        "password": "pinned-pass-1",
    }


def detail(response: Response) -> Any:
    return response.json()["detail"]


class TestCreateToken:
    def test_valid_credentials_get_a_bearer_token_that_works(self, run: ContractRun) -> None:
        response = login(run, ALICE.username, ALICE.password)
        assert response.status_code == 200
        body = response.json()
        assert body["token_type"] == "bearer"
        assert body["expires_in"] >= 1
        me = call(run, "GET", ME, headers={"Authorization": f"Bearer {body['access_token']}"})
        assert me.status_code == 200
        assert me.json()["id"] == run.account(ALICE).user_id

    def test_username_matches_case_insensitively(self, run: ContractRun) -> None:
        assert login(run, ALICE.username.upper(), ALICE.password).status_code == 200

    def test_requested_scopes_are_intersected_with_the_users_own(self, run: ContractRun) -> None:
        token = login(run, ALICE.username, ALICE.password, scope="items:write admin").json()
        headers = {"Authorization": f"Bearer {token['access_token']}"}
        assert call(run, "GET", USERS, headers=headers).status_code == 403  # no users:read
        created = call(run, "POST", ITEMS, body={"name": "pen", "price": 2.5}, headers=headers)
        assert created.status_code == 201
        assert (
            call(
                run, "DELETE", USER, path_parameters={"user_id": str(uuid.uuid4())}, headers=headers
            ).status_code
            == 403
        )

    def test_wrong_password_is_401_with_a_bearer_challenge(self, run: ContractRun) -> None:
        response = login(run, ALICE.username, "not-her-password")
        assert response.status_code == 401
        assert response.headers["www-authenticate"] == ["Bearer"]
        assert detail(response) == "Incorrect username or password"

    def test_unknown_user_is_the_same_401(self, run: ContractRun) -> None:
        response = login(run, "nobody_at_all", ALICE.password)
        assert response.status_code == 401
        assert detail(response) == "Incorrect username or password"

    def test_login_limit_answers_429_with_retry_after(self, run: ContractRun) -> None:
        # The only test with a low limit: its own app (and rate-limit store) on the same data.
        strict = create_app(contract_settings(run.database_url, rate_limit_login="3/minute"))
        form = {"username": ALICE.username, "password": "wrong-password"}
        statuses = []
        for _ in range(4):
            case = run.case("POST", TOKEN, body=form, media_type=FORM)
            response = case.call_and_validate(app=strict)
            statuses.append(response.status_code)
        assert statuses == [401, 401, 401, 429]
        assert int(response.headers["retry-after"][0]) >= 1
        assert detail(response) == "Too many requests"
        # Even the right password waits: the limit counts attempts, not failures.
        right = run.case("POST", TOKEN, body={**form, "password": ALICE.password}, media_type=FORM)
        assert right.call_and_validate(app=strict).status_code == 429


class TestCredentialGatedPaths:
    def test_current_user_is_the_tokens_owner(self, run: ContractRun) -> None:
        alice = run.account(ALICE)
        response = call(run, "GET", ME, headers=alice.headers)
        assert response.status_code == 200
        assert response.json()["username"] == ALICE.username

    def test_list_users_counts_every_user(self, run: ContractRun) -> None:
        response = call(run, "GET", USERS, headers=run.account(ALICE).headers, query={"limit": 1})
        assert response.status_code == 200
        assert len(response.json()) == 1
        assert response.headers["x-total-count"] == ["3"]  # Alice, Bob and the admin

    def test_a_user_updates_their_own_profile_and_password(self, run: ContractRun) -> None:
        alice = run.account(ALICE)
        path = {"user_id": alice.user_id}
        body = {"full_name": "Alice A.", "password": "a-new-password"}
        response = call(run, "PUT", USER, path_parameters=path, body=body, headers=alice.headers)
        assert response.status_code == 403  # without current_password
        body["current_password"] = ALICE.password
        response = call(run, "PUT", USER, path_parameters=path, body=body, headers=alice.headers)
        assert response.status_code == 200
        assert response.json()["full_name"] == "Alice A."
        assert login(run, ALICE.username, "a-new-password").status_code == 200
        assert login(run, ALICE.username, ALICE.password).status_code == 401

    def test_an_email_already_taken_is_409(self, run: ContractRun) -> None:
        alice = run.account(ALICE)
        body = {"email": BOB.email.upper()}
        response = call(
            run,
            "PUT",
            USER,
            path_parameters={"user_id": alice.user_id},
            body=body,
            headers=alice.headers,
        )
        assert response.status_code == 409

    @pytest.mark.parametrize("field", [{"is_active": False}, {"scopes": ["admin"]}])
    def test_admin_only_fields_are_403_for_a_user(
        self, run: ContractRun, field: dict[str, Any]
    ) -> None:
        alice = run.account(ALICE)
        response = call(
            run,
            "PUT",
            USER,
            path_parameters={"user_id": alice.user_id},
            body=field,
            headers=alice.headers,
        )
        assert response.status_code == 403

    def test_an_admin_deletes_a_user_and_their_items(self, run: ContractRun) -> None:
        admin = run.account(ADMIN)
        created = call(run, "POST", REGISTER, body=new_user())
        user_id = created.json()["id"]
        path = {"user_id": user_id}
        assert (
            call(run, "DELETE", USER, path_parameters=path, headers=admin.headers).status_code
            == 204
        )
        gone = call(run, "GET", USER, path_parameters=path, headers=admin.headers)
        assert gone.status_code == 404

    def test_delete_user_statuses(self, run: ContractRun) -> None:
        admin, alice = run.account(ADMIN), run.account(ALICE)
        unknown = {"user_id": str(uuid.uuid4())}
        assert (
            call(run, "DELETE", USER, path_parameters=unknown, headers=admin.headers).status_code
            == 404
        )
        malformed = {"user_id": "not-a-uuid"}
        assert (
            call(run, "DELETE", USER, path_parameters=malformed, headers=admin.headers).status_code
            == 422
        )
        assert (
            call(run, "DELETE", USER, path_parameters=unknown, headers=alice.headers).status_code
            == 403
        )
        assert call(run, "DELETE", USER, path_parameters=unknown).status_code == 401

    def test_an_admin_updates_anyone_and_gets_404_for_nobody(self, run: ContractRun) -> None:
        admin, bob = run.account(ADMIN), run.account(BOB)
        body = {"is_active": True, "scopes": ["items:write", "users:read", "users:write"]}
        response = call(
            run,
            "PUT",
            USER,
            path_parameters={"user_id": bob.user_id},
            body=body,
            headers=admin.headers,
        )
        assert response.status_code == 200
        nobody = {"user_id": str(uuid.uuid4())}
        assert (
            call(
                run,
                "PUT",
                USER,
                path_parameters=nobody,
                body={"full_name": None},
                headers=admin.headers,
            ).status_code
            == 404
        )

    def test_an_item_lives_and_dies_with_its_owner(self, run: ContractRun) -> None:
        alice = run.account(ALICE)
        created = call(
            run,
            "POST",
            ITEMS,
            body={"name": "lamp", "price": 12.0, "tags": ["home"]},
            headers=alice.headers,
        )
        assert created.status_code == 201
        item = created.json()
        assert created.headers["location"] == [f"/api/v1/items/{item['id']}"]
        assert item["owner_id"] == alice.user_id
        path = {"item_id": item["id"]}
        replaced = call(
            run,
            "PUT",
            ITEM,
            path_parameters=path,
            body={"name": "lamp", "price": 10.0},
            headers=alice.headers,
        )
        assert replaced.status_code == 200
        assert replaced.json()["tags"] == []  # absent tags: none
        assert replaced.json()["description"] is None
        assert (
            call(run, "DELETE", ITEM, path_parameters=path, headers=alice.headers).status_code
            == 204
        )
        assert call(run, "GET", ITEM, path_parameters=path).status_code == 404


class TestOwnership:
    def _alices_item(self, run: ContractRun, alice: Account) -> Response:
        return call(
            run, "POST", ITEMS, body={"name": "alice's", "price": 1.5}, headers=alice.headers
        )

    def test_bob_cannot_touch_alices_item(self, run: ContractRun) -> None:
        alice, bob = run.account(ALICE), run.account(BOB)
        item = self._alices_item(run, alice).json()
        path = {"item_id": item["id"]}
        body = {"name": "bob's now", "price": 0.5}
        assert (
            call(run, "PUT", ITEM, path_parameters=path, body=body, headers=bob.headers).status_code
            == 403
        )
        assert (
            call(run, "DELETE", ITEM, path_parameters=path, headers=bob.headers).status_code == 403
        )
        assert call(run, "GET", ITEM, path_parameters=path).json() == item

    def test_bob_cannot_touch_alices_profile(self, run: ContractRun) -> None:
        alice, bob = run.account(ALICE), run.account(BOB)
        path = {"user_id": alice.user_id}
        before = call(run, "GET", USER, path_parameters=path, headers=bob.headers).json()
        put = call(
            run, "PUT", USER, path_parameters=path, body={"full_name": "Bob"}, headers=bob.headers
        )
        assert put.status_code == 403
        assert (
            call(run, "DELETE", USER, path_parameters=path, headers=bob.headers).status_code == 403
        )
        assert call(run, "GET", USER, path_parameters=path, headers=bob.headers).json() == before

    def test_a_missing_item_is_404_for_bob_too(self, run: ContractRun) -> None:
        bob = run.account(BOB)
        path = {"item_id": 987654321}
        assert (
            call(
                run,
                "PUT",
                ITEM,
                path_parameters=path,
                body={"name": "x", "price": 1.0},
                headers=bob.headers,
            ).status_code
            == 404
        )
        assert (
            call(run, "DELETE", ITEM, path_parameters=path, headers=bob.headers).status_code == 404
        )

    def test_the_ownership_check_is_not_vacuous(self, run: ContractRun) -> None:
        # A response that claims an item Alice owns, which does not exist: Bob's PUT is then
        # 404, not the 403 the check demands, so the check must fail.
        alice = run.account(ALICE)
        created = self._alices_item(run, alice)
        call(
            run,
            "DELETE",
            ITEM,
            path_parameters={"item_id": created.json()["id"]},
            headers=alice.headers,
        )
        case = run.case(
            "POST", ITEMS, body={"name": "alice's", "price": 1.5}, headers=alice.headers
        )
        with pytest.raises(AssertionError, match="expected 403, got 404"):
            run.check_ownership(None, created, case)


class TestFoundByFuzzing:
    """Each of these was a failure of the fuzz run before its fix."""

    @pytest.mark.parametrize(
        ("path", "body"),
        [
            (REGISTER, {**new_user(), "password": "\ud800-lone-high"}),
            (REGISTER, {**new_user(), "full_name": "lone low \udfff"}),
            (REGISTER, {**new_user(), "\ud83d": "a lone surrogate in a key"}),
            (ITEMS, {"name": "\udc00", "price": 1.0}),
        ],
    )
    def test_a_lone_surrogate_in_a_json_string_is_422(
        self, run: ContractRun, path: str, body: dict[str, Any]
    ) -> None:
        response = call(run, "POST", path, body=body, headers=run.account(ALICE).headers)
        assert response.status_code == 422
        [error] = detail(response)
        assert error["type"] == "json_invalid"
        assert "surrogate" in error["ctx"]["error"]

    def test_a_surrogate_pair_and_an_escaped_backslash_are_fine(self, run: ContractRun) -> None:
        body = {**new_user(), "full_name": "\U0001f600 and \\ud800 as text"}
        response = call(run, "POST", REGISTER, body=body)
        assert response.status_code == 201
        assert response.json()["full_name"] == "\U0001f600 and \\ud800 as text"

    @pytest.mark.parametrize(
        "email",
        [
            "a..b@example.com",
            "x@example.org*",
            "a@-example.com",
            "a@ab--cd.example",
            "é@example.com",
            "a@[300.1.1.1]",
            '"unterminated@example.com',
        ],
    )
    def test_an_address_that_is_not_format_email_is_422(self, run: ContractRun, email: str) -> None:
        response = call(run, "POST", REGISTER, body={**new_user(), "email": email})
        assert response.status_code == 422
        assert detail(response)[0]["loc"] == ["body", "email"]
        alice = run.account(ALICE)
        update = call(
            run,
            "PUT",
            USER,
            path_parameters={"user_id": alice.user_id},
            body={"email": email},
            headers=alice.headers,
        )
        assert update.status_code == 422

    @pytest.mark.parametrize(
        "email",
        [
            "a+b@example.test",
            '"quoted..local"@example.com',
            "a@[127.0.0.1]",
            "a@[IPv6:::1]",
            "x@xn--bcher-kva.example",
            "o'brien@localhost",
        ],
    )
    def test_unusual_but_valid_addresses_are_accepted(self, run: ContractRun, email: str) -> None:
        response = call(run, "POST", REGISTER, body={**new_user(), "email": email})
        assert response.status_code == 201
        assert response.json()["email"] == email

    def test_null_tags_are_422(self, run: ContractRun) -> None:
        alice = run.account(ALICE)
        body = {"name": "pen", "price": 1.0, "tags": None}
        assert call(run, "POST", ITEMS, body=body, headers=alice.headers).status_code == 422
        item = call(run, "POST", ITEMS, body={"name": "pen", "price": 1.0}, headers=alice.headers)
        assert item.json()["tags"] == []
        path = {"item_id": item.json()["id"]}
        assert (
            call(
                run, "PUT", ITEM, path_parameters=path, body=body, headers=alice.headers
            ).status_code
            == 422
        )

    @pytest.mark.parametrize("item_id", [0, 2**63, -1])
    def test_item_ids_outside_the_64_bit_range_are_422(
        self, run: ContractRun, item_id: int
    ) -> None:
        assert call(run, "GET", ITEM, path_parameters={"item_id": item_id}).status_code == 422

    def test_a_nul_byte_in_a_stored_string_is_422(self, run: ContractRun) -> None:
        body = {"name": "nul\x00name", "price": 1.0}
        response = call(run, "POST", ITEMS, body=body, headers=run.account(ALICE).headers)
        assert response.status_code == 422


class TestMethods:
    """405 for what the contract does not declare, with an Allow header naming what it does."""

    def test_an_undeclared_method_is_405_listing_every_declared_one(self, run: ContractRun) -> None:
        with get_client(run.app) as client:
            response = client.patch("/api/v1/items/1", json={})
        assert response.status_code == 405
        assert response.headers["allow"] == "DELETE, GET, PUT"

    def test_head_is_not_declared_so_it_is_405(self, run: ContractRun) -> None:
        # The contract declares no HEAD; FastAPI's routes do not add one either. Left so on
        # purpose: the code does what the contract says, and no more.
        with get_client(run.app) as client:
            response = client.head("/health")
        assert response.status_code == 405
        assert response.headers["allow"] == "GET"
        assert response.content == b""
