"""What the whole app does around the operations: the served contract and docs, start-up
checks, the admin bootstrap, CORS, security headers, request ids, rate limiting, the 500 path,
unknown routes and methods."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, NoReturn

import httpx
import pytest
import yaml
from pydantic import ValidationError

from generated import SPEC, Handlers, MissingHandlers, create_router
from impl.app import create_app
from impl.db import Database
from impl.handlers import AuthHandlers, HealthHandlers, ItemsHandlers, TokenVerifier
from impl.http import JsonFormatter, Metrics
from impl.http.security_headers import API_CSP, DOCS_CSP, HSTS
from impl.security import PasswordHasher, TokenCodec
from impl.services import AuthService, HealthService, ItemService, UserService
from impl.settings import Settings
from tests.api.helpers import (
    ADMIN_SCOPES,
    ALLOWED_ORIGIN,
    BAD_CREDENTIALS,
    INTERNAL_ERROR,
    TOO_MANY_REQUESTS,
    Account,
    Connect,
    MakeApp,
    MakeClient,
    MakeSettings,
    assert_common_headers,
    assert_error,
    assert_unauthorized,
    login,
)
from tests.factories import make_item, make_user

CONTRACT = Path(__file__).resolve().parents[2] / "openapi.yaml"
LEAKY_MESSAGE = "SELECT hashed_password FROM users WHERE username = 'alice'"
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def operation_ids(tag: str | None = None) -> set[str]:
    """The contract's operationIds, all or those of one tag."""
    return {
        operation["operationId"]
        for path_item in SPEC["paths"].values()
        for method, operation in path_item.items()
        if method in HTTP_METHODS and (tag is None or tag in operation.get("tags", []))
    }


