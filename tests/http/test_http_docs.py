from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from fastapi import FastAPI

from impl.http import serve_contract

CONTRACT = Path(__file__).resolve().parents[2] / "openapi.yaml"


@pytest.fixture
def spec() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(CONTRACT.read_text(encoding="utf-8"))
    return loaded


@pytest.fixture
def app(spec: dict[str, Any]) -> FastAPI:
    app = FastAPI()
    serve_contract(app, spec)

    @app.get("/added-later", operation_id="notInTheContract")
    async def added_later() -> dict[str, str]:
        return {}

    return app


def client_for(app: FastAPI) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")


class TestServeContract:
    async def test_openapi_json_is_the_contract(self, app: FastAPI, spec: dict[str, Any]) -> None:
        async with client_for(app) as http:
            response = await http.get("/openapi.json")
        assert response.status_code == 200
        assert response.json() == spec
        assert "notInTheContract" not in response.text  # routes never rewrite the contract

    async def test_contract_is_copied_not_shared(self, app: FastAPI, spec: dict[str, Any]) -> None:
        title = spec["info"]["title"]
        spec["info"]["title"] = "mutated afterwards"
        async with client_for(app) as http:
            assert (await http.get("/openapi.json")).json()["info"]["title"] == title

    @pytest.mark.parametrize("path", ["/docs", "/redoc"])
    async def test_docs_render_the_contract(
        self, app: FastAPI, spec: dict[str, Any], path: str
    ) -> None:
        async with client_for(app) as http:
            response = await http.get(path)
        assert response.status_code == 200
        assert "/openapi.json" in response.text
        assert spec["info"]["title"] in response.text
