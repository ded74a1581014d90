#!/usr/bin/env python3
"""Mock mode: the contract served with no implementation, for client teams (`make mock`).

    python scripts/mock_server.py [--host 127.0.0.1] [--port 8000]

Built on the generated package's public API only. ``generated.create_router`` with no handlers
already validates every input exactly like the real app (422) and enforces each operation's
``security`` (401 without a token); it answers 501 ``Operation <operationId> is not implemented``
where a handler would run. ``MockResponder`` is a pure ASGI wrapper that replaces that 501 by
the operation's success response (its lowest declared 2xx): the contract's example where there
is one, else a value generated from the schema, every one checked against its schema when the
mock starts (an operation whose success value cannot be made is an error naming it: give it an
example). Response headers follow the body: ``X-Total-Count`` counts the listed records,
``Location`` is the request path plus the created record's ``id``.

Tokens: any bearer token is accepted and grants every scope the contract names (the mock's own
``createToken`` answers with one). The mock remembers one thing: a resource answered 2xx to a
DELETE answers 404 afterwards (where the operation declares 404), and every creation answers
with an id of its own (the sample's, offset), so that a client's create, delete and read flows
behave as on the server.
"""

from __future__ import annotations

import argparse
import copy
import dataclasses
import json
import math
import re
import sys
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema
from fastapi import FastAPI, Request, Response
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.routing import Match, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import generated  # noqa: E402  (the repository root is on sys.path only from here on)
from generated import OPERATIONS, SPEC, Handlers, Principal  # noqa: E402

_NOT_IMPLEMENTED = re.compile(r"^Operation (\S+) is not implemented$")
_STRING_CANDIDATES = ("string", "example", "a", "1", "x")
_FORMATS = {
    "uuid": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
    "date-time": "2026-01-01T00:00:00Z",
    "date": "2026-01-01",
    "time": "12:00:00Z",
    "email": "user@example.com",
    "uri": "https://example.com/",
    "uri-reference": "/example",
    "ipv4": "192.0.2.1",
    "ipv6": "2001:db8::1",
    "hostname": "example.com",
}


class MockError(Exception):
    """The contract has a success response the mock cannot produce (each one named)."""


class AnyTokenVerifier(generated.SecurityVerifier):
    """Every token is valid and carries every scope of the contract."""

    def __init__(self, scopes: frozenset[str]) -> None:
        self._scopes = scopes

    # The SecurityVerifier signature; a mock looks at no credentials.
    async def verify(self, *, scheme: str, credentials: str) -> Principal | None:  # noqa: ARG002
        return Principal(subject=f"mock:{scheme}", scopes=self._scopes)


def contract_scopes(spec: Mapping[str, Any]) -> frozenset[str]:
    scopes: set[str] = set()
    for scheme in spec.get("components", {}).get("securitySchemes", {}).values():
        for flow in (scheme.get("flows") or {}).values():
            scopes.update(flow.get("scopes") or {})
    return frozenset(scopes)


# --- values from the contract ------------------------------------------------------------------


