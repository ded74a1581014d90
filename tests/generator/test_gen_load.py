"""Reading the contract (issue 7): JSON as JSON, YAML as YAML 1.2 data, contracts split over
several files, and every problem located at the file and line where it is written.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from contractgen.load import load_contract
from contractgen.validate import validate

from tests.generator.support import (
    PAGERDUTY,
    PUBLIC_SPECS,
    SHARED,
    app_for,
    client,
    generate_package,
    import_package,
    run_cli,
)

MULTIFILE = Path(__file__).parent / "multifile"
REAL_SPECS = SHARED / "specs" / "real"


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _problems(path: Path) -> list[str]:
    return [problem.render(path.name) for problem in validate(load_contract(path))]


# --- JSON is read as JSON --------------------------------------------------------------------

JSON_CONTRACT = r"""{
  "openapi": "3.0.3",
  "info": {"title": "json \ud83d\ude00", "version": "1"},
  "paths": {
    "/things": {
      "get": {
        "operationId": "listThings",
        "description": "emoji as escaped surrogate pairs: \ud83c\udf89",
        "parameters": [
          {"name": "n", "in": "query", "schema": {"type": "number", "maximum": 1e3}}
        ],
        "responses": {"204": {"description": "none"}}
      }
    }
  }
}
"""


def test_json_with_surrogate_pairs_and_exponents_loads_as_json(tmp_path: Path) -> None:
    spec = _write(tmp_path, "api.json", JSON_CONTRACT)
    contract = load_contract(spec)
    assert contract.problems == []
    assert contract.data["info"]["title"] == "json 😀"
    operation = contract.data["paths"]["/things"]["get"]
    assert operation["description"].endswith("🎉")
    maximum = operation["parameters"][0]["schema"]["maximum"]
    assert maximum == 1000.0
    assert isinstance(maximum, float)
    assert validate(contract) == []


async def test_json_exponent_is_enforced_as_a_number(tmp_path: Path) -> None:
    spec = _write(tmp_path, "api.json", JSON_CONTRACT)
    package = generate_package(spec, tmp_path / "pkg")
    assert package.SPEC["info"]["title"] == "json 😀"
    async with client(app_for(package)) as http:
        assert (await http.get("/things", params={"n": "1000"})).status_code == 501
        response = await http.get("/things", params={"n": "1000.5"})
        assert response.status_code == 422, response.text


def test_json_problems_are_located_by_a_lazy_scan(tmp_path: Path) -> None:
    # Keys with escapes, nested arrays, and a duplicate key in JSON (json keeps the last).
    text = """{
  "openapi": "3.0.3",
  "info": {"title": "t", "version": "1"},
  "paths": {
    "/caf\\u00e9/{id}": {
      "get": {
        "parameters": [
          {"name": "id", "in": "path", "required": true, "schema": {"type": "string"}},
          {"name": "q", "in": "query", "required": "maybe"}
        ],
        "responses": {"200": {"description": "ok"}},
        "responses": {"200": {"description": "ok"}}
      }
    }
  }
}
"""
    spec = _write(tmp_path, "api.json", text)
    assert _problems(spec) == [
        "api.json:9: /paths/~1café~1{id}/get/parameters/1/required: "
        "'maybe' is not of type 'boolean'",
        "api.json:12: /paths/~1café~1{id}/get/responses: "
        "duplicate key 'responses' (JSON readers keep only the last)",
    ]


def test_invalid_json_is_one_located_problem(tmp_path: Path) -> None:
    spec = _write(tmp_path, "api.json", '{\n  "openapi": "3.0.3",\n  "info": {,}\n}\n')
    result = run_cli("--spec", spec, "--out", tmp_path / "out")
    assert result.status == 1
    assert result.lines == [
        "api.json:3: /: not valid JSON: Expecting property name enclosed in double quotes"
    ]


# --- YAML is read as YAML 1.2 data ------------------------------------------------------------

YAML_CONTRACT = """\
openapi: 3.0.3
info:
  title: yaml 1.2
  version: 1.0.0
