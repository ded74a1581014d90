"""What every generated route shares: security, error and result handling, request context."""

from __future__ import annotations

import functools
import json
import logging
import re
from collections.abc import Awaitable, Callable, Coroutine, Iterable, Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, NoReturn, TypeVar

from fastapi import BackgroundTasks, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import AfterValidator, TypeAdapter, ValidationError
from pydantic_core import PydanticCustomError
from starlette._exception_handler import wrap_app_handling_exceptions
from starlette.datastructures import URLPath
from starlette.routing import BaseRoute, Match, NoMatchFound
from starlette.types import Message, Receive, Scope, Send

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
    serializer: TypeAdapter[Any],
    value: Any,
    headers: Mapping[str, str] | None = None,
    media_type: str = "application/json",
) -> Response:
    """A JSON answer, serialised by the result type's adapter (made once per route)."""
    body = serializer.dump_json(value, by_alias=True)
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


def authenticated(principal: Principal | None) -> Principal:
    """The principal of an operation that allows no anonymous access (never None there)."""
    if principal is None:  # pragma: no cover - the authorizer answers 401 first
        raise Unauthenticated("Bearer")
    return principal


def headers(values: Mapping[str, Any]) -> dict[str, str]:
    """Response headers from a result's fields; optional ones left out when None."""
    return {name: header_value(value) for name, value in values.items() if value is not None}


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


# --- request parsing: the contract's parameters and bodies, read from the raw request ----------
#
# Each generated route reads its parameters by their style and explode rules into one dict
# keyed "<location>:<contract name>", validates it with the operation's precompiled TypeAdapter
# (built when the module is imported) and reads its body by Content-Type. Every error is
# collected in FastAPI's 422 shape, with the contract's names in ``loc``.

Errors = list[dict[str, Any]]
_INTEGER = re.compile(r"[+-]?[0-9]+")


def coerce(value: Any, plan: Any) -> Any:
    """Text (query, path, header, cookie, form fields) into the JSON types of the schema.

    ``plan`` is computed from the schema when the package is generated: ``"integer"``,
    ``"number"``, ``"boolean"``, ``"null"``, ``"file"``, ``("array", item plan)``,
    ``("object", {property: plan}, plan of other properties)`` or None (leave as it is).
    Text that does not convert is left alone, so the validator reports it as sent.
    """
    if plan is None:
        return value
    if isinstance(value, str):
        if plan == "integer":
            return int(value) if _INTEGER.fullmatch(value) else value
        if plan == "number":
            try:
                number = float(value)
            except ValueError:
                return value
            return int(number) if _INTEGER.fullmatch(value) else number
        if plan == "boolean":
            return {"true": True, "false": False}.get(value, value)
        if plan == "null":
            return None if value in ("", "null") else value
        return value
    if isinstance(value, bytes) and plan == "string":  # a file part the model holds as text
        return value.decode("utf-8", "surrogateescape")
    if isinstance(plan, tuple):
        if plan[0] == "array" and isinstance(value, list):
            return [coerce(item, plan[1]) for item in value]
        if plan[0] == "object" and isinstance(value, dict):
            properties, other = plan[1], plan[2]
            return {key: coerce(item, properties.get(key, other)) for key, item in value.items()}
    return value


def split(text: str, delimiter: str) -> list[str]:
    return text.split(delimiter) if text != "" else []


def pairs(items: list[str]) -> dict[str, str]:
    """``["R", "100", "G", "200"]`` → ``{"R": "100", "G": "200"}`` (non-exploded objects)."""
    return dict(zip(items[::2], items[1::2], strict=False))


def key_values(items: list[str]) -> dict[str, str]:
    """``["R=100", "G=200"]`` → ``{"R": "100", "G": "200"}`` (exploded objects)."""
    return dict(item.partition("=")[::2] for item in items)


def simple(text: str | None, kind: str, explode: bool) -> Any:
    """A ``simple`` value (path and header parameters): ``a,b,c``; objects ``k,v`` or ``k=v``."""
    if text is None or kind == "scalar":
        return text
    items = split(text, ",")
    if kind == "array":
        return items
    return key_values(items) if explode else pairs(items)


def label(text: str | None, kind: str, explode: bool) -> Any:
    """A ``label`` path value: ``.a``, ``.a.b`` (exploded) or ``.a,b``."""
    if text is None or not text.startswith("."):
        return text
    body = text[1:]
    if kind == "scalar":
        return body
    items = split(body, "." if explode else ",")
    if kind == "array":
        return items
    return key_values(items) if explode else pairs(items)


