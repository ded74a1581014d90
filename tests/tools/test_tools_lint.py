"""`make lint-contract` (scripts/lint_contract.py): our rules, Redocly's, one message format."""

from __future__ import annotations

import json
from pathlib import Path

import lint_contract
import pytest
from contract_doc import load

ROOT = Path(__file__).resolve().parents[2]
BROKEN = Path("tests/tools/contracts/lint_broken.yaml")

OWN_PROBLEMS = [
    f"{BROKEN}:14: inputs-422: GET /things [listThings] takes input but lacks 422",
    f"{BROKEN}:14: secured-401: GET /things [listThings] needs credentials but lacks 401",
    f"{BROKEN}:14: secured-403: GET /things [listThings] needs a scope but lacks 403",
    f"{BROKEN}:23: list-x-total-count: GET /things [listThings] lists records but its 200 lacks"
    " X-Total-Count",
    f"{BROKEN}:32: operation-tags: POST /things [createThing] has no tag",
]
REDOCLY_PROBLEMS = [
    f"{BROKEN}:32: operation-tag-defined: Operation tags should be defined",
    f"{BROKEN}:41: no-invalid-media-type-examples: Example value must conform to the schema:"
    " `id` property type must be integer.",
    f"{BROKEN}:60: operation-operationId: Operation object should contain `operationId` field.",
    f"{BROKEN}:60: operation-summary: Operation object should contain `summary` field.",
    f'{BROKEN}:83: no-unused-components: Component: "Unused" is never used.',
]


@pytest.fixture(autouse=True)
def _at_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


def test_the_contract_keeps_our_rules() -> None:
    assert lint_contract.own_rules(load(Path("openapi.yaml"))) == []


def test_broken_contract_gets_one_located_message_per_broken_rule(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert lint_contract.main(["--spec", str(BROKEN), "--no-redocly"]) == 1
    assert capsys.readouterr().err.splitlines() == OWN_PROBLEMS


def test_scope_less_secured_operation_needs_401_but_not_403() -> None:
    problems = lint_contract.own_rules(load(BROKEN))
    assert not [p for p in problems if "getMe" in p.message]


def test_secured_operation_without_401_is_reported(tmp_path: Path) -> None:
    text = BROKEN.read_text(encoding="utf-8").replace("        '401':\n          description: No"
                                                     " token.\n", "")  # fmt: skip
    spec = tmp_path / "no401.yaml"
    spec.write_text(text, encoding="utf-8")
    messages = [str(p) for p in lint_contract.own_rules(load(spec)) if "getMe" in p.message]
    assert messages == [f"{spec}:48: secured-401: GET /me [getMe] needs credentials but lacks 401"]


def test_redocly_report_is_translated_to_our_format() -> None:
    document = load(BROKEN)
    report = {
        "problems": [
            {
                "ruleId": "no-unused-components",
                "severity": "error",
                "message": 'Component: "Unused" is never used.',
                "location": [{"source": {"ref": str(BROKEN)}, "pointer": "#/components/schemas/"
                              "Unused", "start": {"line": 83, "col": 5}}],
            },
            {
                "ruleId": "operation-summary",
                "severity": "warn",
                "message": "Operation object should contain\n`summary` field.",
                "location": [{"source": {"ref": str(BROKEN)}, "pointer": "#/paths/~1misc/delete"}],
            },
        ]
    }  # fmt: skip
    problems = lint_contract.redocly_problems(document, BROKEN, json.dumps(report))
    assert [str(p) for p in problems] == [
        f'{BROKEN}:83: no-unused-components: Component: "Unused" is never used.',
        f"{BROKEN}:60: operation-summary: (warn) Operation object should contain `summary` field.",
    ]


@pytest.mark.skipif(
    not lint_contract.REDOCLY.exists(),
    reason="Redocly CLI is not installed (issue 11: `make lint-contract` runs `npm ci` first)",
)
def test_redocly_and_our_rules_together(capsys: pytest.CaptureFixture[str]) -> None:
    assert lint_contract.main(["--spec", str(BROKEN)]) == 1
    assert capsys.readouterr().err.splitlines() == sorted(OWN_PROBLEMS + REDOCLY_PROBLEMS)


def test_unparsable_contract_is_one_located_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = tmp_path / "bad.yaml"
    spec.write_text("openapi: 3.1.0\ninfo: [unclosed\n", encoding="utf-8")
    assert lint_contract.main(["--spec", str(spec), "--no-redocly"]) == 1
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1
    assert err[0].startswith(f"{spec}:3: not valid YAML/JSON: ")
