# ruff: noqa: E501 - the lines here are templates of generated code, which ruff format rewraps
"""Writes the generated package's modules from the operations and the models."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .ir import JSON_MEDIA, MediaType, Operation, Parameter, Response
from .naming import Namer
from .types import TypeResolver, constraints
from .validate import deref

STATIC_DIR = Path(__file__).parent / "static"
_TEMPLATE = re.compile(r"\{([^{}]+)\}")


def header(spec_name: str) -> str:
    return f"# generated from {spec_name} by scripts/generate.py — do not edit.\n"


def _doc(text: str) -> str:
    """A docstring body that cannot end the string early."""
    return text.replace("\\", "\\\\").replace('"""', '\\"\\"\\"').strip()


def _py(value: Any) -> str:
    return repr(value)


@dataclass
class Result:
    """How one result status reaches the handler's return type and the response."""

    response: Response
    class_name: str | None  # a result dataclass, or None when the body type itself is returned
    body_type: str | None  # None: no body
    body_kind: str  # json | text | bytes | none


class Renderer:
    def __init__(
        self, data: dict[str, Any], operations: list[Operation], types: TypeResolver
    ) -> None:
        self.data = data
        self.operations = operations
        self.types = types
        self.tags: dict[str, list[Operation]] = defaultdict(list)
        for operation in operations:
            self.tags[operation.tag].append(operation)
        # One Namer for the package's classes and tag attributes (README, "The generator").
        self.namer = Namer()
        self.tag_names: dict[str, str] = {}
        self.tag_classes: dict[str, str] = {}
        for tag in self.tags:
            self.tag_names[tag], self.tag_classes[tag] = self.namer.tag(tag)
        self.schemes = self._schemes()
        self._results: dict[int, list[Result]] = {}
        for operation in operations:
            self._results[id(operation)] = self._build_results(operation)

    # --- security -------------------------------------------------------------------------
    def _schemes(self) -> dict[str, str]:
        """Scheme name → the Python expression of its ``SecurityScheme``."""
        result = {}
        raw = (self.data.get("components") or {}).get("securitySchemes") or {}
        for name, scheme in raw.items():
            scheme = deref(self.data, scheme)
            kind = scheme.get("type")
            if kind == "apiKey":
                expr = (
                    f"SecurityScheme({_py(name)}, 'apiKey', {_py(scheme.get('in', 'header'))}, "
                    f"{_py(scheme.get('name', 'Authorization'))})"
                )
            elif kind == "http":
                expr = (
                    f"SecurityScheme({_py(name)}, 'http', http_scheme="
                    f"{_py(str(scheme.get('scheme', 'bearer')).lower())})"
                )
            else:  # oauth2, openIdConnect: bearer tokens; mutualTLS cannot be checked here
                expr = f"SecurityScheme({_py(name)}, 'http', http_scheme='bearer')"
            result[str(name)] = expr
        return result

    def _requirements(self, operation: Operation) -> str:
        parts = []
        for requirement in operation.security:
            schemes = [
                f"(_SCHEMES[{_py(name)}], frozenset({_py(sorted(scopes))}))"
                for name, scopes in requirement.items()
                if name in self.schemes
            ]
            parts.append("(" + "".join(f"{s}, " for s in schemes) + ")")
        return "(" + "".join(f"{p}, " for p in parts) + ")"

    # --- results ----------------------------------------------------------------------------
    def results(self, operation: Operation) -> list[Result]:
        return self._results[id(operation)]

    def _build_results(self, operation: Operation) -> list[Result]:
        results = []
        statuses = operation.results
        for response in statuses:
            body_kind = "none"
            body_type = None
            if response.media_type is not None:
                if JSON_MEDIA.match(response.media_type.lower()):
                    body_kind, body_type = (
                        "json",
                        self.types.model_expr(response.schema, "response"),
                    )
                elif response.media_type.lower().startswith("text/"):
                    body_kind, body_type = "text", "str"
                else:
                    body_kind, body_type = "bytes", "bytes"
            results.append(Result(response, None, body_type, body_kind))
        plain = [r.body_type for r in results]
        for result in results:
            response = result.response
            ambiguous = plain.count(result.body_type) > 1
            if (
                response.headers
                or ambiguous
                or (response.numeric is None and response.status != "default")
            ):
                result.class_name = self.namer.result_class(operation.operation_id, response.status)
        return results

    def return_type(self, operation: Operation) -> str:
        parts = []
        for result in self.results(operation):
            parts.append(result.class_name or result.body_type or "None")
        return " | ".join(dict.fromkeys(parts)) or "None"

    # --- api.py ---------------------------------------------------------------------------
    def api_module(self) -> str:
        lines = [
            '"""The contract as Python types: one Protocol per tag, one result class per response."""',
            "",
            "from __future__ import annotations",
            "",
            "import datetime  # noqa: F401",
            "import uuid  # noqa: F401",
            "from dataclasses import dataclass",
            "from typing import TYPE_CHECKING, Any, Literal, Protocol  # noqa: F401",
            "",
            "from . import models  # noqa: F401",
            "from .security import Principal, SecurityVerifier  # noqa: F401",
            "",
            "# Type checkers see every operation as abstract, so a handler class that misses one",
            "# cannot be instantiated (mypy names the method). At run time the class can be built",
            "# and create_router() refuses it instead, naming every missing operationId.",
            "if TYPE_CHECKING:",
            "    from abc import abstractmethod as operation",
            "else:",
            "    from ._runtime import operation",
            "",
        ]
        for operation in self.operations:
            for result in self.results(operation):
                if result.class_name is None:
                    continue
                response = result.response
                lines += [
                    "",
                    "@dataclass(frozen=True, slots=True, kw_only=True)",
                    f"class {result.class_name}:",
                ]
                doc = f"{response.status} response of {operation.operation_id}: {response.description}"
                lines.append(f'    """{_doc(doc)}"""')
                lines.append("")
                if response.numeric is None and response.status != "default":
                    lines.append("    status_code: int")
                elif response.status == "default":
                    lines.append("    status_code: int = 200")
                if result.body_type is not None:
                    lines.append(f"    body: {result.body_type}")
                required = [h for h in response.headers if h.required]
                optional = [h for h in response.headers if not h.required]
                for h in required:
                    lines.append(f"    {h.python_name}: {self.types.value_expr(h.schema)}")
                for h in optional:
                    expr = self.types.value_expr(h.schema)
                    expr = expr if expr.endswith("| None") or expr == "Any" else f"{expr} | None"
                    lines.append(f"    {h.python_name}: {expr} = None")
                lines.append("")
        for tag, operations in self.tags.items():
            class_name = self.tag_classes[tag]
            lines += [
                "",
                f"class {class_name}(Protocol):",
                f'    """Operations tagged {_doc(repr(tag))}."""',
                "",
            ]
            for operation in operations:
                lines += self._protocol_method(operation)
        lines += [
            "",
            "@dataclass(frozen=True, slots=True, kw_only=True)",
            "class Handlers:",
            '    """The implementation of every tag; ``None`` where nothing implements it yet."""',
            "",
        ]
        for tag in self.tags:
            lines.append(f"    {self.tag_names[tag]}: {self.tag_classes[tag]} | None = None")
        lines.append("    security: SecurityVerifier | None = None")
        return "\n".join(lines) + "\n"

    def handler_arguments(self, operation: Operation) -> list[tuple[str, str]]:
        """(name, type) of every keyword argument of the operation's handler method."""
        arguments = []
        if operation.security and any(operation.security):
            anonymous = any(not requirement for requirement in operation.security)
            arguments.append(("principal", "Principal | None" if anonymous else "Principal"))
        for parameter in operation.parameters:
            expr = self.param_type(parameter)
            if not parameter.required and not parameter.has_default and not expr.endswith("None"):
                expr = f"{expr} | None"
            arguments.append((parameter.python_name, expr))
        if operation.body is not None:
            arguments.append(("body", self.body_type(operation)))
        return arguments

    def _protocol_method(self, operation: Operation) -> list[str]:
        arguments = self.handler_arguments(operation)
        signature = "".join(f", {name}: {expr}" for name, expr in arguments)
        star = ", *" if arguments else ""
        doc = f"{operation.method.upper()} {operation.path} [{operation.operation_id}]"
        if operation.summary:
            doc += f"\n\n        {operation.summary}"
        return [
            "    @operation",
            f"    async def {operation.python_name}(self{star}{signature}) -> {self.return_type(operation)}:",
            f'        """{_doc(doc)}"""',
            "",
        ]

    def param_type(self, parameter: Parameter) -> str:
        """The handler's type of a parameter (the model where the schema names one)."""
        if parameter.content is not None or parameter.kind == "object":
            return self.types.model_expr(parameter.raw_schema or parameter.schema, "request")
        return self.types.value_expr(parameter.schema)

    def body_type(self, operation: Operation) -> str:
        body = operation.body
        if body is None:
            raise ValueError(f"{operation.operation_id} has no request body")
        parts = [self._media_type_expr(media) for media in body.media]
        expr = " | ".join(dict.fromkeys(parts))
        if "Any" in parts:
            expr = "Any"
        if not body.required and expr != "Any":
            expr += " | None"
        return expr

    def _media_type_expr(self, media: MediaType) -> str:
        if media.kind in ("json", "form", "multipart"):
            return self.types.model_expr(media.schema, "request") if media.schema else "Any"
        return "str" if media.kind == "text" else "bytes"

    # --- routes.py ------------------------------------------------------------------------
    def routes_module(self, spec_name: str) -> str:
        lines = [
            f'"""Routes for every operation of {spec_name}: parse, validate, authorize, call, answer.',
            "",
            "Each operation reads its parameters from the raw request by their style and explode",
            "rules, under the contract's names, and validates them and its body with adapters",
            "built once, when this module is imported. Errors answer 422 in FastAPI's shape.",
            '"""',
            "",
            "from __future__ import annotations",
            "",
            "import datetime  # noqa: F401",
            "import uuid  # noqa: F401",
            "from typing import Annotated, Any, Literal  # noqa: F401",
            "",
            "from fastapi import APIRouter, Request",
            "from fastapi.responses import Response",
            "from pydantic import ConfigDict, Field, TypeAdapter  # noqa: F401",
            "from typing_extensions import NotRequired, Required, TypedDict  # noqa: F401",
            "",
            "from . import _runtime as runtime",
            "from . import models  # noqa: F401",
            *self._api_imports(),
            "from .security import SecurityScheme, SecurityVerifier",
            "",
            "_SCHEMES: dict[str, SecurityScheme] = {",
        ]
        lines += [f"    {_py(name)}: {expr}," for name, expr in self.schemes.items()]
        lines += ["}", "", "OPERATIONS: dict[str, runtime.Operation] = {"]
        for operation in self.operations:
            statuses = sorted(r.status for r in operation.responses)
            lines.append(
                f"    {_py(operation.operation_id)}: runtime.Operation({_py(operation.operation_id)}, "
                f"{_py(operation.method.upper())}, {_py(operation.path)}, frozenset({_py(statuses)})),"
            )
        lines += ["}", ""]
        for operation in self.operations:
            lines += self._route_function(operation)
        lines += self._create_router()
        return "\n".join(lines) + "\n"

    def _api_imports(self) -> list[str]:
        names = {"Handlers"}
        for operation in self.operations:
            names.add(self.tag_classes[operation.tag])
            names.update(r.class_name for r in self.results(operation) if r.class_name)
        return ["from .api import (", *[f"    {n}," for n in sorted(names)], ")"]

    # Parameters ---------------------------------------------------------------------------
    def _param_annotation(self, parameter: Parameter) -> str:
        """The validated type of a parameter, constraints included (its adapter's field)."""
        expr = self.param_type(parameter)
        if parameter.content is not None or parameter.kind == "object":
            return expr
        return self._annotation(expr, parameter.schema)

    def _annotation(self, expr: str, schema: dict[str, Any]) -> str:
        """``expr`` (a value type of ``schema``) with the schema's constraints and enum."""
        base = expr.removesuffix(" | None")
        kwargs: dict[str, Any] = {}
        for key, value in constraints(schema).items():
            if key in ("min_length", "max_length") and not (
                base == "str" or base.startswith("list[")
            ):
                continue
            if key == "pattern" and base != "str":
                continue
            if key in ("ge", "gt", "le", "lt", "multiple_of") and base not in ("int", "float"):
                continue
            kwargs[key] = value
        if base.startswith("list[") and isinstance(schema.get("items"), dict):
            items = deref(self.data, schema["items"])
            item_expr = self.types.value_expr(items)
            item_constraints = constraints(items)
            extra = self._enum_check(items, item_expr)
            if (item_constraints or extra) and item_expr in ("int", "float", "str", "bool"):
                args = ", ".join(f"{k}={_py(v)}" for k, v in item_constraints.items())
                parts = [item_expr, *([f"Field({args})"] if args else []), *extra]
                item = f"Annotated[{', '.join(parts)}]"
                expr = f"list[{item}]" + (" | None" if expr.endswith(" | None") else "")
        extra = self._enum_check(schema, base)
        if kwargs or extra:
            args = ", ".join(f"{k}={_py(v)}" for k, v in kwargs.items())
            parts = [expr, *([f"Field({args})"] if args else []), *extra]
            expr = f"Annotated[{', '.join(parts)}]"
        return expr

    @staticmethod
    def _enum_check(schema: dict[str, Any], expr: str) -> list[str]:
        """An enum a ``Literal`` cannot express (numbers, booleans) is checked after parsing."""
        values = schema.get("enum")
        if not isinstance(values, list) or not values or expr.startswith("Literal["):
            return []
        if expr.removesuffix(" | None") not in ("int", "float", "bool"):
            return []
        return [f"runtime.one_of({_py(tuple(v for v in values if v is not None))})"]

    def plan(self, schema: Any, depth: int = 0) -> Any:
        """How text becomes the schema's JSON types (see ``runtime.coerce``); None: as it is."""
        schema = deref(self.data, schema)
        if not isinstance(schema, dict) or depth > 8:
            return None
        types = schema.get("type")
        names = [types] if isinstance(types, str) else [t for t in types or [] if t != "null"]
        properties: dict[str, Any] = {}
        additional = None
        items = schema.get("items")
        for part in [schema, *(deref(self.data, p) for p in schema.get("allOf") or [])]:
            if not isinstance(part, dict):
                continue
            if part is not schema and "allOf" in part:
                nested = self.plan(part, depth + 1)
                if isinstance(nested, tuple) and nested[0] == "object":
                    properties.update(nested[1])
                continue
            if isinstance(part.get("properties"), dict):
                for name, prop in part["properties"].items():
                    properties[str(name)] = self.plan(prop, depth + 1)
            if isinstance(part.get("additionalProperties"), dict):
                additional = self.plan(part["additionalProperties"], depth + 1)
            if not names and isinstance(part.get("type"), str):
                names = [part["type"]]
            if items is None and isinstance(part.get("items"), dict):
                items = part["items"]
        if len(names) > 1:
            return None  # several types: the text stays text, the validator decides
        kind = names[0] if names else ("object" if properties else None)
        if kind in ("integer", "number", "boolean", "string"):
            return kind
        if kind == "array":
            item = self.plan(items, depth + 1)
            return ("array", item) if item is not None else None
        if kind == "object":
            properties = {k: v for k, v in properties.items() if v is not None}
            return ("object", properties, additional) if properties or additional else None
        return None

    def _param_plan(self, parameter: Parameter) -> Any:
        if parameter.content is not None:
            return None
        plan = self.plan(parameter.schema)
        if parameter.kind == "scalar":
            # Scalars are parsed by the validator from text (as FastAPI does, errors echo the
            # text); only values of an enum of numbers or booleans are turned into JSON first.
            enum = parameter.schema.get("enum")
            if not (isinstance(enum, list) and any(not isinstance(v, str) for v in enum)):
                return None
        return None if plan == "string" else plan

    def _read_parameter(self, parameter: Parameter) -> list[str]:
        """Code that reads one parameter's raw value into ``raw`` (left out when absent)."""
        name, key = _py(parameter.name), _py(parameter.key)
        kind, explode, style = parameter.kind, parameter.explode, parameter.style
        source = {
            "path": "request.path_params",
            "query": "query",
            "header": "request.headers",
            "cookie": "request.cookies",
        }[parameter.location]
        if parameter.content is not None:
            read = f"runtime.content({source}.get({name}), {key}, errors)"
        elif kind == "scalar" and (parameter.location != "path" or style == "simple"):
            read = f"{source}.get({name})"
        elif parameter.location == "query":
            read = f"runtime.query(query, {name}, {_py(style)}, {_py(kind)}, {explode}, {_py(parameter.properties)})"
        elif parameter.location == "path" and style in ("label", "matrix"):
            args = f"{name}, " if style == "matrix" else ""
            read = f"runtime.{style}({source}.get({name}), {args}{_py(kind)}, {explode})"
        else:  # simple (path, header) and form cookies: comma-separated
            read = f"runtime.simple({source}.get({name}), {_py(kind)}, {explode and parameter.location != 'cookie'})"
        plan = self._param_plan(parameter)
        lines = [f"        value = {read}", "        if value is not None:"]
        if plan is not None:
            lines.append(f"            raw[{key}] = runtime.coerce(value, {_py(plan)})")
        else:
            lines.append(f"            raw[{key}] = value")
        return lines

    def _inline_object(self, schema: dict[str, Any], name: str) -> list[str]:
        """A TypedDict checking an inline object parameter's properties (no model has them)."""
        properties: dict[str, Any] = {}
        required: set[str] = set()
        forbid = schema.get("additionalProperties") is False
        for part in [schema, *(deref(self.data, p) for p in schema.get("allOf") or [])]:
            if isinstance(part, dict):
                properties.update(part.get("properties") or {})
                required.update(part.get("required") or [])
        fields = []
        for prop_name, prop in properties.items():
            prop = deref(self.data, prop)
            prop = prop if isinstance(prop, dict) else {}
            annotation = self._annotation(self.types.value_expr(prop), prop)
            wrapper = "Required" if prop_name in required else "NotRequired"
            fields.append(f"        {_py(str(prop_name))}: {wrapper}[{annotation}],")
        lines = ["", f"{name} = TypedDict(", f"    {_py(name)},", "    {", *fields, "    },", ")"]
        if forbid:
            lines.append(
                f"{name}.__pydantic_config__ = ConfigDict(extra='forbid')  # type: ignore[attr-defined]"
            )
        return lines

    def _parameters_adapter(self, operation: Operation, constant: str) -> list[str]:
        fields = []
        lines: list[str] = []
        for index, parameter in enumerate(operation.parameters):
            annotation = self._param_annotation(parameter)
            if annotation in ("dict[str, Any]", "dict[str, Any] | None") and (
                parameter.properties or parameter.schema.get("additionalProperties") is False
            ):
                name = f"{constant}_{index}"
                lines += self._inline_object(parameter.schema, name)
                annotation = name
            wrapper = "Required" if parameter.required else "NotRequired"
            fields.append(f"        {_py(parameter.key)}: {wrapper}[{annotation}],")
        typed = f"{constant}_TYPE"
        return [
            *lines,
            "",
            f"{typed} = TypedDict(",
            f"    {_py(typed)},",
            "    {",
            *fields,
            "    },",
            ")",
            f"{constant}: TypeAdapter[{typed}] = TypeAdapter({typed})",
        ]

    def _body_constant(self, operation: Operation, constant: str) -> list[str]:
        body = operation.body
        if body is None:
            raise ValueError(f"{operation.operation_id} has no request body")
        declared = {r.status for r in operation.responses}
        strict = "415" in declared or "422" not in declared
        media = []
        for item in body.media:
            expr = self._media_type_expr(item)
            adapter = (
                f"TypeAdapter({expr})"
                if item.kind in ("json", "form", "multipart") and expr != "Any"
                else "None"
            )
            plan = self.plan(item.schema) if item.kind in ("form", "multipart") else None
            media.append(
                f"runtime.Media({_py(item.media_type)}, {_py(item.kind)}, {adapter}, {_py(plan)}),"
            )
        return [
            "",
            f"{constant} = runtime.Body(",
            "    (",
            *[f"        {m}" for m in media],
            "    ),",
            f"    {body.required},",
            f"    {strict},",
            ")",
        ]

    def _route_function(self, operation: Operation) -> list[str]:
        name = operation.python_name
        constant = f"_{name.upper()}"
        api_class = self.tag_classes[operation.tag]
        lines: list[str] = []
        if operation.parameters:
            lines += self._parameters_adapter(operation, f"{constant}_PARAMETERS")
        if operation.body is not None:
            lines += self._body_constant(operation, f"{constant}_BODY")
        lines += [
            "",
            "",
            f"def _{name}(impl: {api_class} | None, verifier: SecurityVerifier | None) -> runtime.Endpoint:",
            f"    operation = OPERATIONS[{_py(operation.operation_id)}]",
        ]
        secured = bool(operation.security) and any(operation.security)
        if secured:
            lines.append(
                f"    authorize = runtime.authorizer({self._requirements(operation)}, verifier, "
                "unimplemented=impl is None)"
            )
        for index, result in enumerate(self.results(operation)):
            if result.body_kind == "json":
                lines.append(f"    dump_{index} = runtime.adapter({result.body_type})")
        lines += ["", "    async def endpoint(request: Request) -> Response:"]
        call_args = []
        if secured:
            lines.append("        principal = await authorize(request)")
            anonymous = any(not requirement for requirement in operation.security)
            call_args.append(
                "principal=principal" if anonymous else "principal=runtime.authenticated(principal)"
            )
        has_input = bool(operation.parameters) or operation.body is not None
        if has_input:
            lines.append("        errors: runtime.Errors = []")
        if operation.parameters:
            if any(p.location == "query" for p in operation.parameters):
                lines.append("        query = request.query_params")
            lines.append("        raw: dict[str, Any] = {}")
            for parameter in operation.parameters:
                lines += self._read_parameter(parameter)
            lines.append(
                f"        values = runtime.validate_parameters({constant}_PARAMETERS, raw, errors)"
            )
            for parameter in operation.parameters:
                key = _py(parameter.key)
                if parameter.required:
                    value = f"values.get({key})"
                elif parameter.has_default:
                    value = f"values.get({key}, {_py(parameter.schema['default'])})"
                else:
                    value = f"values.get({key})"
                call_args.append(f"{parameter.python_name}={value}")
        if operation.body is not None:
            lines.append(f"        body = await {constant}_BODY.read(request, errors)")
            call_args.append("body=body")
        if has_input:
            lines += ["        if errors:", "            runtime.invalid(errors)"]
        lines += [
            "        if impl is None:",
            "            return runtime.not_implemented(operation)",
            "        tasks = runtime.new_tasks(request)",
        ]
        results = self.results(operation)
        returns_none = self.return_type(operation) == "None"
        lines += [
            "        try:",
            f"            {'' if returns_none else 'result = '}await impl.{name}({', '.join(call_args)})",
            "        except Exception as exc:  # noqa: BLE001 - declared statuses answer, the rest re-raise",
            "            return runtime.finish(runtime.error_response(exc, operation), tasks)",
        ]
        if returns_none:
            status = results[0].response.numeric if results and results[0].response.numeric else 204
            lines.append(f"        return runtime.finish(runtime.empty_response({status}), tasks)")
        else:
            lines += self._render_result(results)
        lines += ["", "    return endpoint"]
        return lines

    def _render_result(self, results: list[Result]) -> list[str]:
        lines = []
        for index, result in enumerate(results):
            response = result.response
            status = response.numeric or 200
            if result.class_name is not None:
                condition = f"isinstance(result, {result.class_name})"
                value = "result.body"
                status_expr = "result.status_code" if response.numeric is None else str(status)
                headers = (
                    "{"
                    + ", ".join(f"{_py(h.name)}: result.{h.python_name}" for h in response.headers)
                    + "}"
                )
                headers_expr = f"runtime.headers({headers})" if response.headers else "None"
            else:
                check = _isinstance_check(result.body_type)
                value = "result"
                status_expr = str(status)
                headers_expr = "None"
                if check is None and index != len(results) - 1:
                    continue
                condition = check or "True"
            lines.append(f"        if {condition}:")
            if result.body_kind == "none":
                answer = f"runtime.empty_response({status_expr}, {headers_expr})"
            elif result.body_kind == "json":
                media = response.media_type or "application/json"
                answer = f"runtime.json_response({status_expr}, dump_{index}, {value}, {headers_expr}, {_py(media)})"
            else:
                answer = f"runtime.raw_response({status_expr}, {value}, {_py(response.media_type)}, {headers_expr})"
            lines.append(f"            return runtime.finish({answer}, tasks)")
        if not results:
            lines.append("        if result is None:")
            lines.append("            return runtime.finish(runtime.empty_response(204), tasks)")
        lines.append("        runtime.violation(operation, f'returned {type(result).__name__}')")
        return lines

    def _create_router(self) -> list[str]:
        lines = [
            "",
            "",
            "def create_router(handlers: Handlers | None, *, allow_missing: bool = False) -> APIRouter:",
            '    """The API router for the contract; ``allow_missing`` answers 501 for unimplemented operations.',
            "",
            "    Its routes are ``runtime.ContractRoute``s (one per path of the contract): add them to an",
            "    app with ``app.router.routes.extend(create_router(handlers).routes)``.",
            '    """',
            "    handlers = handlers or Handlers()",
            "    if not allow_missing:",
            "        runtime.require_handlers(handlers, HANDLER_METHODS, SECURED)",
            "    verifier = handlers.security",
            "    routes: list[runtime.ContractRoute] = [",
        ]
        by_path: dict[str, list[Operation]] = defaultdict(list)
        for operation in self.operations:
            by_path[operation.path].append(operation)
        for path in _sorted_for_matching(list(by_path)):
            lines.append(f"        runtime.ContractRoute({_py(path)}, {{")
            for operation in by_path[path]:
                attribute = self.tag_names[operation.tag]
                lines.append(
                    f"            {_py(operation.method.upper())}: _{operation.python_name}("
                    f"runtime.implemented(handlers.{attribute}, {_py(operation.python_name)}), verifier),"
                )
            deprecated = [o for o in by_path[path] if o.deprecation_headers]
            if not deprecated:
                lines.append("        }),")
                continue
            lines.append("        }, headers={")
            for operation in deprecated:
                pairs = tuple(operation.deprecation_headers)
                lines.append(f"            {_py(operation.method.upper())}: {_py(pairs)},")
            lines.append("        }),")
        lines += ["    ]", "    return APIRouter(routes=list(routes))"]
        lines += [
            "",
            "",
            "# Operation ids by handler attribute and method, for the start-up check.",
        ]
        lines.append("HANDLER_METHODS: dict[str, dict[str, str]] = {")
        for tag, operations in self.tags.items():
            entries = ", ".join(f"{_py(o.python_name)}: {_py(o.operation_id)}" for o in operations)
            lines.append(f"    {_py(self.tag_names[tag])}: {{{entries}}},")
        lines.append("}")
        secured = any(o.security and any(o.security) for o in self.operations)
        lines.append(f"SECURED = {secured}")
        return lines


