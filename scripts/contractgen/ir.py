"""The contract's operations as the renderer needs them (the intermediate representation)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from .load import escape
from .naming import pascal_case, safe_identifier, snake_case
from .validate import IGNORED_HEADERS, deref, iter_operations, merged_parameters

JSON_MEDIA = re.compile(r"^(application/json|application/[^;]*\+json|\*/\*)$")
FORM_MEDIA = "application/x-www-form-urlencoded"
MULTIPART_MEDIA = "multipart/form-data"
DEFAULT_TAG = "default"


@dataclass
class Parameter:
    name: str
    location: str  # path | query | header | cookie | form
    python_name: str
    required: bool
    schema: dict[str, Any]
    style: str
    explode: bool
    deprecated: bool = False
    binary: bool = False  # a multipart file field

    @property
    def has_default(self) -> bool:
        return "default" in self.schema


@dataclass
class Body:
    kind: str  # json | form | raw
    media_types: list[str]
    required: bool
    schemas: dict[str, dict[str, Any] | None]  # media type -> schema
    pointer: str
    form_fields: list[Parameter] = field(default_factory=list)


@dataclass
class ResponseHeader:
    name: str
    python_name: str
    required: bool
    schema: dict[str, Any]


@dataclass
class Response:
    status: str  # "200", "2XX", "default"
    description: str
    media_type: str | None
    schema: dict[str, Any] | None
    headers: list[ResponseHeader]
    pointer: str

    @property
    def is_result(self) -> bool:
        """Returned by the handler (success, redirect) rather than raised as an error."""
        return self.status[0] in "123"

    @property
    def numeric(self) -> int | None:
        return int(self.status) if self.status.isdigit() else None


@dataclass
class Operation:
    path: str
    method: str
    operation_id: str
    python_name: str
    class_prefix: str
    tag: str
    summary: str | None
    description: str | None
    deprecated: bool
    parameters: list[Parameter]
    body: Body | None
    responses: list[Response]
    security: list[dict[str, list[str]]]
    pointer: str

    @property
    def results(self) -> list[Response]:
        results = [r for r in self.responses if r.is_result]
        if results:
            return results
        # Only errors and `default`: the default response is also the success answer.
        return [r for r in self.responses if r.status == "default"][:1]


def derived_operation_id(method: str, path: str) -> str:
    """A stable operationId for operations that have none: ``get /pets/{id}`` → ``get_pets_id``."""
    return snake_case(f"{method} {path}")


def _is_binary(schema: dict[str, Any]) -> bool:
    return schema.get("format") == "binary" or (
        "contentMediaType" in schema and schema.get("type") == "string"
    )


def build_operations(data: dict[str, Any]) -> list[Operation]:
    global_security = data.get("security")
    operations: list[Operation] = []
    for path, method, operation, item in iter_operations(data):
        pointer = f"/paths/{escape(path)}/{method}"
        operation_id = str(operation.get("operationId") or derived_operation_id(method, path))
        python_name = snake_case(operation_id)
        parameters: list[Parameter] = []
        for _, raw in merged_parameters(data, path, method, operation, item):
            location = str(raw["in"])
            if location == "header" and str(raw["name"]).lower() in IGNORED_HEADERS:
                continue
            schema = raw.get("schema")
            if schema is None and isinstance(raw.get("content"), dict) and raw["content"]:
                schema = next(iter(raw["content"].values())).get("schema")
            style = raw.get("style") or ("form" if location in ("query", "cookie") else "simple")
            parameters.append(
                Parameter(
                    name=str(raw["name"]),
                    location=location,
                    python_name=safe_identifier(str(raw["name"])),
                    required=bool(raw.get("required", False)) or location == "path",
                    schema=deref(data, schema) if isinstance(schema, dict) else {},
                    style=str(style),
                    explode=bool(raw.get("explode", style == "form")),
                    deprecated=bool(raw.get("deprecated", False)),
                )
            )
        tags = operation.get("tags") or [DEFAULT_TAG]
        operations.append(
            Operation(
                path=path,
                method=method,
                operation_id=operation_id,
                python_name=python_name,
                class_prefix=pascal_case(operation_id),
                tag=str(tags[0]),
                summary=operation.get("summary"),
                description=operation.get("description"),
                deprecated=bool(operation.get("deprecated", False)),
                parameters=parameters,
                body=_body(data, operation, pointer, {p.python_name for p in parameters}),
                responses=_responses(data, operation, pointer),
                security=_security(operation.get("security", global_security)),
                pointer=pointer,
            )
        )
    return operations


def _security(requirements: Any) -> list[dict[str, list[str]]]:
    if not isinstance(requirements, list):
        return []
    return [
        {str(name): [str(s) for s in scopes or []] for name, scopes in requirement.items()}
        for requirement in requirements
        if isinstance(requirement, dict)
    ]


def _body(
    data: dict[str, Any], operation: dict[str, Any], pointer: str, taken: set[str]
) -> Body | None:
    raw = operation.get("requestBody")
    if not isinstance(raw, dict):
        return None
    ref_pointer = raw["$ref"][1:] if isinstance(raw.get("$ref"), str) else f"{pointer}/requestBody"
    raw = deref(data, raw)
    content = raw.get("content") or {}
    if not content:
        return None
    media_types = list(content)
    schemas = {
        mt: (
            media.get("schema")
            if isinstance(media, dict) and isinstance(media.get("schema"), dict)
            else None
        )
        for mt, media in content.items()
    }
    required = bool(raw.get("required", False))
    body = Body("raw", media_types, required, schemas, f"{ref_pointer}/content")
    if len(media_types) == 1:
        media_type = media_types[0].lower()
        if JSON_MEDIA.match(media_type):
            body.kind = "json"
        elif media_type in (FORM_MEDIA, MULTIPART_MEDIA):
            fields = _form_fields(
                data, schemas[media_types[0]], media_type == MULTIPART_MEDIA, taken
            )
            if fields is not None:
                body.kind = "form"
                body.form_fields = fields
    return body


def _form_fields(
    data: dict[str, Any], schema: dict[str, Any] | None, multipart: bool, taken: set[str]
) -> list[Parameter] | None:
    """Form bodies become one FastAPI form parameter per property (flat objects only)."""
    resolved = deref(data, schema) if schema else None
    if not isinstance(resolved, dict) or not isinstance(resolved.get("properties"), dict):
        return None
    if any(k in resolved for k in ("allOf", "oneOf", "anyOf")):
        return None
    required = set(resolved.get("required") or [])
    fields = []
    for name, prop in resolved["properties"].items():
        prop = deref(data, prop)
        if not isinstance(prop, dict):
            return None
        python_name = safe_identifier(f"form_{name}" if safe_identifier(name) in taken else name)
        item = deref(data, prop.get("items")) if prop.get("type") == "array" else None
        binary = multipart and (_is_binary(prop) or (isinstance(item, dict) and _is_binary(item)))
        fields.append(
            Parameter(
                str(name), "form", python_name, name in required, prop, "form", True, binary=binary
            )
        )
    return fields


def _pick_media(content: dict[str, Any]) -> str | None:
    for media_type in content:
        if JSON_MEDIA.match(media_type.lower()):
            return str(media_type)
    for media_type in content:
        if media_type.lower().startswith("text/"):
            return str(media_type)
    return next(iter(content), None)


def _responses(data: dict[str, Any], operation: dict[str, Any], pointer: str) -> list[Response]:
    responses = []
    for status, raw in (operation.get("responses") or {}).items():
        status = str(status).upper() if str(status).lower() != "default" else "default"
        here = (
            raw["$ref"][1:]
            if isinstance(raw, dict) and isinstance(raw.get("$ref"), str)
            else (f"{pointer}/responses/{escape(status)}")
        )
        raw = deref(data, raw)
        if not isinstance(raw, dict):
            continue
        content = raw.get("content") or {}
        media_type = _pick_media(content)
        schema = None
        if media_type is not None and isinstance(content[media_type], dict):
            schema = content[media_type].get("schema")
        headers = []
        taken: set[str] = {"body", "status_code"}
        for name, header in (raw.get("headers") or {}).items():
            if str(name).lower() == "content-type":
                continue
            header = deref(data, header)
            python_name = safe_identifier(str(name))
            while python_name in taken:
                python_name += "_"
            taken.add(python_name)
            header_schema = deref(data, header.get("schema")) if isinstance(header, dict) else None
            headers.append(
                ResponseHeader(
                    str(name),
                    python_name,
                    bool(header.get("required", False)) if isinstance(header, dict) else False,
                    header_schema if isinstance(header_schema, dict) else {},
                )
            )
        responses.append(
            Response(
                status=status,
                description=str(raw.get("description", "")),
                media_type=media_type,
                schema=schema if isinstance(schema, dict) else None,
                headers=headers,
                pointer=f"{here}/content/{escape(media_type)}/schema" if media_type else here,
            )
        )
    return responses
