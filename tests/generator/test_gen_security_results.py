"""Security from the contract and typed results.

OR of requirements, AND within one, ``{}``, scopes; result dataclasses with headers, ``None`` for
204, unions; declared and undeclared errors."""

from __future__ import annotations

import logging
from types import ModuleType
from typing import Any

import httpx
import pytest

from tests.generator.support import app_for, client, generate_inline

CONTRACT = """\
openapi: 3.0.3
info: {title: results, version: "1"}
security:
  - bearer: [items:read]
paths:
  /items:
    get:
      operationId: listItems
      security: [{}, {bearer: [items:read]}]
      responses:
        "200":
          description: a page
          headers:
            X-Total-Count: {required: true, schema: {type: integer}}
          content:
            application/json:
              schema: {type: array, items: {$ref: "#/components/schemas/Item"}}
    post:
      operationId: createItem
      security:
        - bearer: [items:write]
        - apiKey: []
          bearer: [items:admin]
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: "#/components/schemas/Item"}
      responses:
        "201":
          description: created
          headers:
            Location: {required: true, schema: {type: string}}
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Item"}
        "202":
          description: accepted for later
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Ticket"}
        "409": {description: conflict}
        5XX: {description: server trouble}
  /items/{id}:
    parameters:
      - {name: id, in: path, required: true, schema: {type: integer}}
    get:
      operationId: getItem
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Item"}
        "404": {description: missing}
        default: {description: anything else}
    delete:
      operationId: deleteItem
      responses:
        "204": {description: gone}
        "404": {description: missing}
components:
  securitySchemes:
    bearer: {type: http, scheme: bearer}
    apiKey: {type: apiKey, in: header, name: X-Api-Key}
  schemas:
    Item:
      type: object
      required: [name]
      properties:
        name: {type: string}
        note: {type: string, nullable: true}
    Ticket:
      type: object
      required: [ticket]
      properties:
        ticket: {type: string}
"""

TOKENS = {
    "reader": frozenset({"items:read"}),
    "writer": frozenset({"items:write"}),
    "admin": frozenset({"items:admin"}),
}


class Verifier:
    """Bearer tokens are the keys of TOKENS; the only valid API key is "k"."""

    def __init__(self, package: ModuleType) -> None:
        self.principal = package.Principal

    async def verify(self, *, scheme: str, credentials: str) -> Any:
        if scheme == "bearer" and credentials in TOKENS:
            return self.principal(subject=credentials, scopes=TOKENS[credentials])
        if scheme == "apiKey" and credentials == "k":
            return self.principal(subject="key")
        return None


class Items:
    """Behaviour chosen by the item's name, so that one handler shows every outcome."""

    def __init__(self, package: ModuleType) -> None:
        self.package = package
        self.models = package.models
        self.seen: list[Any] = []

    async def list_items(self, *, principal: Any) -> Any:
        self.seen.append(principal)
        items = [self.models.Item(name="a"), self.models.Item(name="b", note=None)]
        return self.package.ListItems200(body=items, x_total_count=2)

    async def create_item(self, *, principal: Any, body: Any) -> Any:
        self.seen.append(principal)
        name = body.name
        if name == "later":
            return self.models.Ticket(ticket="t1")
        if name == "wrong":
            return self.models.Ticket(ticket="t1").model_dump()  # a dict: not a declared type
        if name in ("409", "418", "503"):
            raise self.package.ApiError(int(name), f"status {name}")
        if name == "crash":
            raise RuntimeError("bug")
        return self.package.CreateItem201(body=body, location=f"/items/{name}")

    async def get_item(self, *, principal: Any, id: int) -> Any:
        if id == 404 or id == 418:
            raise self.package.ApiError(id, "nope", headers={"X-Why": "because"})
        return self.models.Item(name=str(id))

    async def delete_item(self, *, principal: Any, id: int) -> None:
        if id == 404:
            raise self.package.ApiError(404, "missing")


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory) -> ModuleType:
    return generate_inline(tmp_path_factory.mktemp("results"), CONTRACT, "results")


@pytest.fixture
def items(package: ModuleType) -> Items:
    return Items(package)


@pytest.fixture
async def http(package: ModuleType, items: Items) -> Any:
    handlers = package.Handlers(default=items, security=Verifier(package))
    app = app_for(package, handlers, allow_missing=False)
    async with client(app, raise_app_exceptions=False) as http:
        yield http


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_anonymous_alternative(http: httpx.AsyncClient, items: Items) -> None:
    response = await http.get("/items")
    assert response.status_code == 200, response.text
    assert response.headers["x-total-count"] == "2"
    assert response.json() == [{"name": "a"}, {"name": "b", "note": None}]
    response = await http.get("/items", headers=bearer("reader"))
    assert response.status_code == 200
    assert items.seen[0] is None
    assert items.seen[1].subject == "reader"


async def test_missing_or_invalid_credentials_are_401(http: httpx.AsyncClient) -> None:
    for headers in ({}, bearer("forged"), {"Authorization": "Basic abc"}):
        response = await http.post("/items", json={"name": "x"}, headers=headers)
        assert response.status_code == 401, (headers, response.text)
        assert response.json() == {"detail": "Not authenticated"}
        assert response.headers["www-authenticate"] == "Bearer"


