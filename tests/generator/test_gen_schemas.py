"""Models exactly as strict as the contract (issue 2): optional is not nullable, uniqueItems,
JSON integers, ``format: email``, readOnly/writeOnly, and the compositions real contracts use."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest
from pydantic import ValidationError

from tests.generator.support import REPO, app_for, client, generate_inline

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


# --- issue 7: names, enum defaults, discriminators, per-contract options ---------------------

NAMES = """\
openapi: 3.0.3
info: {title: names, version: "1"}
paths:
  /accounts:
    post:
      operationId: createAccount
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: "#/components/schemas/api.v2010.account"}
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {$ref: "#/components/schemas/api.v2010.account"}
components:
  schemas:
    api.v2010.account:
      type: object
      required: [sid, Foo]
      additionalProperties: false
      properties:
        sid: {type: string}
        StartTime: {type: string}
        StartTime<: {type: string}
        from: {type: string}
        foo: {$ref: "#/components/schemas/foo"}
        Foo: {$ref: "#/components/schemas/Foo"}
        pair: {$ref: "#/components/schemas/foo-bar"}
        spaced: {$ref: "#/components/schemas/Foo Bar"}
        first: {$ref: "#/components/schemas/1st"}
    Foo:
      type: object
      required: [a]
      properties:
        a: {type: integer}
    foo:
      type: object
      required: [b]
      properties:
        b: {type: integer}
    foo-bar:
      type: object
      required: [c]
      properties:
        c: {type: integer}
    Foo Bar:
      type: object
      required: [d]
      properties:
        d: {type: integer}
    1st:
      type: object
      required: [e]
      properties:
        e: {type: integer}
    none:
      type: string
"""

ACCOUNT = {
    "sid": "AC1",
    "StartTime": "a",
    "StartTime<": "b",
    "from": "c",
    "foo": {"b": 2},
    "Foo": {"a": 1},
    "pair": {"c": 3},
    "spaced": {"d": 4},
    "first": {"e": 5},
}


class NamesHandlers:
    async def create_account(self, *, body: Any) -> Any:
        return body


@pytest.fixture(scope="module")
def names_package(tmp_path_factory: pytest.TempPathFactory) -> ModuleType:
    return generate_inline(tmp_path_factory.mktemp("names"), NAMES, "names")


def test_schema_names_become_documented_class_names(names_package: ModuleType) -> None:
    models = names_package.models
    # PascalCase of the letters and digits; an exact class name keeps it, the rest number on.
    for class_name, field in (
        ("ApiV2010Account", "sid"),
        ("Foo", "a"),
        ("Foo2", "b"),
        ("FooBar", "c"),
        ("FooBar2", "d"),
        ("Schema1st", "e"),
    ):
        assert field in getattr(models, class_name).model_fields, class_name
    assert models.NoneSchema.model_validate("x").root == "x"


async def test_contract_names_on_the_wire_with_renamed_schemas(names_package: ModuleType) -> None:
    handlers = names_package.Handlers(default=NamesHandlers())
    async with client(app_for(names_package, handlers, allow_missing=False)) as http:
        response = await http.post("/accounts", json=ACCOUNT)
        assert response.status_code == 200, response.text
        assert response.json() == ACCOUNT
        for bad in (
            {**ACCOUNT, "foo": {"a": 1}},  # foo is the lower-case schema (b), not Foo (a)
            {**ACCOUNT, "StartTime<": 1},
            {**ACCOUNT, "start_time": "x"},  # additionalProperties: false; Python names no alias
            {k: v for k, v in ACCOUNT.items() if k != "Foo"},
        ):
            response = await http.post("/accounts", json=bad)
            assert response.status_code == 422, (bad, response.text)


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        (["api.v2010.account"], ["ApiV2010Account"]),
        (["foo", "Foo"], ["Foo2", "Foo"]),  # the exact name wins whatever the order
        (["foo-bar", "foo bar", "foo_bar", "FooBar2"], ["FooBar", "FooBar3", "FooBar4", "FooBar2"]),
        (
            ["1st", "-", "None", "true", "Ünïcode"],
            ["Schema1st", "Schema", "NoneSchema", "TrueSchema", "Ünïcode"],
        ),
    ],
)
def test_class_names_are_deterministic(names: list[str], expected: list[str]) -> None:
    from contractgen.models import class_names

    assert [class_names(names)[name] for name in names] == expected


SHARED_DISCRIMINATOR = """\
openapi: 3.0.3
info: {title: shared discriminator, version: "1"}
paths:
  /by-kind:
    post:
      operationId: byKind
      requestBody:
        required: true
        content: {application/json: {schema: {$ref: "#/components/schemas/ByKind"}}}
      responses:
        "204": {description: accepted}
  /by-code:
    post:
      operationId: byCode
      requestBody:
        required: true
        content: {application/json: {schema: {$ref: "#/components/schemas/ByCode"}}}
      responses:
        "204": {description: accepted}
  /by-family:
    post:
      operationId: byFamily
      requestBody:
        required: true
        content: {application/json: {schema: {$ref: "#/components/schemas/ByFamily"}}}
      responses:
        "204": {description: accepted}