paths:
  /episodes:
    get:
      operationId: listEpisodes
      parameters:
        - name: explicit
          in: query
          schema:
            type: string
            enum: [yes, no, on, off]
        - name: count
          in: query
          schema:
            type: integer
            maximum: 1e3
      responses:
        200:
          description: the episodes
          content:
            application/json:
              schema:
                $ref: "#/components/schemas/Episode"
components:
  schemas:
    Episode:
      type: object
      properties:
        released:
          type: string
          example: 1981-12-15
        at:
          type: string
          format: date-time
          example: 2001-12-14t21:59:43.10-05:00
        stamped:
          type: string
          example: !!timestamp 2002-12-14
"""


def test_yaml_scalars_are_yaml_1_2(tmp_path: Path) -> None:
    contract = load_contract(_write(tmp_path, "api.yaml", YAML_CONTRACT))
    assert contract.problems == []
    operation = contract.data["paths"]["/episodes"]["get"]
    assert operation["parameters"][0]["schema"]["enum"] == ["yes", "no", "on", "off"]
    assert operation["parameters"][1]["schema"]["maximum"] == 1000.0
    assert list(operation["responses"]) == ["200"]
    properties = contract.data["components"]["schemas"]["Episode"]["properties"]
    assert properties["released"]["example"] == "1981-12-15"
    assert properties["at"]["example"] == "2001-12-14t21:59:43.10-05:00"
    assert properties["stamped"]["example"] == "2002-12-14"
    assert contract.data["info"]["version"] == "1.0.0"
    json.dumps(contract.data)  # nothing a JSON document could not hold
    assert validate(contract) == []


async def test_yaml_dates_and_yes_no_reach_the_models_as_strings(tmp_path: Path) -> None:
    package = generate_package(_write(tmp_path, "api.yaml", YAML_CONTRACT), tmp_path / "pkg")
    episode = package.SPEC["components"]["schemas"]["Episode"]
    assert episode["properties"]["released"]["example"] == "1981-12-15"
    async with client(app_for(package)) as http:
        assert (await http.get("/episodes", params={"explicit": "yes"})).status_code == 501
        assert (await http.get("/episodes", params={"explicit": "true"})).status_code == 422
        assert (await http.get("/episodes", params={"count": "1001"})).status_code == 422


def test_yaml_duplicate_keys_are_located(tmp_path: Path) -> None:
    spec = _write(
        tmp_path,
        "api.yaml",
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\n"
        "components:\n  schemas:\n    A: {type: string}\n    A: {type: integer}\n",
    )
    assert _problems(spec) == [
        "api.yaml:7: /components/schemas/A: duplicate key 'A' (YAML keeps only the last)"
    ]


# --- contracts split over several files -------------------------------------------------------


def test_multifile_contract_is_bundled_into_one_document() -> None:
    contract = load_contract(MULTIFILE / "ok" / "openapi.yaml")
    assert validate(contract) == []
    data = contract.data
    refs = _refs(data)
    assert refs, "the bundle keeps its references"
    assert all(ref.startswith("#/") for ref in refs), refs
    # External schemas become components, named after them; a taken name gets a suffix.
    assert list(data["components"]["schemas"]) == [
        "Pet", "Error", "new-pet", "owner", "Error_2", "Contact",
    ]  # fmt: skip
    assert data["components"]["schemas"]["Error_2"]["required"] == ["message"]
    assert data["components"]["schemas"]["Error"]["required"] == ["code"]
    assert data["components"]["parameters"]["Limit"]["schema"]["maximum"] == 100
    # Refs inside a referenced file are relative to that file (schemas/pet.yaml → ./owner.yaml).
    pet = data["components"]["schemas"]["Pet"]
    assert pet["properties"]["owner"] == {"$ref": "#/components/schemas/owner"}
    assert pet["properties"]["born"]["example"] == "2019-04-01"
    # Path items by $ref are inlined where they are referenced.
    assert data["paths"]["/pets/{petId}"]["get"]["operationId"] == "getPet"
    assert sorted(p.name for p in contract.files) == [
        "common.yaml", "new-pet.yaml", "openapi.yaml", "owner.yaml", "pet.yaml", "pet.yaml",
        "pets.yaml",
    ]  # fmt: skip


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        own = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return own + [ref for value in node.values() for ref in _refs(value)]
    if isinstance(node, list):
        return [ref for value in node for ref in _refs(value)]
    return []


async def test_multifile_contract_generates_and_serves(tmp_path: Path) -> None:
    package = generate_package(MULTIFILE / "ok" / "openapi.yaml", tmp_path / "pkg")
    assert all(ref.startswith("#/") for ref in _refs(package.SPEC))
    async with client(app_for(package)) as http:
        assert (await http.get("/pets")).status_code == 501
        response = await http.get("/pets", params={"limit": "101"})  # common.yaml's maximum
        assert response.status_code == 422, response.text
        response = await http.post("/pets", json={"name": ""})  # new-pet.yaml's minLength
        assert response.status_code == 422, response.text
        assert (await http.post("/pets", json={"name": "Rex"})).status_code == 501
        assert (await http.get("/pets/abc")).status_code == 422
        assert (await http.get("/pets/1")).status_code == 501


def test_problems_in_referenced_files_are_reported_where_they_are(tmp_path: Path) -> None:
    result = run_cli("--spec", MULTIFILE / "broken" / "openapi.yaml", "--out", tmp_path / "out")
    assert result.status == 1
    assert result.lines == [
        "paths/pets.yaml:6: /get/parameters/0/required: 'maybe' is not of type 'boolean'",
        "schemas/pet.yaml:8: /properties/age/minimum: 'none' is not of type 'number'",
    ]
    assert not (tmp_path / "out").exists()


def test_a_missing_file_is_a_located_problem(tmp_path: Path) -> None:
    spec = _write(
        tmp_path,
        "api.yaml",
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /pets:\n"
        "    $ref: paths/pets.yaml\n",
    )
    _write(
        tmp_path,
        "paths/pets.yaml",
        "get:\n  responses:\n    '200':\n      description: ok\n      content:\n"
        "        application/json:\n          schema:\n            $ref: ../pet.yaml\n",
    )
    result = run_cli("--spec", spec, "--out", tmp_path / "out")
    assert result.status == 1
    assert result.lines == [
        "paths/pets.yaml:8: /get/responses/200/content/application~1json/schema/$ref: "
        "cannot read '../pet.yaml' (pet.yaml): no such file",
    ]
    assert not (tmp_path / "out").exists()


def test_a_dangling_pointer_into_another_file_is_a_located_problem(tmp_path: Path) -> None:
    spec = _write(
        tmp_path,
        "api.yaml",
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\ncomponents:\n  schemas:\n"
        "    Pet:\n      $ref: 'common.yaml#/components/schemas/Nope'\n",
    )
    _write(tmp_path, "common.yaml", "components:\n  schemas:\n    Pet: {type: object}\n")
    assert _problems(spec) == [
        "api.yaml:7: /components/schemas/Pet/$ref: "
        "unresolvable $ref 'common.yaml#/components/schemas/Nope'",
    ]


def test_a_remote_ref_is_a_located_problem(tmp_path: Path) -> None:
    spec = _write(
        tmp_path,
        "api.yaml",
        "openapi: 3.1.0\ninfo: {title: t, version: '1'}\ncomponents:\n  schemas:\n    Pet:\n"
        "      $ref: https://example.test/schemas/pet.json\n",
    )
    result = run_cli("--spec", spec, "--out", tmp_path / "out")
    assert result.status == 1
    assert result.lines == [
        "api.yaml:6: /components/schemas/Pet/$ref: remote $ref "
        "'https://example.test/schemas/pet.json' is not supported: save the file beside the "
        "contract and refer to it by a relative path",
    ]


def test_a_dangling_local_ref_does_not_print_the_document(tmp_path: Path) -> None:
    spec = _write(
        tmp_path,
        "api.yaml",
        "openapi: 3.1.0\ninfo: {title: t, version: '1'}\ncomponents:\n  schemas:\n    Pet:\n"
        "      properties:\n        owner:\n          $ref: '#/components/schemas/Owner'\n",
    )
    assert _problems(spec) == [
        "api.yaml:8: /components/schemas/Pet/properties/owner/$ref: "
        "unresolvable $ref '#/components/schemas/Owner'",
    ]


# --- OpenAPI 3.1: schema problems located, defaults a recommendation ---------------------------


def test_31_schema_problems_are_absolute_and_located(tmp_path: Path) -> None:
    spec = _write(
        tmp_path,
        "api.yaml",
        """\
