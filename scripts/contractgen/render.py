# ruff: noqa: E501 - the lines here are templates of generated code, which ruff format rewraps
"""Writes the generated package's modules from the operations and the models."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .ir import JSON_MEDIA, MULTIPART_MEDIA, Operation, Parameter, Response
from .naming import pascal_case, safe_identifier, snake_case
from .types import TypeResolver, constraints
from .validate import deref

STATIC_DIR = Path(__file__).parent / "static"
_PARAM_CLASS = {
    "path": "Path",
    "query": "Query",
    "header": "Header",
    "cookie": "Cookie",
    "form": "Form",
}
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
        self.tag_names, self.tag_classes = self._unique_tag_names(list(self.tags))
        self.schemes = self._schemes()

    @staticmethod
    def _unique_tag_names(tags: list[str]) -> tuple[dict[str, str], dict[str, str]]:
        """Each tag's ``Handlers`` attribute and Protocol class, unique even when tags collide
        after conversion (``pets`` and ``Pets``) or a tag is called ``security``: the first tag
        keeps the plain names, later ones get a numeric suffix, in contract order."""
        attributes: dict[str, str] = {}
        classes: dict[str, str] = {}
        taken_attributes = {"security"}
        taken_classes: set[str] = set()
        for tag in tags:
            base_attribute, base_class = safe_identifier(tag), pascal_case(tag)
            attribute, class_name, number = base_attribute, f"{base_class}Api", 1
            while attribute in taken_attributes or class_name in taken_classes:
                number += 1
                attribute, class_name = f"{base_attribute}_{number}", f"{base_class}{number}Api"
            taken_attributes.add(attribute)
            taken_classes.add(class_name)
            attributes[tag], classes[tag] = attribute, class_name
        return attributes, classes

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
                result.class_name = f"{operation.class_prefix}{_status_name(response.status)}"
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
        if parameter.binary:
            return "bytes" if parameter.schema.get("type") != "array" else "list[bytes]"
        return self.types.value_expr(parameter.schema)

    def body_type(self, operation: Operation) -> str:
        body = operation.body
        if body is None:
            raise ValueError(f"{operation.operation_id} has no request body")
        parts = []
        for media_type, schema in body.schemas.items():
            if JSON_MEDIA.match(media_type.lower()) or body.kind == "form":
                parts.append(self.types.model_expr(schema, "request"))
            elif media_type.lower() in ("application/x-www-form-urlencoded", MULTIPART_MEDIA):
                parts.append(
                    self.types.model_expr(schema, "request") if schema else "dict[str, Any]"
                )
            elif media_type.lower().startswith("text/"):
                parts.append("str")
            else:
                parts.append("bytes")
        expr = " | ".join(dict.fromkeys(parts))
        if "Any" in parts:
            expr = "Any"
        if not body.required and expr != "Any":
            expr += " | None"
        return expr

    # --- routes.py ------------------------------------------------------------------------
    def routes_module(self, spec_name: str) -> str:
        lines = [
            f'"""FastAPI routes for every operation of {spec_name}: validate, authorize, call, answer.',
            "",
            "No ``from __future__ import annotations`` here: FastAPI reads the endpoint annotations,",
            "which refer to each route's local security dependency.",
            '"""',
            "",
            "import datetime  # noqa: F401",
            "import uuid  # noqa: F401",
            "from typing import Annotated, Any, Literal  # noqa: F401",
            "",
            "from fastapi import (  # noqa: F401",
            "    APIRouter, BackgroundTasks, Body, Cookie, Depends, File, Form, Header, Path, Query,",
            "    Request, UploadFile,",
            ")",
            "from fastapi.responses import Response",
            "from pydantic import Field  # noqa: F401",
            "from starlette.routing import Route",
            "",
            "from . import _runtime as runtime",
            "from . import models  # noqa: F401",
            *self._api_imports(),
            "from .security import Principal, SecurityScheme, SecurityVerifier  # noqa: F401",
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

    def _route_path(self, operation: Operation) -> str:
        names = {p.name: p.python_name for p in operation.parameters if p.location == "path"}
        return _TEMPLATE.sub(
            lambda m: "{" + names.get(m.group(1), snake_case(m.group(1))) + "}", operation.path
        )

    def _endpoint_parameter(self, parameter: Parameter) -> tuple[str, str, str]:
        """(name, annotation, default) of one FastAPI parameter, and how the handler gets it."""
        expr = self.param_type(parameter)
        schema = parameter.schema
        kwargs: dict[str, Any] = {"alias": parameter.name}
        if parameter.location == "path":
            kwargs = {"alias": parameter.python_name}
        delimited = schema.get("type") == "array" and not (
            parameter.location in ("query", "form") and parameter.explode
        )
        expr_outer = "str" if delimited else expr
        if parameter.binary:
            cls = "File"
            expr_outer = "UploadFile" if schema.get("type") != "array" else "list[UploadFile]"
        else:
            cls = _PARAM_CLASS[parameter.location]
        if parameter.location == "header":
            kwargs["convert_underscores"] = False
        if not delimited and not parameter.binary:
            base = expr_outer.removesuffix(" | None")
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
                item_constraints = constraints(deref(self.data, schema["items"]))
                item_expr = self.types.value_expr(schema["items"])
                if item_constraints and item_expr in ("int", "float", "str"):
                    args = ", ".join(f"{k}={_py(v)}" for k, v in item_constraints.items())
                    expr_outer = f"list[Annotated[{item_expr}, Field({args})]]"
                    expr_outer += (
                        " | None"
                        if base != expr_outer.removesuffix(" | None") and "None" in expr
                        else ""
                    )
        if parameter.deprecated:
            kwargs["deprecated"] = True
        call = f"{cls}({', '.join(f'{k}={_py(v)}' for k, v in kwargs.items())})"
        if parameter.required:
            default = ""
        elif parameter.has_default and not delimited:
            default = f" = {_py(schema['default'])}"
        else:
            default = " = None"
            if not expr_outer.endswith("None"):
                expr_outer += " | None"
        return parameter.python_name, f"Annotated[{expr_outer}, {call}]", default

    def _route_function(self, operation: Operation) -> list[str]:
        name = operation.python_name
        api_class = self.tag_classes[operation.tag]
        lines = [
            "",
            f"def _add_{name}(router: APIRouter, impl: {api_class} | None, verifier: SecurityVerifier | None) -> None:",
            f"    operation = OPERATIONS[{_py(operation.operation_id)}]",
        ]
        secured = bool(operation.security) and any(operation.security)
        if secured:
            lines.append(
                f"    authorize = runtime.authorizer({self._requirements(operation)}, verifier, "
                "unimplemented=impl is None)"
            )
        signature = ["_request: Request", "_background: BackgroundTasks"]
        call_args = []
        post = []
        for parameter in operation.parameters:
            pname, annotation, default = self._endpoint_parameter(parameter)
            signature.append(f"{pname}: {annotation}{default}")
            schema = parameter.schema
            if schema.get("type") == "array" and not (
                parameter.location == "query" and parameter.explode
            ):
                delimiter = {"pipeDelimited": "|", "spaceDelimited": " "}.get(parameter.style, ",")
                item_type = self.param_type(parameter).removesuffix(" | None")
                post.append(
                    f"        {pname}_value = runtime.split_param({pname}, {_py(delimiter)}, {item_type}, "
                    f"({_py(parameter.location)}, {_py(parameter.name)}))"
                )
                call_args.append(f"{pname}={pname}_value")
            else:
                call_args.append(f"{pname}={pname}")
        body = operation.body
        extra = ""
        if body is not None:
            if body.kind == "json":
                media_type = body.media_types[0]
                body_type = self.body_type(operation)
                default = "" if body.required else " = None"
                signature.append(
                    f"body: Annotated[{body_type}, Body(media_type={_py(media_type)})]{default}"
                )
                call_args.append("body=body")
            elif body.kind == "form":
                values = []
                for field in body.form_fields:
                    pname, annotation, default = self._endpoint_parameter(field)
                    if field.binary:
                        annotation = annotation.replace("Form(", "File(")
                    signature.append(f"{pname}: {annotation}{default}")
                    if field.binary:
                        post.append(f"        {pname}_value = await runtime.read_uploads({pname})")
                        values.append(f"{_py(field.name)}: {pname}_value")
                    else:
                        values.append(f"{_py(field.name)}: {pname}")
                body_type = self.body_type(operation).removesuffix(" | None")
                post.append(
                    f"        body_value = runtime.parse_value({body_type}, await runtime.form_fields(_request, {{{', '.join(values)}}}), ('body',))"
                )
                call_args.append("body=body_value")
            else:
                media = ", ".join(
                    f"{_py(mt)}: {self._raw_media_type(mt, schema)}"
                    for mt, schema in body.schemas.items()
                )
                post.append(
                    f"        _, body_value = await runtime.read_body(_request, {{{media}}}, {_py(body.required)})"
                )
                call_args.append("body=body_value")
                content: dict[str, Any] = {mt: {} for mt in body.media_types}
                extra = f", openapi_extra={{'requestBody': {{'content': {_py(content)}, 'required': {_py(body.required)}}}}}"
        if secured:
            anonymous = any(not requirement for requirement in operation.security)
            ptype = "Principal | None" if anonymous else "Principal"
            signature.append(f"principal: Annotated[{ptype}, Depends(authorize)]")
            call_args.insert(0, "principal=principal")
        results = self.results(operation)
        primary = next((r for r in results if r.response.numeric is not None), None)
        status_code = primary.response.numeric if primary else None
        response_model = (
            primary.body_type
            if primary and primary.body_kind == "json" and primary.body_type != "Any"
            else None
        )
        responses = {}
        for response in operation.responses:
            if primary is not None and response is primary.response:
                continue
            entry: dict[str, Any] = {"description": response.description}
            if response.media_type:
                entry["content"] = {response.media_type: {}}
            responses[response.status] = entry
        decorator_args = [
            _py(self._route_path(operation)),
            f"methods=[{_py(operation.method.upper())}]",
            f"operation_id={_py(operation.operation_id)}",
            f"name={_py(name)}",
            f"tags=[{_py(operation.tag)}]",
            f"responses={_py(responses)}",
        ]
        if status_code is not None:
            decorator_args.append(f"status_code={status_code}")
        decorator_args.append(f"response_model={response_model}")
        if operation.summary:
            decorator_args.append(f"summary={_py(operation.summary)}")
        if operation.description:
            decorator_args.append(f"description={_py(operation.description)}")
        if operation.deprecated:
            decorator_args.append("deprecated=True")
        lines += [
            "",
            f"    @router.api_route({', '.join(decorator_args)}{extra})",
            f"    async def {name}(*, {', '.join(signature)}) -> Response:",
        ]
        # What the route validates itself (delimited arrays, form models, raw and multi-media
        # bodies) is validated before the 501 too: an unimplemented operation still answers 422.
        lines += post
        lines += [
            "        if impl is None:",
            "            return runtime.not_implemented(operation)",
        ]
        returns_none = self.return_type(operation) == "None"
        lines += [
            "        runtime.enter_context(_request, _background)",
            "        try:",
            f"            {'' if returns_none else 'result = '}await impl.{name}({', '.join(call_args)})",
            "        except Exception as exc:  # noqa: BLE001 - declared statuses answer, the rest re-raise",
            "            return runtime.error_response(exc, operation)",
        ]
        if returns_none:
            status = results[0].response.numeric if results and results[0].response.numeric else 204
            lines.append(f"        return runtime.empty_response({status})")
        else:
            lines += self._render_result(results)
        return lines

    def _raw_media_type(self, media_type: str, schema: dict[str, Any] | None) -> str:
        lower = media_type.lower()
        if JSON_MEDIA.match(lower) or lower in (
            "application/x-www-form-urlencoded",
            MULTIPART_MEDIA,
        ):
            return self.types.model_expr(schema, "request") if schema else "Any"
        if lower.startswith("text/"):
            return "str"
        return "bytes"

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
                lines.append(
                    f"            return runtime.empty_response({status_expr}, {headers_expr})"
                )
            elif result.body_kind == "json":
                media = response.media_type or "application/json"
                lines.append(
                    f"            return runtime.json_response({status_expr}, {result.body_type}, {value}, {headers_expr}, {_py(media)})"
                )
            else:
                lines.append(
                    f"            return runtime.raw_response({status_expr}, {value}, {_py(response.media_type)}, {headers_expr})"
                )
        if not results:
            lines.append("        if result is None:")
            lines.append("            return runtime.empty_response(204)")
        lines.append("        runtime.violation(operation, f'returned {type(result).__name__}')")
        return lines

    def _create_router(self) -> list[str]:
        lines = [
            "",
            "",
            "def create_router(handlers: Handlers | None, *, allow_missing: bool = False) -> APIRouter:",
            '    """The API router for the contract; ``allow_missing`` answers 501 for unimplemented operations."""',
            "    handlers = handlers or Handlers()",
            "    if not allow_missing:",
            "        runtime.require_handlers(handlers, HANDLER_METHODS, SECURED)",
            "    router = APIRouter(route_class=runtime.ContractRoute)",
        ]
        for operation in _sorted_for_matching(self.operations, self._route_path):
            lines.append(
                f"    _add_{operation.python_name}(router, runtime.implemented(handlers.{self.tag_names[operation.tag]}, {_py(operation.python_name)}), handlers.security)"
            )
        by_path: dict[str, list[str]] = defaultdict(list)
        for operation in self.operations:
            by_path[self._route_path(operation)].append(operation.method.upper())
        lines.append("    for path, methods in ALLOWED_METHODS.items():")
        lines.append(
            "        router.routes.append(Route(path, runtime.method_not_allowed(methods), methods=runtime.other_methods(methods), include_in_schema=False))"
        )
        lines.append("    return router")
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
        lines.append(
            "# Every method of every path, so that 405 answers carry a complete Allow header."
        )
        lines.append("ALLOWED_METHODS: dict[str, tuple[str, ...]] = {")
        for path, methods in by_path.items():
            lines.append(f"    {_py(path)}: {_py(tuple(sorted(methods)))},")
        lines.append("}")
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


def _sorted_for_matching(operations: list[Operation], route_path: Any) -> list[Operation]:
    """Literal path segments before templated ones, so ``/users/me`` wins over ``/users/{id}``."""

    def key(operation: Operation) -> tuple[int, ...]:
        return tuple(1 if "{" in segment else 0 for segment in route_path(operation).split("/"))

    return sorted(operations, key=key)


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
