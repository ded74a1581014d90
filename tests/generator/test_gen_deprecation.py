"""Deprecation from the contract (issue 11, item 6): every response of an operation marked
``deprecated: true`` carries ``Deprecation: true`` and, with ``x-sunset``, RFC 8594's ``Sunset``
as an IMF-fixdate, whatever the outcome (success, declared error, 422, 501). Other operations,
even on the same path, carry neither. A bad ``x-sunset``, or one on an operation that is not
deprecated, is refused at its line."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest

from tests.generator.support import app_for, client, generate_inline, run_cli

OBJECT = "{content: {application/json: {schema: {type: object}}}, description: ok}"
ERROR = "{description: no such thing}"
CONTRACT = f"""\
openapi: 3.1.0
info: {{title: deprecation, version: "1"}}
paths:
  /things/{{id}}:
    parameters:
      - {{name: id, in: path, required: true, schema: {{type: integer, minimum: 1}}}}
    get:
      operationId: getThing
      deprecated: true
      x-sunset: 2027-06-01
      responses: {{"200": {OBJECT}, "404": {ERROR}, "422": {ERROR}}}
    delete:
      operationId: deleteThing
      deprecated: true
      responses: {{"204": {{description: gone}}, "422": {ERROR}}}
    put:
      operationId: putThing
      responses: {{"200": {OBJECT}, "422": {ERROR}}}
  /dated:
    get:
      operationId: dated
      deprecated: true
      x-sunset: "2027-06-01T12:30:00+02:00"
      responses: {{"200": {OBJECT}}}
"""

SUNSET = "Tue, 01 Jun 2027 00:00:00 GMT"


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory) -> ModuleType:
    return generate_inline(tmp_path_factory.mktemp("deprecation"), CONTRACT, "deprecation")


class Things:
    def __init__(self, package: ModuleType) -> None:
        self.package = package

    async def get_thing(self, id: int) -> Any:
        if id == 404:
            raise self.package.ApiError(404, "no such thing")
        return {"id": id}

    async def delete_thing(self, id: int) -> None:
        return None

    async def put_thing(self, id: int) -> Any:
        return {"id": id}

    async def dated(self) -> Any:
        return {}


@pytest.fixture
async def http(package: ModuleType) -> Any:
    handlers = package.Handlers(default=Things(package))
    async with client(app_for(package, handlers, allow_missing=False)) as http:
        yield http


@pytest.fixture
async def unimplemented(package: ModuleType) -> Any:
    async with client(app_for(package)) as http:
        yield http


def _deprecated(response: httpx.Response, sunset: str | None) -> None:
    assert response.headers.get_list("deprecation") == ["true"], response.headers
    assert response.headers.get_list("sunset") == ([sunset] if sunset else []), response.headers


async def test_deprecated_with_sunset_every_outcome(
    http: httpx.AsyncClient, unimplemented: httpx.AsyncClient
) -> None:
    ok = await http.get("/things/7")
    assert ok.status_code == 200, ok.text
    assert ok.json() == {"id": 7}
    _deprecated(ok, SUNSET)
    missing = await http.get("/things/404")
    assert (missing.status_code, missing.json()) == (404, {"detail": "no such thing"})
    _deprecated(missing, SUNSET)
    invalid = await http.get("/things/0")
    assert invalid.status_code == 422, invalid.text
    assert invalid.json()["detail"][0]["loc"] == ["path", "id"]
    _deprecated(invalid, SUNSET)
    for response in (await unimplemented.get("/things/7"), await unimplemented.get("/things/x")):
        assert response.status_code in (501, 422), response.text
        _deprecated(response, SUNSET)
    assert (await unimplemented.get("/things/7")).status_code == 501


async def test_sunset_date_time_is_converted_to_gmt(http: httpx.AsyncClient) -> None:
    response = await http.get("/dated")
    assert response.status_code == 200, response.text
    _deprecated(response, "Tue, 01 Jun 2027 10:30:00 GMT")


async def test_deprecated_without_sunset(
    http: httpx.AsyncClient, unimplemented: httpx.AsyncClient
) -> None:
    gone = await http.delete("/things/7")
    assert gone.status_code == 204, gone.text
    _deprecated(gone, None)
    invalid = await http.delete("/things/0")
    assert invalid.status_code == 422, invalid.text
    _deprecated(invalid, None)
    not_yet = await unimplemented.delete("/things/7")
    assert not_yet.status_code == 501, not_yet.text
    _deprecated(not_yet, None)


async def test_operation_not_deprecated_carries_neither_header(
    http: httpx.AsyncClient, unimplemented: httpx.AsyncClient
) -> None:
    responses = [
        await http.put("/things/7"),
        await http.put("/things/0"),
        await unimplemented.put("/things/7"),
        await http.post("/things/7"),  # 405: no operation at all
    ]
    assert [r.status_code for r in responses] == [200, 422, 501, 405]
    for response in responses:
        assert "deprecation" not in response.headers, response.headers
        assert "sunset" not in response.headers, response.headers


def test_only_deprecated_methods_get_route_headers(package: ModuleType) -> None:
    routes = {route.path: route for route in package.create_router(None, allow_missing=True).routes}
    assert routes["/things/{id}"].headers == {
        "GET": ((b"deprecation", b"true"), (b"sunset", SUNSET.encode())),
        "DELETE": ((b"deprecation", b"true"),),
    }


SECURED = """\
openapi: 3.1.0
info: {title: deprecated and secured, version: "1"}
components:
  securitySchemes: {bearer: {type: http, scheme: bearer}}
