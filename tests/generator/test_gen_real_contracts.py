"""Real published contracts (../shared/specs/real) served by the generated routes (issue 7):
every operation answers 501 to a valid request and 422 to an invalid one, and the route layer
(api.py, routes.py) passes ``mypy --strict``.

Box and Discord load as published. Twilio and Spotify wait for the loader's JSON-as-JSON and
YAML 1.2 reading (issue 7, "Reading the contract") and PagerDuty has its own module
(test_gen_pagerduty.py); models.py's own typing is the models stage's part of issue 7.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tests.generator.support import (
    SHARED,
    app_for,
    client,
    contract_operations,
    credentials_for,
    import_package,
    invalid_request,
    load_document,
    run_cli,
    valid_request,
)

REAL = SHARED / "specs" / "real"
if not REAL.is_dir():
    pytest.skip("needs ../shared (issue 7)", allow_module_level=True)

SPECS = ["box-openapi-v2025.0.json", "discord-openapi.json"]
Generated = tuple[Path, dict[str, Any], ModuleType]


@pytest.fixture(scope="module", params=SPECS)
def real(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Generated:
    spec = REAL / request.param
    out = tmp_path_factory.mktemp("real") / spec.name.split("-")[0]
    result = run_cli("--spec", spec, "--out", out)
    assert result.status == 0, result.stderr
    return out, load_document(spec), import_package(out)


async def test_every_operation_answers_501_when_valid_and_422_when_not(real: Generated) -> None:
    _, data, package = real
    schemes = (data.get("components") or {}).get("securitySchemes") or {}
    wrong = []
    async with client(app_for(package)) as http:
        for operation in contract_operations(data):
            where = f"{operation.method.upper()} {operation.path}"
            for request, expected in (
                (valid_request(data, operation), 501),
                (invalid_request(data, operation), 422),
            ):
                if request is None:
                    continue
                for name in (operation.security or [{}])[0]:
                    if name in schemes:
                        credentials_for(data, name, request)
                response = await request.send(http)
                if response.status_code != expected:
                    wrong.append((where, expected, response.status_code, response.text[:200]))
    assert not wrong, wrong[:10]


def test_the_route_layer_passes_mypy_strict(real: Generated, tmp_path: Path) -> None:
    out, _, _ = real
    completed = subprocess.run(
        [
            *(sys.executable, "-m", "mypy", "--strict", "--no-incremental", "--config-file", ""),
            *("--cache-dir", str(tmp_path / ".mypy_cache"), f"-p{out.name}"),
        ],
        cwd=out.parent,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "MYPYPATH": ""},
    )
    assert "error:" in completed.stdout or completed.returncode == 0, completed.stderr
    errors = [line for line in completed.stdout.splitlines() if ": error:" in line]
    # models.py's own typing is the models stage's (issue 7, "Types"); this is the route layer.
    outside_models = [line for line in errors if "/models.py:" not in line]
    assert not outside_models, outside_models