components:
  schemas:
    Cat:
      type: object
      required: [kind, family]
      properties:
        kind: {type: string}
        family: {type: string}
        meows: {type: boolean}
    Dog:
      type: object
      required: [kind, family]
      properties:
        kind: {type: string}
        family: {type: string}
        barks: {type: boolean}
    ByKind:
      oneOf: [{$ref: "#/components/schemas/Cat"}, {$ref: "#/components/schemas/Dog"}]
      discriminator:
        propertyName: kind
        mapping: {cat: "#/components/schemas/Cat", dog: "#/components/schemas/Dog"}
    ByCode:
      oneOf: [{$ref: "#/components/schemas/Cat"}, {$ref: "#/components/schemas/Dog"}]
      discriminator:
        propertyName: kind
        mapping: {c: "#/components/schemas/Cat", d: Dog}
    ByFamily:
      oneOf: [{$ref: "#/components/schemas/Cat"}, {$ref: "#/components/schemas/Dog"}]
      discriminator:
        propertyName: family
        mapping: {feline: "#/components/schemas/Cat", canine: "#/components/schemas/Dog"}
"""


class Accepting:
    async def by_kind(self, *, body: Any) -> None:
        return None

    async def by_code(self, *, body: Any) -> None:
        return None

    async def by_family(self, *, body: Any) -> None:
        return None


@pytest.mark.parametrize(
    ("path", "valid", "invalid"),
    [
        (
            "/by-kind",
            [{"kind": "cat", "family": "any"}, {"kind": "dog", "family": "x", "barks": True}],
            [{"kind": "c", "family": "any"}, {"kind": "cat", "family": "x", "meows": 1}],
        ),
        (
            "/by-code",
            [{"kind": "c", "family": "any", "meows": True}, {"kind": "d", "family": "x"}],
            [{"kind": "cat", "family": "any"}, {"kind": "d"}],
        ),
        (
            "/by-family",
            [{"kind": "any", "family": "feline"}, {"kind": "cat", "family": "canine"}],
            [{"kind": "cat", "family": "cat"}, {"kind": "x", "family": "canine", "barks": 1}],
        ),
    ],
)
async def test_one_schema_under_several_discriminators(
    shared_discriminator: ModuleType,
    path: str,
    valid: list[dict[str, Any]],
    invalid: list[dict[str, Any]],
) -> None:
    handlers = shared_discriminator.Handlers(default=Accepting())
    async with client(app_for(shared_discriminator, handlers, allow_missing=False)) as http:
        for body in valid:
            response = await http.post(path, json=body)
            assert response.status_code == 204, (body, response.text)
        for body in invalid:
            response = await http.post(path, json=body)
            assert response.status_code == 422, (body, response.text)


@pytest.fixture(scope="module")
def shared_discriminator(tmp_path_factory: pytest.TempPathFactory) -> ModuleType:
    tmp = tmp_path_factory.mktemp("discriminators")
    return generate_inline(tmp, SHARED_DISCRIMINATOR, "discriminators")


TRICKY = """\
openapi: 3.0.3
info: {title: tricky, version: "1"}
paths:
  /actions:
    post:
      operationId: createAction
      requestBody:
        required: true
        content: {application/json: {schema: {$ref: "#/components/schemas/Action"}}}
      responses:
        "200":
          description: ok
          content: {application/json: {schema: {$ref: "#/components/schemas/Action"}}}
components:
  schemas:
    action.base:
      type: object
      required: [action_type]
      properties:
        name: {type: string}
        action_type: {type: string, enum: [script, process]}
        mode: {type: string, enum: [fast, slow], default: fast}
        labels: {type: array, items: {type: string}, uniqueItems: true}
    ScriptAction:
      allOf:
        - {$ref: "#/components/schemas/action.base"}
        - {type: object, properties: {script: {type: string}}}
    ProcessAction:
      allOf:
        - {$ref: "#/components/schemas/action.base"}
        - {type: object, properties: {job: {type: string}}}
    Action:
      oneOf:
        - {$ref: "#/components/schemas/ScriptAction"}
        - {$ref: "#/components/schemas/ProcessAction"}
      discriminator:
        propertyName: action_type
        mapping:
          script: "#/components/schemas/ScriptAction"
          process: "#/components/schemas/ProcessAction"
