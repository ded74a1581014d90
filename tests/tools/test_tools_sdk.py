"""`make sdk` (scripts/sdk.py): the packages' shape, and no SDK may lack an operation."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from contract_doc import load

import sdk

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
DROPS = ROOT / "tests/tools/contracts/sdk_drops_operation.yaml"

SCHEMA_TS = """export interface paths {
    "/a": {
        get: operations["getA"];
        put?: never;
    };
    "/b": {
        get?: never;
        post: operations["postB"];
    };
}
export interface operations {
    getA: {
        parameters: {};
    };
    postB: {
        parameters: {};
    };
}
"""


@pytest.fixture(scope="module")
def generated_python_sdk(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """openapi-python-client's SDK of DROPS, generated once (each test works on a copy)."""
    out = tmp_path_factory.mktemp("sdk") / "python"
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    command = [str(BIN / "openapi-python-client"), "generate", "--path", str(DROPS)]
    subprocess.run([*command, "--output-path", str(out)], check=True, capture_output=True, env=env)
    shutil.rmtree(out / ".ruff_cache", ignore_errors=True)
    return out


@pytest.fixture
def python_sdk(generated_python_sdk: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(generated_python_sdk, tmp_path / "python"))


def _typescript_sdk(spec: Path, out: Path, schema: str) -> Path:
    sdk.scaffold(load(spec), out)
    (out / "src" / "schema.ts").write_text(schema, encoding="utf-8")
    return out


def test_operation_dropped_by_openapi_python_client_fails_the_check(
    tmp_path: Path, python_sdk: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    python = python_sdk
    typescript = _typescript_sdk(DROPS, tmp_path / "ts", SCHEMA_TS)
    problems = sdk.check(load(DROPS), python, typescript)
    assert problems == [f"python SDK ({python}) lacks POST /b [postB]"]
    assert capsys.readouterr().out.splitlines() == [
        f"python SDK ({python}): 1 of 2 operations",
        f"typescript SDK ({typescript}): 2 of 2 operations",
    ]


def test_operation_missing_from_typescript_schema_fails_the_check(
    tmp_path: Path, python_sdk: Path
) -> None:
    python = python_sdk
    (python / "drop_client/api/a/post_b.py").write_text(
        'def _get_kwargs():\n    return {"method": "post"}\n\ndef sync_detailed(): ...\n'
    )
    unrouted = SCHEMA_TS.replace('post: operations["postB"];', "post?: never;")
    typescript = _typescript_sdk(DROPS, tmp_path / "ts", unrouted)
    assert sdk.check(load(DROPS), python, typescript) == [
        f"typescript SDK ({typescript}) lacks POST /b [postB]"
    ]
    undeclared = SCHEMA_TS.replace("    postB: {", "    postC: {")
    _typescript_sdk(DROPS, typescript, undeclared)
    assert sdk.check(load(DROPS), python, typescript) == [
        f"typescript SDK ({typescript}) lacks POST /b [postB]"
    ]


def test_packages_are_named_and_versioned_from_info(tmp_path: Path, python_sdk: Path) -> None:
    python = python_sdk
    typescript = _typescript_sdk(DROPS, tmp_path / "ts", SCHEMA_TS)
    manifest = json.loads((typescript / "package.json").read_text(encoding="utf-8"))
    assert (manifest["name"], manifest["version"]) == ("drop-client", "1.0.0")
    lock = json.loads((ROOT / "package-lock.json").read_text(encoding="utf-8"))
    pinned = lock["packages"]["node_modules/openapi-fetch"]["version"]
    assert manifest["dependencies"] == {"openapi-fetch": pinned}
    assert 'name = "drop-client"' in (python / "pyproject.toml").read_text(encoding="utf-8")
    manifest["version"] = "0.9.0"
    (typescript / "package.json").write_text(json.dumps(manifest), encoding="utf-8")
    problems = sdk.check(load(DROPS), python, typescript)
    assert problems[-1] == (
        f"{typescript}/package.json: name/version ('drop-client', '0.9.0'),"
        " expected ('drop-client', '1.0.0')"
    )


def test_package_name_matches_openapi_python_clients() -> None:
    assert sdk.package_name(load(ROOT / "openapi.yaml")) == "contract-first-items-api-client"
