"""Every request body form (issue 7, "Parameters and bodies"): several media types on one
operation, each validated against its own schema and chosen by Content-Type (415 for another
type); ``+json``; urlencoded fields coerced from text, also through ``allOf``, with deepObject
fields; multipart with 3.1 ``contentMediaType`` file parts and files inside ``allOf``; raw text
and binary; a missing required body. Each proven over HTTP: 422 naming the field, 501 valid."""

from __future__ import annotations

from types import ModuleType
from typing import Any

import httpx
import pytest

from tests.generator.support import app_for, client, error_at, generate_inline, route_table

OK = "{description: ok, content: {application/json: {schema: {type: object}}}}"
CONTRACT = f"""\
openapi: 3.1.0
info: {{title: bodies, version: "1"}}
paths:
  /multi:
    post:
      operationId: multi
      requestBody:
        required: true
        content:
          application/json:
            schema: {{$ref: "#/components/schemas/Note"}}
          application/x-www-form-urlencoded:
            schema: {{$ref: "#/components/schemas/FormNote"}}
          multipart/form-data:
            schema: {{$ref: "#/components/schemas/Upload"}}
      responses: {{"200": {OK}}}
  /plus:
    post:
      operationId: plusJson
      requestBody:
        required: true
        content:
          application/vnd.api+json:
            schema: {{$ref: "#/components/schemas/Note"}}
      responses:
        "200": {OK}
        "422": {{description: invalid}}
  /files:
    post:
      operationId: files
      requestBody:
        required: true
        content:
          multipart/form-data:
            schema:
              allOf:
                - type: object
                  required: [image]
                  properties:
                    image: {{type: string, contentMediaType: image/png}}
                - type: object
                  properties:
                    raw: {{type: string, format: binary}}
                    count: {{type: integer}}
      responses: {{"200": {OK}}}
  /raw:
    put:
      operationId: raw
      requestBody:
        content:
          text/plain: {{schema: {{type: string}}}}
          application/octet-stream: {{schema: {{type: string, format: binary}}}}
      responses: {{"200": {OK}}}
components:
  schemas:
    Note:
      type: object
      required: [text]
      properties:
        text: {{type: string, minLength: 1}}
        count: {{type: integer, minimum: 0}}
    FormNote:
      allOf:
        - $ref: "#/components/schemas/Note"
        - type: object
          properties:
            urgent: {{type: boolean}}
            metadata:
              type: object
              additionalProperties: {{type: integer}}
    Upload:
      type: object
      required: [file]
      properties:
        file: {{type: string, format: binary}}
        caption: {{type: string}}
        tags: {{type: array, items: {{type: integer}}}}
"""


class Bodies:
    async def multi(self, *, body: Any) -> dict[str, Any]:
        return {"type": type(body).__name__, **_plain(body)}

    async def plus_json(self, *, body: Any) -> dict[str, Any]:
        return {"type": type(body).__name__, **_plain(body)}

    async def files(self, *, body: Any) -> dict[str, Any]:
        data = body.model_dump(by_alias=True)
        return {
            "image": len(data["image"].encode("utf-8", "surrogateescape")),
            "raw": len(data.get("raw") or b""),
            "count": data.get("count"),
        }

    async def raw(self, *, body: Any) -> dict[str, Any]:
        return {"type": type(body).__name__, "length": len(body) if body is not None else None}


def _plain(body: Any) -> dict[str, Any]:
    data: dict[str, Any] = body.model_dump(by_alias=True)
    if isinstance(data.get("file"), bytes):
        data["file"] = data["file"].decode()
    return data


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory) -> ModuleType:
    return generate_inline(tmp_path_factory.mktemp("bodies"), CONTRACT, "bodies")


@pytest.fixture
async def http(package: ModuleType) -> Any:
    async with client(app_for(package, package.Handlers(default=Bodies()))) as http:
        yield http


@pytest.fixture
async def unimplemented(package: ModuleType) -> Any:
    async with client(app_for(package)) as http:
        yield http


def test_every_media_type_is_in_the_route_table(package: ModuleType) -> None:
    assert route_table(package)[("post", "/multi")].media_types == {
        "application/json", "application/x-www-form-urlencoded", "multipart/form-data",
    }  # fmt: skip


