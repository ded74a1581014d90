"""Every contract a designer really brings (issue 7): ../shared/specs/real and .../public.

Each contract is generated once into a temporary directory, imported under a unique name and
served with ``create_router(None, allow_missing=True)``. Then, for EVERY operation:

* a request the contract accepts (with credentials where the operation is secured) answers
  501: routed under the contract's own path template, parsed and validated, not implemented;
* a request with one input made invalid answers 422, and the error's ``loc`` names the input
  exactly as the contract does (``["query", "StartTime<"]``, ``["path", "petId"]``);
* the generated package passes ``mypy --strict``.

PagerDuty is used with its one invalid default corrected (as published it must be refused:
tests/generator/test_gen_pagerduty.py). These tests are marked ``corpus``: they are the slowest of
the suite, so .ci/run runs them once (with the SQLite pass) rather than on every database.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

from tests.generator.support import (
    IGNORED_HEADERS,
    PUBLIC_SPECS,
    REPO,
    SHARED,
    ContractOperation,
    Request,
    app_for,
    client,
    contract_operations,
    credentials_for,
    deref,
    import_package,
    run_cli,
    valid_request,
)

REAL_SPECS = SHARED / "specs" / "real"

if not REAL_SPECS.is_dir():
    pytest.skip("needs ../shared/specs (issue 7)", allow_module_level=True)

pytestmark = pytest.mark.corpus

CONTRACTS = sorted(
    [p for p in REAL_SPECS.iterdir() if p.suffix in (".json", ".yml", ".yaml")]
    + sorted(PUBLIC_SPECS.glob("*.yaml")),
    key=lambda p: p.name,
)


@dataclass
class Generated:
    spec: Path
    out: Path
    data: dict[str, Any]
    package: ModuleType


_CACHE: dict[str, Generated] = {}


def _corrected_pagerduty(tmp: Path, spec: Path) -> Path:
    data = json.loads(spec.read_text(encoding="utf-8"))
    data["components"]["parameters"]["sre_memories_limit"]["schema"]["default"] = 20
    corrected = tmp / spec.name
    corrected.write_text(json.dumps(data, indent=1), encoding="utf-8")
    return corrected


def _read(spec: Path) -> dict[str, Any]:
    """The contract as data, read independently of the generator's loader."""
    if spec.suffix == ".json":
        data = json.loads(spec.read_text(encoding="utf-8"))
    else:

        class _Loader(yaml.SafeLoader):
            pass

        # YAML 1.2 reading: timestamps stay text, as the generator reads them.
        _Loader.yaml_implicit_resolvers = {
            key: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
            for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
        }
        data = yaml.load(spec.read_text(encoding="utf-8"), Loader=_Loader)  # noqa: S506
    assert isinstance(data, dict)
    return data


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Any:
    root = tmp_path_factory.mktemp("corpus")

    def get(name: str) -> Generated:
        if name not in _CACHE:
            spec = next(p for p in CONTRACTS if p.name == name)
            if spec.name.startswith("pagerduty"):
                spec = _corrected_pagerduty(root, spec)
            out = root / ("pkg_" + "".join(c if c.isalnum() else "_" for c in spec.stem))
            result = run_cli("--spec", spec, "--out", out)
            assert result.status == 0, result.stderr[-4000:]
            _CACHE[name] = Generated(spec, out, _read(spec), import_package(out))
        return _CACHE[name]

    return get


def test_the_corpus_is_there() -> None:
    names = {p.name for p in CONTRACTS}
    assert {
        "box-openapi-v2025.0.json",
        "discord-openapi.json",
        "pagerduty-openapiv3.json",
        "spotify-fixed-open-api.yml",
        "twilio_api_v2010.json",
        "petstore.yaml",
    } <= names


# --- requests -----------------------------------------------------------------------------------


def _authorize(data: dict[str, Any], operation: ContractOperation, request: Request) -> None:
    """Credentials for the first requirement that names only schemes a request can carry."""
    for requirement in operation.security:
        if not requirement:
            return
        schemes = (data.get("components") or {}).get("securitySchemes") or {}
        kinds = [deref(data, schemes.get(name, {})).get("type") for name in requirement]
        if "mutualTLS" in kinds:
            continue
        for name in requirement:
            credentials_for(data, name, request)
        return


