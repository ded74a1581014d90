"""Serve the hand-written contract as the app's OpenAPI document (STYLE: the contract
owns the shapes), so /openapi.json, /docs and /redoc show openapi.yaml, not a schema
FastAPI derived from the routes."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI

__all__ = ["serve_contract"]


def serve_contract(app: FastAPI, spec: Mapping[str, Any]) -> None:
    contract: dict[str, Any] = copy.deepcopy(dict(spec))
    info = contract.get("info", {})
    # The docs pages take their <title> from the app.
    app.title = str(info.get("title", app.title))
    app.version = str(info.get("version", app.version))

    def openapi() -> dict[str, Any]:
        return contract

    # Setting app.openapi_schema is not enough: FastAPI regenerates it when routes change.
    app.openapi = openapi  # type: ignore[method-assign]
