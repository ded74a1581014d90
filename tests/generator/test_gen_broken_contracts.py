"""Deliberately broken contracts: the exact problems they must produce, and nothing written.

Every problem is one line, ``FILE:LINE: /json/pointer: message``, LINE being the line of the
offending node (for a mapping entry, its key's line).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.generator.support import REPO, run_cli

BROKEN = Path(__file__).parent / "broken"

EXPECTED: dict[str, list[str]] = {
    "missing_responses.yaml": [
        "missing_responses.yaml:7: /paths/~1pets/get: 'responses' is a required property",
    ],
    "wrong_type.yaml": [
        "wrong_type.yaml:12: /paths/~1pets/get/parameters/0/required: "
        "'maybe' is not of type 'boolean'",
    ],
    "duplicate_operation_id.yaml": [
        "duplicate_operation_id.yaml:14: /paths/~1cats/get/operationId: "
        "duplicate operationId 'listPets' (also at /paths/~1pets/get)",
    ],
    "undeclared_path_parameter.yaml": [
        "undeclared_path_parameter.yaml:7: /paths/~1pets~1{petId}/get: "
        "path parameter {petId} in '/pets/{petId}' is not declared",
    ],
    "path_parameter_not_in_template.yaml": [
        "path_parameter_not_in_template.yaml:10: /paths/~1pets/get/parameters/0/name: "
        "path parameter 'petId' does not appear in '/pets'",
    ],
    "unresolvable_ref.yaml": [
        "unresolvable_ref.yaml:10: /paths/~1pets/get/parameters/0/$ref: "
        "unresolvable $ref '#/components/parameters/Limit'",
    ],
    "unresolvable_ref_in_schema.yaml": [
        "unresolvable_ref_in_schema.yaml:22: /components/schemas/Pet/properties/owner/$ref: "
        "unresolvable $ref '#/components/schemas/Owner'",
    ],
    "bad_default.yaml": [
        "bad_default.yaml:15: /paths/~1pets/get/parameters/0/schema/default: "
        "default does not match the schema: '20 - most' is not of type 'integer'",
    ],
    "duplicate_keys.yaml": [
        "duplicate_keys.yaml:12: /paths/~1pets/get: duplicate key 'get' (YAML keeps only the last)",
    ],
    "invalid_yaml.yaml": [
        "invalid_yaml.yaml:9: /: not valid YAML/JSON: did not find expected ',' or ']'",
    ],
    "several_problems.yaml": [
        "several_problems.yaml:7: /paths/~1pets~1{petId}/get: "
        "path parameter {petId} in '/pets/{petId}' is not declared",
        "several_problems.yaml:14: /paths/~1cats/get/operationId: "
        "duplicate operationId 'getPet' (also at /paths/~1pets~1{petId}/get)",
        # 3.1: a default outside its schema is a warning (SHOULD), printed with the errors
        "several_problems.yaml:20: /paths/~1cats/get/parameters/0/schema/default: "
        "warning: default does not match the schema: 'ten' is not of type 'integer'",
    ],
}


def test_every_broken_contract_has_its_expectation() -> None:
    assert sorted(p.name for p in BROKEN.glob("*.yaml")) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_broken_contract_reports_exactly_its_problems(name: str, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run_cli("--spec", BROKEN / name, "--out", out)
    assert result.status == 1
    assert result.lines == EXPECTED[name]
    assert result.stdout == ""
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []  # no staging directory left behind either


@pytest.mark.parametrize("name", sorted(set(EXPECTED) - {"invalid_yaml.yaml"}))
def test_reported_line_is_the_line_of_the_node(name: str) -> None:
    """The LINE of each problem is where its pointer's node (key) is written."""
    text = (BROKEN / name).read_text(encoding="utf-8")
    node = yaml.compose(text, Loader=yaml.SafeLoader)
    for line in EXPECTED[name]:
        _, number, pointer, _ = line.split(":", 3)
        tokens = [t.replace("~1", "/").replace("~0", "~") for t in pointer.strip().split("/")[1:]]
        current, key_line = node, 1
        for token in tokens:
            if isinstance(current, yaml.MappingNode):
                matches = [(k, v) for k, v in current.value if k.value == token]
                key, current = matches[-1]  # a duplicate key: the repetition
                key_line = key.start_mark.line + 1
            else:
                assert isinstance(current, yaml.SequenceNode)
                current = current.value[int(token)]
                key_line = current.start_mark.line + 1
        assert int(number) == key_line, line


def test_existing_output_is_left_untouched(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.py").write_text("# mine\n", encoding="utf-8")
    result = run_cli("--spec", BROKEN / "duplicate_operation_id.yaml", "--out", out)
    assert result.status == 1
    assert [p.name for p in tmp_path.iterdir()] == ["out"]
    assert [p.name for p in out.iterdir()] == ["keep.py"]
    assert (out / "keep.py").read_text(encoding="utf-8") == "# mine\n"


def test_the_command_line_itself_exits_1_with_the_problems(tmp_path: Path) -> None:
    completed = subprocess.run(
        [
            sys.executable,
            str(REPO / "scripts" / "generate.py"),
            "--spec",
            str(BROKEN / "several_problems.yaml"),
            "--out",
            str(tmp_path / "out"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 1
    assert completed.stderr.splitlines() == EXPECTED["several_problems.yaml"]
    assert not (tmp_path / "out").exists()


GOOD = """\
openapi: 3.0.3
info: {title: fine, version: "1"}
paths:
  /pets:
    get:
      operationId: listPets
      responses:
        "200":
          description: ok
"""


def test_check_names_the_stale_file_and_passes_when_fresh(tmp_path: Path) -> None:
    spec = tmp_path / "api.yaml"
    spec.write_text(GOOD, encoding="utf-8")
    out = tmp_path / "gen"
    assert run_cli("--spec", spec, "--out", out).status == 0
    fresh = run_cli("--spec", spec, "--out", out, "--check")
    assert (fresh.status, fresh.lines) == (0, [])

    spec.write_text(GOOD.replace("listPets", "listAllPets"), encoding="utf-8")
    stale = run_cli("--spec", spec, "--out", out, "--check")
    assert stale.status == 1
    assert f"differs: {out / 'api.py'}" in stale.lines
    assert f"differs: {out / 'routes.py'}" in stale.lines
    assert stale.lines[-1] == f"{out} is stale: run `make generate`"

    (out / "api.py").unlink()
    (out / "extra.py").write_text("", encoding="utf-8")
    stale = run_cli("--spec", spec, "--out", out, "--check")
    assert stale.status == 1
    assert f"missing: {out / 'api.py'}" in stale.lines
    assert f"unexpected: {out / 'extra.py'}" in stale.lines


def test_check_on_a_broken_contract_reports_its_problems(tmp_path: Path) -> None:
    result = run_cli("--spec", BROKEN / "bad_default.yaml", "--out", tmp_path / "gen", "--check")
    assert result.status == 1
    assert result.lines == EXPECTED["bad_default.yaml"]
