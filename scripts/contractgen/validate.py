"""Every problem in a contract, each with its file, JSON pointer and line.

The contract's structure is checked against the OpenAPI meta-schema (openapi-spec-validator's,
run by jsonschema-rs), every Schema Object against its JSON Schema dialect (each with its
absolute pointer), and the checks here add what the structure cannot say: defaults that do not
match their schema (an error in 3.0, whose spec says MUST; a warning in 3.1, which says SHOULD),
duplicate operationIds, parameters and tags, undeclared path parameters, dangling ``$ref``s and
``x-sunset`` dates that are no dates or mark no deprecated operation.
Names never make a contract invalid: the Namer (naming.py) gives every one a Python name.
openapi-spec-validator's own semantic walk is not used: it reports schema problems without a
location and takes seconds on big contracts.
"""

from __future__ import annotations

import importlib.util
import json
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime
from email.utils import format_datetime
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .load import Contract, Problem, description_mappings, escape, pointer_of, unescape

if TYPE_CHECKING:
    from jsonschema.exceptions import ValidationError

# jsonschema and openapi-schema-validator (which imports pydantic-settings) take a second to
# import on a busy machine: they are imported where they are used, so that the pipeline can
# start datamodel-code-generator before ``validate`` runs.
OAS31_DIALECT = "https://spec.openapis.org/oas/3.1/dialect/base"

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_TEMPLATE = re.compile(r"\{([^{}]+)\}")
_RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def sunset_http_date(value: Any) -> str | None:
    """An ``x-sunset`` (``YYYY-MM-DD``, midnight UTC, or an RFC 3339 date-time) as the IMF-fixdate
    of RFC 8594's ``Sunset`` header (``Sun, 01 Jun 2027 00:00:00 GMT``); None if it is neither."""
    if not isinstance(value, str):
        return None
    try:
        if _DATE.match(value):
            moment = datetime.combine(date.fromisoformat(value), datetime.min.time(), UTC)
        elif _RFC3339.match(value):
            moment = datetime.fromisoformat(value.upper().replace("Z", "+00:00"))
        else:
            return None
    except ValueError:  # the right shape, but no such day or time (2027-02-30)
        return None
    return format_datetime(moment.astimezone(UTC).replace(microsecond=0), usegmt=True)


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
    """Every problem, errors and warnings (``Problem.severity``), in file and line order."""
    problems = list(contract.problems)
    if not contract.parsed:
        return _sorted(problems)  # nothing to validate: the other checks would only add noise
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
    if not dangling:  # the checks below follow $refs
        problems += _structure_problems(contract, version)
        roots = list(_schema_roots(data))
        problems += _check_schemas(contract, version, roots)
        problems += _check_defaults(contract, version, roots)
        problems += _check_operations(contract)
        problems += _check_tags(contract)
        problems += _check_parameter_lists(contract)
    return _sorted(problems)


def _sorted(problems: list[Problem]) -> list[Problem]:
    unique = {(p.file, p.line, p.pointer, p.message): p for p in problems}
    return [unique[key] for key in sorted(unique)]


def _check_refs(contract: Contract) -> Iterator[Problem]:
    resolved: set[str] = set()
    for pointer, node in description_mappings(contract.data):
        ref = node.get("$ref")
        if not isinstance(ref, str) or ref in resolved:
            continue
        if not ref.startswith("#"):  # the loader bundles other files: this is not reached
            yield contract.problem(f"{pointer}/$ref", f"external $ref {ref!r} is not supported")
            continue
        try:
            resolve_pointer(contract.data, ref)
        except (KeyError, IndexError, TypeError, ValueError):
            yield contract.problem(f"{pointer}/$ref", f"unresolvable $ref {ref!r}")
        else:
            resolved.add(ref)


@cache
def _openapi_meta_schema(minor: str) -> dict[str, Any]:
    """openapi-spec-validator's meta-schema of the OpenAPI document (``minor``: "3.0" or
    "3.1"), read from its package data: importing the package would pull in jsonschema-path
    and pydantic-settings, a second on a busy machine, for nothing used here."""
    spec = importlib.util.find_spec("openapi_spec_validator")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("openapi-spec-validator is not installed")
    package = Path(next(iter(spec.submodule_search_locations)))
    path = package / "resources" / "schemas" / f"v{minor}" / "schema.json"
    schema: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return schema