def matrix(text: str | None, name: str, kind: str, explode: bool) -> Any:
    """A ``matrix`` path value: ``;id=5``, ``;id=3;id=4`` (exploded) or ``;id=3,4``."""
    if text is None or not text.startswith(";"):
        return text
    parts = [part.partition("=") for part in text[1:].split(";")]
    if kind == "object" and explode:
        return {key: value for key, _, value in parts}
    values = [value for key, _, value in parts if key == name]
    if kind == "scalar":
        return values[-1] if values else text
    if kind == "array" and explode:
        return values
    items = split(values[-1], ",") if values else []
    return items if kind == "array" else pairs(items)


def query(
    params: Any, name: str, style: str, kind: str, explode: bool, properties: tuple[str, ...]
) -> Any:
    """A query (or cookie) parameter by its style; None when absent."""
    if kind == "scalar":
        return params.get(name)
    if style == "deepObject":
        return deep_object(params.multi_items(), name)
    if kind == "array":
        if explode:
            values = params.getlist(name)
            return values if values else None
        text = params.get(name)
        if text is None:
            return None
        delimiter = {"spaceDelimited": " ", "pipeDelimited": "|"}.get(style, ",")
        return split(text, delimiter)
    if explode:  # form, exploded object: each property is a parameter of its own
        found = {key: value for key, value in params.multi_items() if key in properties}
        return found or None
    text = params.get(name)
    return None if text is None else pairs(split(text, ","))


def deep_object(items: Iterable[tuple[str, Any]], name: str) -> Any:
    """``name[a]=1&name[b][c]=2`` → ``{"a": "1", "b": {"c": "2"}}``; None when absent."""
    prefix = f"{name}["
    result: dict[str, Any] = {}
    for key, value in items:
        if not key.startswith(prefix) or not key.endswith("]"):
            continue
        path = key[len(prefix) : -1].split("][")
        target = result
        for part in path[:-1]:
            nested = target.get(part)
            if not isinstance(nested, dict):
                nested = target[part] = {}
            target = nested
        last = path[-1]
        if last == "" and len(path) > 1:  # name[tags][]=a&name[tags][]=b
            parent = result
            for part in path[:-2]:
                parent = parent[part]
            previous = parent.get(path[-2])
            parent[path[-2]] = [*(previous if isinstance(previous, list) else []), value]
        else:
            target[last] = value
    return result or None


def content(text: str | None, key: str, errors: Errors) -> Any:
    """A ``content`` parameter: JSON text; None when absent."""
    if text is None:
        return None
    try:
        return json.loads(text)
    except (ValueError, RecursionError) as exc:  # RecursionError: nested too deeply
        location, _, name = key.partition(":")
        errors.append(_json_invalid((location, name), text, exc))
        return None


def _json_invalid(loc: tuple[str | int, ...], value: Any, exc: Exception) -> dict[str, Any]:
    """FastAPI's 422 entry for text that is not JSON, or JSON nested deeper than Python's
    decoder recurses (a RecursionError, which would otherwise be a 500)."""
    reason = (
        "nested too deeply" if isinstance(exc, RecursionError) else getattr(exc, "msg", str(exc))
    )
    return {
        "type": "json_invalid",
        "loc": loc,
        "msg": "JSON decode error",
        "input": value,
        "ctx": {"error": reason},
    }


def validate_parameters(adapter: TypeAdapter[Any], raw: dict[str, Any], errors: Errors) -> Any:
    """The validated parameters, or ``{}`` with their errors added to ``errors``."""
    try:
        return adapter.validate_python(raw)
    except ValidationError as exc:
        for error in exc.errors(include_url=False):
            location, _, name = str(error["loc"][0]).partition(":")
            error["loc"] = (location, name, *error["loc"][1:])
            if error["type"] == "missing":
                error["input"] = None
            errors.append(dict(error))
        return {}


def one_of(values: tuple[Any, ...]) -> AfterValidator:
    """An enum check for values no ``Literal`` can hold (numbers, booleans)."""
    expected = " or ".join(repr(v) for v in values)

    def check(value: Any) -> Any:
        if value not in values:
            raise PydanticCustomError(
                "literal_error", "Input should be {expected}", {"expected": expected}
            )
        return value

    return AfterValidator(check)


@dataclass(frozen=True, slots=True)
class Media:
    """One media type a request body may have, and how it is read and validated."""

    media_type: str  # as declared (lower case); "application/*" and "*/*" are ranges
    kind: str  # json | form | multipart | text | bytes
    adapter: TypeAdapter[Any] | None
    plan: Any = None  # form and multipart fields: text → JSON types


