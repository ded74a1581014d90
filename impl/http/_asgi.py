"""Small readers of the ASGI scope shared by the middlewares (private to this package)."""

from __future__ import annotations

from starlette.types import Scope


def route_path(scope: Scope) -> str:
    """The request path without the ``root_path`` a proxy mounted the app under."""
    path = str(scope["path"])
    root = str(scope.get("root_path", ""))
    if root and path.startswith(root) and path[len(root) : len(root) + 1] in ("", "/"):
        return path[len(root) :] or "/"
    return path


def route_template(scope: Scope) -> str | None:
    """The matched route's template (``/api/v1/items/{item_id}``), once routing has run.

    Routers record the match in the (shared, mutable) scope, which outer middlewares read
    after the inner app returned: FastAPI's routes put themselves under "route"; plain
    Starlette routes inside a FastAPI router (/docs, /openapi.json) leave only "endpoint",
    and without path parameters their path is their template. ``None``: nothing matched.
    """
    path = getattr(scope.get("route"), "path", None)
    if isinstance(path, str):
        return path
    if scope.get("endpoint") is not None and not scope.get("path_params"):
        return route_path(scope)
    return None


def client_host(scope: Scope) -> str:
    """The client's address as the server saw it (behind a proxy, run uvicorn with
    ``--proxy-headers --forwarded-allow-ips`` so that this is the real client)."""
    client = scope.get("client")
    return str(client[0]) if client else "unknown"
