"""What every generated route shares: security, error and result handling, request context."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Coroutine, Iterable, Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, NoReturn, TypeVar

from fastapi import BackgroundTasks, HTTPException, Request, UploadFile
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.routing import APIRoute
from pydantic import TypeAdapter, ValidationError
from starlette.routing import Match
from starlette.types import Scope

from .errors import ApiError, ContractViolation
from .security import Principal, SecurityScheme, SecurityVerifier

logger = logging.getLogger("generated.contract")

Requirement = tuple[tuple[SecurityScheme, frozenset[str]], ...]


@dataclass(frozen=True, slots=True)
class RequestContext:
    """What a handler may need beyond its contract arguments."""

    request: Request
    background_tasks: BackgroundTasks


_CONTEXT: ContextVar[RequestContext] = ContextVar("generated_request_context")


def request_context() -> RequestContext:
    """The current request and its background tasks (only inside a handler call)."""
    try:
        return _CONTEXT.get()
    except LookupError:
        raise RuntimeError("request_context() is only available inside a handler") from None


def enter_context(request: Request, background_tasks: BackgroundTasks) -> None:
    _CONTEXT.set(RequestContext(request, background_tasks))


@dataclass(frozen=True, slots=True)
class Operation:
    """What the runtime needs to know of one operation of the contract."""

    operation_id: str
    method: str
    path: str
    statuses: frozenset[str]

    def declares(self, status: int) -> bool:
        text = str(status)
        return (
            text in self.statuses or f"{text[0]}XX" in self.statuses or "default" in self.statuses
        )


def not_implemented(operation: Operation) -> Response:
    return JSONResponse(
        {"detail": f"Operation {operation.operation_id} is not implemented"}, status_code=501
    )


def violation(operation: Operation, what: str) -> NoReturn:
    message = f"contract violation in {operation.operation_id}: {what}"
    logger.error(message, extra={"operation_id": operation.operation_id})
    raise ContractViolation(message)


def error_response(exc: Exception, operation: Operation) -> Response:
    """Render a declared ``ApiError``; re-raise other status-carrying errors for the app.

    Any exception with an integer ``status_code`` (ApiError, Starlette's HTTPException, the
    implementation's own error tree) is an error response, and its status must be declared.
    """
    status = getattr(exc, "status_code", None)
    if not isinstance(status, int) or isinstance(status, bool):
        raise exc
    if not operation.declares(status):
        violation(operation, f"status {status} is not declared ({exc!r})")
    if not isinstance(exc, ApiError):
        raise exc
    content = exc.body if exc.body is not None else {"detail": exc.detail}
    body = TypeAdapter(Any).dump_json(content, by_alias=True)
    return Response(body, status_code=status, headers=exc.headers, media_type="application/json")


@functools.cache
def adapter(tp: Any) -> TypeAdapter[Any]:
    return TypeAdapter(tp)


def json_response(
    status: int,
    tp: Any,
    value: Any,
    headers: Mapping[str, str] | None = None,
    media_type: str = "application/json",
) -> Response:
    body = adapter(tp).dump_json(value, by_alias=True)
    return Response(body, status_code=status, headers=headers, media_type=media_type)


def raw_response(
    status: int, value: bytes | str, media_type: str, headers: Mapping[str, str] | None = None
) -> Response:
    return Response(value, status_code=status, headers=headers, media_type=media_type)


def empty_response(status: int, headers: Mapping[str, str] | None = None) -> Response:
    return Response(status_code=status, headers=headers)


def header_value(value: Any) -> str:
    """A response header's text: JSON-ish for booleans, plain for the rest."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return ",".join(header_value(item) for item in value)
    return str(value)


def validation_error(errors: Iterable[Any]) -> RequestValidationError:
    return RequestValidationError(list(errors))


def parse_value(tp: Any, value: Any, loc: tuple[str | int, ...]) -> Any:
    """Validate a value the route parsed itself (delimited arrays, bodies, form models)."""
    try:
        return adapter(tp).validate_python(value)
    except ValidationError as exc:
        raise validation_error(
            {**error, "loc": (*loc, *error["loc"])} for error in exc.errors(include_url=False)
        ) from None


def split_param(raw: str | None, delimiter: str, tp: Any, loc: tuple[str | int, ...]) -> Any:
    """An array parameter sent as one delimited value (``style: form, explode: false`` ...)."""
    if raw is None:
        return None
    return parse_value(tp, raw.split(delimiter) if raw != "" else [], loc)


async def read_body(
    request: Request, media: Mapping[str, Any], required: bool
) -> tuple[str | None, Any]:
    """The request body for operations FastAPI cannot type natively.

    ``media`` maps each declared media type to the type its body is validated against
    (``bytes`` or ``str`` for raw bodies). Answers 415 for an undeclared content type.
    """
    raw = await request.body()
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if not raw and not content_type:
        if required:
            raise validation_error([_missing_body()])
        return None, None
    chosen = _match_media_type(content_type, media)
    if chosen is None:
        raise UnsupportedMediaType(content_type, tuple(media))
    tp = media[chosen]
    if tp is bytes:
        return chosen, raw
    if tp is str:
        try:
            return chosen, raw.decode(request.headers.get("content-encoding", "utf-8") or "utf-8")
        except (UnicodeDecodeError, LookupError):
            raise validation_error([_invalid_body("the body is not valid UTF-8 text")]) from None
    if chosen == "application/x-www-form-urlencoded" or chosen.startswith("multipart/"):
        form = await request.form()
        value: Any = {
            key: form.getlist(key) if len(form.getlist(key)) > 1 else form[key] for key in form
        }
        return chosen, parse_value(tp, value, ("body",))
    try:
        return chosen, adapter(tp).validate_json(raw)
    except ValidationError as exc:
        raise validation_error(
            {**error, "loc": ("body", *error["loc"])} for error in exc.errors(include_url=False)
        ) from None


def _match_media_type(content_type: str, media: Mapping[str, Any]) -> str | None:
    if content_type in media:
        return content_type
    for declared in media:
        if declared in ("*/*", "application/*") and content_type.startswith(declared[:-1]):
            return declared
        if declared.endswith("/*") and content_type.startswith(declared[:-1]):
            return declared
    return None


def _missing_body() -> dict[str, Any]:
    return {"type": "missing", "loc": ("body",), "msg": "Field required", "input": None}


def _invalid_body(message: str) -> dict[str, Any]:
    return {"type": "value_error", "loc": ("body",), "msg": message, "input": None}


class UnsupportedMediaType(HTTPException):
    def __init__(self, content_type: str, supported: tuple[str, ...]) -> None:
        super().__init__(
            415,
            f"Unsupported media type {content_type or '(none)'!r}; "
            f"use one of: {', '.join(supported)}",
        )


def _credentials(request: Request, scheme: SecurityScheme) -> str | None:
    if scheme.location == "query":
        return request.query_params.get(scheme.parameter) or None
    if scheme.location == "cookie":
        return request.cookies.get(scheme.parameter) or None
    value = request.headers.get(scheme.parameter)
    if not value:
        return None
    if scheme.kind == "apiKey":
        return value
    prefix, _, token = value.partition(" ")
    if prefix.lower() != scheme.http_scheme.lower() or not token.strip():
        return None
    return token.strip()


# Security failures are Starlette HTTPExceptions, so that any FastAPI app renders them as
# {"detail": ...} with their headers before (and without) any handler running.
class Unauthenticated(HTTPException):
    def __init__(self, challenge: str) -> None:
        super().__init__(401, "Not authenticated", headers={"WWW-Authenticate": challenge})


class MissingScope(HTTPException):
    def __init__(self) -> None:
        super().__init__(403, "Not enough permissions")


class VerifierMissing(HTTPException):
    """Credentials were given but nothing can verify them (an ``allow_missing`` router)."""

    def __init__(self) -> None:
        super().__init__(501, "Authentication is not implemented")


def authorizer(
    requirements: tuple[Requirement, ...],
    verifier: SecurityVerifier | None,
    *,
    unimplemented: bool = False,
) -> Callable[[Request], Coroutine[Any, Any, Principal | None]]:
    """A FastAPI dependency enforcing one operation's ``security`` exactly as declared.

    ``unimplemented``: the operation has no handler, so the route answers 501 itself once its
    input is valid. Credentials that nothing can verify then pass here, so that an invalid
    request still gets its 422 (a dependency's error would pre-empt the validation).
    """
    anonymous_allowed = any(not requirement for requirement in requirements)
    challenge = next(
        (scheme.challenge for requirement in requirements for scheme, _ in requirement), "Bearer"
    )

    async def authorize(request: Request) -> Principal | None:
        forbidden = False
        for requirement in requirements:
            if not requirement:
                continue
            principal: Principal | None = None
            for scheme, scopes in requirement:
                credentials = _credentials(request, scheme)
                if credentials is None:
                    break
                if verifier is None:
                    if unimplemented:
                        return None
                    raise VerifierMissing
                verified = await verifier.verify(scheme=scheme.name, credentials=credentials)
                if verified is None:
                    break
                if not scopes <= verified.scopes:
                    forbidden = True
                    break
                principal = principal or verified
            else:
                return principal
        if anonymous_allowed:
            return None
        if forbidden:
            raise MissingScope
        raise Unauthenticated(challenge)

    return authorize


def headers(values: Mapping[str, Any]) -> dict[str, str]:
    """Response headers from a result's fields; optional ones left out when None."""
    return {name: header_value(value) for name, value in values.items() if value is not None}


async def form_fields(request: Request, values: Mapping[str, Any]) -> dict[str, Any]:
    """The form fields that were sent; absent ones stay absent, so the model's rules apply.

    FastAPI reads an empty field (``scope=``) as absent; the contract does not (an empty
    ``scope`` asks for no scopes, an empty integer is invalid), so those come from the raw form.
    """
    form = await request.form()  # parsed once per request: Starlette caches it
    fields = {}
    for name, value in values.items():
        if value is not None:
            fields[name] = value
        elif form.get(name) == "":
            fields[name] = ""
    return fields


async def read_uploads(value: UploadFile | list[UploadFile] | None) -> bytes | list[bytes] | None:
    if value is None:
        return None
    if isinstance(value, list):
        return [await upload.read() for upload in value]
    return await value.read()


class MissingHandlers(RuntimeError):
    """The implementation leaves operations of the contract without a handler."""


_F = TypeVar("_F", bound=Callable[..., Any])
_H = TypeVar("_H")


def operation(function: _F) -> _F:
    """Marks a Protocol method as an operation to implement (type checkers see it abstract)."""
    function.__contract_unimplemented__ = True  # type: ignore[attr-defined]
    return function


def _is_implemented(implementation: object, method: str) -> bool:
    function = getattr(type(implementation), method, None)
    return function is not None and not (
        getattr(function, "__isabstractmethod__", False)
        or getattr(function, "__contract_unimplemented__", False)
    )


def implemented(implementation: _H | None, method: str) -> _H | None:
    """The implementation, if it implements ``method``; else None (the route answers 501)."""
    if implementation is None or not _is_implemented(implementation, method):
        return None
    return implementation


def require_handlers(
    handlers: Any, methods: Mapping[str, Mapping[str, str]], secured: bool
) -> None:
    """Refuse to build a router while any operation (or the security verifier) is missing."""
    missing = []
    for attribute, operations in methods.items():
        implementation = getattr(handlers, attribute)
        for method, operation_id in operations.items():
            if implementation is None or not _is_implemented(implementation, method):
                missing.append(operation_id)
    if secured and handlers.security is None:
        missing.append("(no SecurityVerifier for the contract's securitySchemes)")
    if missing:
        raise MissingHandlers(
            f"{len(missing)} operation(s) of the contract have no handler: {', '.join(missing)}"
        )


_ALL_METHODS = ("DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT", "TRACE")


def other_methods(methods: tuple[str, ...]) -> list[str]:
    return [method for method in _ALL_METHODS if method not in methods]


def method_not_allowed(
    methods: tuple[str, ...],
) -> Callable[[Request], Coroutine[Any, Any, Response]]:
    """405 with every method the path allows (Starlette's own lists only one route's)."""
    allow = ", ".join(methods)

    async def endpoint(_request: Request) -> Response:
        return JSONResponse(
            {"detail": "Method Not Allowed"}, status_code=405, headers={"Allow": allow}
        )

    return endpoint


class ContractRoute(APIRoute):
    """An APIRoute that turns away a request cheaply when its path cannot match.

    Routers try their routes in order, and FastAPI's full match costs several times more than
    this substring test: a contract with many operations pays it on every request otherwise.
    The test is a necessary condition only (the route's literal text must occur in the path,
    prefixes and root paths included); the full match still decides.
    """

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        super().__init__(path, endpoint, **kwargs)
        self._literal = path.split("{", 1)[0]
        self._static = "{" not in path

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if scope["type"] == "http":
            path: str = scope["path"]
            if not (path.endswith(self._literal) if self._static else self._literal in path):
                return Match.NONE, {}
        return super().matches(scope)
