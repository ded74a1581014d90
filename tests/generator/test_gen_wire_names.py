# ruff: noqa: E501 - the embedded contract reads best with one parameter a line
"""The contract's names on the wire and every parameter form (issue 7, "Names" and
"Parameters"): path templates verbatim, names that collide or are no identifiers, every
style and explode per location, ``content`` and deepObject parameters, enums of integers,
numbers and booleans from their text. Each proven over HTTP: the values arrive parsed, an
invalid request is 422 naming the contract's parameter, a valid one without handler is 501."""

from __future__ import annotations

import inspect
from types import ModuleType
from typing import Any

import httpx
import pytest

from tests.generator.support import app_for, client, error_at, generate_inline, route_table

OBJECT = "{content: {application/json: {schema: {type: object}}}, description: ok}"
CONTRACT = f"""\
openapi: 3.1.0
info: {{title: wire names, version: "1"}}
paths:
  /pets/{{petId}}:
    get:
      operationId: getPet
      parameters:
        - {{name: petId, in: path, required: true, schema: {{type: integer, minimum: 1}}}}
      responses: {{"200": {OBJECT}}}
  /things/{{thing-id}}/{{label}}/{{matrix}}:
    get:
      operationId: pathStyles
      parameters:
        - {{name: thing-id, in: path, required: true, schema: {{type: integer}}}}
        - {{name: label, in: path, required: true, style: label, explode: true, schema: {{type: array, items: {{type: integer}}}}}}
        - {{name: matrix, in: path, required: true, style: matrix, schema: {{type: object, properties: {{x: {{type: integer}}, y: {{type: string}}}}}}}}
      responses: {{"200": {OBJECT}}}
  /simple/{{ids}}/{{point}}:
    get:
      operationId: simpleStyles
      parameters:
        - {{name: ids, in: path, required: true, schema: {{type: array, items: {{type: integer}}}}}}
        - {{name: point, in: path, required: true, explode: true, schema: {{$ref: "#/components/schemas/Point"}}}}
        - {{name: X-Tags, in: header, schema: {{type: array, items: {{type: string}}}}}}
        - {{name: X-Point, in: header, explode: true, schema: {{$ref: "#/components/schemas/Point"}}}}
        - {{name: session, in: cookie, required: true, schema: {{type: string, minLength: 2}}}}
        - {{name: prefs, in: cookie, explode: false, schema: {{type: array, items: {{type: integer}}}}}}
      responses: {{"200": {OBJECT}}}
  /query:
    get:
      operationId: queryStyles
      parameters:
        - {{name: ids, in: query, explode: false, schema: {{type: array, items: {{type: integer}}}}}}
        - {{name: spaced, in: query, style: spaceDelimited, explode: false, schema: {{type: array, items: {{type: integer}}}}}}
        - {{name: piped, in: query, style: pipeDelimited, explode: false, schema: {{type: array, items: {{type: string}}}}}}
        - {{name: filter, in: query, style: deepObject, explode: true, schema: {{$ref: "#/components/schemas/Filter"}}}}
        - {{name: point, in: query, schema: {{$ref: "#/components/schemas/Point"}}}}
        - {{name: mode, in: query, schema: {{type: integer, enum: [1, 2, 3]}}}}
        - {{name: modes, in: query, schema: {{type: array, items: {{type: integer, enum: [1, 2]}}}}}}
        - {{name: ratio, in: query, schema: {{type: number, enum: [0.5, 1.5]}}}}
        - {{name: flag, in: query, schema: {{type: boolean, enum: [true]}}}}
        - name: where
          in: query
          content:
            application/json:
              schema: {{$ref: "#/components/schemas/Where"}}
      responses: {{"200": {OBJECT}}}
  /names/{{user-id}}:
    get:
      operationId: names
      parameters:
        - {{name: user-id, in: path, required: true, schema: {{type: string}}}}
        - {{name: StartTime, in: query, schema: {{type: string, format: date}}}}
        - {{name: StartTime<, in: query, schema: {{type: string, format: date}}}}
        - {{name: StartTime>, in: query, schema: {{type: string, format: date}}}}
        - {{name: userId, in: query, schema: {{type: integer}}}}
        - {{name: user-id, in: header, schema: {{type: integer}}}}
        - {{name: models, in: query, schema: {{type: string}}}}
        - {{name: runtime, in: query, schema: {{type: string}}}}
        - {{name: body, in: query, schema: {{type: string}}}}
      responses: {{"200": {OBJECT}}}
  /items:
    get:
      operationId: listItems
      responses: {{"200": {OBJECT}}}
  /other-items:
    get:
      operationId: list-items
      responses: {{"200": {OBJECT}}}
  /only-default:
    get:
      operationId: onlyDefault
      responses:
        default: {OBJECT}
components:
  schemas:
    Point:
      type: object
      properties:
        lat: {{type: number}}
        lng: {{type: number}}
    Filter:
      type: object
      additionalProperties: false
      properties:
        min: {{type: integer, minimum: 0}}
        tag: {{type: string}}
    Where:
      type: object
      required: [a]
      properties:
        a: {{type: integer}}
"""


