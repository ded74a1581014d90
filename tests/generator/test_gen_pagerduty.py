"""A real, large contract: PagerDuty's REST API (465 operations, 2.8 MB, OpenAPI 3.0.2).

As published it holds one invalid default; the generator must name exactly that node and write
nothing. Corrected, it must generate, import and serve every operation.
"""

from __future__ import annotations

import json
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

from tests.generator.support import (
    PAGERDUTY,
    app_for,
    client,
    contract_operations,
    credentials_for,
    import_package,
    invalid_request,
    route_table,
    run_cli,
    valid_request,
)

if not PAGERDUTY.exists():
    pytest.skip("needs ../shared (issues 2 and 7)", allow_module_level=True)

POINTER = "/components/parameters/sre_memories_limit/schema/default"


def _line_of(text: str, pointer: str) -> int:
    """The 1-based line of the key that holds the node at ``pointer``."""
    node = yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    line = 0
    for token in pointer.split("/")[1:]:
        assert isinstance(node, yaml.MappingNode)
        key, node = next((k, v) for k, v in node.value if k.value == token)
        line = key.start_mark.line + 1
    return line


def test_as_published_exactly_the_invalid_default_is_reported(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run_cli("--spec", PAGERDUTY, "--out", out)
    assert result.status == 1
    assert len(result.lines) == 1, result.lines
    line = result.lines[0]
    assert line.startswith(f"pagerduty-openapiv3.json:4410: {POINTER}: "), line
    assert "'20 - incident_summary' is not of type 'integer'" in line
    assert _line_of(PAGERDUTY.read_text(encoding="utf-8"), POINTER) == 4410
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []


@pytest.fixture(scope="module")
def corrected(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], ModuleType]:
    tmp = tmp_path_factory.mktemp("pagerduty")
    data = json.loads(PAGERDUTY.read_text(encoding="utf-8"))
    data["components"]["parameters"]["sre_memories_limit"]["schema"]["default"] = 20
    spec = tmp / "pagerduty-corrected.json"
    spec.write_text(json.dumps(data, indent=2), encoding="utf-8")
    result = run_cli("--spec", spec, "--out", tmp / "pd")
    assert result.status == 0, result.stderr
    return data, import_package(tmp / "pd")


def test_corrected_serves_all_465_operations(
    corrected: tuple[dict[str, Any], ModuleType],
) -> None:
    data, package = corrected
    served = route_table(package)
    assert len(served) == 465
    assert set(served) == {(o.method, o.path) for o in contract_operations(data)}
    assert {s.operation_id for s in served.values()} == {
        o.operation["operationId"] for o in contract_operations(data)
    }


async def test_a_sample_of_operations_answers_401_501_and_422(
    corrected: tuple[dict[str, Any], ModuleType],
) -> None:
    data, package = corrected
    operations = contract_operations(data)
    sample = operations[::7]  # 67 operations spread over the whole contract
    invalid_checked = 0
    async with client(app_for(package)) as http:
        for operation in sample:
            where = f"{operation.method.upper()} {operation.path}"
            request = valid_request(data, operation)
            response = await request.send(http)
            assert response.status_code == 401, (where, response.text)  # api_key everywhere
            credentials_for(data, "api_key", request)
            response = await request.send(http)
            assert response.status_code == 501, (where, response.text)
            bad = invalid_request(data, operation)
            if bad is not None:
                credentials_for(data, "api_key", bad)
                response = await bad.send(http)
                assert response.status_code == 422, (where, response.text)
                invalid_checked += 1
    assert invalid_checked == sum(invalid_request(data, o) is not None for o in sample)
    assert invalid_checked >= 20
