"""Helpers for the generator's tests: run the CLI, import a generated package, build requests.

Generated packages use relative imports only, so each one is imported under a unique name from
wherever it was written.
"""

from __future__ import annotations

import contextlib
import functools
import importlib.util
import io
import itertools
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import generate as generate_cli
import httpx
import hypothesis
import yaml
from fastapi import FastAPI
from hypothesis import strategies as st
from openapi_schema_validator import OAS30Validator, OAS31Validator

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared"
PUBLIC_SPECS = SHARED / "specs" / "public"
PAGERDUTY = SHARED / "specs" / "real" / "pagerduty-openapiv3.json"
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
IGNORED_HEADERS = frozenset({"accept", "content-type", "authorization"})
_TEMPLATE = re.compile(r"\{([^{}]+)\}")
_counter = itertools.count()


@dataclass(frozen=True)
class CliResult:
    status: int
    stdout: str
    stderr: str

    @property
    def lines(self) -> list[str]:
        return [line for line in self.stderr.splitlines() if line]


def run_cli(*args: str | Path) -> CliResult:
    """``scripts/generate.py`` in process (its ``main``), with its exit status and output."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = generate_cli.main([str(a) for a in args])
    return CliResult(status, out.getvalue(), err.getvalue())


def import_package(directory: Path) -> ModuleType:
    """Import a generated package under a fresh name (it only imports itself relatively)."""
    name = f"gen_{re.sub(r'[^0-9a-zA-Z]', '_', directory.name)}_{next(_counter)}"
    spec = importlib.util.spec_from_file_location(
        name, directory / "__init__.py", submodule_search_locations=[str(directory)]
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def generate_package(spec: Path, out: Path) -> ModuleType:
    result = run_cli("--spec", spec, "--out", out)
    assert result.status == 0, result.stderr
    return import_package(out)


def generate_inline(tmp_path: Path, text: str, name: str = "contract") -> ModuleType:
    spec = tmp_path / f"{name}.yaml"
    spec.write_text(text, encoding="utf-8")
    return generate_package(spec, tmp_path / f"{name}_pkg")


def app_for(package: ModuleType, handlers: Any = None, *, allow_missing: bool = True) -> FastAPI:
    app = FastAPI()
    # As impl/app.py does: the generated routes join the app's own router.
    app.router.routes.extend(package.create_router(handlers, allow_missing=allow_missing).routes)
    return app


def error_at(response: httpx.Response, loc: list[Any]) -> dict[str, Any]:
    """The 422's error entry whose ``loc`` is ``loc`` (failing when there is none)."""
    assert response.status_code == 422, response.text
    matching: list[dict[str, Any]] = [e for e in response.json()["detail"] if e["loc"] == loc]
    assert matching, response.json()["detail"]
    return matching[0]


def client(app: FastAPI, *, raise_app_exceptions: bool = True) -> httpx.AsyncClient:
    """An HTTP client for ``app``; ``raise_app_exceptions=False`` turns them into 500s."""
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=raise_app_exceptions)
    return httpx.AsyncClient(transport=transport, base_url="http://t")