def _isinstance_check(body_type: str | None) -> str | None:
    if body_type is None:
        return "result is None"
    base = body_type.split("[", 1)[0]
    if base in ("list", "dict", "str", "bytes", "int", "float", "bool") or re.fullmatch(
        r"models\.\w+", body_type
    ):
        return f"isinstance(result, {base})"
    return None


def _status_name(status: str) -> str:
    return "Default" if status == "default" else status


def _sorted_for_matching(paths: list[str]) -> list[str]:
    """Literal path segments before templated ones, so ``/users/me`` wins over ``/users/{id}``."""

    def key(path: str) -> tuple[int, ...]:
        return tuple(1 if "{" in segment else 0 for segment in path.split("/"))

    return sorted(paths, key=key)


def spec_module(data: dict[str, Any], spec_name: str) -> str:
    text = json.dumps(data, ensure_ascii=True, separators=(",", ":"))
    return (
        f'"""The contract {spec_name}, as the dict served at /openapi.json."""\n\n'
        "from __future__ import annotations\n\n"
        "import json\n"
        "from typing import Any, Final\n\n"
        f"SPEC: Final[dict[str, Any]] = json.loads({text!r})\n"
    )


def init_module(renderer: Renderer, spec_name: str) -> str:
    protocols = sorted(renderer.tag_classes.values())
    results = sorted(
        r.class_name
        for o in renderer.operations
        for r in renderer.results(o)
        if r.class_name is not None
    )
    names = sorted(
        {
            "ApiError", "ContractViolation", "Handlers", "MissingHandlers", "Principal", "RequestContext",
            "SPEC", "SecurityVerifier", "create_router", "models", "request_context", "OPERATIONS",
            *protocols, *results,
        }
    )  # fmt: skip
    lines = [
        f'"""Typed FastAPI layer generated from {spec_name}.',
        "",
        "Public surface: ``create_router(handlers, *, allow_missing=False)``, ``SPEC``, ``models``,",
        "the per-tag Protocols the implementation fills in, and the ``Handlers`` container.",
        '"""',
        "",
        "from . import models",
        "from ._runtime import MissingHandlers, RequestContext, request_context",
        "from .api import Handlers",
    ]
    if protocols or results:
        lines.append(f"from .api import {', '.join(sorted([*protocols, *results]))}")
    lines += [
        "from .errors import ApiError, ContractViolation",
        "from .routes import OPERATIONS, create_router",
        "from .security import Principal, SecurityVerifier",
        "from .spec import SPEC",
        "",
        "__all__ = [",
        *[f"    {_py(n)}," for n in names],
        "]",
    ]
    return "\n".join(lines) + "\n"