class TestOpenApiDocument:
    async def test_openapi_json_is_the_hand_written_contract(
        self, client: httpx.AsyncClient
    ) -> None:
        response = await client.get("/openapi.json")
        assert response.status_code == 200
        assert response.headers["Content-Type"] == "application/json"
        served = response.json()
        assert served["info"] == SPEC["info"]
        assert served["paths"].keys() == SPEC["paths"].keys()
        assert served == SPEC
        assert served == yaml.safe_load(CONTRACT.read_text(encoding="utf-8"))
        assert_common_headers(response)

    @pytest.mark.parametrize(("path", "marker"), [("/docs", "swagger-ui"), ("/redoc", "redoc")])
    async def test_docs_pages_answer_html_pointing_at_the_contract(
        self, client: httpx.AsyncClient, path: str, marker: str
    ) -> None:
        response = await client.get(path)
        assert response.status_code == 200
        assert response.headers["Content-Type"].startswith("text/html")
        assert marker in response.text.lower()
        assert "/openapi.json" in response.text
        assert SPEC["info"]["title"] in response.text
        # A CSP that lets the pages load their scripts; the API's forbids everything.
        assert response.headers["Content-Security-Policy"] == DOCS_CSP
        assert_common_headers(response)

    async def test_api_responses_get_the_strict_csp(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/api/v1/items")
        assert response.headers["Content-Security-Policy"] == API_CSP


class TestStartup:
    """``create_router`` refuses an implementation that leaves operations without a handler."""

    @pytest.fixture
    def partial_handlers(
        self, db: Database, hasher: PasswordHasher, codec: TokenCodec, settings: Settings
    ) -> Handlers:
        users = UserService(db, hasher)
        auth = AuthService(db, hasher, codec)
        return Handlers(
            health=HealthHandlers(HealthService(db), Metrics.create(), "0"),
            auth=AuthHandlers(users, auth, settings, lambda: None),
            users=None,  # the users tag is not implemented
            items=ItemsHandlers(ItemService(db)),
            security=TokenVerifier(auth),
        )

    def test_missing_tag_raises_naming_every_missing_operation_id(
        self, partial_handlers: Handlers
    ) -> None:
        with pytest.raises(MissingHandlers) as raised:
            create_router(partial_handlers)
        message = str(raised.value)
        missing = operation_ids("users")
        assert missing == {"listUsers", "getUser", "updateUser", "deleteUser"}
        for operation_id in missing:
            assert operation_id in message
        for operation_id in operation_ids() - missing:
            assert operation_id not in message
        assert message.startswith("4 operation(s)")

    def test_no_handlers_at_all_names_all_operations_and_the_missing_verifier(self) -> None:
        with pytest.raises(MissingHandlers) as raised:
            create_router(Handlers())
        message = str(raised.value)
        assert len(operation_ids()) == 15
        for operation_id in operation_ids():
            assert operation_id in message
        assert "SecurityVerifier" in message


class TestAdminBootstrap:
    async def test_admin_settings_ensure_an_admin_at_startup_idempotently(
        self, make_client: MakeClient, make_settings: MakeSettings
    ) -> None:
        settings = make_settings(
            admin_username="boss", admin_email="boss@example.com", admin_password="boss password!"
        )
        client = await make_client(settings)
        response = await login(client, "boss", "boss password!")
        assert response.status_code == 200
        token = response.json()["access_token"]
        me = await client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
        assert me.json()["username"] == "boss"
        assert sorted(me.json()["scopes"]) == ADMIN_SCOPES
        # A second start with the same settings (a restart, another worker) is fine.
        again = await make_client(settings)
        listed = await again.get("/api/v1/users", headers={"Authorization": f"Bearer {token}"})
        assert [user["username"] for user in listed.json()] == ["boss"]

    @pytest.mark.parametrize(
        "registered",
        [
            {"username": "BOSS", "email": "attacker@example.com"},
            {"username": "attacker", "email": "Boss@Example.com"},
            {"username": "boss", "email": "boss@example.com"},
        ],
    )
    async def test_an_account_registered_first_is_never_promoted_and_startup_fails(
        self,
        client: httpx.AsyncClient,
        make_app: MakeApp,
        make_settings: MakeSettings,
        registered: dict[str, str],
    ) -> None:
        """Issue 8: registering the admin's username before the operator starts the app made
        the attacker admin (with the attacker's password); the admin's email made start-up
        fail obscurely. Both now refuse start-up with a clear message."""
        response = await client.post(
            "/api/v1/auth/register", json={**registered, "password": "attacker password"}
        )
        assert response.status_code == 201
        settings = make_settings(
            admin_username="boss", admin_email="boss@example.com", admin_password="boss password!"
        )
        with pytest.raises(RuntimeError, match=r"Admin bootstrap refused: .* already belongs"):
            await make_app(settings)
        token = await login(client, registered["username"], "attacker password")
        me = await client.get(
            "/api/v1/auth/me",
            headers={"Authorization": f"Bearer {token.json()['access_token']}"},
        )
        assert me.status_code == 200
        assert "admin" not in me.json()["scopes"]
        assert_unauthorized(await login(client, "boss", "boss password!"), BAD_CREDENTIALS)

    @pytest.mark.parametrize("missing", ["admin_username", "admin_email", "admin_password"])
    async def test_a_partial_admin_configuration_is_refused(
        self, make_settings: MakeSettings, missing: str
    ) -> None:
        values = {
            "admin_username": "boss",
            "admin_email": "boss@example.com",
            "admin_password": "boss password!",
            missing: None,
        }
        with pytest.raises(ValidationError, match="set all three or none") as raised:
            make_settings(**values)
        assert "boss password!" not in str(raised.value)

    @pytest.mark.parametrize(
        ("overrides", "problem"),
        [
            ({"admin_username": "ad"}, "ADMIN_USERNAME: String should have at least 3"),
            ({"admin_username": "bad name!"}, "ADMIN_USERNAME: String should match pattern"),
            ({"admin_password": "sh0rt"}, "ADMIN_PASSWORD: String should have at least 8"),
            ({"admin_email": "not-an-email"}, "ADMIN_EMAIL: "),
        ],
    )
    async def test_values_that_break_the_contract_are_refused_without_echoing_them(
        self, make_settings: MakeSettings, db: Database, overrides: dict[str, str], problem: str
    ) -> None:
        values = {
            "admin_username": "boss",
            "admin_email": "boss@example.com",
            "admin_password": "boss password!",
        }
        values.update(overrides)
        with pytest.raises(ValueError, match="Invalid admin bootstrap settings") as raised:
            create_app(make_settings(**values), database=db)
        assert problem in str(raised.value)
        assert values["admin_password"] not in str(raised.value)


class TestCors:
    async def test_preflight_from_an_allowed_origin_is_granted(
        self, client: httpx.AsyncClient
    ) -> None:
        response = await client.options(
            "/api/v1/items",
            headers={
                "Origin": ALLOWED_ORIGIN,
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "authorization, content-type",
            },
        )
        assert response.status_code == 200
        assert response.headers["Access-Control-Allow-Origin"] == ALLOWED_ORIGIN
        assert response.headers["Access-Control-Allow-Credentials"] == "true"
        allowed_methods = {
            m.strip() for m in response.headers["Access-Control-Allow-Methods"].split(",")
        }
        assert {"GET", "POST", "PUT", "DELETE"} <= allowed_methods
        allowed_headers = response.headers["Access-Control-Allow-Headers"].lower()
        assert "authorization" in allowed_headers
        assert "content-type" in allowed_headers
        assert_common_headers(response)

    async def test_preflight_from_another_origin_is_refused(
        self, client: httpx.AsyncClient
    ) -> None:
        response = await client.options(
            "/api/v1/items",
            headers={"Origin": "https://evil.example.net", "Access-Control-Request-Method": "POST"},
        )
        assert response.status_code == 400
        assert "Access-Control-Allow-Origin" not in response.headers

    async def test_responses_to_an_allowed_origin_expose_the_contract_headers(
        self, client: httpx.AsyncClient, alice: Account
    ) -> None:
        response = await client.get("/api/v1/items", headers={"Origin": ALLOWED_ORIGIN})
        assert response.status_code == 200
        assert response.headers["Access-Control-Allow-Origin"] == ALLOWED_ORIGIN
        exposed = {
            h.strip().lower() for h in response.headers["Access-Control-Expose-Headers"].split(",")
        }
        assert {"x-total-count", "x-request-id", "location", "retry-after"} <= exposed
        # Errors too, so that a browser client can read them.
        denied = await client.get("/api/v1/users", headers={"Origin": ALLOWED_ORIGIN})
        assert denied.status_code == 401
        assert denied.headers["Access-Control-Allow-Origin"] == ALLOWED_ORIGIN

    async def test_no_cors_headers_for_an_unlisted_origin(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/api/v1/items", headers={"Origin": "https://evil.example.net"})
        assert response.status_code == 200
        assert "Access-Control-Allow-Origin" not in response.headers


class TestSecurityHeadersAndRequestId:
    async def test_every_kind_of_response_carries_them(
        self, client: httpx.AsyncClient, alice: Account
    ) -> None:
        responses = [
            await client.get("/health"),
            await client.get("/api/v1/items"),
            await client.post(
                "/api/v1/items", json={"name": "x", "price": 1}, headers=alice.headers
            ),
            await client.get("/api/v1/users"),  # 401
            await client.get("/api/v1/items/424242"),  # 404
            await client.get("/api/v1/items/0"),  # 422
            await client.get("/nowhere"),  # 404 of the framework
            await client.patch("/api/v1/items"),  # 405
        ]
        assert [r.status_code for r in responses] == [200, 200, 201, 401, 404, 422, 404, 405]
        for response in responses:
            assert_common_headers(response)
            assert "Strict-Transport-Security" not in response.headers  # not in ENVIRONMENT=test
        ids = {response.headers["X-Request-ID"] for response in responses}
        assert len(ids) == len(responses)

    async def test_hsts_in_production(
        self, make_client: MakeClient, make_settings: MakeSettings
    ) -> None:
        client = await make_client(make_settings(environment="production"))
        response = await client.get("/health")
        assert response.headers["Strict-Transport-Security"] == HSTS

    async def test_a_well_formed_client_request_id_is_echoed(
        self, client: httpx.AsyncClient
    ) -> None:
        response = await client.get(
            "/api/v1/items/424242", headers={"X-Request-ID": "abc-123.XYZ_9"}
        )
        assert response.status_code == 404
        assert response.headers["X-Request-ID"] == "abc-123.XYZ_9"

    @pytest.mark.parametrize("bad", ["has space", "x" * 129, "<script>", "semi;colon"])
    async def test_a_malformed_client_request_id_is_replaced(
        self, client: httpx.AsyncClient, bad: str
    ) -> None:
        response = await client.get("/health", headers={"X-Request-ID": bad})
        assert response.headers["X-Request-ID"] != bad
        assert response.headers["X-Request-ID"]


class TestLogging:
    async def test_no_password_or_token_reaches_a_log_line(
        self, client: httpx.AsyncClient, alice: Account, caplog: pytest.LogCaptureFixture
    ) -> None:
        secrets = ["registration secret 1", "wrong secret 2", alice.password]
        with caplog.at_level(logging.INFO):
            token = (await login(client, "alice", alice.password)).json()["access_token"]
            secrets.append(token)
            await client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
            await client.post(
                "/api/v1/auth/register",
                json={"username": "dave", "email": "d@example.com", "password": secrets[0]},
            )
            await login(client, "alice", secrets[1])
            await client.get("/api/v1/users", headers={"Authorization": "Bearer not-a-token"})
        formatter = JsonFormatter()
        lines = [formatter.format(record) for record in caplog.records]
        access = [line for line in lines if '"logger": "impl.access"' in line]
        assert len(access) == 5  # one line per request
        for secret in [*secrets, "not-a-token"]:
            assert not [line for line in lines if secret in line], secret


class TestRateLimit:
    async def test_default_limit_per_client_is_429_with_retry_after(
        self, make_app: MakeApp, connect: Connect, make_settings: MakeSettings
    ) -> None:
        app = await make_app(make_settings(rate_limit_default="3/minute"))
        client = await connect(app)
        for _ in range(3):
            assert (await client.get("/api/v1/items")).status_code == 200
        response = await client.get("/api/v1/items/1")
        assert_error(response, 429, TOO_MANY_REQUESTS)
        assert 1 <= int(response.headers["Retry-After"]) <= 60
        # Probes are exempt, and other clients have their own budget.
        assert (await client.get("/health")).status_code == 200
        other = await connect(app, address="192.0.2.7")
        assert (await other.get("/api/v1/items")).status_code == 200


class TestInternalError:
    """The 500 path: a handler whose service fails unexpectedly."""

    async def test_unexpected_error_is_500_with_request_id_and_no_details(
        self,
        client: httpx.AsyncClient,
        db: Database,
        monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture,
    ) -> None:
        item = await make_item(db, owner=await make_user(db))

        async def fail(self: ItemService, item_id: int) -> NoReturn:
            raise RuntimeError(LEAKY_MESSAGE)

        monkeypatch.setattr(ItemService, "get", fail)
        with caplog.at_level(logging.ERROR):
            response = await client.get(
                f"/api/v1/items/{item.id}", headers={"X-Request-ID": "trace-me-500"}
            )
        assert_error(response, 500, INTERNAL_ERROR)
        assert response.headers["X-Request-ID"] == "trace-me-500"
        assert "SELECT" not in response.text
        assert "Traceback" not in response.text
        # The details went to the log instead, with the stack trace.
        logged = [record for record in caplog.records if record.exc_info]
        assert logged
        assert any(LEAKY_MESSAGE in str(record.exc_info[1]) for record in logged if record.exc_info)

    async def test_unexpected_error_in_an_authenticated_write_is_500_too(
        self, client: httpx.AsyncClient, alice: Account, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        async def fail(self: ItemService, *args: Any, **kwargs: Any) -> NoReturn:
            raise ZeroDivisionError("division by zero")

        monkeypatch.setattr(ItemService, "create", fail)
        response = await client.post(
            "/api/v1/items",
            json={"name": "x", "price": 1},
            headers={**alice.headers, "Origin": ALLOWED_ORIGIN},
        )
        assert_error(response, 500, INTERNAL_ERROR)
        assert response.headers["Access-Control-Allow-Origin"] == ALLOWED_ORIGIN
        assert "division" not in response.text


class TestUnknownRoutes:
    async def test_unknown_path_is_404_detail(self, client: httpx.AsyncClient) -> None:
        assert_error(await client.get("/api/v1/nothing-here"), 404, {"detail": "Not Found"})

    async def test_undeclared_method_is_405_listing_every_method_of_the_path(
        self, client: httpx.AsyncClient
    ) -> None:
        response = await client.patch("/api/v1/items/1")
        assert_error(response, 405, {"detail": "Method Not Allowed"})
        assert response.headers["Allow"] == "DELETE, GET, PUT"