class Body:
    """A request body's declared media types, chosen by the request's Content-Type."""

    def __init__(self, media: tuple[Media, ...], required: bool, strict_415: bool) -> None:
        self.media = media
        self.required = required
        # An undeclared Content-Type: 415, or 422 when the operation declares 422 and not 415.
        self.strict_415 = strict_415
        self.exact = {m.media_type: m for m in media}
        self.names = ", ".join(m.media_type for m in media)

    def choose(self, content_type: str) -> Media | None:
        if not content_type:
            return self.media[0]
        chosen = self.exact.get(content_type)
        if chosen is not None:
            return chosen
        for media in self.media:
            declared = media.media_type
            if declared == "*/*" or (
                declared.endswith("/*") and content_type.startswith(declared[:-1])
            ):
                return media
            if (
                media.kind == "json"
                and declared == "application/json"
                and content_type.startswith("application/")
                and content_type.endswith("+json")
            ):
                return media
        return None

    async def read(self, request: Request, errors: Errors) -> Any:
        """The validated body (None when absent and optional); errors go to ``errors``."""
        content_type = request.headers.get("content-type", "")
        content_type = content_type.split(";", 1)[0].strip().lower()
        media = self.choose(content_type)
        undeclared = media is None
        value: Any
        if media is None:
            if self.strict_415:
                raise UnsupportedMediaType(content_type, tuple(m.media_type for m in self.media))
            # The operation declares 422 and not 415: as FastAPI does, the body is validated
            # as the first media type's though it cannot be one (a form reads as no fields).
            media = self.media[0]
        if media.kind in ("form", "multipart"):
            if not content_type:
                raw = await request.body()
                if not raw:
                    return self._absent(errors)
            value = {} if undeclared else await _form_value(request)
            value = coerce(value, media.plan)
        else:
            value = None
            try:  # a middleware may refuse the JSON while it is read (a lone surrogate)
                raw = await request.body()
                if not raw:
                    return self._absent(errors)
                if media.kind == "json" and not undeclared:
                    value = json.loads(raw)
            except (ValueError, RecursionError) as exc:  # RecursionError: nested too deeply
                errors.append(_json_invalid(("body", getattr(exc, "pos", 0)), {}, exc))
                return None
            if media.kind == "text":
                try:
                    value = raw.decode()
                except UnicodeDecodeError:
                    errors.append(_invalid_body("the body is not valid UTF-8 text"))
                    return None
            elif media.kind != "json" or undeclared:
                value = raw  # bytes; or, as FastAPI, what cannot be JSON fails the validation
        if media.adapter is None:
            return value
        try:
            return media.adapter.validate_python(value)
        except ValidationError as exc:
            for error in exc.errors(include_url=False):
                error["loc"] = ("body", *error["loc"])
                errors.append(dict(error))
            return None

    def _absent(self, errors: Errors) -> None:
        if self.required:
            errors.append(_missing_body())
        return None


async def _form_value(request: Request) -> dict[str, Any]:
    """A urlencoded or multipart body as a dict: repeated fields as lists, ``a[b]`` fields
    (deepObject) as nested objects, file parts as bytes (text parts stay text)."""
    form = await request.form()
    value: dict[str, Any] = {}
    try:
        for key, part in form.multi_items():
            item: Any = part if isinstance(part, str) else await part.read()
            if "[" in key and key.endswith("]"):
                name = key.split("[", 1)[0]
                nested = deep_object([(key, item)], name) or {}
                existing = value.get(name)
                value[name] = _merge(existing, nested) if isinstance(existing, dict) else nested
            elif key in value:
                previous = value[key]
                value[key] = [*previous, item] if isinstance(previous, list) else [previous, item]
            else:
                value[key] = item
    finally:
        await form.close()  # the parts are read: their spooled files go now
    return value


def _merge(left: dict[str, Any], right: dict[str, Any]) -> dict[str, Any]:
    result = dict(left)
    for key, item in right.items():
        if isinstance(result.get(key), dict) and isinstance(item, dict):
            result[key] = _merge(result[key], item)
        elif isinstance(result.get(key), list) and isinstance(item, list):
            result[key] = [*result[key], *item]
        else:
            result[key] = item
    return result


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


def invalid(errors: Errors) -> NoReturn:
    raise RequestValidationError(errors)


def new_tasks(request: Request) -> BackgroundTasks:
    """The request's background tasks, reachable from handlers through ``request_context()``."""
    tasks = BackgroundTasks()
    _CONTEXT.set(RequestContext(request, tasks))
    return tasks


