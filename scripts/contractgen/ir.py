"""The contract's operations as the renderer needs them (the intermediate representation)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from .load import escape
from .naming import Namer, pascal_case, snake_case
from .validate import (
    IGNORED_HEADERS,
    deref,
    iter_operations,
    merged_parameters,
    sunset_http_date,
)

JSON_MEDIA = re.compile(r"^(application/json|application/[^;]*\+json|\*/\*)$")
FORM_MEDIA = "application/x-www-form-urlencoded"
MULTIPART_MEDIA = "multipart/form-data"
DEFAULT_TAG = "default"


@dataclass
class Parameter:
    name: str
    location: str  # path | query | header | cookie
    python_name: str
    required: bool
    schema: dict[str, Any]
    style: str
    explode: bool
    deprecated: bool = False
    content: str | None = None  # the media type of a ``content`` parameter (JSON text)
    kind: str = "scalar"  # scalar | array | object: how the style splits the text
    properties: tuple[str, ...] = ()  # an object's properties (form-exploded objects)
    raw_schema: dict[str, Any] | None = None  # as written (a ``$ref`` names its model)

    @property
    def has_default(self) -> bool:
        return "default" in self.schema and self.content is None

    @property
    def key(self) -> str:
        """The parameter's key in the route's raw and validated dicts."""
        return f"{self.location}:{self.name}"


@dataclass
class MediaType:
    media_type: str  # lower case, as declared
    kind: str  # json | form | multipart | text | bytes
    schema: dict[str, Any] | None


@dataclass
class Body:
    media: list[MediaType]
    required: bool
    pointer: str

    @property
    def media_types(self) -> list[str]:
        return [m.media_type for m in self.media]

    @property
    def schemas(self) -> dict[str, dict[str, Any] | None]:
        """Media type → schema (what the models stage lifts into classes)."""
        return {m.media_type: m.schema for m in self.media}


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
    sunset: str | None = None  # ``x-sunset`` as the ``Sunset`` header's IMF-fixdate

    @property
    def deprecation_headers(self) -> list[tuple[str, str]]:
        """What every response of the operation carries (RFC 9745 ``Deprecation``, RFC 8594
        ``Sunset``); nothing for an operation that is not deprecated."""
        if not self.deprecated:
            return []
        headers = [("deprecation", "true")]
        if self.sunset is not None:
            headers.append(("sunset", self.sunset))
        return headers

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


def _kind(data: dict[str, Any], schema: dict[str, Any]) -> tuple[str, tuple[str, ...]]:
    """How a parameter's text splits: scalar, array or object (with its property names)."""
    schema = deref(data, schema)
    types = schema.get("type")
    names = [types] if isinstance(types, str) else list(types or [])
    properties: dict[str, Any] = {}
    for part in [schema, *(deref(data, p) for p in schema.get("allOf") or [])]:
        if isinstance(part, dict) and isinstance(part.get("properties"), dict):
            properties.update(part["properties"])
    if "array" in names or (not names and "items" in schema):
        return "array", ()
    if "object" in names or properties or (not names and "allOf" in schema):
        return "object", tuple(str(p) for p in properties)
    return "scalar", ()


def build_operations(data: dict[str, Any], namer: Namer | None = None) -> list[Operation]:
    namer = namer or Namer()
    global_security = data.get("security")
    operations: list[Operation] = []
    for path, method, operation, item in iter_operations(data):
        pointer = f"/paths/{escape(path)}/{method}"
        operation_id = str(operation.get("operationId") or derived_operation_id(method, path))
        python_name = namer.operation(operation_id)
        parameters: list[Parameter] = []
        for _, raw in merged_parameters(data, path, method, operation, item):
            location = str(raw["in"])
            if location == "header" and str(raw["name"]).lower() in IGNORED_HEADERS:
                continue
            schema = raw.get("schema")
            content_type = None
            if schema is None and isinstance(raw.get("content"), dict) and raw["content"]:
                content_type, media = next(iter(raw["content"].items()))
                schema = media.get("schema") if isinstance(media, dict) else None
            style = raw.get("style") or ("form" if location in ("query", "cookie") else "simple")
            resolved = deref(data, schema) if isinstance(schema, dict) else {}
            kind, properties = _kind(data, resolved) if content_type is None else ("scalar", ())
            parameters.append(
                Parameter(
                    name=str(raw["name"]),
                    location=location,
                    python_name="",
                    required=bool(raw.get("required", False)) or location == "path",
                    schema=resolved,
                    style=str(style),
                    explode=bool(raw.get("explode", style == "form")),
                    deprecated=bool(raw.get("deprecated", False)),
                    content=str(content_type) if content_type is not None else None,
                    kind=kind,
                    properties=properties,
                    raw_schema=schema if isinstance(schema, dict) else None,
                )
            )
        for parameter, name in zip(
            parameters, Namer.parameters((p.name, p.location) for p in parameters), strict=True
        ):
            parameter.python_name = name
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
                body=_body(data, operation, pointer),
                responses=_responses(data, operation, pointer),
                security=_security(operation.get("security", global_security)),
                pointer=pointer,
                sunset=sunset_http_date(operation.get("x-sunset")),
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


def media_kind(media_type: str) -> str:
    """How a body of this media type is read: json, form, multipart, text or bytes."""
    lower = media_type.lower()
    if JSON_MEDIA.match(lower) or lower == "application/*":
        return "json"
    if lower == FORM_MEDIA:
        return "form"
    if lower.startswith("multipart/"):
        return "multipart"
    if lower.startswith("text/"):
        return "text"
    return "bytes"


def _body(data: dict[str, Any], operation: dict[str, Any], pointer: str) -> Body | None:
    raw = operation.get("requestBody")
    if not isinstance(raw, dict):
        return None
    ref_pointer = raw["$ref"][1:] if isinstance(raw.get("$ref"), str) else f"{pointer}/requestBody"
    raw = deref(data, raw)
    content = raw.get("content") or {}
    if not content:
        return None
    media = []
    for media_type, entry in content.items():
        schema = entry.get("schema") if isinstance(entry, dict) else None
        media.append(
            MediaType(
                str(media_type).lower(),
                media_kind(str(media_type)),
                schema if isinstance(schema, dict) else None,
            )
        )
    return Body(media, bool(raw.get("required", False)), f"{ref_pointer}/content")


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
        declared = [
            (str(name), header)
            for name, header in (raw.get("headers") or {}).items()
            if str(name).lower() != "content-type"
        ]
        python_names = Namer.fields((name for name, _ in declared), {"body", "status_code"})
        for (name, header), python_name in zip(declared, python_names, strict=True):
            header = deref(data, header)
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