async def test_one_operation_takes_json_form_and_multipart(http: httpx.AsyncClient) -> None:
    response = await http.post("/multi", json={"text": "a", "count": 2})
    assert response.json() == {"type": "Note", "text": "a", "count": 2}
    response = await http.post("/multi", data={"text": "a", "count": "4", "urgent": "true"})
    assert response.json() == {"type": "FormNote", "text": "a", "count": 4, "urgent": True}
    response = await http.post(
        "/multi", files={"file": ("f.txt", b"hi", "text/plain")}, data={"tags": ["1", "2"]}
    )
    assert response.json() == {"type": "Upload", "file": "hi", "tags": [1, 2]}


async def test_urlencoded_deep_object_fields(http: httpx.AsyncClient) -> None:
    response = await http.post("/multi", data={"text": "a", "metadata[x]": "1", "metadata[y]": "2"})
    assert response.json() == {"type": "FormNote", "text": "a", "metadata": {"x": 1, "y": 2}}
    error_at(
        await http.post("/multi", data={"text": "a", "metadata[x]": "z"}), ["body", "metadata", "x"]
    )


@pytest.mark.parametrize(
    ("kwargs", "loc"),
    [
        ({"json": {"count": 1}}, ["body", "text"]),
        ({"json": {"text": "a", "count": -1}}, ["body", "count"]),
        ({"data": {"text": "a", "count": "x"}}, ["body", "count"]),
        ({"data": {"count": "4"}}, ["body", "text"]),
        ({"files": {"caption": (None, "c")}}, ["body", "file"]),
        ({}, ["body"]),
    ],
)
async def test_each_media_type_is_validated_against_its_own_schema(
    http: httpx.AsyncClient,
    unimplemented: httpx.AsyncClient,
    kwargs: dict[str, Any],
    loc: list[Any],
) -> None:
    error_at(await http.post("/multi", **kwargs), loc)
    error_at(await unimplemented.post("/multi", **kwargs), loc)


async def test_valid_bodies_without_a_handler_are_501(unimplemented: httpx.AsyncClient) -> None:
    assert (await unimplemented.post("/multi", data={"text": "a", "count": "4"})).status_code == 501
    assert (
        await unimplemented.put("/raw", content=b"x", headers={"Content-Type": "text/plain"})
    ).status_code == 501


async def test_an_undeclared_media_type_is_415(http: httpx.AsyncClient) -> None:
    response = await http.post("/multi", content=b"x", headers={"Content-Type": "text/plain"})
    assert response.status_code == 415
    assert "application/json" in response.json()["detail"]


async def test_plus_json_and_422_where_415_is_not_declared(http: httpx.AsyncClient) -> None:
    headers = {"Content-Type": "application/vnd.api+json"}
    response = await http.post("/plus", content=b'{"text": "a"}', headers=headers)
    assert response.json() == {"type": "Note", "text": "a"}
    error_at(await http.post("/plus", content=b'{"text": ""}', headers=headers), ["body", "text"])
    response = await http.post("/plus", content=b"x", headers={"Content-Type": "text/plain"})
    assert response.status_code == 422  # the operation declares 422, not 415


async def test_multipart_files_declared_with_content_media_type_and_inside_all_of(
    http: httpx.AsyncClient,
) -> None:
    png = b"\x89PNG\r\n\x1a\n\x00\xff"
    response = await http.post(
        "/files",
        files={
            "image": ("i.png", png, "image/png"),
            "raw": ("r.bin", b"\x00\x01", "application/octet-stream"),
        },
        data={"count": "3"},
    )
    assert response.status_code == 200, response.text
    assert response.json() == {"image": len(png), "raw": 2, "count": 3}
    error_at(
        await http.post("/files", data={"count": "3"}, files={"raw": ("r", b"x")}),
        ["body", "image"],
    )


async def test_raw_text_and_binary(http: httpx.AsyncClient) -> None:
    response = await http.put(
        "/raw", content="héllo".encode(), headers={"Content-Type": "text/plain"}
    )
    assert response.json() == {"type": "str", "length": 5}
    octets = {"Content-Type": "application/octet-stream"}
    response = await http.put("/raw", content=b"\x00\xff", headers=octets)
    assert response.json() == {"type": "bytes", "length": 2}
    response = await http.put("/raw")
    assert response.json() == {"type": "NoneType", "length": None}  # optional body
