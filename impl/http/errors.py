"""Error rendering: every error leaves the app as ``{"detail": ...}`` (issue 3).

    ServiceError (impl.errors)      -> its status, {"detail": str}, its headers
    RequestValidationError          -> 422 {"detail": [{"loc", "msg", "type", ...}]}, its
                                       echoed "input" cut to a bounded excerpt (issue 8) and
                                       made JSON-safe (NaN, lone surrogates)
    framework 400 (unparsable body) -> 422 in the same shape: the contract has no 400
    Starlette HTTPException         -> its status, {"detail": ...}, its headers
                                       (405 gets an Allow header listing every method)
    any other Exception             -> logged with its traceback, 500 {"detail": "Internal
                                       server error"}: no trace, SQL or message to the client

Unexpected exceptions are caught by the HTTP layer (``stack``: ``log_unhandled``, then
``INTERNAL_ERROR``) rather than by an ``Exception`` handler: Starlette runs such a handler in
ServerErrorMiddleware, outside every user middleware, so its 500 would miss X-Request-ID, the
security headers and CORS. The ``Exception`` handler is still installed as a backstop for
failures in the HTTP layer itself.
"""

from __future__ import annotations

import itertools
import json
import logging
import math
from typing import Any, Final

from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Match, Route
from starlette.types import Scope

from impl.errors import ServiceError

from ._asgi import json_answer

__all__ = ["INTERNAL_ERROR", "INTERNAL_ERROR_BODY", "install_error_handlers", "log_unhandled"]

INTERNAL_ERROR_BODY = {"detail": "Internal server error"}

_logger = logging.getLogger(__name__)


def install_error_handlers(app: Starlette) -> None:
    app.add_exception_handler(ServiceError, _service_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(HTTPException, _http_exception)
    app.add_exception_handler(Exception, _unhandled)


async def _service_error(_request: Request, exc: Exception) -> Response:
    if not isinstance(exc, ServiceError):  # Starlette types every handler for Exception
        raise exc
    return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers)


async def _validation_error(_request: Request, exc: Exception) -> Response:
    if not isinstance(exc, RequestValidationError):  # Starlette types every handler for Exception
        raise exc
    errors = [_bounded_error(error) for error in exc.errors()]
    return _ValidationErrorResponse({"detail": _json_safe(jsonable_encoder(errors))})


# What a 422 echoes of the input (issue 8): a 20 MB string came back whole, and ~600 nested
# arrays made the rendering recurse into a RecursionError (a 500). The excerpt keeps strings
# to _MAX_TEXT characters, containers to _MAX_ITEMS entries and _MAX_DEPTH levels, and is
# built without recursion depth beyond _MAX_DEPTH whatever the input's.
_MAX_TEXT = 100
_MAX_ITEMS = 10
_MAX_DEPTH = 3
_ELLIPSIS = "…"
_CONTAINERS = (str, bytes, list, tuple, dict)


def _bounded_error(error: Any) -> Any:
    if not isinstance(error, dict):
        return error
    bounded = dict(error)
    if "input" in bounded:
        bounded["input"] = _excerpt(bounded["input"], 0)
    if isinstance(bounded.get("ctx"), dict):
        bounded["ctx"] = {
            key: _excerpt(value, 1)
            if isinstance(value, str | bytes | list | tuple | dict)
            else value
            for key, value in bounded["ctx"].items()
        }
    return bounded


def _excerpt(value: Any, depth: int) -> Any:
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    if isinstance(value, str):
        return value if len(value) <= _MAX_TEXT else value[:_MAX_TEXT] + _ELLIPSIS
    if isinstance(value, dict):
        if depth >= _MAX_DEPTH:
            return {_ELLIPSIS: _ELLIPSIS} if value else {}
        pairs = list(itertools.islice(value.items(), _MAX_ITEMS))
        result = {str(_excerpt(str(k), depth + 1)): _excerpt(v, depth + 1) for k, v in pairs}
        if len(value) > _MAX_ITEMS:
            result[_ELLIPSIS] = _ELLIPSIS
        return result
    if isinstance(value, list | tuple):
        if depth >= _MAX_DEPTH:
            return [_ELLIPSIS] if value else []
        items = [_excerpt(item, depth + 1) for item in value[:_MAX_ITEMS]]
        if len(value) > _MAX_ITEMS:
            items.append(_ELLIPSIS)
        return items
    # Anything else (an exception in ctx, a model): its text, cut like any string.
    return _excerpt(str(value), depth)


class _ValidationErrorResponse(JSONResponse):
    """A 422 echoes the offending input, which is whatever Python's JSON parser accepted:
    ``NaN`` and ``Infinity`` (not JSON, so ``_json_safe`` turns them into strings) and
    strings with unpaired surrogates (not encodable as UTF-8: escaped as ``\\udXXX`` here).
    Rendered the plain way, either made the answer to a bad request a 500."""

    def __init__(self, content: Any) -> None:
        super().__init__(content, status_code=422)

    def render(self, content: Any) -> bytes:
        return json.dumps(
            content, ensure_ascii=True, allow_nan=False, indent=None, separators=(",", ":")
        ).encode("ascii")


_NON_FINITE = {"nan": "NaN", "inf": "Infinity", "-inf": "-Infinity"}


def _json_safe(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return _NON_FINITE[repr(value)]
    if isinstance(value, list):
        return [_json_safe(item) for item in value]
    if isinstance(value, dict):
        return {key: _json_safe(item) for key, item in value.items()}
    return value


async def _http_exception(request: Request, exc: Exception) -> Response:
    if not isinstance(exc, HTTPException):  # Starlette types every handler for Exception
        raise exc
    headers = dict(exc.headers or {})
    if exc.status_code == 400:
        # FastAPI answers 400 for a body it cannot parse (e.g. JSON that is not UTF-8);
        # for the contract that is invalid input like any other: 422.
        error = {"type": "body_invalid", "loc": ["body"], "msg": str(exc.detail), "input": None}
        return JSONResponse({"detail": [error]}, status_code=422, headers=headers)
    if exc.status_code == 405:
        headers["Allow"] = _allowed_methods(request) or headers.get("Allow", "")
    if exc.status_code in (204, 304):
        return Response(status_code=exc.status_code, headers=headers)
    return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=headers)


def _allowed_methods(request: Request) -> str:
    """Every method any route serves at this path. Starlette's own Allow header lists only
    the first route whose path matched, which is wrong when GET and PUT of one path are
    separate routes (Schemathesis' allow_header_conformance check)."""
    router = getattr(request.app, "router", None)
    methods: set[str] = set()
    for route in getattr(router, "routes", ()):
        if isinstance(route, Route) and route.methods:
            match, _ = route.matches(request.scope)
            if match is not Match.NONE:
                methods |= route.methods
    return ", ".join(sorted(methods))


async def _unhandled(_request: Request, exc: Exception) -> Response:
    _logger.error("Unhandled error outside the HTTP layer", exc_info=exc)
    return JSONResponse(INTERNAL_ERROR_BODY, status_code=500)


INTERNAL_ERROR: Final = json_answer(500, INTERNAL_ERROR_BODY)
"""The contract's 500 (status, headers, body), for any exception escaping the app."""


def log_unhandled(scope: Scope) -> None:
    """Log the exception being handled, once, with its traceback and the request id. It is
    not re-raised when a 500 can still be sent, so the server does not log it a second
    time without the request id."""
    _logger.exception("Unhandled error in %s %s", scope["method"], scope["path"])