def _echo(name: str) -> Any:
    async def operation(self: object, **kwargs: Any) -> dict[str, Any]:
        return {"operation": name, **{k: _plain(v) for k, v in kwargs.items()}}

    return operation


def _plain(value: Any) -> Any:
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json", by_alias=True)
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory) -> ModuleType:
    return generate_inline(tmp_path_factory.mktemp("wire"), CONTRACT, "wire")


def _echo_handlers(package: ModuleType) -> Any:
    """Handlers answering every operation with the arguments they were called with."""
    fields = {
        attribute: type("Echo", (), {m: _echo(m) for m in methods})()
        for attribute, methods in package.routes.HANDLER_METHODS.items()
    }
    return package.Handlers(**fields)


@pytest.fixture
async def http(package: ModuleType) -> Any:
    async with client(app_for(package, _echo_handlers(package), allow_missing=False)) as http:
        yield http


@pytest.fixture
async def unimplemented(package: ModuleType) -> Any:
    async with client(app_for(package)) as http:
        yield http


def test_colliding_and_non_identifier_names_get_distinct_python_names(package: ModuleType) -> None:
    signature = inspect.signature(package.DefaultApi.names)
    assert list(signature.parameters)[1:] == [
        "user_id", "start_time", "start_time_lt", "start_time_gt", "user_id_query",
        "user_id_header", "models_", "runtime_", "body_",
    ]  # fmt: skip
    assert package.routes.HANDLER_METHODS["default"]["list_items"] == "listItems"
    assert package.routes.HANDLER_METHODS["default"]["list_items_2"] == "list-items"


def test_path_templates_are_routed_verbatim(package: ModuleType) -> None:
    table = route_table(package)
    assert ("get", "/pets/{petId}") in table
    assert ("get", "/things/{thing-id}/{label}/{matrix}") in table
    assert table[("get", "/only-default")].statuses == frozenset({"default"})


async def test_path_parameter_keeps_its_name_in_errors_and_labels(
    http: httpx.AsyncClient, unimplemented: httpx.AsyncClient
) -> None:
    response = await http.get("/pets/7")
    assert response.json() == {"operation": "get_pet", "pet_id": 7}
    assert error_at(await http.get("/pets/0"), ["path", "petId"])["type"] == "greater_than_equal"
    assert error_at(await http.get("/pets/x"), ["path", "petId"])["type"] == "int_parsing"
    assert (await unimplemented.get("/pets/7")).status_code == 501
    assert (await unimplemented.get("/pets/x")).status_code == 422


async def test_path_styles_label_matrix_and_non_identifier_names(http: httpx.AsyncClient) -> None:
    response = await http.get("/things/5/.1.2.3/;matrix=x,4,y,a")
    assert response.status_code == 200, response.text
    assert response.json() == {
        "operation": "path_styles", "thing_id": 5, "label": [1, 2, 3], "matrix": {"x": 4, "y": "a"},
    }  # fmt: skip
    error_at(await http.get("/things/x/.1/;matrix=x,4"), ["path", "thing-id"])
    error_at(await http.get("/things/5/.1.b/;matrix=x,4"), ["path", "label", 1])
    error_at(await http.get("/things/5/.1/;matrix=x,b"), ["path", "matrix", "x"])