@cache
def _fast_structure_validator(minor: str) -> Any:
    try:
        import jsonschema_rs
    except ImportError:  # jsonschema alone (slow on big contracts, same messages)
        return None
    return jsonschema_rs.validator_for(_openapi_meta_schema(minor))


def _structure_problems(contract: Contract, version: str) -> Iterator[Problem]:
    """The document against the OpenAPI meta-schema: jsonschema-rs finds the errors, and
    jsonschema words them (its messages, and the deepest sub-error of a oneOf/anyOf), on the
    document pruned to the entries that hold them."""
    minor = "3.1" if version.startswith("3.1") else "3.0"
    try:
        fast = _fast_structure_validator(minor)
        found = (
            None
            if fast is None
            else [(list(e.instance_path), str(e.message)) for e in fast.iter_errors(contract.data)]
        )
        if found == []:
            return
        document = contract.data if found is None else _pruned(contract.data, [p for p, _ in found])
        refined = _meta_schema_errors(document, minor)
    except Exception as exc:  # a validator crash is still a report, not a traceback
        yield contract.problem("", f"the contract could not be validated: {type(exc).__name__}")
        return
    if found is None:
        for path, message in refined.values():
            yield contract.problem(pointer_of(path), message)
        return
    for path, message in found:
        path, message = refined.get(tuple(path), (path, " ".join(message.split())))
        yield contract.problem(pointer_of(path), message)


def _pruned(data: dict[str, Any], paths: list[list[str | int]]) -> dict[str, Any]:
    """The document with only the path items and components that hold an error: checked
    against the meta-schema, it has the same errors at the same paths (those maps accept any
    number of entries), and jsonschema checks it in a fraction of the time on big contracts."""
    wanted: dict[tuple[str, ...], set[str | int]] = {}
    for path in paths:
        if len(path) >= 2 and path[0] in ("paths", "webhooks"):
            wanted.setdefault((str(path[0]),), set()).add(path[1])
        elif len(path) >= 3 and path[0] == "components":
            wanted.setdefault(("components", str(path[1])), set()).add(path[2])
    result = dict(data)
    for key in ("paths", "webhooks"):
        if isinstance(data.get(key), dict):
            keep = wanted.get((key,), set())
            result[key] = {k: v for k, v in data[key].items() if k in keep}
    components = data.get("components")
    if isinstance(components, dict):
        result["components"] = {
            section: (
                {k: v for k, v in entries.items() if k in wanted.get(("components", section), ())}
                if isinstance(entries, dict)
                else entries
            )
            for section, entries in components.items()
        }
    return result


def _meta_schema_errors(
    data: dict[str, Any], minor: str
) -> dict[tuple[str | int, ...], tuple[list[str | int], str]]:
    """Structural errors by path, each refined to its most specific sub-error (path, message)."""
    from jsonschema.validators import validator_for

    schema = _openapi_meta_schema(minor)
    validator = validator_for(schema)(schema)
    result: dict[tuple[str | int, ...], tuple[list[str | int], str]] = {}
    for error in validator.iter_errors(data):
        best = _deepest(error)
        result.setdefault(
            tuple(error.absolute_path), (list(best.absolute_path), _best_message(best))
        )
    return result


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
    "additionalItems",
    "contains",
    "propertyNames",
    "if",
    "then",
    "else",
    "unevaluatedItems",
    "unevaluatedProperties",
    "contentSchema",
)
_SCHEMA_MAPS = ("properties", "patternProperties", "$defs", "definitions", "dependentSchemas")
_SCHEMA_LISTS = ("allOf", "anyOf", "oneOf", "prefixItems", "items")
# Outside schemas: mappings whose keys are names (a header may be called "example"), not
# keywords; and values that are data, not description.
_NAME_MAPS = frozenset(
    {
        "paths", "webhooks", "responses", "content", "headers", "callbacks",
        "links", "encoding", "parameters", "requestBodies", "securitySchemes", "pathItems",
        "variables",
    }
)  # fmt: skip
_DATA_KEYS = frozenset({"example", "examples"})


