"""Models exactly as strict as the contract (issue 2): optional is not nullable, uniqueItems,
JSON integers, ``format: email``, readOnly/writeOnly, and the compositions real contracts use."""

from __future__ import annotations

from types import ModuleType
from typing import Any

import httpx
import pytest
from pydantic import ValidationError

from tests.generator.support import app_for, client, generate_inline

CONTRACT = """\
openapi: 3.1.0
info: {title: schemas, version: "1"}
paths:
  /users:
    post:
      operationId: createUser
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: "#/components/schemas/User"}
      responses:
        "201":
          description: created
          content:
            application/json:
              schema: {$ref: "#/components/schemas/User"}
  /shapes:
    post:
      operationId: echoShape
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: "#/components/schemas/Shape"}
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Shape"}
  /mixed:
    post:
      operationId: echoMixed
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: "#/components/schemas/Mixed"}
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Mixed"}
components:
  schemas:
    User:
      type: object
      required: [id, email, password, age]
      additionalProperties: false
      properties:
        id: {type: integer, readOnly: true}
        email: {type: string, format: email}
        password: {type: string, writeOnly: true}
        age: {type: integer}
        nickname: {type: string}
        middle_name: {type: [string, "null"]}
        tags: {type: array, items: {type: string}, uniqueItems: true}
        role: {type: string, default: member}
    Circle:
      type: object
      required: [kind, radius]
      properties:
        kind: {type: string, const: circle}
        radius: {type: number}
    Square:
      type: object
      required: [kind, side]
      properties:
        kind: {type: string, const: square}
        side: {type: number}
    Shape:
      oneOf:
        - $ref: "#/components/schemas/Circle"
        - $ref: "#/components/schemas/Square"
      discriminator:
        propertyName: kind
        mapping:
          circle: "#/components/schemas/Circle"
          square: "#/components/schemas/Square"
    Named:
      type: object
      required: [name]
      properties:
        name: {type: string}
    Tree:
      type: object
      required: [value]
      properties:
        value: {type: integer}
        children: {type: array, items: {$ref: "#/components/schemas/Tree"}}
    Mixed:
      allOf:
        - $ref: "#/components/schemas/Named"
        - type: object
          properties:
            tree: {$ref: "#/components/schemas/Tree"}
            either: {anyOf: [{type: integer}, {type: string, format: date}]}
            labels: {type: object, additionalProperties: {type: integer}}
"""


class Handlers:
    def __init__(self, package: ModuleType) -> None:
        self.models = package.models

    async def create_user(self, *, body: Any) -> Any:
        data = body.model_dump(exclude={"password"})
        return self.models.UserResponse.model_validate({**data, "id": 1})

    async def echo_shape(self, *, body: Any) -> Any:
        return body

    async def echo_mixed(self, *, body: Any) -> Any:
        return body


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory) -> ModuleType:
    return generate_inline(tmp_path_factory.mktemp("schemas"), CONTRACT, "schemas")


@pytest.fixture
async def http(package: ModuleType) -> Any:
    handlers = package.Handlers(default=Handlers(package))
    async with client(app_for(package, handlers, allow_missing=False)) as http:
        yield http


USER = {"email": "user@example.test", "password": "pw", "age": 30}


async def test_absent_optional_field_is_omitted_from_the_response(http: httpx.AsyncClient) -> None:
    response = await http.post("/users", json=USER)
    assert response.status_code == 201, response.text
    assert response.json() == {"id": 1, "email": "user@example.test", "age": 30, "role": "member"}


@pytest.mark.parametrize(
    "change",
    [
        {"nickname": None},  # optional is not nullable
        {"tags": ["a", "a"]},  # uniqueItems
        {"age": True},  # a boolean is not an integer
        {"age": "5"},  # nor is a string
        {"age": 1.5},
        {"email": "not-an-email"},
        {"id": 7},  # readOnly: not part of the request (and additionalProperties: false)
        {"unknown": 1},  # additionalProperties: false
        {"role": None},  # a default does not make a field nullable
    ],
)
async def test_request_model_rejects(http: httpx.AsyncClient, change: dict[str, Any]) -> None:
    response = await http.post("/users", json={**USER, **change})
    assert response.status_code == 422, response.text