paths:
  /secret:
    get:
      operationId: secret
      deprecated: true
      x-sunset: 2027-06-01
      security: [{bearer: []}]
      responses: {"200": {description: ok}, "401": {description: who are you}}
"""


async def test_refused_credentials_carry_the_headers_too(tmp_path: Path) -> None:
    package = generate_inline(tmp_path, SECURED, "secured")
    async with client(app_for(package)) as http:
        response = await http.get("/secret")
    assert response.status_code == 401, response.text
    assert response.headers["www-authenticate"] == "Bearer"
    _deprecated(response, SUNSET)


BROKEN = """\
openapi: 3.1.0
info: {title: broken sunsets, version: "1"}
paths:
  /a:
    get:
      deprecated: true
      x-sunset: June 2027
      responses: {"200": {description: ok}}
  /b:
    get:
      deprecated: true
      x-sunset: "2027-02-30"
      responses: {"200": {description: ok}}
  /c:
    get:
      x-sunset: 2027-06-01
      responses: {"200": {description: ok}}
  /d:
    get:
      deprecated: false
      x-sunset: "2027-06-01T00:00:00"
      responses: {"200": {description: ok}}
"""


def test_bad_or_unattached_sunset_is_refused_at_its_line(tmp_path: Path) -> None:
    spec = tmp_path / "broken.yaml"
    spec.write_text(BROKEN, encoding="utf-8")
    result = run_cli("--spec", spec, "--out", tmp_path / "out")
    assert result.status == 1
    assert not (tmp_path / "out").exists()
    needs = "x-sunset needs the operation to be deprecated: true"
    shape = "is not a date (YYYY-MM-DD) or an RFC 3339 date-time"
    assert result.lines == [
        f"broken.yaml:7: /paths/~1a/get/x-sunset: 'June 2027' {shape}",
        f"broken.yaml:12: /paths/~1b/get/x-sunset: '2027-02-30' {shape}",
        f"broken.yaml:16: /paths/~1c/get/x-sunset: {needs}",
        f"broken.yaml:21: /paths/~1d/get/x-sunset: '2027-06-01T00:00:00' {shape}",
        f"broken.yaml:21: /paths/~1d/get/x-sunset: {needs}",
    ]
