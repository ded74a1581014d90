# ruff: noqa: E501 - the embedded contract reads best with one parameter a line
"""What real contracts' requests contain: every method, every parameter location, array
styles, path-level parameters overridden per operation, and every kind of request body."""

from __future__ import annotations

from types import ModuleType
from typing import Any

import httpx
import pytest

from tests.generator.support import app_for, client, generate_inline

CONTRACT = """\
openapi: 3.0.3
info: {title: requests, version: "1"}
paths:
  /things/{thing-id}:
    parameters:
      - {name: thing-id, in: path, required: true, schema: {type: integer, minimum: 1}}
      - {name: verbose, in: query, schema: {type: boolean}}
    get:
      operationId: getThing
      parameters:
        - {name: verbose, in: query, required: true, schema: {type: string, enum: ["yes", "no"]}}
        - {name: X-Request-Tag, in: header, required: true, schema: {type: string, maxLength: 5}}
        - {name: session, in: cookie, required: true, schema: {type: string, minLength: 2}}
        - {name: Accept, in: header, schema: {type: string}}
        - {name: from, in: query, schema: {type: string}}
        - {name: class, in: header, schema: {type: integer}}
      responses:
        "200": {description: ok, content: {application/json: {schema: {type: object}}}}
    put: {operationId: putThing, responses: {"204": {description: done}}}
    post: {operationId: postThing, responses: {"204": {description: done}}}
    delete: {operationId: deleteThing, responses: {"204": {description: done}}}
    patch: {operationId: patchThing, responses: {"204": {description: done}}}
    head: {operationId: headThing, responses: {"200": {description: ok}}}
    options: {operationId: optionsThing, responses: {"204": {description: done}}}
    trace: {operationId: traceThing, responses: {"200": {description: ok}}}
  /search:
    get:
      operationId: search
      parameters:
        - {name: ids, in: query, required: true, schema: {type: array, items: {type: integer, maximum: 100}}}
        - {name: tags, in: query, explode: false, schema: {type: array, items: {type: string}}}
        - {name: pipes, in: query, style: pipeDelimited, explode: false, schema: {type: array, items: {type: integer}}}
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema:
                type: object
                properties:
                  ids: {type: array, items: {type: integer}}
                  tags: {type: array, items: {type: string}}
                  pipes: {type: array, items: {type: integer}}
  /bodies/json:
    post:
      operationId: jsonBody
      requestBody:
        required: true
        content:
          application/merge-patch+json:
            schema: {$ref: "#/components/schemas/Note"}
      responses:
        "200": {description: ok, content: {application/json: {schema: {$ref: "#/components/schemas/Note"}}}}
  /bodies/optional:
    post:
      operationId: optionalBody
      requestBody:
        content:
          application/json:
            schema: {$ref: "#/components/schemas/Note"}
      responses:
        "200": {description: ok, content: {text/plain: {schema: {type: string}}}}
  /bodies/form:
    post:
      operationId: formBody
      requestBody:
        required: true
        content:
          application/x-www-form-urlencoded:
            schema:
              type: object
              required: [name]
              properties:
                name: {type: string, minLength: 1}
                count: {type: integer}
      responses:
        "200": {description: ok, content: {application/json: {schema: {type: object}}}}
  /bodies/upload:
    post:
      operationId: upload
      requestBody:
        required: true
        content:
          multipart/form-data:
            schema:
              type: object
              required: [file]
              properties:
                file: {type: string, format: binary}
                caption: {type: string}
      responses:
        "200": {description: ok, content: {application/json: {schema: {type: object}}}}
  /bodies/raw:
    put:
      operationId: rawBody
      requestBody:
        required: true
        content:
          application/octet-stream:
            schema: {type: string, format: binary}
      responses:
        "200": {description: ok, content: {application/octet-stream: {schema: {type: string, format: binary}}}}
  /bodies/text:
    post:
      operationId: textBody
      requestBody:
        required: true
        content:
          text/plain:
            schema: {type: string}
      responses:
        "200": {description: ok, content: {text/plain: {schema: {type: string}}}}
  /bodies/many:
    post:
      operationId: manyBodies
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: "#/components/schemas/Note"}
          text/plain:
            schema: {type: string}
      responses:
        "200": {description: ok, content: {application/json: {schema: {type: object}}}}
components:
  schemas:
    Note:
      type: object
      required: [text]
      properties:
        text: {type: string, maxLength: 10}
"""