class Samples:
    """Example or generated values for schemas of one contract, checked against them."""

    def __init__(self, spec: Mapping[str, Any]) -> None:
        self.spec = spec

    def resolve(self, value: Any) -> Any:
        seen: set[str] = set()
        while isinstance(value, dict) and isinstance(value.get("$ref"), str):
            ref = value["$ref"]
            if not ref.startswith("#/") or ref in seen:
                raise MockError(f"cannot resolve {ref}")
            seen.add(ref)
            target: Any = self.spec
            for token in ref[2:].split("/"):
                target = target[token.replace("~1", "/").replace("~0", "~")]
            value = target
        return value

    def inline(self, schema: Any, depth: int = 0) -> Any:
        """The schema with every local ``$ref`` replaced by its target (for validation)."""
        if depth > 32:
            return {}
        schema = self.resolve(schema)
        if isinstance(schema, dict):
            return {k: self.inline(v, depth + 1) for k, v in schema.items()}
        if isinstance(schema, list):
            return [self.inline(v, depth + 1) for v in schema]
        return schema

    def valid(self, value: Any, schema: Any) -> bool:
        validator = jsonschema.Draft202012Validator(
            self.inline(schema), format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
        )
        return bool(validator.is_valid(value))

    def media_value(self, media: Mapping[str, Any]) -> Any:
        """The media type's example, else its schema's, else a generated value."""
        schema = media.get("schema", {})
        candidates: list[Any] = []
        if "example" in media:
            candidates.append(media["example"])
        for example in (media.get("examples") or {}).values():
            example = self.resolve(example)
            if isinstance(example, dict) and "value" in example:
                candidates.append(example["value"])
        for candidate in candidates:
            if self.valid(candidate, schema):
                return copy.deepcopy(candidate)
        return self.value(schema)

    def value(self, schema: Any, depth: int = 0) -> Any:
        schema = self.resolve(schema)
        if not isinstance(schema, dict) or depth > 16:
            return None
        for candidate in self._declared(schema):
            if self.valid(candidate, schema):
                return copy.deepcopy(candidate)
        result = self._generate(schema, depth)
        if not self.valid(result, schema):
            raise MockError(f"no valid value generated for {json.dumps(schema)[:200]}")
        return result

    @staticmethod
    def _declared(schema: Mapping[str, Any]) -> list[Any]:
        found = [schema[key] for key in ("const", "example", "default") if key in schema]
        found += list(schema.get("examples") or [])[:1]
        found += list(schema.get("enum") or [])[:1]
        return found

    def _generate(self, schema: Mapping[str, Any], depth: int) -> Any:
        if "allOf" in schema:
            merged: dict[str, Any] = {}
            for part in schema["allOf"]:
                value = self.value(part, depth + 1)
                if isinstance(value, dict):
                    merged.update(value)
            return merged
        for keyword in ("oneOf", "anyOf"):
            if schema.get(keyword):
                return self.value(schema[keyword][0], depth + 1)
        kind = schema.get("type")
        if isinstance(kind, list):
            kind = next((k for k in kind if k != "null"), "null")
        if kind is None:
            kind = "object" if "properties" in schema else "string"
        if kind == "object":
            return self._object(schema, depth)
        if kind == "array":
            return self._array(schema, depth)
        if kind == "string":
            return _string(schema)
        if kind in ("integer", "number"):
            value = _number(schema)
            return int(value) if kind == "integer" else value
        if kind in ("boolean", "null"):
            return True if kind == "boolean" else None
        raise MockError(f"unknown type {kind!r}")

    def _object(self, schema: Mapping[str, Any], depth: int) -> dict[str, Any]:
        result = {}
        for name, prop in (schema.get("properties") or {}).items():
            if not self.resolve(prop).get("writeOnly"):
                result[name] = self.value(prop, depth + 1)
        return result

    def _array(self, schema: Mapping[str, Any], depth: int) -> list[Any]:
        count = max(int(schema.get("minItems", 1)), 0)
        if "maxItems" in schema:
            count = min(count, int(schema["maxItems"]))
        item = self.value(schema.get("items", {}), depth + 1)
        return [copy.deepcopy(item) for _ in range(count)]


def _string(schema: Mapping[str, Any]) -> str:
    low, high = int(schema.get("minLength", 0)), schema.get("maxLength")
    candidates = [_FORMATS[schema["format"]]] if schema.get("format") in _FORMATS else []
    candidates += [*_STRING_CANDIDATES, "x" * max(low, 1)]
    for candidate in candidates:
        text = candidate + "x" * max(low - len(candidate), 0)
        if high is not None:
            text = text[: int(high)]
        if "pattern" not in schema or re.search(schema["pattern"], text):
            return text
    raise MockError(f"no string matches pattern {schema.get('pattern')!r}")


def _number(schema: Mapping[str, Any]) -> float | int:
    """1, moved into the schema's bounds."""
    value: float | int = 1
    if "minimum" in schema:
        value = max(value, schema["minimum"])
    if "exclusiveMinimum" in schema:
        value = max(value, schema["exclusiveMinimum"] + 1)
    if "maximum" in schema:
        value = min(value, schema["maximum"])
    if "exclusiveMaximum" in schema:
        value = min(value, schema["exclusiveMaximum"] - 1)
    return value


# --- the responses ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Canned:
    """One prepared response: status, media type and body value, and its headers' values."""

    status: int
    media_type: str | None
    body: Any
    headers: dict[str, Any] = field(default_factory=dict)
    location: tuple[str, dict[str, str]] | None = None  # a linked path and its parameters

    def render(self, path: str) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
        headers = dict(self.headers)
        for name in list(headers):
            if name.lower() == "x-total-count" and isinstance(self.body, list):
                headers[name] = len(self.body)
            if name.lower() == "location":
                headers[name] = self._location(path, headers[name])
        if self.media_type is None:
            payload = b""
        elif "json" in self.media_type:
            payload = json.dumps(self.body, separators=(",", ":")).encode()
        else:
            payload = str(self.body).encode()
        raw = [(k.lower().encode(), _header_text(v).encode()) for k, v in headers.items()]
        if self.media_type is not None:
            raw.append((b"content-type", self.media_type.encode()))
        raw.append((b"content-length", str(len(payload)).encode()))
        return self.status, raw, payload

    def _location(self, path: str, fallback: Any) -> Any:
        if self.location is not None:
            template, pointers = self.location
            values = {name: _pointer(self.body, pointer) for name, pointer in pointers.items()}
            if all(value is not None for value in values.values()):
                return re.sub(r"\{([^}]+)\}", lambda m: str(values[m.group(1)]), template)
        if isinstance(self.body, dict) and "id" in self.body:
            return f"{path.rstrip('/')}/{self.body['id']}"
        return fallback


