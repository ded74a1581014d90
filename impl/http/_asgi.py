"""Small readers of the ASGI scope shared by the HTTP layer (private to this package)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any, Final

from starlette.types import Scope, Send

Header = tuple[bytes, bytes]


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


# The request headers the HTTP layer reads, by their (lower-case) ASGI names.
_WANTED: Final = {
    b"x-request-id": 0,
    b"origin": 1,
    b"content-length": 2,
    b"content-type": 3,
    b"access-control-request-method": 4,
}


class RequestHead:
    """What the HTTP layer needs of a request, read in one pass over its headers.

    Header values are the first of their name, as Starlette's ``Headers.get`` gives them;
    ASGI servers (and httpx's ASGITransport) pass header names in lower case.
    """

    __slots__ = (
        "content_length",
        "content_type",
        "method",
        "origin",
        "path",
        "preflight_method",
        "request_id",
    )

    def __init__(self, scope: Scope) -> None:
        found: list[bytes | None] = [None, None, None, None, None]
        wanted = _WANTED
        for name, value in scope["headers"]:
            slot = wanted.get(name)
            if slot is not None and found[slot] is None:
                found[slot] = value
        self.method: str = scope["method"]
        self.path = route_path(scope)
        self.request_id = _text(found[0])
        self.origin = _text(found[1])
        self.content_length = _text(found[2])
        self.content_type = _text(found[3])
        self.preflight_method = _text(found[4])


def _text(value: bytes | None) -> str | None:
    return None if value is None else value.decode("latin-1")


def json_answer(
    status: int, content: Any, headers: Mapping[str, str] | None = None
) -> tuple[int, list[Header], bytes]:
    """A JSON answer's parts, rendered as Starlette's ``JSONResponse`` renders it."""
    body = json.dumps(
        content, ensure_ascii=False, allow_nan=False, indent=None, separators=(",", ":")
    ).encode()
    return status, raw_headers(headers or {}, body, b"application/json"), body


def raw_headers(headers: Mapping[str, str], body: bytes, content_type: bytes) -> list[Header]:
    """Headers as Starlette's ``Response`` lays them out: the given ones (names in lower
    case), then ``content-length`` and ``content-type`` unless given."""
    raw = [
        (name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in headers.items()
    ]
    names = {name for name, _ in raw}
    if b"content-length" not in names:
        raw.append((b"content-length", str(len(body)).encode()))
    if b"content-type" not in names:
        raw.append((b"content-type", content_type))
    return raw


async def send_answer(send: Send, status: int, headers: Iterable[Header], body: bytes) -> None:
    """Send a whole response: its start (a fresh header list each time: outer layers
    add to it) and its body."""
    await send({"type": "http.response.start", "status": status, "headers": list(headers)})
    await send({"type": "http.response.body", "body": body})