async def test_missing_scope_is_403(http: httpx.AsyncClient, items: Items) -> None:
    response = await http.post("/items", json={"name": "x"}, headers=bearer("reader"))
    assert response.status_code == 403
    assert response.json() == {"detail": "Not enough permissions"}
    assert items.seen == []  # the handler never ran


async def test_or_of_requirements_and_and_within_one(http: httpx.AsyncClient) -> None:
    response = await http.post("/items", json={"name": "x"}, headers=bearer("writer"))
    assert response.status_code == 201, response.text
    # apiKey AND bearer with items:admin: both are needed
    response = await http.post("/items", json={"name": "x"}, headers={"X-Api-Key": "k"})
    assert response.status_code == 401
    # a valid token that satisfies no alternative: authenticated, not authorized
    response = await http.post("/items", json={"name": "x"}, headers=bearer("admin"))
    assert response.status_code == 403
    both = {"X-Api-Key": "k", **bearer("admin")}
    response = await http.post("/items", json={"name": "x"}, headers=both)
    assert response.status_code == 201, response.text


async def test_global_security_applies_to_operations_without_their_own(
    http: httpx.AsyncClient,
) -> None:
    assert (await http.get("/items/1")).status_code == 401
    assert (await http.get("/items/1", headers=bearer("writer"))).status_code == 403
    response = await http.get("/items/1", headers=bearer("reader"))
    assert (response.status_code, response.json()) == (200, {"name": "1"})


async def test_result_with_headers_and_union_of_results(http: httpx.AsyncClient) -> None:
    response = await http.post("/items", json={"name": "n1"}, headers=bearer("writer"))
    assert response.status_code == 201
    assert response.headers["location"] == "/items/n1"
    assert response.json() == {"name": "n1"}
    response = await http.post("/items", json={"name": "later"}, headers=bearer("writer"))
    assert (response.status_code, response.json()) == (202, {"ticket": "t1"})


async def test_204_has_no_body(http: httpx.AsyncClient) -> None:
    response = await http.delete("/items/1", headers=bearer("reader"))
    assert (response.status_code, response.content) == (204, b"")
    response = await http.delete("/items/404", headers=bearer("reader"))
    assert (response.status_code, response.json()) == (404, {"detail": "missing"})


async def test_declared_errors_answer_with_their_status(http: httpx.AsyncClient) -> None:
    for name, status in (("409", 409), ("503", 503)):  # 503 is covered by 5XX
        response = await http.post("/items", json={"name": name}, headers=bearer("writer"))
        assert (response.status_code, response.json()) == (status, {"detail": f"status {name}"})
    response = await http.get("/items/404", headers=bearer("reader"))
    assert (response.status_code, response.json()) == (404, {"detail": "nope"})
    assert response.headers["x-why"] == "because"
    response = await http.get("/items/418", headers=bearer("reader"))  # covered by `default`
    assert response.status_code == 418


async def test_undeclared_status_or_wrong_result_is_a_logged_500(
    http: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR)
    for name, what in (("418", "status 418 is not declared"), ("wrong", "returned dict")):
        caplog.clear()
        response = await http.post("/items", json={"name": name}, headers=bearer("writer"))
        assert response.status_code == 500, response.text
        messages = [r.getMessage() for r in caplog.records]
        assert any(
            m.startswith("contract violation in createItem:") and what in m for m in messages
        ), messages


async def test_without_a_verifier_credentials_get_501(package: ModuleType) -> None:
    async with client(app_for(package)) as http:
        assert (await http.post("/items", json={"name": "x"})).status_code == 401
        response = await http.post("/items", json={"name": "x"}, headers=bearer("writer"))
        assert response.status_code == 501
        assert (await http.get("/items")).status_code == 501


def test_missing_handlers_fail_at_start_up(package: ModuleType) -> None:
    with pytest.raises(
        package.MissingHandlers, match=r"listItems.*createItem.*getItem.*deleteItem"
    ):
        package.create_router(package.Handlers())

    class Partial(Items):
        pass

    with pytest.raises(package.MissingHandlers, match="SecurityVerifier"):
        package.create_router(package.Handlers(default=Partial(package)))


def test_a_protocol_subclass_missing_a_method_fails_start_up_naming_the_operation_id(
    package: ModuleType,
) -> None:
    # Handler classes subclass their Protocol (so mypy checks them); one that misses an
    # operation can still be instantiated at run time, and create_router names what is missing.
    class Incomplete(package.DefaultApi):  # type: ignore[name-defined, misc]
        async def list_items(self, *, principal: Any) -> Any:
            return None

    handlers = package.Handlers(default=Incomplete(), security=object())
    with pytest.raises(package.MissingHandlers) as raised:
        package.create_router(handlers)
    assert str(raised.value).endswith("have no handler: createItem, getItem, deleteItem")

    router = package.create_router(handlers, allow_missing=True)  # the rest answer 501
    assert sum(len(route.endpoints) for route in router.routes) == 4