def _pointer(document: Any, pointer: str) -> Any:
    for token in [t for t in pointer.split("/") if t]:
        if not isinstance(document, dict):
            return None
        document = document.get(token.replace("~1", "/").replace("~0", "~"))
    return document


def _header_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ",".join(_header_text(v) for v in value)
    return str(value)


def _operation(spec: Mapping[str, Any], operation_id: str) -> Mapping[str, Any]:
    info = OPERATIONS[operation_id]
    result: Mapping[str, Any] = spec["paths"][info.path][info.method.lower()]
    return result


def canned_response(samples: Samples, operation_id: str, status: str) -> Canned:
    response = samples.resolve(_operation(samples.spec, operation_id)["responses"][status])
    content = response.get("content") or {}
    media_type = next(iter(content), None)
    body = samples.media_value(content[media_type]) if media_type else None
    headers = {
        name: samples.value(samples.resolve(header).get("schema", {}))
        for name, header in (response.get("headers") or {}).items()
    }
    return Canned(int(status), media_type, body, headers, _location(samples, response))


def _location(samples: Samples, response: Mapping[str, Any]) -> tuple[str, dict[str, str]] | None:
    """Where ``Location`` points: the path of the first GET the response links to, with its
    parameters from the body (``$response.body#/id``), as the contract's links say."""
    for link in (response.get("links") or {}).values():
        link = samples.resolve(link)
        target = OPERATIONS.get(str(link.get("operationId")))
        if target is None or target.method != "GET":
            continue
        pointers = {
            str(name): str(value).removeprefix("$response.body#")
            for name, value in (link.get("parameters") or {}).items()
            if str(value).startswith("$response.body#")
        }
        if set(re.findall(r"\{([^}]+)\}", target.path)) <= set(pointers):
            return target.path, pointers
    return None


def success_status(operation_id: str) -> str | None:
    statuses = sorted(s for s in OPERATIONS[operation_id].statuses if s.startswith("2"))
    return statuses[0] if statuses else None


def prepare(spec: Mapping[str, Any]) -> tuple[dict[str, Canned], dict[str, Canned]]:
    """Every operation's success response, and its 404 where it declares one."""
    samples = Samples(spec)
    success: dict[str, Canned] = {}
    missing: dict[str, Canned] = {}
    problems = []
    for operation_id, info in OPERATIONS.items():
        try:
            status = success_status(operation_id)
            if status is not None:
                success[operation_id] = canned_response(samples, operation_id, status)
            if "404" in info.statuses:
                canned = canned_response(samples, operation_id, "404")
                body = canned.body
                if isinstance(body, dict) and isinstance(body.get("detail"), str):
                    body = {**body, "detail": "Not found (deleted earlier in this mock)"}
                missing[operation_id] = Canned(404, canned.media_type, body, canned.headers)
        except (MockError, KeyError) as exc:
            problems.append(f"{operation_id}: {exc}")
    if problems:
        raise MockError("; ".join(problems))
    return success, missing


