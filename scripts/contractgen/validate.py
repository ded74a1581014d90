"""Every problem in a contract, each with its JSON pointer and line.

openapi-spec-validator checks the structure; the checks here add what it reports without a
location (defaults that do not match their schema, duplicate operationIds, undeclared path
parameters) or not at all (dangling ``$ref``s). Names never make a contract invalid: the
Namer (naming.py) gives every one a Python name.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from jsonschema.exceptions import ValidationError
from openapi_schema_validator import OAS30Validator, OAS31Validator
from openapi_spec_validator import OpenAPIV30SpecValidator, OpenAPIV31SpecValidator
from openapi_spec_validator.validation.exceptions import (
    DuplicateOperationIDError,
    ExtraParametersError,
    ParameterDuplicateError,
    UnresolvableParameterError,
)

from .load import Contract, Problem, escape, pointer_of, unescape

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_TEMPLATE = re.compile(r"\{([^{}]+)\}")
# Errors the spec validator reports without a location; the checks below report them with one.
_LOCATED_HERE = (
    DuplicateOperationIDError,
    ExtraParametersError,
    UnresolvableParameterError,
    ParameterDuplicateError,
)


def resolve_pointer(document: Any, ref: str) -> Any:
    """The node a local ``$ref`` points to; KeyError/IndexError/TypeError when it does not."""
    if ref == "#":
        return document
    if not ref.startswith("#/"):
        raise KeyError(ref)
    node = document
    for token in ref[2:].split("/"):
        part = unescape(token)
        node = node[int(part)] if isinstance(node, list) else node[part]
    return node


def deref(document: Any, node: Any) -> Any:
    """Follow ``$ref`` chains (the contract's refs were checked to resolve)."""
    seen = 0
    while isinstance(node, dict) and isinstance(node.get("$ref"), str) and seen < 64:
        node = resolve_pointer(document, node["$ref"])
        seen += 1
    return node


def validate(contract: Contract) -> list[Problem]:
    problems = list(contract.problems)
    if not contract.parsed:
        return problems  # nothing to validate: the other checks would only add noise
    data = contract.data
    version = str(data.get("openapi", ""))
    if not re.match(r"^3\.[01]\.\d+", version):
        problems.append(
            contract.problem(
                "/openapi", f"unsupported OpenAPI version {version!r} (need 3.0 or 3.1)"
            )
        )
        return _sorted(problems)
    dangling = list(_check_refs(contract))
    problems += dangling
    if not dangling:  # the validator raises (with the whole document) on a dangling $ref
        problems += _spec_validator_problems(contract, version)
        problems += _check_defaults(contract, version)
        problems += _check_operations(contract)
    return _sorted(problems)


def _sorted(problems: list[Problem]) -> list[Problem]:
    unique = {(p.line, p.pointer, p.message): p for p in problems}
    return [unique[key] for key in sorted(unique)]


def _walk(node: Any, pointer: str = "") -> Iterator[tuple[str, Any]]:
    stack = [(pointer, node)]
    while stack:
        here, current = stack.pop()
        yield here, current
        if isinstance(current, dict):
            stack.extend((f"{here}/{escape(str(k))}", v) for k, v in current.items())
        elif isinstance(current, list):
            stack.extend((f"{here}/{i}", v) for i, v in enumerate(current))


def _check_refs(contract: Contract) -> Iterator[Problem]:
    for pointer, node in _walk(contract.data):
        if not isinstance(node, dict) or not isinstance(node.get("$ref"), str):
            continue
        if pointer.startswith(("/components/examples", "/x-")) or "/example" in pointer:
            continue
        ref = node["$ref"]
        if not ref.startswith("#"):
            yield contract.problem(f"{pointer}/$ref", f"external $ref {ref!r} is not supported")
            continue
        try:
            resolve_pointer(contract.data, ref)
        except (KeyError, IndexError, TypeError, ValueError):
            yield contract.problem(f"{pointer}/$ref", f"unresolvable $ref {ref!r}")


def _spec_validator_problems(contract: Contract, version: str) -> Iterator[Problem]:
    validator_class = (
        OpenAPIV31SpecValidator if version.startswith("3.1") else OpenAPIV30SpecValidator
    )
    try:
        errors = list(validator_class(contract.data).iter_errors())
    except Exception as exc:  # a validator crash is still a report, not a traceback
        yield contract.problem("", f"the contract could not be validated: {type(exc).__name__}")
        return
    refined: dict[tuple[str | int, ...], tuple[list[str | int], str]] | None = None
    for error in errors:
        if isinstance(error, _LOCATED_HERE):
            continue
        path = list(error.absolute_path) if isinstance(error, ValidationError) else []
        if not path and "is not of type" in str(error.message) and _is_default_error(error):
            continue  # reported with its location by _check_defaults
        message = _best_message(error)
        if isinstance(error, ValidationError) and str(error.validator) in (
            "oneOf",
            "anyOf",
            "<unset>",
        ):
            # The spec validator drops the sub-errors of oneOf/anyOf mismatches ("... is not
            # valid under any of the schemas"): ask the meta-schema itself for the deepest one.
            if refined is None:
                refined = _meta_schema_errors(contract.data, version)
            path, message = refined.get(tuple(path), (path, message))
        yield contract.problem(pointer_of(path), message)


def _meta_schema_errors(
    data: dict[str, Any], version: str
) -> dict[tuple[str | int, ...], tuple[list[str | int], str]]:
    """Structural errors by path, each refined to its most specific sub-error (path, message)."""
    from jsonschema.validators import validator_for
    from openapi_spec_validator.schemas import schema_v30, schema_v31

    schema = schema_v31 if version.startswith("3.1") else schema_v30
    validator = validator_for(schema)(schema)
    result: dict[tuple[str | int, ...], tuple[list[str | int], str]] = {}
    for error in validator.iter_errors(data):
        best = _deepest(error)
        result.setdefault(
            tuple(error.absolute_path), (list(best.absolute_path), _best_message(best))
        )
    return result


def _is_default_error(error: ValidationError) -> bool:
    return not list(error.absolute_path)


def _deepest(error: ValidationError) -> ValidationError:
    """For oneOf/anyOf mismatches, the sub-error deepest in the document (the first on ties)."""
    best = error
    while best.context:
        best = max(best.context, key=lambda e: len(list(e.absolute_path)))
    return best


def _best_message(error: ValidationError) -> str:
    """The most specific message, first paragraph only (the spec validator appends the schema
    and the instance)."""
    best = _deepest(error)
    message = " ".join(str(best.message).split("\n\n", 1)[0].split())
    return message if len(message) <= 300 else message[:297] + "..."


_SCHEMA_KEYS = (
    "items",
    "not",
    "additionalProperties",
    "contains",
    "propertyNames",
    "if",
    "then",
    "else",
)
_SCHEMA_MAPS = ("properties", "patternProperties", "$defs", "definitions", "dependentSchemas")
_SCHEMA_LISTS = ("allOf", "anyOf", "oneOf", "prefixItems")


def _schemas(contract: Contract) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every Schema Object in the contract, with its pointer."""
    roots: list[tuple[str, Any]] = []
    for name, schema in (contract.data.get("components") or {}).get("schemas", {}).items():
        roots.append((f"/components/schemas/{escape(name)}", schema))
    for pointer, node in _walk({k: v for k, v in contract.data.items() if k != "components"}):
        if isinstance(node, dict) and isinstance(node.get("schema"), dict):
            roots.append((f"{pointer}/schema", node["schema"]))
    for section in ("parameters", "requestBodies", "responses", "headers"):
        base = f"/components/{section}"
        for pointer, node in _walk((contract.data.get("components") or {}).get(section, {}), base):
            if isinstance(node, dict) and isinstance(node.get("schema"), dict):
                roots.append((f"{pointer}/schema", node["schema"]))
    stack = roots
    while stack:
        pointer, schema = stack.pop()
        if not isinstance(schema, dict):
            continue
        yield pointer, schema
        for key in _SCHEMA_KEYS:
            if isinstance(schema.get(key), dict):
                stack.append((f"{pointer}/{key}", schema[key]))
        for key in _SCHEMA_MAPS:
            if isinstance(schema.get(key), dict):
                stack.extend((f"{pointer}/{key}/{escape(k)}", v) for k, v in schema[key].items())
        for key in _SCHEMA_LISTS:
            if isinstance(schema.get(key), list):
                stack.extend((f"{pointer}/{key}/{i}", v) for i, v in enumerate(schema[key]))


def _check_defaults(contract: Contract, version: str) -> Iterator[Problem]:
    validator_class = OAS31Validator if version.startswith("3.1") else OAS30Validator
    for pointer, schema in _schemas(contract):
        if "default" not in schema:
            continue
        # Validate against the schema in place, so that its own $refs resolve in the document.
        root = dict(contract.data)
        root["$ref"] = "#" + pointer
        try:
            error = next(iter(validator_class(root).iter_errors(schema["default"])), None)
        except Exception:  # noqa: S112 - an unresolvable corner is not this check's business
            continue
        if error is not None:
            yield contract.problem(
                f"{pointer}/default", f"default does not match the schema: {error.message}"
            )


def iter_operations(
    data: dict[str, Any],
) -> Iterator[tuple[str, str, dict[str, Any], dict[str, Any]]]:
    """(path, method, operation, path item) for every operation under ``paths``."""
    for path, item in (data.get("paths") or {}).items():
        item = deref(data, item)
        if not isinstance(item, dict):
            continue
        for method in HTTP_METHODS:
            if isinstance(item.get(method), dict):
                yield path, method, item[method], item


def merged_parameters(
    data: dict[str, Any], path: str, method: str, operation: dict[str, Any], item: dict[str, Any]
) -> list[tuple[str, dict[str, Any]]]:
    """Path-level parameters overridden per operation by (name, in); with their pointers."""
    merged: dict[tuple[str, str], tuple[str, dict[str, Any]]] = {}
    sources = (
        (f"/paths/{escape(path)}/parameters", item.get("parameters") or []),
        (f"/paths/{escape(path)}/{method}/parameters", operation.get("parameters") or []),
    )
    for base, parameters in sources:
        for index, parameter in enumerate(parameters):
            resolved = deref(data, parameter)
            if isinstance(resolved, dict) and "name" in resolved and "in" in resolved:
                merged[(str(resolved["name"]), str(resolved["in"]))] = (f"{base}/{index}", resolved)
    return list(merged.values())


# Header parameters OpenAPI says to ignore: they are handled by content negotiation and security.
IGNORED_HEADERS = frozenset({"accept", "content-type", "authorization"})


def _check_operations(contract: Contract) -> Iterator[Problem]:
    data = contract.data
    seen_ids: dict[str, str] = {}
    for path, method, operation, item in iter_operations(data):
        op_pointer = f"/paths/{escape(path)}/{method}"
        operation_id = operation.get("operationId")
        if isinstance(operation_id, str):
            if operation_id in seen_ids:
                yield contract.problem(
                    f"{op_pointer}/operationId",
                    f"duplicate operationId {operation_id!r} (also at {seen_ids[operation_id]})",
                )
            else:
                seen_ids[operation_id] = op_pointer
        parameters = merged_parameters(data, path, method, operation, item)
        declared = {p["name"] for _, p in parameters if p.get("in") == "path"}
        templated = _TEMPLATE.findall(path)
        for name in templated:
            if name not in declared:
                yield contract.problem(
                    op_pointer, f"path parameter {{{name}}} in {path!r} is not declared"
                )
        for pointer, parameter in parameters:
            if parameter.get("in") == "path" and parameter["name"] not in templated:
                yield contract.problem(
                    f"{pointer}/name",
                    f"path parameter {parameter['name']!r} does not appear in {path!r}",
                )
