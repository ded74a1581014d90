"""Names that are Python keywords, reserved words or collide after conversion get safe names
(with aliases on the wire), never a crash; webhooks and callbacks are not routes."""

from __future__ import annotations

import dataclasses
import inspect
from types import ModuleType
from typing import Any

import pytest

from tests.generator.support import app_for, client, generate_inline, route_table

CONTRACT = """\
openapi: 3.1.0
info: {title: names, version: "1"}
paths:
  /a:
    get:
      operationId: getA
      tags: [pets]
      responses:
        "200":
          description: ok
          headers:
            X-Total-Count: {schema: {type: integer}}
            x-total-count-: {schema: {type: integer}}
          content:
            application/json:
              schema: {$ref: "#/components/schemas/pet-item"}
  /b:
    get:
      operationId: getB
      tags: [Pets]
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {$ref: "#/components/schemas/PetItem"}
  /c:
    get:
      operationId: getC
      tags: [security]
      parameters:
        - {name: self, in: query, schema: {type: string}}
        - {name: body, in: query, schema: {type: string}}
        - {name: principal, in: query, schema: {type: string}}
      requestBody:
        content:
          application/json:
            schema: {type: object, properties: {x: {type: integer}}}
      responses:
        "204": {description: ok}
      callbacks:
        onEvent:
          "{$request.query.self}/hook":
            post:
              operationId: hookCallback
              responses:
                "200": {description: ok}
webhooks:
  newPet:
    post:
      operationId: newPetWebhook
      responses:
        "200": {description: ok}
components:
  schemas:
    pet-item:
      type: object
      properties:
        class: {type: string}
        user-name: {type: string}
        user_name: {type: integer}
        from: {type: string}
        model_config: {type: string}
    PetItem:
      type: object
      properties:
        self: {type: string}
"""


class Pets:
    def __init__(self, models: Any) -> None:
        self.models = models

    async def get_a(self) -> Any:
        raise NotImplementedError


class Security2:
    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []

    async def get_c(self, **kwargs: Any) -> None:
        self.calls.append(kwargs)


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory) -> ModuleType:
    return generate_inline(tmp_path_factory.mktemp("names"), CONTRACT, "names")


def test_tags_colliding_after_conversion_get_distinct_protocols(package: ModuleType) -> None:
    fields = [f.name for f in dataclasses.fields(package.Handlers)]
    assert fields == ["pets", "pets_2", "security_2", "security"]
    assert package.PetsApi is not package.Pets2Api
    assert [n for n in vars(package.PetsApi) if n.startswith("get_")] == ["get_a"]
    assert [n for n in vars(package.Pets2Api) if n.startswith("get_")] == ["get_b"]
    assert [n for n in vars(package.Security2Api) if n.startswith("get_")] == ["get_c"]


async def test_reserved_parameter_names_get_safe_names(package: ModuleType) -> None:
    signature = inspect.signature(package.Security2Api.get_c)
    assert list(signature.parameters) == ["self", "self_", "body_", "principal_", "body"]
    handler = Security2()
    app = app_for(package, package.Handlers(security_2=handler))
    async with client(app) as http:
        response = await http.request(
            "GET", "/c", params={"self": "s", "body": "b", "principal": "p"}, json={"x": 1}
        )
    assert response.status_code == 204, response.text
    call = handler.calls[0]
    assert {k: call[k] for k in ("self_", "body_", "principal_")} == {
        "self_": "s", "body_": "b", "principal_": "p",
    }  # fmt: skip
    assert call["body"].x == 1


def test_property_names_keep_their_wire_names(package: ModuleType) -> None:
    # pet-item: PetItem is its class name, but the schema named PetItem holds that (issue 7)
    model = package.models.PetItem2
    wire = {"class": "c", "user-name": "u", "user_name": 2, "from": "f", "model_config": "m"}
    item = model.model_validate(wire)
    assert item.model_dump(by_alias=True) == wire
    with pytest.raises(ValueError, match="user_name"):
        model.model_validate({"user_name": "not an int"})


def test_response_headers_colliding_after_conversion(package: ModuleType) -> None:
    fields = [f.name for f in dataclasses.fields(package.GetA200)]
    assert fields == ["body", "x_total_count", "x_total_count_2"]


def test_webhooks_and_callbacks_are_not_routes(package: ModuleType) -> None:
    assert sorted(path for _, path in route_table(package)) == ["/a", "/b", "/c"]
    operation_ids = {o.operation_id for o in package.OPERATIONS.values()}
    assert operation_ids == {"getA", "getB", "getC"}