class MockResponder:
    """ASGI: the generated router's 501 for an unimplemented operation becomes its success."""

    def __init__(self, app: ASGIApp, spec: Mapping[str, Any]) -> None:
        self.app = app
        self.success, self.missing = prepare(spec)
        self.deleted: set[str] = set()
        self.minted = 0  # ids handed out by creations so far

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        held: list[Message] = []

        async def hold(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] != 501:
                await send(message)  # not ours: pass everything through from here on
                held.append({"type": "passthrough"})
            elif held and held[0]["type"] == "passthrough":
                await send(message)
            else:
                held.append(message)

        await self.app(scope, receive, hold)
        if held and held[0]["type"] == "passthrough":
            return
        body = b"".join(m.get("body", b"") for m in held if m["type"] == "http.response.body")
        operation_id = _unimplemented(body)
        if operation_id is None or operation_id not in self.success:
            for message in held:
                await send(message)
            return
        await self._answer(scope, operation_id, send)

    async def _answer(self, scope: Scope, operation_id: str, send: Send) -> None:
        path = scope["path"]
        method = scope["method"]
        if path in self.deleted and operation_id in self.missing and method != "POST":
            canned = self.missing[operation_id]
        else:
            canned = self.success[operation_id]
        if method == "POST" and 200 <= canned.status < 300:
            canned = self._created(canned)
        status, headers, payload = canned.render(path)
        if method == "DELETE" and 200 <= status < 300:
            self.deleted.add(path)
        for name, value in headers:
            if name == b"location" and 200 <= status < 300:
                self.deleted.discard(value.decode())
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": payload})

    def _created(self, canned: Canned) -> Canned:
        """A creation gets an id of its own (the sample's type and format), so that its
        ``Location`` never names a resource deleted earlier: re-using the sample's id brought
        a deleted path back to life, which a client (and Schemathesis's use-after-free check)
        reads as a delete that did not happen."""
        if not isinstance(canned.body, dict) or "id" not in canned.body:
            return canned
        sample = canned.body["id"]
        self.minted += 1
        fresh: Any = sample
        if isinstance(sample, int) and not isinstance(sample, bool):
            fresh = sample + self.minted
        elif isinstance(sample, str):
            try:
                fresh = str(uuid.UUID(int=uuid.UUID(sample).int ^ self.minted))
            except ValueError:
                fresh = sample  # an id of another shape stays the sample's
        return dataclasses.replace(canned, body={**canned.body, "id": fresh})


def _unimplemented(body: bytes) -> str | None:
    try:
        detail = json.loads(body).get("detail")
    except (ValueError, AttributeError):
        return None
    match = _NOT_IMPLEMENTED.match(detail) if isinstance(detail, str) else None
    return match.group(1) if match else None


# --- errors as the real app renders them ------------------------------------------------------
# The contract's conventions (info.description): every error is {"detail": ...}; an unparsable
# body is invalid input like any other (422, the contract has no 400). The real app renders them
# in impl/http/errors.py, which the mock may not import; this is the same rendering, kept small.


def _json_safe(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return repr(value)
    if isinstance(value, list | tuple):
        return [_json_safe(item) for item in value]
    if isinstance(value, dict):
        return {str(key): _json_safe(item) for key, item in value.items()}
    return value


def _json(content: Any, status: int, headers: Mapping[str, str] | None = None) -> Response:
    body = json.dumps(_json_safe(content), ensure_ascii=True, allow_nan=False, default=str)
    return Response(body, status_code=status, headers=headers, media_type="application/json")


async def _validation_error(_request: Request, exc: Exception) -> Response:
    errors = exc.errors() if isinstance(exc, RequestValidationError) else []
    return _json({"detail": jsonable_encoder(errors)}, 422)


async def _http_error(request: Request, exc: Exception) -> Response:
    if not isinstance(exc, HTTPException):
        raise exc
    headers = dict(exc.headers or {})
    if exc.status_code == 400:
        error = {"type": "body_invalid", "loc": ["body"], "msg": str(exc.detail), "input": None}
        return _json({"detail": [error]}, 422, headers)
    if exc.status_code == 405:
        headers["Allow"] = _allowed_methods(request) or headers.get("Allow", "")
    if exc.status_code in (204, 304):
        return Response(status_code=exc.status_code, headers=headers)
    return _json({"detail": exc.detail}, exc.status_code, headers)


def _allowed_methods(request: Request) -> str:
    methods: set[str] = set()
    for route in getattr(request.app.router, "routes", ()):
        if isinstance(route, Route) and route.methods:
            match, _ = route.matches(request.scope)
            if match is not Match.NONE:
                methods |= route.methods
    return ", ".join(sorted(methods))


def create_mock_app(spec: Mapping[str, Any] = SPEC) -> ASGIApp:
    """The mock: the generated routes with no handlers, any token, and canned successes."""
    app = FastAPI(
        title=f"{spec['info']['title']} (mock)",
        version=str(spec["info"]["version"]),
        docs_url="/docs",
        redoc_url="/redoc",
    )
    app.openapi = lambda: dict(spec)  # type: ignore[method-assign]
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(HTTPException, _http_error)
    handlers = Handlers(security=AnyTokenVerifier(contract_scopes(spec)))
    app.router.routes.extend(generated.create_router(handlers, allow_missing=True).routes)
    return MockResponder(app, spec)


def main(argv: list[str] | None = None) -> int:
    import uvicorn

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    args = parser.parse_args(argv)
    try:
        app = create_mock_app()
    except MockError as exc:
        print(f"openapi.yaml: the mock cannot answer: {exc}", file=sys.stderr)
        return 1
    print(f"mock of openapi.yaml on http://{args.host}:{args.port} (any bearer token is accepted)")
    uvicorn.run(app, host=args.host, port=args.port, log_level="info")
    return 0


if __name__ == "__main__":
    sys.exit(main())
