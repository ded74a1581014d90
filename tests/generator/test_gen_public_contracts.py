"""Fidelity on every contract in ../shared/specs/public (issues 2 and 7).

Each contract is generated into a temporary directory, imported under a unique name and mounted
with ``create_router(None, allow_missing=True)``. Its route table must then match the contract
operation by operation, exactly: path templates verbatim, every parameter under its contract
name (header parameters ``Accept``, ``Content-Type`` and ``Authorization`` excepted: OpenAPI
says to ignore them), the body's media types and the declared statuses, nothing invented. The
behaviour is proven over HTTP: 422 for an invalid request, 501 for a valid one.
"""

from __future__ import annotations

import difflib
import os
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tests.generator.support import (
    PUBLIC_SPECS,
    SHARED,
    app_for,
    client,
    contract_operations,
    contract_parameters,
    credentials_for,
    deref,
    import_package,
    invalid_request,
    load_document,
    route_table,
    run_cli,
    valid_request,
)

if not (SHARED / "specs").is_dir():
    pytest.skip("needs ../shared (issues 2 and 7)", allow_module_level=True)

SPECS = sorted(PUBLIC_SPECS.glob("*.yaml"))
Generated = tuple[Path, dict[str, Any], ModuleType]


@pytest.fixture(scope="module")
def packages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Generated]:
    """Every public contract, generated once: name -> (out dir, contract, package)."""
    root = tmp_path_factory.mktemp("public")
    result = {}
    for spec in SPECS:
        out = root / spec.stem.replace("-", "_").replace(".", "_")
        cli = run_cli("--spec", spec, "--out", out)
        assert cli.status == 0, cli.stderr
        result[spec.name] = (out, load_document(spec), import_package(out))
    return result


def test_the_corpus_is_there() -> None:
    assert len(SPECS) == 8


@pytest.mark.parametrize("spec", [s.name for s in SPECS])
def test_route_table_matches_the_contract(spec: str, packages: dict[str, Generated]) -> None:
    """Every operation is routed at its path template verbatim, reads exactly the contract's
    parameters under their names, takes its declared body media types and declares exactly
    its statuses (no invented 200 or 422)."""
    _, data, package = packages[spec]
    served = route_table(package)
    operations = contract_operations(data)
    assert {(o.method, o.path) for o in operations} == set(served)
    for operation in operations:
        where = f"{operation.method.upper()} {operation.path}"
        route = served[(operation.method, operation.path)]
        every, required = contract_parameters(operation)
        assert route.parameters == every, where
        assert route.required == required, where
        body = deref(data, operation.operation.get("requestBody"))
        expected_media = {m.lower() for m in (body or {}).get("content") or {}}
        assert route.media_types == expected_media, where
        responses = operation.operation.get("responses") or {}
        declared = {str(s).upper() if s != "default" else s for s in responses}
        assert route.statuses == declared, where


def test_webhooks_and_callbacks_are_not_routes(packages: dict[str, Generated]) -> None:
    _, _, webhooks = packages["webhook-example-3.1.yaml"]
    assert route_table(webhooks) == {}
    _, _, callbacks = packages["callback-example.yaml"]
    assert set(route_table(callbacks)) == {("post", "/streams")}


@pytest.mark.parametrize("spec", [s.name for s in SPECS])
async def test_invalid_requests_get_422_and_valid_ones_501(
    spec: str, packages: dict[str, Generated]
) -> None:
    _, data, package = packages[spec]
    checked_invalid = 0
    async with client(app_for(package)) as http:
        for operation in contract_operations(data):
            where = f"{operation.method.upper()} {operation.path}"
            secured = [r for r in operation.security if r]
            anonymous = not secured or any(not r for r in operation.security)
            request = valid_request(data, operation)
            if secured and not anonymous:
                response = await request.send(http)
                assert response.status_code == 401, (where, response.text)
                assert response.headers["www-authenticate"]
                for scheme in secured[0]:
                    credentials_for(data, scheme, request)
            response = await request.send(http)
            assert response.status_code == 501, (where, response.text)
            bad = invalid_request(data, operation)
            if bad is None:
                continue
            if secured and not anonymous:
                for scheme in secured[0]:
                    credentials_for(data, scheme, bad)
            response = await bad.send(http)
            assert response.status_code == 422, (where, response.text)
            checked_invalid += 1
    constrained = [o for o in contract_operations(data) if invalid_request(data, o) is not None]
    assert checked_invalid == len(constrained)


@pytest.mark.parametrize("spec", [s.name for s in SPECS])
def test_regeneration_is_byte_identical(
    spec: str, packages: dict[str, Generated], tmp_path: Path
) -> None:
    out, _, _ = packages[spec]
    again = tmp_path / "again"
    assert run_cli("--spec", PUBLIC_SPECS / spec, "--out", again).status == 0
    first = {p.name: p.read_bytes() for p in sorted(out.iterdir()) if p.is_file()}
    second = {p.name: p.read_bytes() for p in sorted(again.iterdir()) if p.is_file()}
    differing = sorted(
        name for name in first.keys() | second.keys() if first.get(name) != second.get(name)
    )
    assert not differing, (
        differing,
        "".join(
            difflib.unified_diff(
                first.get(differing[0], b"").decode().splitlines(keepends=True),
                second.get(differing[0], b"").decode().splitlines(keepends=True),
            )
        )[:3000],
    )
    assert run_cli("--spec", PUBLIC_SPECS / spec, "--out", out, "--check").status == 0


def test_generated_packages_pass_mypy_strict(
    packages: dict[str, Generated], tmp_path: Path
) -> None:
    """One mypy run over every generated package (copied side by side: mypy wants packages)."""
    for out, _, _ in packages.values():
        shutil.copytree(out, tmp_path / out.name, ignore=shutil.ignore_patterns("__pycache__"))
    names = sorted(out.name for out, _, _ in packages.values())
    env = {**os.environ, "MYPYPATH": ""}
    completed = subprocess.run(
        [
            *(sys.executable, "-m", "mypy", "--strict", "--no-incremental", "--config-file", ""),
            *("--cache-dir", str(tmp_path / ".mypy_cache"), *[f"-p{n}" for n in names]),
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
