"""Small readers of the ASGI scope shared by the middlewares (private to this package)."""

from __future__ import annotations

import time

from starlette.types import Message, Scope, Send


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


class ResponseRecorder:
    """A ``send`` that remembers the response status and how long the request took.

    The status stays 500 until the app answers: if it fails before answering, the server's
    own fallback answers 500.
    """

    def __init__(self, send: Send) -> None:
        self._send = send
        self._started = time.perf_counter()
        self.status = 500

    async def __call__(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.status = int(message["status"])
        await self._send(message)

    @property
    def elapsed(self) -> float:
        """Seconds since the request started."""
        return time.perf_counter() - self._started
