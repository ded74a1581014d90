"""`make breaking` (scripts/breaking.py): one pair of small contracts per kind of change."""

from __future__ import annotations

import copy
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import breaking
import pytest
import yaml
from contract_doc import load, parse

import generated

ROOT = Path(__file__).resolve().parents[2]

BASE: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "Things", "version": "1.2.0"},
    "paths": {
        "/things": {
            "get": {
                "operationId": "listThings",
                "tags": ["things"],
                "security": [],
                "parameters": [
                    {"name": "limit", "in": "query", "schema": {"type": "integer", "maximum": 100}}
                ],
                "responses": {
                    "200": {
                        "description": "A page.",
                        "headers": {
                            "X-Total-Count": {"required": True, "schema": {"type": "integer"}}
                        },
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "array",
                                    "items": {"$ref": "#/components/schemas/Thing"},
                                }
                            }
                        },
                    },
                    "422": {"description": "Invalid."},
                },
            },
            "post": {
                "operationId": "createThing",
                "tags": ["things"],
                "security": [{"Bearer": ["things:write"]}],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/ThingIn"}}
                    },
                },
                "responses": {
                    "201": {
                        "description": "Created.",
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}
                        },
                    },
                    "401": {"description": "No token."},
                    "403": {"description": "No scope."},
                    "422": {"description": "Invalid."},
                },
            },
        },
        "/things/{thing_id}": {
            "parameters": [
                {"name": "thing_id", "in": "path", "required": True, "schema": {"type": "integer"}}
            ],
            "delete": {
                "operationId": "deleteThing",
                "tags": ["things"],
                "security": [{"Bearer": ["things:write"]}],
                "responses": {
                    "204": {"description": "Deleted."},
                    "401": {"description": "No token."},
                    "403": {"description": "No scope."},
                    "404": {"description": "No such thing."},
                },
            },
        },
    },
    "components": {
        "securitySchemes": {
            "Bearer": {
                "type": "oauth2",
                "flows": {
                    "password": {
                        "tokenUrl": "/token",
                        "scopes": {"things:write": "Write.", "admin": "Everything."},
                    }
                },
            }
        },
        "schemas": {
            "Colour": {"type": "string", "enum": ["red", "green"]},
            "Thing": {
                "type": "object",
                "required": ["id", "name", "colour"],
                "properties": {
                    "id": {"type": "integer"},
                    "name": {"type": "string"},
                    "colour": {"$ref": "#/components/schemas/Colour"},
                    "note": {"type": "string"},
                },
            },
            "ThingIn": {
                "type": "object",
                "additionalProperties": False,
                "required": ["name"],
                "properties": {
                    "name": {"type": "string", "maxLength": 100},
                    "colour": {"$ref": "#/components/schemas/Colour"},
                    "weight": {"type": "number"},
                },
            },
        },
    },
}

Edit = Callable[[dict[str, Any]], object]


def _changes(edit: Edit) -> list[str]:
    new = copy.deepcopy(BASE)
    edit(new)
    old_doc = parse(yaml.safe_dump(BASE), "old.yaml")
    new_doc = parse(yaml.safe_dump(new), "new.yaml")
    return [str(change) for change in breaking.compare(old_doc, new_doc)]