def _breakable(data: dict[str, Any], parameter: dict[str, Any]) -> str | None:
    """A text value that the parameter's schema refuses, when there is an obvious one."""
    schema = deref(data, parameter.get("schema") or {})
    if not isinstance(schema, dict) or parameter.get("content"):
        return None
    kind = schema.get("type")
    if isinstance(kind, list):
        kinds = [k for k in kind if k != "null"]
        kind = kinds[0] if len(kinds) == 1 else None
    if kind in ("integer", "number"):
        return "not-a-number"
    if kind == "boolean":
        return "not-a-boolean"
    if kind == "string" and isinstance(schema.get("enum"), list) and schema["enum"]:
        return "not-in-the-enum-" + "z" * 8
    return None


def _broken(data: dict[str, Any], operation: ContractOperation) -> tuple[Request, list[str]] | None:
    """A request with one parameter made invalid, and the ``loc`` the 422 must name."""
    for parameter in operation.parameters:
        name, location = parameter["name"], parameter["in"]
        if location == "header" and name.lower() in IGNORED_HEADERS:
            continue
        request = valid_request(data, operation)
        _authorize(data, operation, request)
        if parameter.get("required") and location == "query":
            request.params = [(k, v) for k, v in request.params if k != name]
            return request, [location, name]
        if parameter.get("required") and location == "header":
            request.headers.pop(name, None)
            return request, [location, name]
        bad = _breakable(data, parameter)
        if bad is None:
            continue
        if location == "query":
            request.params = [(k, v) for k, v in request.params if k != name] + [(name, bad)]
            return request, [location, name]
        if location == "header":
            request.headers[name] = bad
            return request, [location, name]
        if location == "path":
            segments = operation.path.split("/")
            values = request.url.split("/")
            if len(segments) == len(values) and "{" + name + "}" in segments:
                values[segments.index("{" + name + "}")] = bad
                request.url = "/".join(values)
                return request, [location, name]
    return None


@pytest.mark.parametrize("name", [p.name for p in CONTRACTS])
async def test_every_operation_answers_501_valid_and_422_invalid(name: str, generated: Any) -> None:
    contract: Generated = generated(name)
    data = contract.data
    operations = contract_operations(data)
    if not operations:  # webhooks only: nothing is served
        assert data.get("webhooks"), name
        assert not [r for r in app_for(contract.package).routes if hasattr(r, "endpoint")][4:]
        return
    failures: list[str] = []
    located = 0
    async with client(app_for(contract.package)) as http:
        for operation in operations:
            where = f"{operation.method.upper()} {operation.path}"
            request = valid_request(data, operation)
            _authorize(data, operation, request)
            response = await request.send(http)
            if response.status_code != 501:
                failures.append(f"{where}: valid → {response.status_code} {response.text[:300]}")
            broken = _broken(data, operation)
            if broken is None:
                continue
            bad, loc = broken
            response = await bad.send(http)
            if response.status_code != 422:
                failures.append(f"{where}: {loc} invalid → {response.status_code}")
                continue
            locs = [list(error.get("loc", [])) for error in response.json()["detail"]]
            if loc not in locs:
                failures.append(f"{where}: 422 names {locs}, not {loc}")
            located += 1
    assert not failures, f"{len(failures)} of {len(operations)} operations:\n" + "\n".join(
        failures[:40]
    )
    if len(operations) > 30:  # the real contracts: the breaker above is not vacuous on them
        assert located >= 10, located


@pytest.mark.parametrize("name", [p.name for p in CONTRACTS])
def test_the_package_passes_mypy_strict(name: str, generated: Any) -> None:
    contract: Generated = generated(name)
    cache = contract.out.parent / f".mypy-{contract.out.name}"
    config = str(REPO / "pyproject.toml")
    command = [sys.executable, "-m", "mypy", "--strict", "--config-file", config]
    command += ["--cache-dir", str(cache), "--no-error-summary", contract.out.name]
    completed = subprocess.run(
        command,
        cwd=contract.out.parent,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "MYPYPATH": ""},
    )
    errors = completed.stdout.splitlines()
    assert completed.returncode == 0, f"{len(errors)} mypy errors:\n" + "\n".join(errors[:40])