class Echo:
    """Handlers that answer with what they received."""

    async def get_thing(self, **kwargs: Any) -> dict[str, Any]:
        return kwargs

    async def put_thing(self, **kwargs: Any) -> None:
        return None

    post_thing = delete_thing = patch_thing = options_thing = put_thing

    async def head_thing(self, **kwargs: Any) -> None:
        return None

    trace_thing = head_thing

    async def search(
        self, *, ids: list[int], tags: list[str] | None, pipes: list[int] | None
    ) -> Any:
        return self.package.models.Search200Response.model_validate(
            {k: v for k, v in {"ids": ids, "tags": tags, "pipes": pipes}.items() if v is not None}
        )

    async def json_body(self, *, body: Any) -> Any:
        return body

    async def optional_body(self, *, body: Any) -> str:
        return "none" if body is None else body.text

    async def form_body(self, *, body: Any) -> Any:
        return body.model_dump(mode="json")

    async def upload(self, *, body: Any) -> dict[str, Any]:
        caption = body.caption if isinstance(body.caption, str) else None
        return {"size": len(body.file), "content": body.file.decode(), "caption": caption}

    async def raw_body(self, *, body: bytes) -> bytes:
        return body[::-1]

    async def text_body(self, *, body: str) -> str:
        return body.upper()

    async def many_bodies(self, *, body: Any) -> dict[str, Any]:
        if isinstance(body, str):
            return {"kind": "text", "value": body}
        return {"kind": "json", "value": body.text}

    def __init__(self, package: ModuleType) -> None:
        self.package = package


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory) -> ModuleType:
    return generate_inline(tmp_path_factory.mktemp("requests"), CONTRACT, "requests")


@pytest.fixture
async def http(package: ModuleType) -> Any:
    handlers = package.Handlers(default=Echo(package))
    async with client(app_for(package, handlers, allow_missing=False)) as http:
        yield http


THING = {"X-Request-Tag": "t1"}


async def test_every_http_method_is_routed(http: httpx.AsyncClient) -> None:
    for method in ("PUT", "POST", "DELETE", "PATCH", "OPTIONS"):
        response = await http.request(method, "/things/3")
        assert response.status_code == 204, (method, response.text)
    for method in ("HEAD", "TRACE"):
        response = await http.request(method, "/things/3")
        assert response.status_code == 200, (method, response.text)
    response = await http.request("PUT", "/things/0")
    assert response.status_code == 422  # the path-level parameter's minimum applies to all


async def test_parameters_from_every_location(http: httpx.AsyncClient) -> None:
    http.cookies.set("session", "abc")
    response = await http.get(
        "/things/7",
        params={"verbose": "yes", "from": "here"},
        headers={**THING, "class": "5", "Accept": "application/json"},
    )
    assert response.status_code == 200, response.text
    assert response.json() == {
        "thing_id": 7,
        "verbose": "yes",  # the operation's own `verbose` (an enum) overrides the path's boolean
        "x_request_tag": "t1",
        "session": "abc",
        "from_": "here",
        "class_": 5,
    }


@pytest.mark.parametrize(
    ("params", "headers", "cookie"),
    [
        ({"verbose": "maybe"}, THING, "abc"),  # not in the enum
        ({"verbose": "true"}, THING, "abc"),  # the path-level boolean is overridden
        ({}, THING, "abc"),  # required query parameter missing
        ({"verbose": "yes"}, {}, "abc"),  # required header missing
        ({"verbose": "yes"}, {"X-Request-Tag": "toolong"}, "abc"),  # maxLength
        ({"verbose": "yes"}, THING, None),  # required cookie missing
        ({"verbose": "yes"}, THING, "a"),  # minLength
        ({"verbose": "yes"}, {**THING, "class": "x"}, "abc"),  # not an integer
    ],
)
async def test_parameter_constraints_answer_422(
    http: httpx.AsyncClient, params: dict[str, str], headers: dict[str, str], cookie: str | None
) -> None:
    if cookie is not None:
        http.cookies.set("session", cookie)
    response = await http.get("/things/7", params=params, headers=headers)
    assert response.status_code == 422, response.text