"""


@pytest.fixture(scope="module")
def tricky(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, ModuleType]:
    tmp = tmp_path_factory.mktemp("tricky")
    return tmp / "tricky_pkg", generate_inline(tmp, TRICKY, "tricky")


def test_tricky_models_pass_mypy_strict(tricky: tuple[Path, ModuleType], tmp_path: Path) -> None:
    """An enum default, a discriminator narrowing its base's enum field, the uniqueItems
    helper and dotted names, checked with the project's own mypy configuration."""
    out, _ = tricky
    shutil.copytree(out, tmp_path / "tricky", ignore=shutil.ignore_patterns("__pycache__"))
    completed = subprocess.run(
        [
            *(sys.executable, "-m", "mypy", "--strict", "--no-incremental"),
            *("--config-file", str(REPO / "pyproject.toml")),
            *("--cache-dir", str(tmp_path / ".mypy_cache"), "-p", "tricky"),
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "MYPYPATH": ""},
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr


async def test_enum_default_is_a_member_and_serialises_as_its_value(
    tricky: tuple[Path, ModuleType],
) -> None:
    _, package = tricky
    models = package.models
    action = models.Action.model_validate({"action_type": "script", "labels": ["a", "b"]})
    assert action.root.mode is models.Mode.FAST
    assert action.model_dump(mode="json") == {
        "action_type": "script",
        "mode": "fast",
        "labels": ["a", "b"],
    }
    async with client(app_for(package, package.Handlers(default=Echo()))) as http:
        response = await http.post("/actions", json={"action_type": "process", "job": "j"})
        assert response.status_code == 200, response.text
        assert response.json() == {"action_type": "process", "mode": "fast", "job": "j"}
        for bad in (
            {"action_type": "other"},
            {"action_type": "script", "mode": "medium"},
            {"action_type": "script", "labels": ["a", "a"]},
        ):
            response = await http.post("/actions", json=bad)
            assert response.status_code == 422, (bad, response.text)


class Echo:
    async def create_action(self, *, body: Any) -> Any:
        return body


WITHOUT_UNIQUE_ITEMS = {"A": {"type": "array", "items": {"type": "string"}}}
WITH_UNIQUE_ITEMS = {"A": {"type": "array", "items": {"type": "string"}, "uniqueItems": True}}


def test_schema_validators_only_when_some_schema_has_unique_items() -> None:
    from contractgen.models import dcg_options

    assert "--generate-schema-validators" not in dcg_options(WITHOUT_UNIQUE_ITEMS)
    assert "--generate-schema-validators" in dcg_options(WITH_UNIQUE_ITEMS)
    assert "--read-only-write-only-model-type" not in dcg_options(WITH_UNIQUE_ITEMS)
    read_only = {"A": {"type": "object", "properties": {"id": {"readOnly": True}}}}
    assert "--read-only-write-only-model-type" in dcg_options(read_only)


def test_package_without_unique_items_has_no_runtime_validators(
    names_package: ModuleType, package: ModuleType
) -> None:
    assert not hasattr(names_package.models, "_JsonSchemaRuntimeValidationBase")
    assert hasattr(package.models, "_JsonSchemaRuntimeValidationBase")  # User.tags is unique


def test_model_cache_is_keyed_by_the_document_and_can_be_turned_off(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from contractgen.models import CACHE_ENV, PendingModels

    data: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": {"title": "cache", "version": "1"},
        "paths": {},
        "components": {"schemas": {"A": {"type": "object", "properties": {"x": {}}}}},
    }
    monkeypatch.setenv(CACHE_ENV, str(tmp_path))
    first = PendingModels(data, [], "cache.json").result().code
    (entry,) = tmp_path.glob("*.json")
    stored = json.loads(entry.read_text(encoding="utf-8"))
    entry.write_text(json.dumps({**stored, "code": stored["code"] + "# from the cache\n"}))
    assert PendingModels(data, [], "cache.json").result().code == first + "# from the cache\n"
    data["components"]["schemas"]["A"]["properties"]["y"] = {}  # another document: a new entry
    assert "# from the cache" not in PendingModels(data, [], "cache.json").result().code
    assert len(list(tmp_path.glob("*.json"))) == 2
    monkeypatch.setenv(CACHE_ENV, "off")
    data["components"]["schemas"]["A"]["properties"].pop("y")
    assert PendingModels(data, [], "cache.json").result().code == first