def _list(spec: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = spec["paths"]["/things"]["get"]
    return result


def _create(spec: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = spec["paths"]["/things"]["post"]
    return result


def _schemas(spec: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = spec["components"]["schemas"]
    return result


LIST = "GET /things [listThings] (ThingsApi.list_things)"
CREATE = "POST /things [createThing] (ThingsApi.create_thing)"
DELETE = "DELETE /things/{thing_id} [deleteThing] (ThingsApi.delete_thing)"

BREAKING_CASES: dict[str, tuple[Edit, list[str]]] = {
    "removed operation": (
        lambda s: s["paths"]["/things/{thing_id}"].pop("delete"),
        [f"BREAKING     {DELETE}: operation removed"],
    ),
    "renamed operationId": (
        lambda s: _create(s).update(operationId="addThing"),
        [
            "BREAKING     POST /things [addThing] (ThingsApi.add_thing): operationId changed"
            " (createThing → addThing)"
        ],
    ),
    "removed response field": (
        lambda s: _schemas(s)["Thing"]["properties"].pop("note"),
        [
            f"BREAKING     {LIST}: 200 application/json: response field '[].note' removed",
            f"BREAKING     {CREATE}: 201 application/json: response field 'note' removed",
        ],
    ),
    "response field no longer required": (
        lambda s: _schemas(s)["Thing"]["required"].remove("colour"),
        [
            f"BREAKING     {LIST}: 200 application/json: response field '[].colour' is no"
            " longer always present",
            f"BREAKING     {CREATE}: 201 application/json: response field 'colour' is no longer"
            " always present",
        ],
    ),
    "new required parameter": (
        lambda s: _list(s)["parameters"].append(
            {"name": "tag", "in": "query", "required": True, "schema": {"type": "string"}}
        ),
        [f"BREAKING     {LIST}: new required query parameter 'tag'"],
    ),
    "parameter made required": (
        lambda s: _list(s)["parameters"][0].update(required=True),
        [f"BREAKING     {LIST}: query parameter 'limit' is now required"],
    ),
    "new required request field": (
        lambda s: (
            _schemas(s)["ThingIn"]["properties"].update(size={"type": "integer"}),
            _schemas(s)["ThingIn"]["required"].append("size"),
        ),
        [f"BREAKING     {CREATE}: request application/json: new required request field 'size'"],
    ),
    "request field made required": (
        lambda s: _schemas(s)["ThingIn"]["required"].append("weight"),
        [
            f"BREAKING     {CREATE}: request application/json: request field 'weight' is now"
            " required"
        ],
    ),
    "narrowed request type": (
        lambda s: _schemas(s)["ThingIn"]["properties"]["weight"].update(type="integer"),
        [
            f"BREAKING     {CREATE}: request application/json: weight: request type narrowed"
            " (number → integer)"
        ],
    ),
    "narrowed request bound": (
        lambda s: _schemas(s)["ThingIn"]["properties"]["name"].update(maxLength=50),
        [
            f"BREAKING     {CREATE}: request application/json: name: request narrowed"
            " (maxLength 100 → 50)"
        ],
    ),
    "narrowed parameter bound": (
        lambda s: _list(s)["parameters"][0]["schema"].update(maximum=50),
        [f"BREAKING     {LIST}: query parameter 'limit': request narrowed (maximum 100 → 50)"],
    ),
    "narrowed enum (request) and widened enum (response)": (
        lambda s: _schemas(s)["Colour"].update(enum=["red", "blue"]),
        [
            f"BREAKING     {LIST}: 200 application/json: [].colour: response enum widened"
            " (enum removed 'green'; added 'blue')",
            f"BREAKING     {CREATE}: request application/json: colour: request enum narrowed"
            " (enum removed 'green'; added 'blue')",
            f"BREAKING     {CREATE}: 201 application/json: colour: response enum widened"
            " (enum removed 'green'; added 'blue')",
        ],
    ),
    "removed status code": (
        lambda s: s["paths"]["/things/{thing_id}"]["delete"]["responses"].pop("404"),
        [f"BREAKING     {DELETE}: status 404 removed"],
    ),
    "changed success status": (
        lambda s: s["paths"]["/things/{thing_id}"]["delete"]["responses"].update(
            {"200": s["paths"]["/things/{thing_id}"]["delete"]["responses"].pop("204")}
        ),
        [
            f"BREAKING     {DELETE}: new success status 200",
            f"BREAKING     {DELETE}: status 204 removed",
        ],
    ),
    "removed response header": (
        lambda s: _list(s)["responses"]["200"].pop("headers"),
        [f"BREAKING     {LIST}: 200 header x-total-count removed"],
    ),
    "security: new scope": (
        lambda s: _create(s).update(security=[{"Bearer": ["things:write", "admin"]}]),
        [
            f"BREAKING     {CREATE}: security Bearer[things:write] → Bearer[admin things:write]"
            " (tightened)"
        ],
    ),
    "security: anonymous operation now secured": (
        lambda s: _list(s).update(security=[{"Bearer": []}]),
        [f"BREAKING     {LIST}: security anonymous → Bearer[] (tightened)"],
    ),
}

ADDITIVE_CASES: dict[str, tuple[Edit, list[str]]] = {
    "new operation": (
        lambda s: s["paths"]["/things/{thing_id}"].update(
            get={
                "operationId": "getThing",
                "tags": ["things"],
                "responses": {"200": {"description": "x"}},
            }
        ),
        ["non-breaking GET /things/{thing_id} [getThing] (ThingsApi.get_thing): new operation"],
    ),
    "new optional parameter": (
        lambda s: _list(s)["parameters"].append(
            {"name": "tag", "in": "query", "schema": {"type": "string"}}
        ),
        [f"non-breaking {LIST}: new optional query parameter 'tag'"],
    ),
    "new optional request field and new response field": (
        lambda s: (
            _schemas(s)["ThingIn"]["properties"].update(size={"type": "integer"}),
            _schemas(s)["Thing"]["properties"].update(size={"type": "integer"}),
        ),
        [
            f"non-breaking {LIST}: 200 application/json: new response field '[].size'",
            f"non-breaking {CREATE}: request application/json: new request field 'size'",
            f"non-breaking {CREATE}: 201 application/json: new response field 'size'",
        ],
    ),
    "new error status": (
        lambda s: _create(s)["responses"].update({"409": {"description": "Taken."}}),
        [f"non-breaking {CREATE}: new status 409"],
    ),
    "widened request bound": (
        lambda s: _schemas(s)["ThingIn"]["properties"]["name"].update(maxLength=200),
        [f"non-breaking {CREATE}: request application/json: name: maxLength 100 → 200"],
    ),
    "relaxed security": (
        lambda s: _create(s).update(security=[{"Bearer": []}]),
        [f"non-breaking {CREATE}: security Bearer[things:write] → Bearer[] (relaxed)"],
    ),
    "parameter renamed in the path template only": (
        lambda s: s["paths"].update({"/things/{id}": s["paths"].pop("/things/{thing_id}")}),
        [],
    ),
}


@pytest.mark.parametrize("case", list(BREAKING_CASES))
def test_breaking_change_is_flagged_with_operation_and_protocol_method(case: str) -> None:
    edit, expected = BREAKING_CASES[case]
    assert _changes(edit) == expected


@pytest.mark.parametrize("case", list(ADDITIVE_CASES))
def test_additive_change_passes(case: str) -> None:
    edit, expected = ADDITIVE_CASES[case]
    assert _changes(edit) == expected


def _write(path: Path, spec: dict[str, Any]) -> Path:
    path.write_text(yaml.safe_dump(spec), encoding="utf-8")
    return path


def test_exit_status_follows_breaking_changes_and_the_major_version(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old = _write(tmp_path / "old.yaml", BASE)
    new = copy.deepcopy(BASE)
    _schemas(new)["Thing"]["properties"].pop("note")
    spec = _write(tmp_path / "new.yaml", new)
    assert breaking.main(["--base-file", str(old), "--spec", str(spec)]) == 1
    assert "breaking changes need a new major version" in capsys.readouterr().err
    new["info"]["version"] = "1.3.0"
    _write(spec, new)
    assert breaking.main(["--base-file", str(old), "--spec", str(spec)]) == 1
    new["info"]["version"] = "2.0.0"
    _write(spec, new)
    assert breaking.main(["--base-file", str(old), "--spec", str(spec)]) == 0
    out = capsys.readouterr().out
    assert "2 breaking, 0 non-breaking change(s)" in out
    assert "info.version 1.2.0 → 2.0.0" in out


def test_additive_changes_exit_0(tmp_path: Path) -> None:
    new = copy.deepcopy(BASE)
    for edit, _ in ADDITIVE_CASES.values():
        edit(new)
    old = _write(tmp_path / "old.yaml", BASE)
    assert (
        breaking.main(["--base-file", str(old), "--spec", str(_write(tmp_path / "n.yaml", new))])
        == 0
    )


def test_base_is_read_from_git(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def git(*args: str) -> None:
        command = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args]
        subprocess.run(command, cwd=tmp_path, check=True, capture_output=True)

    git("init", "-q", "-b", "main")
    _write(tmp_path / "openapi.yaml", BASE)
    git("add", "openapi.yaml")
    git("commit", "-qm", "v1")
    git("checkout", "-qb", "feature")
    new = copy.deepcopy(BASE)
    new["paths"]["/things/{thing_id}"].pop("delete")
    _write(tmp_path / "openapi.yaml", new)
    monkeypatch.chdir(tmp_path)
    assert breaking.main([]) == 1  # default base: the merge base with main
    assert breaking.main(["--base", "HEAD"]) == 1
    git("commit", "-qam", "remove delete")
    assert breaking.main(["--base", "HEAD"]) == 0
    assert breaking.main(["--base", "no-such-ref"]) == 2


def test_protocol_methods_named_as_the_generator_names_them() -> None:
    """Each operation of openapi.yaml maps to a method the generated package really has."""
    for operation in load(ROOT / "openapi.yaml").operations():
        protocol, method = operation.protocol_method.split(".")
        assert callable(getattr(getattr(generated, protocol), method)), operation.label