async def test_simple_styles_in_path_header_and_cookie(http: httpx.AsyncClient) -> None:
    headers = {"X-Tags": "a,b", "X-Point": "lat=1.5,lng=2"}
    http.cookies.set("session", "abc")
    http.cookies.set("prefs", "3,4")
    response = await http.get("/simple/1,2/lat=0.5,lng=1", headers=headers)
    assert response.status_code == 200, response.text
    assert response.json() == {
        "operation": "simple_styles", "ids": [1, 2], "point": {"lat": 0.5, "lng": 1.0},
        "x_tags": ["a", "b"], "x_point": {"lat": 1.5, "lng": 2.0}, "session": "abc",
        "prefs": [3, 4],
    }  # fmt: skip
    http.cookies.set("session", "a")
    http.cookies.set("prefs", "3,x")
    response = await http.get("/simple/1,x/lat=0.5", headers={"X-Point": "lat=y"})
    error_at(response, ["path", "ids", 1])
    error_at(response, ["header", "X-Point", "lat"])
    error_at(response, ["cookie", "session"])
    error_at(response, ["cookie", "prefs", 1])


async def test_query_styles_enums_and_content_parameters(http: httpx.AsyncClient) -> None:
    query = (
        "ids=1,2&spaced=3%204&piped=a|b&filter[min]=3&filter[tag]=x&lat=1.5&lng=2"
        "&mode=2&modes=1&modes=2&ratio=1.5&flag=true&where=%7B%22a%22%3A%201%7D"
    )
    response = await http.get(f"/query?{query}")
    assert response.status_code == 200, response.text
    assert response.json() == {
        "operation": "query_styles", "ids": [1, 2], "spaced": [3, 4], "piped": ["a", "b"],
        "filter": {"min": 3, "tag": "x"}, "point": {"lat": 1.5, "lng": 2.0}, "mode": 2,
        "modes": [1, 2], "ratio": 1.5, "flag": True, "where": {"a": 1},
    }  # fmt: skip


@pytest.mark.parametrize(
    ("query", "loc"),
    [
        ("ids=1,x", ["query", "ids", 1]),
        ("spaced=1%20x", ["query", "spaced", 1]),
        ("filter[min]=-1", ["query", "filter", "min"]),
        ("filter[other]=1", ["query", "filter", "other"]),
        ("mode=5", ["query", "mode"]),
        ("modes=3", ["query", "modes", 0]),
        ("ratio=2.5", ["query", "ratio"]),
        ("flag=false", ["query", "flag"]),
        ("where=not-json", ["query", "where"]),
        ("where=%7B%22a%22%3A%22x%22%7D", ["query", "where", "a"]),
    ],
)
async def test_invalid_query_values_are_422_under_their_contract_names(
    http: httpx.AsyncClient, unimplemented: httpx.AsyncClient, query: str, loc: list[Any]
) -> None:
    error_at(await http.get(f"/query?{query}"), loc)
    error_at(await unimplemented.get(f"/query?{query}"), loc)


async def test_colliding_names_reach_their_own_arguments(
    http: httpx.AsyncClient, unimplemented: httpx.AsyncClient
) -> None:
    query = (
        "StartTime=2024-01-01&StartTime%3C=2024-01-02&StartTime%3E=2024-01-03&userId=1"
        "&models=m&runtime=r&body=b"
    )
    response = await http.get(f"/names/u?{query}", headers={"user-id": "2"})
    assert response.status_code == 200, response.text
    assert response.json() == {
        "operation": "names", "user_id": "u", "start_time": "2024-01-01",
        "start_time_lt": "2024-01-02", "start_time_gt": "2024-01-03", "user_id_query": 1,
        "user_id_header": 2, "models_": "m", "runtime_": "r", "body_": "b",
    }  # fmt: skip
    response = await http.get("/names/u?StartTime%3C=soon&userId=x", headers={"user-id": "y"})
    error_at(response, ["query", "StartTime<"])
    error_at(response, ["query", "userId"])
    error_at(response, ["header", "user-id"])
    assert (await unimplemented.get(f"/names/u?{query}")).status_code == 501


async def test_operations_colliding_after_conversion_are_both_served(
    http: httpx.AsyncClient,
) -> None:
    assert (await http.get("/items")).json() == {"operation": "list_items"}
    assert (await http.get("/other-items")).json() == {"operation": "list_items_2"}


async def test_an_operation_with_only_a_default_response_answers_it(
    http: httpx.AsyncClient, package: ModuleType
) -> None:
    assert package.OPERATIONS["onlyDefault"].statuses == frozenset({"default"})
    response = await http.get("/only-default")
    assert response.status_code == 200
    assert response.json() == {"operation": "only_default"}
