"""A conditional GET: an optional header parameter (``If-None-Match``) reaches the handler, and a
304 declared with a header and no content is a bodiless response with that header (issue 10)."""

from __future__ import annotations

import inspect
from types import ModuleType
from typing import Any

import pytest

from tests.generator.support import app_for, client, generate_inline

CONTRACT = """\
openapi: 3.1.0
info: {title: conditional, version: "1"}
paths:
  /things/{id}:
    get:
      operationId: getThing
      parameters:
        - {name: id, in: path, required: true, schema: {type: integer}}
        - {name: If-None-Match, in: header, required: false, schema: {type: string, maxLength: 20}}
      responses:
        "200":
          description: the thing
          headers:
            ETag: {required: true, schema: {type: string}}
          content:
            application/json:
              schema: {type: object, required: [id], properties: {id: {type: integer}}}
        "304":
          description: not modified
          headers:
            ETag: {required: true, schema: {type: string}}
        "422": {description: invalid}
"""


class Things:
    def __init__(self, package: ModuleType) -> None:
        self.package = package
        self.seen: list[str | None] = []

    async def get_thing(self, *, id: int, if_none_match: str | None) -> Any:
        self.seen.append(if_none_match)
        etag = f'"v{id}"'
        if if_none_match == etag:
            return self.package.GetThing304(e_tag=etag)
        body = self.package.models.GetThing200Response(id=id)
        return self.package.GetThing200(body=body, e_tag=etag)


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory) -> ModuleType:
    return generate_inline(tmp_path_factory.mktemp("conditional"), CONTRACT, "conditional")


def test_the_protocol_returns_either_result_and_takes_the_header(package: ModuleType) -> None:
    signature = inspect.signature(package.DefaultApi.get_thing)
    assert signature.parameters["if_none_match"].kind is inspect.Parameter.KEYWORD_ONLY
    assert "GetThing200 | GetThing304" in str(signature.return_annotation)
    fields = package.GetThing304.__dataclass_fields__
    assert list(fields) == ["e_tag"]  # a header, no body


async def test_200_and_304_with_their_headers(package: ModuleType) -> None:
    things = Things(package)
    app = app_for(package, package.Handlers(default=things))
    async with client(app) as http:
        response = await http.get("/things/7")
        assert (response.status_code, response.json()) == (200, {"id": 7})
        assert response.headers["etag"] == '"v7"'
        response = await http.get("/things/7", headers={"If-None-Match": '"v7"'})
        assert response.status_code == 304
        assert response.content == b""
        assert response.headers["etag"] == '"v7"'
        assert "content-type" not in response.headers
        response = await http.get("/things/7", headers={"if-none-match": '"v6"'})
        assert response.status_code == 200
        response = await http.get("/things/7", headers={"If-None-Match": "x" * 21})
        assert response.status_code == 422
        assert response.json()["detail"][0]["loc"] == ["header", "If-None-Match"]
    assert things.seen == [None, '"v7"', '"v6"']