def finish(response: Response, tasks: BackgroundTasks) -> Response:
    if tasks.tasks:
        response.background = tasks
    return response


# --- routing: the contract's path templates verbatim ---------------------------------------

Endpoint = Callable[[Request], Awaitable[Response]]
_TEMPLATE = re.compile(r"\{([^{}]+)\}")


class ContractRoute(BaseRoute):
    """Every operation of one path of the contract, routed by its template verbatim.

    ``{petId}`` stays ``petId`` and a name Starlette cannot take (``{thing-id}``) gets a regex
    of its own; ``scope["route"].path`` is the contract's template, so logs and metrics label
    requests with it. A method the path does not serve answers 405 with every method it does.
    ``headers`` (by method) go on every response of that method's operation, whatever its
    outcome (the deprecation headers of a deprecated operation, computed by the generator).
    Add these routes to an app with ``app.router.routes.extend(router.routes)``.
    """

    def __init__(
        self,
        path: str,
        endpoints: Mapping[str, Endpoint],
        headers: Mapping[str, Iterable[tuple[str, str]]] | None = None,
    ) -> None:
        self.path = self.path_format = path
        self.name = path
        self.endpoints = dict(endpoints)
        self.headers = {
            method: tuple((k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in pairs)
            for method, pairs in (headers or {}).items()
        }
        self.methods = set(self.endpoints)
        self.include_in_schema = False
        self.allow = ", ".join(sorted(self.endpoints))
        self.names: list[str] = _TEMPLATE.findall(path)
        pattern = ""
        last = 0
        for index, match in enumerate(_TEMPLATE.finditer(path)):
            pattern += re.escape(path[last : match.start()]) + f"(?P<p{index}>[^/]+)"
            last = match.end()
        pattern += re.escape(path[last:])
        self.regex = re.compile(pattern)
        self.static = not self.names
        self.literal = path.split("{", 1)[0]

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if scope["type"] != "http":
            return Match.NONE, {}
        path: str = scope["path"]
        root: str = scope.get("root_path", "")
        if root and path.startswith(root):
            path = path[len(root) :] if path[len(root) : len(root) + 1] == "/" else path
        if self.static:
            if path != self.path:
                return Match.NONE, {}
            params: dict[str, str] = {}
        else:
            if not path.startswith(self.literal):
                return Match.NONE, {}
            found = self.regex.fullmatch(path)
            if found is None:
                return Match.NONE, {}
            params = dict(zip(self.names, found.groups(), strict=True))
        child = {"route": self, "endpoint": self.handle, "path_params": params}
        return (Match.FULL if scope["method"] in self.endpoints else Match.PARTIAL), child

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        endpoint = self.endpoints.get(scope["method"])
        request = Request(scope, receive, send)
        if endpoint is None:
            response: Response = JSONResponse(
                {"detail": "Method Not Allowed"}, status_code=405, headers={"Allow": self.allow}
            )
        else:
            if self.headers and (extra := self.headers.get(scope["method"])) is not None:
                await _with_headers(endpoint, request, extra)(scope, receive, send)
                return
            response = await endpoint(request)
        await response(scope, receive, send)

    def url_path_for(self, name: str, /, **path_params: Any) -> URLPath:
        if name != self.name or set(path_params) != set(self.names):
            raise NoMatchFound(name, path_params)
        return URLPath(
            _TEMPLATE.sub(lambda m: str(path_params[m.group(1)]), self.path), protocol="http"
        )


def _with_headers(
    endpoint: Endpoint, request: Request, extra: tuple[tuple[bytes, bytes], ...]
) -> Callable[[Scope, Receive, Send], Awaitable[None]]:
    """The endpoint as an ASGI app whose every response carries ``extra`` (replacing the same
    names): its errors are rendered here by the app's exception handlers, as Starlette's own
    routes do, so 401, 403, 422 and declared errors carry them too. An unhandled exception still
    becomes the server error middleware's 500, without them."""
    names = {name for name, _ in extra}

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        async def sender(message: Message) -> None:
            if message["type"] == "http.response.start":
                kept = [h for h in message.get("headers", ()) if h[0].lower() not in names]
                message["headers"] = [*kept, *extra]
            await send(message)

        async def respond(scope: Scope, receive: Receive, send: Send) -> None:
            response = await endpoint(request)
            await response(scope, receive, send)

        await wrap_app_handling_exceptions(respond, request)(scope, receive, sender)

    return app