def load_document(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as handle:
        data = yaml.load(handle, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506
    assert isinstance(data, dict)
    return data


# --- the contract's operations, read independently of the generator -------------------------


def deref(data: dict[str, Any], node: Any) -> Any:
    while isinstance(node, dict) and isinstance(node.get("$ref"), str):
        target: Any = data
        for token in node["$ref"][2:].split("/"):
            token = token.replace("~1", "/").replace("~0", "~")
            target = target[int(token)] if isinstance(target, list) else target[token]
        node = target
    return node


@dataclass(frozen=True)
class ContractOperation:
    path: str
    method: str
    operation: dict[str, Any]
    parameters: list[dict[str, Any]]  # merged path-level + operation-level, dereferenced
    security: list[dict[str, list[str]]]

    @property
    def key(self) -> tuple[str, str]:
        return self.method, normalise_path(self.path)


def normalise_path(path: str) -> str:
    return _TEMPLATE.sub("{}", path)


def contract_operations(data: dict[str, Any]) -> list[ContractOperation]:
    operations = []
    for path, item in (data.get("paths") or {}).items():
        item = deref(data, item)
        for method in HTTP_METHODS:
            operation = item.get(method)
            if not isinstance(operation, dict):
                continue
            merged: dict[tuple[str, str], dict[str, Any]] = {}
            for raw in [*(item.get("parameters") or []), *(operation.get("parameters") or [])]:
                parameter = deref(data, raw)
                merged[(parameter["name"], parameter["in"])] = parameter
            security = operation.get("security", data.get("security")) or []
            operations.append(
                ContractOperation(path, method, operation, list(merged.values()), security)
            )
    return operations


# --- values that satisfy a schema -----------------------------------------------------------

_STRING_FORMATS = {
    "date-time": "2024-01-02T03:04:05Z",
    "date": "2024-01-02",
    "time": "03:04:05Z",
    "uuid": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
    "email": "user@example.test",
    "uri": "https://example.test/x",
    "url": "https://example.test/x",
    "hostname": "example.test",
    "ipv4": "192.0.2.1",
    "ipv6": "2001:db8::1",
    "binary": "x",
    "byte": "eA==",
}


def schema_validator(data: dict[str, Any], schema: dict[str, Any]) -> Any:
    """A validator for ``schema`` in place (so its ``$ref``s resolve in the document)."""
    oas31 = str(data.get("openapi", "")).startswith("3.1")
    root = {**data, **schema}
    return (OAS31Validator if oas31 else OAS30Validator)(root)


def valid_value(data: dict[str, Any], schema: Any, depth: int = 0) -> Any:
    """A value valid against ``schema``: its example/default/enum if valid, else a minimal one."""
    schema = deref(data, schema)
    if not isinstance(schema, dict) or depth > 8:
        return "x"
    for key in ("example", "default"):
        if key in schema and schema_validator(data, schema).is_valid(schema[key]):
            return schema[key]
    if isinstance(schema.get("examples"), list) and schema["examples"]:
        candidate = schema["examples"][0]
        if schema_validator(data, schema).is_valid(candidate):
            return candidate
    if "const" in schema:
        return schema["const"]
    if isinstance(schema.get("enum"), list) and schema["enum"]:
        return next((v for v in schema["enum"] if v is not None), schema["enum"][0])
    if isinstance(schema.get("allOf"), list):
        parts = [deref(data, p) for p in schema["allOf"]]
        substantive = [p for p in parts if set(p) - {"description", "title", "example"}]
        if len(substantive) == 1 and not {"properties", "required"} & set(schema):
            return valid_value(data, substantive[0], depth + 1)
        return valid_value(data, _flatten_all_of(data, schema), depth + 1)
    for key in ("oneOf", "anyOf"):
        if isinstance(schema.get(key), list) and schema[key]:
            value = valid_value(data, schema[key][0], depth + 1)
            return _tagged(schema, schema[key][0], value)
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind is None:
        kind = "object" if "properties" in schema else ("array" if "items" in schema else "string")
    if kind == "integer":
        return _number(schema, 1)
    if kind == "number":
        return _number(schema, 1.5)
    if kind == "boolean":
        return True
    if kind == "null":
        return None
    if kind == "array":
        count = max(int(schema.get("minItems", 1)), 1)
        item = valid_value(data, schema.get("items") or {}, depth + 1)
        if schema.get("uniqueItems") and count > 1 and isinstance(item, int):
            return [item + i for i in range(count)]
        if schema.get("uniqueItems") and count > 1 and isinstance(item, str):
            pattern = deref(data, schema.get("items") or {}).get("pattern")
            if isinstance(pattern, str):
                return _distinct_matching(pattern, count)
            return [f"{item}{i}" for i in range(count)]
        return [item] * count
    if kind == "object":
        properties = schema.get("properties") or {}
        return {
            name: valid_value(data, properties.get(name, {}), depth + 1)
            for name in schema.get("required") or []
            if not deref(data, properties.get(name, {})).get("readOnly")
        }
    if isinstance(schema.get("pattern"), str) and str(schema.get("format")) not in _STRING_FORMATS:
        return _matching(schema["pattern"], schema)
    value = _STRING_FORMATS.get(str(schema.get("format")), "abc")
    if "minLength" in schema and len(value) < schema["minLength"]:
        value = value + "a" * (schema["minLength"] - len(value))
    if "maxLength" in schema and len(value) > schema["maxLength"]:
        value = value[: schema["maxLength"]]
    return value


@functools.cache
def _matching_text(pattern: str, low: int, high: int) -> str:
    """The simplest text ``pattern`` matches within the length bounds (Hypothesis shrinks it)."""
    strategy = st.from_regex(pattern, fullmatch=True).filter(lambda t: low <= len(t) <= high)
    found: str = hypothesis.find(
        strategy, lambda _: True, settings=hypothesis.settings(database=None, max_examples=500)
    )
    return found


@functools.cache
def _distinct_matching(pattern: str, count: int) -> list[str]:
    strategy = st.lists(
        st.from_regex(pattern, fullmatch=True), min_size=count, max_size=count, unique=True
    )
    found: list[str] = hypothesis.find(
        strategy, lambda _: True, settings=hypothesis.settings(database=None, max_examples=500)
    )
    return found


def _matching(pattern: str, schema: dict[str, Any]) -> str:
    low, high = int(schema.get("minLength", 0)), int(schema.get("maxLength", 10_000))
    try:
        return _matching_text(pattern, low, high)
    except Exception:  # a pattern Python's re cannot take (or nothing found): any text will do
        return "abc"


def _tagged(schema: dict[str, Any], variant: Any, value: Any) -> Any:
    """``value`` (made for ``variant``) with the discriminator's tag for that variant, which
    OpenAPI requires even where the variant's schema does not."""
    discriminator = schema.get("discriminator")
    if not isinstance(discriminator, dict) or not isinstance(value, dict):
        return value
    ref = variant.get("$ref") if isinstance(variant, dict) else None
    if not isinstance(ref, str):
        return value
    mapping = discriminator.get("mapping") or {}
    tag = next((key for key, target in mapping.items() if target == ref), None)
    name = discriminator["propertyName"]
    if tag is None:  # the implicit mapping: the schema's name, unless the variant fixes a value
        tag = value.get(name, ref.rsplit("/", 1)[-1])
    return {**value, name: tag}


def _flatten_all_of(data: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    """One object schema from an ``allOf`` (a part may require what another part defines)."""
    merged: dict[str, Any] = {"type": "object", "properties": {}, "required": []}
    for part in [schema, *(deref(data, p) for p in schema.get("allOf") or [])]:
        if part is not schema and "allOf" in part:
            part = _flatten_all_of(data, part)
        merged["properties"].update(part.get("properties") or {})
        merged["required"] += [r for r in part.get("required") or [] if r not in merged["required"]]
    return merged


def _number(schema: dict[str, Any], fallback: float) -> Any:
    low = schema.get("minimum")
    exclusive = schema.get("exclusiveMinimum")
    if isinstance(exclusive, int | float) and not isinstance(exclusive, bool):
        low = exclusive + 1
    elif exclusive is True and low is not None:
        low = low + 1
    value = low if low is not None else fallback
    high = schema.get("maximum")
    if high is not None and value > high:
        value = high
    return int(value) if isinstance(fallback, int) else value


def text_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


@dataclass
class Request:
    method: str
    url: str
    params: list[tuple[str, str]]
    headers: dict[str, str]
    cookies: dict[str, str]
    json: Any = None
    content: bytes | None = None
    data: dict[str, Any] | None = None
    files: dict[str, Any] | None = None

    async def send(self, http: httpx.AsyncClient) -> httpx.Response:
        kwargs: dict[str, Any] = {"params": self.params, "headers": self.headers}
        if self.json is not None:
            kwargs["json"] = self.json
        if self.content is not None:
            kwargs["content"] = self.content
        if self.data is not None:
            kwargs["data"] = self.data
        if self.files is not None:
            kwargs["files"] = self.files
        http.cookies.clear()
        for name, value in self.cookies.items():
            http.cookies.set(name, value)
        return await http.request(self.method.upper(), self.url, **kwargs)


def valid_request(data: dict[str, Any], operation: ContractOperation) -> Request:
    """A request the contract accepts for ``operation`` (no credentials)."""
    values = {}
    params: list[tuple[str, str]] = []
    headers: dict[str, str] = {}
    cookies: dict[str, str] = {}
    for parameter in operation.parameters:
        location = parameter["in"]
        if location == "header" and parameter["name"].lower() in IGNORED_HEADERS:
            continue
        if not parameter.get("required") and location != "path":
            continue
        schema = deref(data, parameter.get("schema") or {})
        value = valid_value(data, schema)
        values[parameter["name"]] = value
        if location == "query":
            if isinstance(value, list):
                if parameter.get("explode", parameter.get("style", "form") == "form"):
                    params += [(parameter["name"], text_value(v)) for v in value]
                else:
                    params.append((parameter["name"], ",".join(text_value(v) for v in value)))
            else:
                params.append((parameter["name"], text_value(value)))
        elif location == "header":
            headers[parameter["name"]] = (
                ",".join(map(text_value, value)) if isinstance(value, list) else text_value(value)
            )
        elif location == "cookie":
            cookies[parameter["name"]] = text_value(value)
    url = _TEMPLATE.sub(
        lambda m: (
            ",".join(map(text_value, values[m.group(1)]))
            if isinstance(values[m.group(1)], list)
            else text_value(values[m.group(1)])
        ),
        operation.path,
    )
    request = Request(operation.method, url, params, headers, cookies)
    body = deref(data, operation.operation.get("requestBody"))
    if isinstance(body, dict) and body.get("content"):
        media_type, media = next(iter(body["content"].items()))
        schema = deref(data, (media or {}).get("schema") or {})
        lower = media_type.lower()
        if "json" in lower or lower == "*/*":
            request.json = valid_value(data, schema) if schema else {}
            headers["Content-Type"] = media_type if "*" not in media_type else "application/json"
        elif lower == "application/x-www-form-urlencoded":
            value = valid_value(data, schema)
            request.data = {k: text_value(v) for k, v in value.items()}
        elif lower.startswith("multipart/"):
            value = valid_value(data, schema)
            files = {k: (None, text_value(v)) for k, v in value.items()}
            request.files = files or {"x": (None, "")}
        else:
            request.content = b"abc"
            headers["Content-Type"] = media_type
    return request


def invalid_request(data: dict[str, Any], operation: ContractOperation) -> Request | None:
    """A request the contract rejects for an input constraint, or None when nothing constrains."""
    request = valid_request(data, operation)
    for parameter in operation.parameters:
        schema = deref(data, parameter.get("schema") or {})
        location = parameter["in"]
        if location == "header" and parameter["name"].lower() in IGNORED_HEADERS:
            continue
        if parameter.get("required") and location == "query":
            request.params = [(k, v) for k, v in request.params if k != parameter["name"]]
            return request
        if parameter.get("required") and location == "header":
            del request.headers[parameter["name"]]
            return request
        if schema.get("type") in ("integer", "number") and location in ("path", "query"):
            if location == "query":
                request.params = [(k, v) for k, v in request.params if k != parameter["name"]]
                request.params.append((parameter["name"], "not-a-number"))
            else:
                request.url = _replace_segment(request.url, operation.path, parameter["name"])
            return request
    body = deref(data, operation.operation.get("requestBody"))
    if isinstance(body, dict) and body.get("content"):
        media_type = next(iter(body["content"]))
        if "json" in media_type.lower() and request.json is not None:
            schema = deref(data, (body["content"][media_type] or {}).get("schema") or {})
            if schema.get("type") == "object" or "properties" in schema or "allOf" in schema:
                request.json = ["not", "an", "object"]
                return request
        if body.get("required") and request.json is not None:
            request.json = None
            request.headers.pop("Content-Type", None)
            return request
    return None


def _replace_segment(url: str, template: str, name: str) -> str:
    parts, template_parts = url.split("/"), template.split("/")
    return "/".join(
        "not-a-number" if tp == "{" + name + "}" else part
        for part, tp in zip(parts, template_parts, strict=True)
    )


def credentials_for(data: dict[str, Any], scheme_name: str, request: Request) -> None:
    """Put (arbitrary) credentials for a security scheme where the scheme says they travel."""
    scheme = deref(data, data["components"]["securitySchemes"][scheme_name])
    if scheme["type"] == "apiKey":
        if scheme["in"] == "header":
            request.headers[scheme["name"]] = "key"
        elif scheme["in"] == "query":
            request.params.append((scheme["name"], "key"))
        else:
            request.cookies[scheme["name"]] = "key"
    elif scheme["type"] == "http" and str(scheme.get("scheme")).lower() == "basic":
        request.headers["Authorization"] = "Basic dTpw"
    else:
        request.headers["Authorization"] = "Bearer token"


# --- what a generated package serves: its route table -----------------------------------------


@dataclass(frozen=True)
class Served:
    """One operation as the generated router serves it."""

    operation_id: str
    statuses: frozenset[str]
    parameters: frozenset[tuple[str, str]]  # (in, name) under the contract's names
    required: frozenset[tuple[str, str]]
    media_types: frozenset[str]  # of the request body; empty without one


def route_table(package: ModuleType) -> dict[tuple[str, str], Served]:
    """(method, path template) → what is served there, from ``create_router``'s routes."""
    routes_module = sys.modules[f"{package.__name__}.routes"]
    by_key = {(o.method.lower(), o.path): o for o in package.OPERATIONS.values()}
    names = {
        operation_id: python_name
        for methods in routes_module.HANDLER_METHODS.values()
        for python_name, operation_id in methods.items()
    }
    table = {}
    for route in package.create_router(None, allow_missing=True).routes:
        for method in route.endpoints:
            operation = by_key[(method.lower(), route.path)]
            constant = f"_{names[operation.operation_id].upper()}"
            typed = getattr(routes_module, f"{constant}_PARAMETERS_TYPE", None)
            keys = set(typed.__annotations__) if typed is not None else set()
            required = set(typed.__required_keys__) if typed is not None else set()
            body = getattr(routes_module, f"{constant}_BODY", None)
            table[(method.lower(), route.path)] = Served(
                operation.operation_id,
                operation.statuses,
                frozenset(_split_key(k) for k in keys),
                frozenset(_split_key(k) for k in required),
                frozenset(m.media_type for m in body.media) if body is not None else frozenset(),
            )
    return table


def _split_key(key: str) -> tuple[str, str]:
    location, _, name = key.partition(":")
    return location, name


def contract_parameters(
    operation: ContractOperation,
) -> tuple[set[tuple[str, str]], set[tuple[str, str]]]:
    """(every (in, name), the required ones) of an operation, as the contract declares them."""
    every, required = set(), set()
    for parameter in operation.parameters:
        if parameter["in"] == "header" and parameter["name"].lower() in IGNORED_HEADERS:
            continue
        key = (parameter["in"], parameter["name"])
        every.add(key)
        if parameter.get("required") or parameter["in"] == "path":
            required.add(key)
    return every, required