async def test_request_model_accepts_what_the_contract_allows(http: httpx.AsyncClient) -> None:
    body = {**USER, "age": 258.0, "middle_name": None, "tags": ["a", "b"], "nickname": "n"}
    response = await http.post("/users", json=body)
    assert response.status_code == 201, response.text
    assert response.json() == {
        "id": 1,
        "email": "user@example.test",
        "age": 258,
        "middle_name": None,  # 3.1 type array with "null": nullable, so null is kept
        "tags": ["a", "b"],
        "nickname": "n",
        "role": "member",
    }


def test_read_only_and_write_only_split(package: ModuleType) -> None:
    models = package.models
    assert "id" not in models.UserRequest.model_fields
    assert "password" in models.UserRequest.model_fields
    assert "password" not in models.UserResponse.model_fields
    assert "id" in models.UserResponse.model_fields


async def test_one_of_with_discriminator(http: httpx.AsyncClient, package: ModuleType) -> None:
    response = await http.post("/shapes", json={"kind": "circle", "radius": 2})
    assert response.status_code == 200, response.text
    assert response.json() == {"kind": "circle", "radius": 2}
    response = await http.post("/shapes", json={"kind": "square", "side": 1.5})
    assert response.json() == {"kind": "square", "side": 1.5}
    for bad in ({"kind": "triangle"}, {"kind": "square", "radius": 2}, {"radius": 2}):
        response = await http.post("/shapes", json=bad)
        assert response.status_code == 422, (bad, response.text)


async def test_all_of_any_of_additional_properties_and_recursion(http: httpx.AsyncClient) -> None:
    body = {
        "name": "n",
        "tree": {"value": 1, "children": [{"value": 2, "children": [{"value": 3}]}]},
        "either": "2024-01-02",
        "labels": {"a": 1},
    }
    response = await http.post("/mixed", json=body)
    assert response.status_code == 200, response.text
    assert response.json() == body
    response = await http.post("/mixed", json={"name": "n", "either": 5})
    assert response.json() == {"name": "n", "either": 5}
    for bad in (
        {"tree": {"value": 1}},  # allOf: the Named part's required name
        {"name": "n", "tree": {"value": 1, "children": [{"value": "x"}]}},  # deep recursion
        {"name": "n", "either": "not a date"},  # anyOf: neither alternative
        {"name": "n", "labels": {"a": "b"}},  # additionalProperties' schema
    ):
        response = await http.post("/mixed", json=bad)
        assert response.status_code == 422, (bad, response.text)


def test_email_format_is_an_rfc_5321_mailbox(package: ModuleType) -> None:
    # format: email is ASCII (non-ASCII addresses are idn-email); special-use domains are fine.
    request = package.models.UserRequest
    assert request.model_validate({**USER, "email": "user@example.test"}).email == (
        "user@example.test"
    )
    for good in ("a.b+c@x.org", '"a b"@x.org', "u@[192.0.2.1]", "u@[IPv6:2001:db8::1]",
                 "u@xn--bcher-kva.de"):  # fmt: skip
        assert request.model_validate({**USER, "email": good}).email == good
    for bad in ("user@", "@x.org", "a..b@x.org", ".a@x.org", "a.@x.org", "x@y.org*", "a@-x.org",
                "a@x..org", "a b@x.org", "a@x_y.org", "ü@bücher.de", "u@[300.1.1.1]",
                "u@xn--a.de", "u@ab--cd.de"):  # fmt: skip
        with pytest.raises(ValidationError):
            request.model_validate({**USER, "email": bad})
