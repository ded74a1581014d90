"""Python type expressions for the contract's schemas, as written into the generated code."""

from __future__ import annotations

from typing import Any

from .models import ModelSet, schema_source
from .validate import deref

_FORMATS = {
    "date-time": "datetime.datetime",
    "date": "datetime.date",
    "time": "datetime.time",
    "uuid": "uuid.UUID",
}
_SIMPLE = {"integer": "int", "number": "float", "boolean": "bool", "null": "None"}


class TypeResolver:
    def __init__(self, data: dict[str, Any], models: ModelSet) -> None:
        self.data = data
        self.models = models

    def model_expr(self, schema: dict[str, Any] | None, direction: str) -> str:
        """The type of a request/response body: a model class where there is one."""
        if not isinstance(schema, dict) or not schema:
            return "Any"
        source = schema_source(self.data, self.models, schema)
        if source is not None:
            class_name = self.models.class_for(source, direction)
            if class_name is not None:
                return f"models.{class_name}"
            schema = deref(self.data, schema)
        if schema.get("type") == "array" and isinstance(schema.get("items"), dict):
            return f"list[{self.model_expr(schema['items'], direction)}]"
        return self.value_expr(schema)

    def value_expr(self, schema: dict[str, Any] | None) -> str:
        """The type of a parameter or header value (FastAPI converts these from text)."""
        if not isinstance(schema, dict):
            return "Any"
        schema = deref(self.data, schema)
        nullable = bool(schema.get("nullable"))
        if "const" in schema and _literal_ok([schema["const"]]):
            expr = f"Literal[{_literal(schema['const'])}]"
        elif (
            isinstance(schema.get("enum"), list) and schema["enum"] and _literal_ok(schema["enum"])
        ):
            values = [v for v in schema["enum"] if v is not None]
            nullable = nullable or None in schema["enum"]
            expr = f"Literal[{', '.join(_literal(v) for v in values)}]" if values else "None"
        else:
            types = schema.get("type")
            names = [types] if isinstance(types, str) else list(types or [])
            if "null" in names:
                nullable = True
                names.remove("null")
            parts = [self._single(name, schema) for name in names] or ["Any"]
            if "Any" in parts:
                parts = ["Any"]
            expr = " | ".join(dict.fromkeys(parts))
        if nullable and expr not in ("Any", "None"):
            expr += " | None"
        return expr

    def _single(self, name: str, schema: dict[str, Any]) -> str:
        if name == "string":
            return _FORMATS.get(str(schema.get("format")), "str")
        if name == "array":
            items = schema.get("items")
            return f"list[{self.value_expr(items) if isinstance(items, dict) else 'Any'}]"
        if name == "object":
            return "dict[str, Any]"
        return _SIMPLE.get(name, "Any")


def _literal_ok(values: list[Any]) -> bool:
    return all(
        v is None or (isinstance(v, str | int) and not isinstance(v, bool)) for v in values
    ) and any(v is not None for v in values)


def _literal(value: Any) -> str:
    return repr(value)


def constraints(schema: dict[str, Any]) -> dict[str, Any]:
    """FastAPI ``Query``/``Path``/... keyword arguments for a schema's validation keywords."""
    result: dict[str, Any] = {}
    if isinstance(schema.get("minimum"), int | float):
        key = "gt" if schema.get("exclusiveMinimum") is True else "ge"
        result[key] = schema["minimum"]
    if isinstance(schema.get("maximum"), int | float):
        key = "lt" if schema.get("exclusiveMaximum") is True else "le"
        result[key] = schema["maximum"]
    for keyword, name in (("exclusiveMinimum", "gt"), ("exclusiveMaximum", "lt")):
        value = schema.get(keyword)
        if isinstance(value, int | float) and not isinstance(value, bool):
            result[name] = value
    if isinstance(schema.get("multipleOf"), int | float):
        result["multiple_of"] = schema["multipleOf"]
    is_array = schema.get("type") == "array"
    for keyword, name in (
        ("minItems" if is_array else "minLength", "min_length"),
        ("maxItems" if is_array else "maxLength", "max_length"),
    ):
        if isinstance(schema.get(keyword), int):
            result[name] = schema[keyword]
    if isinstance(schema.get("pattern"), str) and not is_array:
        result["pattern"] = schema["pattern"]
    return result
