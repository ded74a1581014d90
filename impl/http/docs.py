"""Serve the hand-written contract as the app's OpenAPI document (STYLE: the contract
owns the shapes), so /openapi.json, /docs and /redoc show openapi.yaml, not a schema
FastAPI derived from the routes.

/docs (Swagger UI) and /redoc (ReDoc) are served by the app itself (issue 8): their
assets come from the pinned ``fastapi-offline`` package, not from a CDN, so the pages work
offline and load nothing from elsewhere. No page has an inline script: Swagger UI is started
by ``/docs/assets/swagger-init.js`` (ours), ReDoc by its ``<redoc spec-url>`` element, so
their CSP (``security_headers.DOCS_CSP``) allows scripts from 'self' only.
"""

from __future__ import annotations

import copy
import html
from collections.abc import Mapping
from importlib.resources import files
from pathlib import Path
from typing import Any, Final

from fastapi import FastAPI
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, Response

__all__ = ["DOCS_ASSETS_PATH", "serve_contract", "serve_docs"]

DOCS_ASSETS_PATH: Final = "/docs/assets"
_ASSETS_DIR: Final = Path(str(files("fastapi_offline") / "static"))
_PACKAGED: Final = {
    "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
    "swagger-ui.css": "text/css; charset=utf-8",
    "redoc.standalone.js": "text/javascript; charset=utf-8",
    "favicon.png": "image/png",
}
_CACHE: Final = {"Cache-Control": "public, max-age=86400"}

# Swagger UI's start-up, as a file of our own: the page then needs no inline script.
_SWAGGER_INIT: Final = """\
"use strict";
(function () {
  var options = document.getElementById("swagger-init").dataset;
  window.ui = SwaggerUIBundle({
    url: options.openapiUrl,
    dom_id: "#swagger-ui",
    layout: "BaseLayout",
    deepLinking: true,
    showExtensions: true,
    showCommonExtensions: true,
    validatorUrl: null, // no badge fetched from the Swagger validator's site
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset],
  });
})();
"""


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


def serve_docs(app: FastAPI, *, openapi_url: str = "/openapi.json") -> None:
    """/docs, /redoc and their assets; build the app with ``docs_url=None, redoc_url=None``."""

    def page(request: Request, title: str, head: str, body: str) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        text = (
            '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{html.escape(app.title)} - {title}</title>\n"
            f'<link rel="icon" type="image/png" href="{root}{DOCS_ASSETS_PATH}/favicon.png">\n'
            f"{head}</head>\n<body>\n{body}</body>\n</html>\n"
        ).replace("{root}", root)
        return HTMLResponse(text)

    async def swagger_ui(request: Request) -> Response:
        spec_url = html.escape(request.scope.get("root_path", "") + openapi_url)
        return page(
            request,
            "Swagger UI",
            f'<link rel="stylesheet" href="{{root}}{DOCS_ASSETS_PATH}/swagger-ui.css">\n',
            '<div id="swagger-ui"></div>\n'
            f'<script src="{{root}}{DOCS_ASSETS_PATH}/swagger-ui-bundle.js"></script>\n'
            f'<script id="swagger-init" src="{{root}}{DOCS_ASSETS_PATH}/swagger-init.js" '
            f'data-openapi-url="{spec_url}"></script>\n',
        )

    async def redoc(request: Request) -> Response:
        spec_url = html.escape(request.scope.get("root_path", "") + openapi_url)
        return page(
            request,
            "ReDoc",
            "",
            f'<redoc spec-url="{spec_url}"></redoc>\n'
            f'<script src="{{root}}{DOCS_ASSETS_PATH}/redoc.standalone.js"></script>\n',
        )

    async def swagger_init(_request: Request) -> Response:
        return Response(_SWAGGER_INIT, media_type="text/javascript; charset=utf-8", headers=_CACHE)

    app.add_route("/docs", swagger_ui, include_in_schema=False)
    app.add_route("/redoc", redoc, include_in_schema=False)
    app.add_route(f"{DOCS_ASSETS_PATH}/swagger-init.js", swagger_init, include_in_schema=False)
    for name, media_type in _PACKAGED.items():
        app.add_route(
            f"{DOCS_ASSETS_PATH}/{name}",
            _static(_ASSETS_DIR / name, media_type),
            include_in_schema=False,
        )


def _static(path: Path, media_type: str) -> Any:
    if not path.is_file():  # a broken install fails at start-up, not on the first page view
        raise RuntimeError(f"fastapi-offline is missing {path.name}")

    async def asset(_request: Request) -> Response:
        return FileResponse(path, media_type=media_type, headers=_CACHE)

    return asset