openapi: 3.1.0
info: {title: t, version: "1"}
paths:
  /pets:
    get:
      parameters:
        - name: q
          in: query
          schema:
            type: [string, "null"]
            pattern: "(("
      responses:
        "200": {description: ok}
components:
  schemas:
    Pet:
      type: object
      properties:
        age:
          type: integer
          minimum: none
""",
    )
    assert _problems(spec) == [
        "api.yaml:11: /paths/~1pets/get/parameters/0/schema/pattern: '((' is not a 'regex'",
        "api.yaml:21: /components/schemas/Pet/properties/age/minimum: "
        "'none' is not of type 'number'",
    ]


DEFAULT_CONTRACT = """\
openapi: {version}
info: {{title: t, version: "1"}}
paths:
  /pets:
    get:
      operationId: listPets
      parameters:
        - name: limit
          in: query
          schema:
            type: integer
            default: 20 - most
      responses:
        "204": {{description: none}}
"""
DEFAULT_PROBLEM = (
    "api.yaml:12: /paths/~1pets/get/parameters/0/schema/default: {kind}"
    "default does not match the schema: '20 - most' is not of type 'integer'"
)


def test_31_default_outside_its_schema_is_a_warning(tmp_path: Path) -> None:
    spec = _write(tmp_path, "api.yaml", DEFAULT_CONTRACT.format(version="3.1.0"))
    result = run_cli("--spec", spec, "--out", tmp_path / "out")
    assert result.status == 0, result.stderr
    assert result.lines == [DEFAULT_PROBLEM.format(kind="warning: ")]
    assert (tmp_path / "out" / "__init__.py").exists()
    assert import_package(tmp_path / "out").SPEC["openapi"] == "3.1.0"


def test_30_default_outside_its_schema_stays_an_error(tmp_path: Path) -> None:
    spec = _write(tmp_path, "api.yaml", DEFAULT_CONTRACT.format(version="3.0.3"))
    result = run_cli("--spec", spec, "--out", tmp_path / "out")
    assert result.status == 1
    assert result.lines == [DEFAULT_PROBLEM.format(kind="")]
    assert not (tmp_path / "out").exists()


# --- every contract under ../shared/specs loads and validates ---------------------------------


def _corpus() -> list[Path]:
    if not SHARED.exists():
        return []
    return sorted(
        [*PUBLIC_SPECS.glob("*.yaml"), *REAL_SPECS.glob("*.json"), *REAL_SPECS.glob("*.yml")]
    )


def _plain(node: Any) -> None:
    """Only what JSON holds: no dates, no bytes, keys as text."""
    if isinstance(node, dict):
        assert all(isinstance(key, str) for key in node), list(node)
        for value in node.values():
            _plain(value)
    elif isinstance(node, list):
        for value in node:
            _plain(value)
    else:
        assert node is None or isinstance(node, str | int | float | bool), repr(node)


# Python-name collisions (Twilio's StartTime, StartTime<, StartTime>) are the generator's to
# disambiguate (issue 7, "Names"); this test is about reading and validating the contract.
_NAMING = "both become the Python name"


@pytest.mark.skipif(not SHARED.exists(), reason="needs ../shared (issue 7)")
@pytest.mark.parametrize("spec", _corpus(), ids=lambda p: p.name)
def test_every_shared_contract_loads_and_validates(spec: Path, tmp_path: Path) -> None:
    if spec == PAGERDUTY:  # its one invalid default, corrected (see test_gen_pagerduty.py)
        data = json.loads(PAGERDUTY.read_text(encoding="utf-8"))
        data["components"]["parameters"]["sre_memories_limit"]["schema"]["default"] = 20
        spec = _write(tmp_path, PAGERDUTY.name, json.dumps(data, indent=2))
    contract = load_contract(spec)
    _plain(contract.data)
    problems = [p.render(spec.name) for p in validate(contract) if _NAMING not in p.message]
    assert problems == []


@pytest.mark.skipif(not SHARED.exists(), reason="needs ../shared (issue 7)")
def test_spotify_dates_and_twilio_emoji_are_read_as_text(tmp_path: Path) -> None:
    spotify = load_contract(REAL_SPECS / "spotify-fixed-open-api.yml")
    assert '"example": "1981-12-15"' in json.dumps(spotify.data)
    twilio = load_contract(REAL_SPECS / "twilio_api_v2010.json")
    assert twilio.parsed, twilio.problems
    # JSON under a YAML name: YAML refuses its surrogate pairs, so it is read as JSON.
    renamed = tmp_path / "twilio.yaml"
    shutil.copy(REAL_SPECS / "twilio_api_v2010.json", renamed)
    assert load_contract(renamed).data == twilio.data


def test_recursive_schemas_across_files_and_discriminator_mappings(tmp_path: Path) -> None:
    spec = _write(
        tmp_path,
        "api/openapi.yaml",
        """\
openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /pets:
    get:
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema:
                $ref: ../models/pet.yaml
components:
  schemas:
    Base:
      type: object
      properties:
        kind: {type: string}
""",
    )
    _write(
        tmp_path,
        "models/pet.yaml",
        "oneOf:\n  - $ref: ./cat.json\n  - $ref: dog.yaml\ndiscriminator:\n  propertyName: kind\n"
        "  mapping:\n    cat: ./cat.json\n    dog: dog.yaml#\n",
    )
    _write(
        tmp_path,
        "models/cat.json",
        '{"allOf": [{"$ref": "../api/openapi.yaml#/components/schemas/Base"},'
        ' {"properties": {"friend": {"$ref": "pet.yaml"}}}]}',
    )
    _write(
        tmp_path,
        "models/dog.yaml",
        "allOf:\n  - $ref: ../api/openapi.yaml#/components/schemas/Base\n"
        "  - properties:\n      chases:\n        $ref: ./cat.json\n",
    )
    contract = load_contract(spec)
    assert validate(contract) == []
    schemas = contract.data["components"]["schemas"]
    assert list(schemas) == ["Base", "pet", "cat", "dog"]
    assert schemas["pet"]["discriminator"]["mapping"] == {
        "cat": "#/components/schemas/cat",
        "dog": "#/components/schemas/dog",
    }
    assert schemas["cat"]["allOf"][0] == {"$ref": "#/components/schemas/Base"}  # back to root
    assert schemas["cat"]["allOf"][1]["properties"]["friend"] == {
        "$ref": "#/components/schemas/pet"
    }


def test_a_circular_chain_of_references_is_a_located_problem(tmp_path: Path) -> None:
    spec = _write(
        tmp_path,
        "api.yaml",
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /loop:\n"
        "    $ref: paths/a.yaml\n",
    )
    _write(tmp_path, "paths/a.yaml", "$ref: ./b.yaml\n")
    _write(tmp_path, "paths/b.yaml", "\n$ref: ./a.yaml\n")
    assert _problems(spec) == ["paths/b.yaml:2: /$ref: circular $ref './a.yaml'"]


def test_refs_are_checked_in_the_description_not_in_example_data(tmp_path: Path) -> None:
    spec = _write(
        tmp_path,
        "api.yaml",
        """\
openapi: 3.0.3
info: {title: t, version: "1"}
paths: {}
components:
  schemas:
    Pet:
      type: object
      properties:
        exampleId:
          $ref: "#/components/schemas/Nope"
      example:
        exampleId: {$ref: "#/not/a/reference"}
  examples:
    pet:
      value: {$ref: "#/not/a/reference/either"}
""",
    )
    assert _problems(spec) == [
        "api.yaml:10: /components/schemas/Pet/properties/exampleId/$ref: "
        "unresolvable $ref '#/components/schemas/Nope'",
    ]


def test_a_contract_that_is_not_utf8_is_one_located_problem(tmp_path: Path) -> None:
    spec = tmp_path / "api.yaml"
    spec.write_bytes(b"openapi: 3.0.3\ninfo: {title: \xff}\n")
    result = run_cli("--spec", spec, "--out", tmp_path / "out")
    assert result.status == 1
    assert result.lines == [
        "api.yaml:1: /: cannot read the contract: not UTF-8 text (invalid start byte)"
    ]