async def test_query_arrays_exploded_and_delimited(http: httpx.AsyncClient) -> None:
    response = await http.get(
        "/search", params=[("ids", "1"), ("ids", "2"), ("tags", "a,b"), ("pipes", "3|4")]
    )
    assert response.status_code == 200, response.text
    assert response.json() == {"ids": [1, 2], "tags": ["a", "b"], "pipes": [3, 4]}
    response = await http.get("/search", params=[("ids", "1")])
    assert response.json() == {"ids": [1]}
    bad_queries: list[list[tuple[str, str | int | float | bool | None]]] = [
        [("ids", "101")],  # an item's maximum
        [("ids", "x")],
        [("ids", "1"), ("pipes", "3|x")],  # a delimited item that is not an integer
        [],  # required
    ]
    for bad in bad_queries:
        response = await http.get("/search", params=bad)
        assert response.status_code == 422, (bad, response.text)


async def test_json_and_plus_json_bodies(http: httpx.AsyncClient) -> None:
    headers = {"Content-Type": "application/merge-patch+json"}
    response = await http.post("/bodies/json", content=b'{"text": "hi"}', headers=headers)
    assert response.status_code == 200, response.text
    assert response.json() == {"text": "hi"}
    for bad in (b'{"text": "far too long"}', b"{}", b'{"text": 5}'):
        response = await http.post("/bodies/json", content=bad, headers=headers)
        assert response.status_code == 422, (bad, response.text)


async def test_optional_body(http: httpx.AsyncClient) -> None:
    response = await http.post("/bodies/optional")
    assert (response.status_code, response.text) == (200, "none")
    assert response.headers["content-type"].startswith("text/plain")
    response = await http.post("/bodies/optional", json={"text": "yo"})
    assert (response.status_code, response.text) == (200, "yo")
    response = await http.post("/bodies/optional", json={"text": 1})
    assert response.status_code == 422


async def test_form_urlencoded_body(http: httpx.AsyncClient) -> None:
    response = await http.post("/bodies/form", data={"name": "n", "count": "3"})
    assert response.status_code == 200, response.text
    assert response.json() == {"name": "n", "count": 3}
    response = await http.post("/bodies/form", data={"name": "n"})
    assert response.json() == {"name": "n"}  # absent stays absent
    for bad in ({"count": "3"}, {"name": ""}, {"name": "n", "count": "x"}):
        response = await http.post("/bodies/form", data=bad)
        assert response.status_code == 422, (bad, response.text)


async def test_multipart_file_upload(http: httpx.AsyncClient) -> None:
    response = await http.post(
        "/bodies/upload", files={"file": ("a.txt", b"hello", "text/plain")}, data={"caption": "c"}
    )
    assert response.status_code == 200, response.text
    assert response.json() == {"size": 5, "content": "hello", "caption": "c"}
    response = await http.post("/bodies/upload", data={"caption": "c"}, files={"x": ("x", b"")})
    assert response.status_code == 422, response.text


async def test_octet_stream_and_text_bodies(http: httpx.AsyncClient) -> None:
    octets = {"Content-Type": "application/octet-stream"}
    response = await http.put("/bodies/raw", content=b"\x00\x01abc", headers=octets)
    assert response.status_code == 200, response.text
    assert response.content == b"cba\x01\x00"
    assert response.headers["content-type"] == "application/octet-stream"
    response = await http.post(
        "/bodies/text", content=b"shout", headers={"Content-Type": "text/plain"}
    )
    assert (response.status_code, response.text) == (200, "SHOUT")
    response = await http.put("/bodies/raw")
    assert response.status_code == 422  # required body missing


async def test_several_media_types_on_one_operation(http: httpx.AsyncClient) -> None:
    response = await http.post("/bodies/many", json={"text": "j"})
    assert response.json() == {"kind": "json", "value": "j"}
    response = await http.post(
        "/bodies/many", content=b"t", headers={"Content-Type": "text/plain; charset=utf-8"}
    )
    assert response.json() == {"kind": "text", "value": "t"}
    response = await http.post("/bodies/many", json={"text": "way too long"})
    assert response.status_code == 422
    response = await http.post(
        "/bodies/many", content=b"<x/>", headers={"Content-Type": "application/xml"}
    )
    assert response.status_code == 415


def test_names_that_are_keywords_become_safe_names_with_aliases(package: ModuleType) -> None:
    import inspect

    signature = inspect.signature(package.DefaultApi.get_thing)
    assert list(signature.parameters) == [
        "self", "thing_id", "verbose", "x_request_tag", "session", "from_", "class_",
    ]  # fmt: skip
