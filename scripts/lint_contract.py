#!/usr/bin/env python3
"""Lint the contract: Redocly CLI's rules (redocly.yaml) plus the project's own rules below.

    python scripts/lint_contract.py [--spec openapi.yaml] [--no-redocly]

Every problem is printed as ``FILE:LINE: rule: message``; the exit status is 1 when there is
any, 0 otherwise. Redocly (pinned in package.json; `make lint-contract` installs it) owns
operationId, summary, declared tags, examples against their schemas and unused components;
the rules it lacks are written here:

- ``operation-tags``: every operation has a tag (the generator files it under ``<Tag>Api``).
- ``secured-401``: an operation that needs credentials documents 401.
- ``secured-403``: an operation that needs a scope documents 403. An operation whose every
  security requirement names no scope (``getCurrentUser``: any valid token) cannot answer 403,
  and documenting it would make the fuzz run's coverage report demand a 403 nobody can cause;
  this is the rule's one documented exception to "every secured operation documents 401 and 403".
- ``inputs-422``: an operation with parameters or a request body documents 422.
- ``list-x-total-count``: a GET whose success body is an array documents ``X-Total-Count``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from contract_doc import ContractError, Document, Operation, load, pointer

ROOT = Path(__file__).resolve().parents[1]
REDOCLY = ROOT / "node_modules" / ".bin" / "redocly"
REDOCLY_CONFIG = ROOT / "redocly.yaml"


@dataclass(frozen=True, order=True)
class Problem:
    file: str
    line: int
    rule: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.rule}: {self.message}"


def _statuses(operation: Operation) -> set[str]:
    responses = operation.data.get("responses")
    return {str(status) for status in responses} if isinstance(responses, dict) else set()


def _security(document: Document, operation: Operation) -> list[dict[str, Any]]:
    requirements = operation.data.get("security", document.data.get("security", []))
    if not isinstance(requirements, list):
        return []
    return [r if isinstance(r, dict) else {} for r in requirements]


def _has_inputs(operation: Operation) -> bool:
    parameters = operation.data.get("parameters")
    return bool(operation.path_parameters or parameters or "requestBody" in operation.data)


def _is_list(document: Document, operation: Operation, status: str, response: Any) -> bool:
    if operation.method != "get" or not status.startswith("2"):
        return False
    response = document.resolve(response)
    content = response.get("content") if isinstance(response, dict) else None
    if not isinstance(content, dict):
        return False
    for media in content.values():
        schema = document.resolve(media.get("schema")) if isinstance(media, dict) else None
        if isinstance(schema, dict) and (
            schema.get("type") == "array"
            or (isinstance(schema.get("type"), list) and "array" in schema["type"])
        ):
            return True
    return False


def _headers(document: Document, response: Any) -> set[str]:
    response = document.resolve(response)
    headers = response.get("headers") if isinstance(response, dict) else None
    return {str(name).lower() for name in headers} if isinstance(headers, dict) else set()


def own_rules(document: Document) -> list[Problem]:
    """The project's rules that Redocly lacks, each located at the operation (or response)."""
    problems: list[Problem] = []

    def report(where: str, rule: str, message: str) -> None:
        problems.append(Problem(document.name, document.line_of(where), rule, message))

    for operation in document.operations():
        where = operation.pointer
        statuses = _statuses(operation)
        tags = operation.data.get("tags")
        if not (isinstance(tags, list) and tags):
            report(where, "operation-tags", f"{operation.label} has no tag")
        requirements = _security(document, operation)
        secured = bool(requirements) and all(requirements)
        if secured and "401" not in statuses:
            report(where, "secured-401", f"{operation.label} needs credentials but lacks 401")
        needs_scope = secured and all(any(scopes for scopes in r.values()) for r in requirements)
        if needs_scope and "403" not in statuses:
            report(where, "secured-403", f"{operation.label} needs a scope but lacks 403")
        if _has_inputs(operation) and "422" not in statuses:
            report(where, "inputs-422", f"{operation.label} takes input but lacks 422")
        responses = operation.data.get("responses")
        for status, response in responses.items() if isinstance(responses, dict) else []:
            is_list = _is_list(document, operation, str(status), response)
            if is_list and "x-total-count" not in _headers(document, response):
                report(
                    pointer("paths", operation.path, operation.method, "responses", str(status)),
                    "list-x-total-count",
                    f"{operation.label} lists records but its {status} lacks X-Total-Count",
                )
    return problems


def redocly_problems(document: Document, spec: Path, output: str) -> list[Problem]:
    """Redocly's ``--format=json`` report as problems (its lines are 1-based, like ours)."""
    report = json.loads(output)
    problems: list[Problem] = []
    for problem in report.get("problems", []):
        locations = problem.get("location") or [{}]
        location = locations[0]
        ref = location.get("source", {}).get("ref")
        same = ref is None or Path(ref).resolve() == spec.resolve()
        line = location.get("start", {}).get("line")
        if not isinstance(line, int):
            line = document.line_of(str(location.get("pointer", "#"))[1:]) if same else 1
        message = str(problem.get("message", "")).replace("\n", " ")
        if problem.get("severity") != "error":
            message = f"({problem.get('severity')}) {message}"
        name = document.name if same else str(ref)
        problems.append(Problem(name, line, str(problem.get("ruleId", "redocly")), message))
    return problems


def run_redocly(document: Document, spec: Path) -> tuple[list[Problem], bool]:
    """Redocly's problems, and whether any of them is an error."""
    if not REDOCLY.exists():
        raise SystemExit(f"{REDOCLY} is missing: run `npm ci` (make lint-contract does)")
    env = {**os.environ, "REDOCLY_TELEMETRY": "off", "REDOCLY_SUPPRESS_UPDATE_NOTICE": "true"}
    command = [str(REDOCLY), "lint", str(spec), "--config", str(REDOCLY_CONFIG), "--format=json"]
    result = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    try:
        problems = redocly_problems(document, spec, result.stdout)
    except json.JSONDecodeError:
        raise SystemExit(f"redocly lint failed:\n{result.stdout}\n{result.stderr}") from None
    return problems, result.returncode != 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--spec", type=Path, default=Path("openapi.yaml"), help="the contract")
    parser.add_argument(
        "--no-redocly", action="store_true", help="only the project's own rules (no Node needed)"
    )
    args = parser.parse_args(argv)
    try:
        document = load(args.spec)
    except ContractError as exc:
        print(exc, file=sys.stderr)
        return 1
    problems = own_rules(document)
    failed = bool(problems)
    if not args.no_redocly:
        found, redocly_failed = run_redocly(document, args.spec)
        problems += found
        failed = failed or redocly_failed
    for problem in sorted(problems):
        print(problem, file=sys.stderr)
    if failed:
        return 1
    print(f"{args.spec}: no problems")
    return 0


if __name__ == "__main__":
    sys.exit(main())
