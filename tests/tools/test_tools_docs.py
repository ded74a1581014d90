"""`make docs` (scripts/docs.py): the page's checks (the Redocly build runs in `make docs`)."""

from __future__ import annotations

from pathlib import Path

import docs
import pytest
from contract_doc import load

ROOT = Path(__file__).resolve().parents[2]
OPERATIONS = "".join(
    f'"operationId":"{op.operation_id}"' for op in load(ROOT / "openapi.yaml").operations()
)


def test_self_contained_page_with_every_operation_passes() -> None:
    page = (
        f'<html><script>var a = 1;</script><a href="https://redocly.com/redoc/">by</a>{OPERATIONS}'
    )
    assert docs.problems(page, load(ROOT / "openapi.yaml")) == []


@pytest.mark.parametrize(
    "resource",
    [
        '<script src="https://cdn.redocly.com/redoc/v3/redoc.standalone.js"></script>',
        "<link rel=stylesheet href=//fonts.googleapis.com/css?family=Roboto>",
        '<img src="http://example.com/logo.png">',
        "<style>body { background: url('https://example.com/bg.png') }</style>",
        "<style>@import url('https://fonts.googleapis.com/css2?family=Inter');</style>",
    ],
)
def test_a_remote_resource_is_reported(resource: str) -> None:
    found = docs.problems(f"<html>{resource}{OPERATIONS}</html>", load(ROOT / "openapi.yaml"))
    assert len(found) == 1
    assert found[0].startswith("fetches ")


def test_a_missing_operation_is_reported() -> None:
    page = OPERATIONS.replace('"operationId":"deleteItem"', "")
    assert docs.problems(page, load(ROOT / "openapi.yaml")) == [
        "lacks DELETE /api/v1/items/{item_id} [deleteItem]"
    ]
