"""The models of every real contract under ../shared/specs/real (issue 7): generated, importable,
and clean under ``mypy --strict`` with the project's configuration.

The models stage alone (``PendingModels``), so that it is proven whatever the other stages make
of these contracts; each contract is read as its format says (JSON as JSON; YAML's unquoted dates
kept as text), PagerDuty's with its one invalid default corrected.
"""

from __future__ import annotations

import importlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml
from contractgen.ir import build_operations
from contractgen.models import PendingModels

from tests.generator.support import REPO, SHARED, import_package

REAL = SHARED / "specs" / "real"

if not REAL.exists():
    pytest.skip("needs ../shared (issue 7)", allow_module_level=True)

FORMATS = REPO / "scripts" / "contractgen" / "static" / "formats.py"
CONTRACTS = sorted(p for p in REAL.iterdir() if p.suffix in (".json", ".yaml", ".yml"))


def read(path: Path) -> dict[str, Any]:
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".json":
        data = json.loads(text)
    else:  # through JSON, so that YAML 1.1's dates and the like are plain text, as 1.2 reads them
        data = json.loads(json.dumps(yaml.safe_load(text), default=str))
    if path.name.startswith("pagerduty"):
        data["components"]["parameters"]["sre_memories_limit"]["schema"]["default"] = 20
    assert isinstance(data, dict)
    return data


def package_name(path: Path) -> str:
    return "real_" + "".join(c if c.isalnum() else "_" for c in path.stem)


@pytest.fixture(scope="module")
def packages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, dict[str, Any]]]:
    """Every real contract's models as a package (models.py and the _formats it imports)."""
    root = tmp_path_factory.mktemp("real-models")
    result = {}
    for path in CONTRACTS:
        data = read(path)
        models = PendingModels(data, build_operations(data), path.name).result()
        out = root / package_name(path)
        out.mkdir()
        (out / "__init__.py").write_text("", encoding="utf-8")
        (out / "models.py").write_text(models.code, encoding="utf-8")
        shutil.copy(FORMATS, out / "_formats.py")
        result[path.name] = (out, data)
    return result


@pytest.mark.parametrize("name", [p.name for p in CONTRACTS])
def test_models_import_with_a_class_per_schema(
    packages: dict[str, tuple[Path, dict[str, Any]]], name: str
) -> None:
    out, data = packages[name]
    models = _import_models(out)
    classes = {n for n, v in vars(models).items() if isinstance(v, type)}
    assert len(classes) >= len(data["components"]["schemas"]) // 2, name


def _import_models(out: Path) -> ModuleType:
    return importlib.import_module(f"{import_package(out).__name__}.models")


def test_twilio_dotted_schema_names_are_classes(
    packages: dict[str, tuple[Path, dict[str, Any]]],
) -> None:
    out, data = packages["twilio_api_v2010.json"]
    models = _import_models(out)
    assert "api.v2010.account" in data["components"]["schemas"]
    account = models.ApiV2010Account
    assert "sid" in account.model_fields
    wire = {"sid": "AC" + "0" * 32, "friendly_name": "n"}
    assert account.model_validate(wire).model_dump(mode="json", by_alias=True) == wire


def test_real_models_pass_mypy_strict(
    packages: dict[str, tuple[Path, dict[str, Any]]], tmp_path: Path
) -> None:
    """One mypy run over every package, with the project's configuration (pydantic plugin)."""
    names = []
    for out, _ in packages.values():
        shutil.copytree(out, tmp_path / out.name, ignore=shutil.ignore_patterns("__pycache__"))
        names.append(out.name)
    completed = subprocess.run(
        [
            *(sys.executable, "-m", "mypy", "--strict", "--no-incremental"),
            *("--config-file", str(REPO / "pyproject.toml")),
            *("--cache-dir", str(tmp_path / ".mypy_cache")),
            *[arg for name in sorted(names) for arg in ("-p", name)],
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "MYPYPATH": ""},
    )
    assert completed.returncode == 0, (completed.stdout + completed.stderr)[-5000:]