def _schema_roots(data: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    """Every outermost Schema Object, with its pointer: the component schemas and every
    ``schema`` of a parameter, header or media type, wherever it is written (``$ref``s are not
    followed: each schema is visited where it is written)."""
    components = data.get("components")
    if isinstance(components, dict) and isinstance(components.get("schemas"), dict):
        for name, schema in components["schemas"].items():
            yield f"/components/schemas/{escape(str(name))}", schema
    stack: list[tuple[str, Any, bool]] = [("", data, False)]
    while stack:
        here, node, names = stack.pop()
        if not isinstance(node, dict):
            continue
        for key, value in node.items():
            child = f"{here}/{escape(str(key))}"
            if not names:
                if key == "schema":
                    if isinstance(value, dict | bool):
                        yield child, value
                    continue
                if key in _DATA_KEYS or str(key).startswith("x-"):
                    continue
            if child == "/components/schemas":
                continue
            if isinstance(value, dict):
                stack.append((child, value, not names and key in _NAME_MAPS))
            elif isinstance(value, list):
                stack.extend((f"{child}/{i}", item, False) for i, item in enumerate(value))


def _subschemas(pointer: str, schema: Any) -> Iterator[tuple[str, dict[str, Any]]]:
    """``schema`` and every schema inside it, with their pointers."""
    stack = [(pointer, schema)]
    while stack:
        here, current = stack.pop()
        if not isinstance(current, dict):
            continue
        yield here, current
        for key in _SCHEMA_KEYS:
            if isinstance(current.get(key), dict):
                stack.append((f"{here}/{key}", current[key]))
        for key in _SCHEMA_MAPS:
            if isinstance(current.get(key), dict):
                stack.extend((f"{here}/{key}/{escape(k)}", v) for k, v in current[key].items())
        for key in _SCHEMA_LISTS:
            if isinstance(current.get(key), list):
                stack.extend((f"{here}/{key}/{i}", v) for i, v in enumerate(current[key]))


@cache
def _meta_validators(version: str) -> tuple[Any, Any]:
    """(jsonschema validator, jsonschema-rs validator or None) of a Schema Object's dialect:
    JSON Schema draft 4 as OpenAPI 3.0 adapts it, or OpenAPI 3.1's base dialect."""
    from jsonschema.validators import validator_for
    from openapi_schema_validator import OAS30Validator, OAS31Validator
    from openapi_schema_validator._specifications import REGISTRY

    cls = OAS31Validator if version == "3.1" else OAS30Validator
    meta = cls.META_SCHEMA
    python = validator_for(meta, default=cls)(
        meta, format_checker=cls.FORMAT_CHECKER, registry=REGISTRY
    )
    try:  # about a thousand times faster; its messages are not used (see _check_schemas)
        import jsonschema_rs

        resources = [(uri, REGISTRY.contents(uri)) for uri in REGISTRY if "openapis.org" in uri]
        fast = jsonschema_rs.validator_for(
            meta, registry=jsonschema_rs.Registry(resources), validate_formats=True
        )
    except Exception:  # not installed, or it cannot take the meta-schema: jsonschema alone
        fast = None
    return python, fast


def _check_schemas(
    contract: Contract, version: str, roots: list[tuple[str, Any]]
) -> Iterator[Problem]:
    """Every Schema Object against its dialect's meta-schema, located absolutely."""
    dialect = contract.data.get("jsonSchemaDialect")
    if version.startswith("3.1") and dialect not in (None, OAS31_DIALECT):
        from jsonschema.validators import validator_for

        # Another dialect for every schema: its own meta-schema, when jsonschema knows it.
        cls = validator_for({"$schema": dialect}, default=None)
        if cls is None:
            yield contract.problem("/jsonSchemaDialect", f"unknown JSON Schema dialect {dialect!r}")
            return
        python, fast = cls(cls.META_SCHEMA), None
    else:
        python, fast = _meta_validators("3.1" if version.startswith("3.1") else "3.0")
    for pointer, schema in roots:
        if fast is not None and fast.is_valid(schema):
            continue
        reported = False
        for error in python.iter_errors(schema):
            best = _deepest(error)
            where = pointer + pointer_of(list(best.absolute_path))
            yield contract.problem(where, _best_message(error))
            reported = True
        if not reported and fast is not None:  # the two disagree: jsonschema-rs's own words
            for rs_error in fast.iter_errors(schema):
                where = pointer + pointer_of(list(rs_error.instance_path))
                yield contract.problem(where, " ".join(str(rs_error.message).split()))


def _check_defaults(
    contract: Contract, version: str, roots: list[tuple[str, Any]]
) -> Iterator[Problem]:
    """A ``default`` must match its schema: 3.0 says MUST (an error), 3.1 says SHOULD (a
    warning: generation goes on)."""
    oas31 = version.startswith("3.1")
    from openapi_schema_validator import OAS30Validator, OAS31Validator

    validator_class = OAS31Validator if oas31 else OAS30Validator
    severity = "warning" if oas31 else "error"
    # One validator whose root resource is the document: each schema is validated in place
    # (``evolve``), so that its ``$ref``s resolve in the document.
    document = validator_class(contract.data)
    for root_pointer, root_schema in roots:
        for pointer, schema in _subschemas(root_pointer, root_schema):
            if "default" not in schema:
                continue
            try:
                errors = document.evolve(schema=schema).iter_errors(schema["default"])
                error = next(iter(errors), None)
            except Exception:  # noqa: S112 - an unresolvable corner is not this check's business
                continue
            if error is not None:
                yield contract.problem(
                    f"{pointer}/default",
                    f"default does not match the schema: {error.message}",
                    severity=severity,
                )


def _check_tags(contract: Contract) -> Iterator[Problem]:
    tags = contract.data.get("tags")
    seen: dict[str, int] = {}
    for index, tag in enumerate(tags if isinstance(tags, list) else []):
        name = tag.get("name") if isinstance(tag, dict) else None
        if not isinstance(name, str):
            continue
        if name in seen:
            yield contract.problem(
                f"/tags/{index}/name", f"duplicate tag name {name!r} (also at /tags/{seen[name]})"
            )
        seen.setdefault(name, index)


def _check_parameter_lists(contract: Contract) -> Iterator[Problem]:
    """A parameter list must not declare one (name, in) twice (OpenAPI: MUST NOT)."""
    data = contract.data
    for path, item in (data.get("paths") or {}).items():
        item = deref(data, item)
        if not isinstance(item, dict):
            continue
        lists = [(f"/paths/{escape(path)}", item)]
        lists += [(f"/paths/{escape(path)}/{m}", item[m]) for m in HTTP_METHODS if m in item]
        for base, owner in lists:
            parameters = owner.get("parameters") if isinstance(owner, dict) else None
            seen: dict[tuple[str, str], int] = {}
            for index, parameter in enumerate(parameters if isinstance(parameters, list) else []):
                resolved = deref(data, parameter)
                if not isinstance(resolved, dict) or "name" not in resolved:
                    continue
                key = (str(resolved["name"]), str(resolved.get("in")))
                if key in seen:
                    yield contract.problem(
                        f"{base}/parameters/{index}",
                        f"duplicate parameter {key[0]!r} ({key[1]}) "
                        f"(also at {base}/parameters/{seen[key]})",
                    )
                seen.setdefault(key, index)


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
        if "x-sunset" in operation:
            sunset = operation["x-sunset"]
            if sunset_http_date(sunset) is None:
                yield contract.problem(
                    f"{op_pointer}/x-sunset",
                    f"{sunset!r} is not a date (YYYY-MM-DD) or an RFC 3339 date-time",
                )
            if operation.get("deprecated") is not True:
                yield contract.problem(
                    f"{op_pointer}/x-sunset", "x-sunset needs the operation to be deprecated: true"
                )
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
