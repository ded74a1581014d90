#!/usr/bin/env python3
"""List what changed in the contract between a git revision and the working tree.

    python scripts/breaking.py [--base REF] [--spec openapi.yaml] [--base-file OLD.yaml]

REF defaults to the merge base of HEAD with main. Each change is printed on its own line as
breaking or not, with the operation it affects and the generated Protocol method a handler
implements (``<Tag>Api.<snake_case(operationId)>``, the first tag). Exit status: 1 when a change
is breaking and ``info.version``'s major part was not raised, 0 otherwise (2 when a contract
cannot be read).

Breaking, for a client built against BASE (a generated SDK included):

- an operation removed, or its operationId changed (the SDK's and the Protocol's method name);
- a new required parameter, an optional parameter made required, a parameter removed;
- a request body made required, a new required request field, a request field made required,
  a request field removed where the schema forbids unknown fields, a request media type removed;
- a request type or enum narrowed, or a request bound tightened (maxLength, minimum, pattern...);
- a response field removed or no longer required, a response type or enum widened (a client's
  parser meets a value it does not know), a response header removed or no longer required;
- a status code removed, or a new success status (a client expecting the old one gets another);
- security tightened: a client that satisfied one of the old requirements (schemes and
  scopes) satisfies none of the new ones.

Everything else (new operations, optional parameters and fields, new error statuses, widened
requests, narrowed responses, relaxed security) is listed as non-breaking.

No existing tool was reachable that does this: oasdiff and @pb33f/openapi-changes are Go
binaries (the npm package downloads one at install); @azure/oad drives autorest, which downloads
its extensions at run time; api-smart-diff (npm) classifies JSON paths one by one, without the
operation, the Protocol method or the version rule, and rates a shared component's change once
as breaking and once as not.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from contract_doc import ContractError, Document, Operation, load, parse

REQUEST = "request"
RESPONSE = "response"

# Bounds that make a schema accept less when they rise (lower) or fall (upper).
_LOWER_BOUNDS = ("minLength", "minItems", "minProperties", "minimum", "exclusiveMinimum")
_UPPER_BOUNDS = ("maxLength", "maxItems", "maxProperties", "maximum", "exclusiveMaximum")


@dataclass(frozen=True)
class Change:
    breaking: bool
    operation: str  # "METHOD /path [operationId]"
    protocol_method: str
    message: str

    def __str__(self) -> str:
        flag = "BREAKING    " if self.breaking else "non-breaking"
        return f"{flag} {self.operation} ({self.protocol_method}): {self.message}"


@dataclass(frozen=True)
class Finding:
    breaking: bool
    message: str


def _route_key(operation: Operation) -> tuple[str, str]:
    """Operations are matched by method and path template, whatever their parameters' names."""
    return operation.method, re.sub(r"\{[^}]*\}", "{}", operation.path)


def _types(schema: dict[str, Any]) -> set[str] | None:
    """The schema's JSON types, or None for "any". ``integer`` counts as part of ``number``."""
    declared = schema.get("type")
    if declared is None:
        return None
    types = {declared} if isinstance(declared, str) else {str(t) for t in declared}
    if schema.get("nullable") is True:  # OpenAPI 3.0
        types.add("null")
    return types


def _type_set_covers(wide: set[str], narrow: set[str]) -> bool:
    return all(t in wide or (t == "integer" and "number" in wide) for t in narrow)


class SchemaDiff:
    """Compare two schemas in one direction; ``$ref``s resolve in each side's own document."""

    def __init__(self, old: Document, new: Document) -> None:
        self.old = old
        self.new = new
        self._seen: set[tuple[int, int, str]] = set()

    def compare(self, old: Any, new: Any, where: str, direction: str) -> Iterator[Finding]:
        old = self.old.resolve(old)
        new = self.new.resolve(new)
        if not isinstance(old, dict) or not isinstance(new, dict):
            return
        key = (id(old), id(new), direction)
        if key in self._seen:  # a recursive schema: compared once
            return
        self._seen.add(key)
        label = f"{where}: " if where else ""
        yield from self._types(old, new, label, direction)
        yield from self._enum(old, new, label, direction)
        yield from self._bounds(old, new, label, direction)
        yield from self._properties(old, new, where, direction)
        if "items" in old or "items" in new:
            yield from self.compare(old.get("items"), new.get("items"), f"{where}[]", direction)
        for keyword in ("allOf", "anyOf", "oneOf"):
            old_parts, new_parts = old.get(keyword) or [], new.get(keyword) or []
            if len(old_parts) != len(new_parts):
                yield Finding(True, f"{label}{keyword} changed ({len(old_parts)} → "
                                    f"{len(new_parts)} schemas)")  # fmt: skip
                continue
            for index, (a, b) in enumerate(zip(old_parts, new_parts, strict=True)):
                yield from self.compare(a, b, f"{where}<{keyword}[{index}]>", direction)

    def _types(self, old: dict[str, Any], new: dict[str, Any], label: str, direction: str
               ) -> Iterator[Finding]:  # fmt: skip
        old_types, new_types = _types(old), _types(new)
        if old_types == new_types:
            return
        shown = f"{_show(old_types)} → {_show(new_types)}"
        narrowed = new_types is not None and (
            old_types is None or not _type_set_covers(new_types, old_types)
        )
        widened = old_types is not None and (
            new_types is None or not _type_set_covers(old_types, new_types)
        )
        if direction == REQUEST and narrowed:
            yield Finding(True, f"{label}request type narrowed ({shown})")
        elif direction == RESPONSE and widened:
            yield Finding(True, f"{label}response type widened ({shown})")
        else:
            yield Finding(False, f"{label}type changed ({shown})")

    def _enum(self, old: dict[str, Any], new: dict[str, Any], label: str, direction: str
              ) -> Iterator[Finding]:  # fmt: skip
        old_enum = None if "enum" not in old else [repr(v) for v in old["enum"]]
        new_enum = None if "enum" not in new else [repr(v) for v in new["enum"]]
        if old_enum == new_enum:
            return
        removed = sorted(set(old_enum or []) - set(new_enum or [])) if new_enum is not None else []
        added = sorted(set(new_enum or []) - set(old_enum or [])) if old_enum is not None else []
        if old_enum is None:
            narrowed, text = True, f"enum {', '.join(new_enum or [])} added"
        elif new_enum is None:
            narrowed, text = False, "enum removed"
        else:
            narrowed = bool(removed)
            parts = [f"removed {', '.join(removed)}"] if removed else []
            parts += [f"added {', '.join(added)}"] if added else []
            text = f"enum {'; '.join(parts) or 'reordered'}"
        widened = (new_enum is None and old_enum is not None) or bool(added)
        if direction == REQUEST and narrowed:
            yield Finding(True, f"{label}request enum narrowed ({text})")
        elif direction == RESPONSE and widened:
            yield Finding(True, f"{label}response enum widened ({text})")
        else:
            yield Finding(False, f"{label}{text}")

    def _bounds(self, old: dict[str, Any], new: dict[str, Any], label: str, direction: str
                ) -> Iterator[Finding]:  # fmt: skip
        for keyword in (*_LOWER_BOUNDS, *_UPPER_BOUNDS):
            a, b = old.get(keyword), new.get(keyword)
            if a == b or isinstance(a, bool) or isinstance(b, bool):
                continue
            lower = keyword in _LOWER_BOUNDS
            if a is None:
                tightened = True
            elif b is None:
                tightened = False
            else:
                tightened = b > a if lower else b < a
            text = f"{keyword} {a} → {b}"
            if direction == REQUEST and tightened:
                yield Finding(True, f"{label}request narrowed ({text})")
            elif direction == RESPONSE and not tightened:
                yield Finding(True, f"{label}response widened ({text})")
            else:
                yield Finding(False, f"{label}{text}")
        for keyword in ("pattern", "format"):
            a, b = old.get(keyword), new.get(keyword)
            if a == b:
                continue
            text = f"{keyword} {a!r} → {b!r}"
            breaking = b is not None if direction == REQUEST else a is not None
            yield Finding(breaking, f"{label}{direction} {keyword} changed ({text})")

    def _properties(self, old: dict[str, Any], new: dict[str, Any], where: str, direction: str
                    ) -> Iterator[Finding]:  # fmt: skip
        hidden = "readOnly" if direction == REQUEST else "writeOnly"
        old_props = _visible(self.old, old.get("properties"), hidden)
        new_props = _visible(self.new, new.get("properties"), hidden)
        old_required = set(old.get("required") or []) & (
            set(old_props) or set(old.get("required") or [])
        )
        new_required = set(new.get("required") or []) & (
            set(new_props) or set(new.get("required") or [])
        )
        closed = (
            new.get("additionalProperties") is False or new.get("unevaluatedProperties") is False
        )
        for name in sorted(set(old_props) | set(new_props) | old_required | new_required):
            field = f"{where}.{name}" if where else name
            if name in old_props and name not in new_props:
                if direction == RESPONSE:
                    yield Finding(True, f"response field '{field}' removed")
                else:
                    yield Finding(
                        closed,
                        f"request field '{field}' removed"
                        + (" (unknown fields are rejected)" if closed else ""),
                    )
            elif name not in old_props and name in new_props:
                if direction == REQUEST and name in new_required:
                    yield Finding(True, f"new required request field '{field}'")
                else:
                    yield Finding(False, f"new {direction} field '{field}'")
            else:
                if direction == REQUEST and name in new_required and name not in old_required:
                    yield Finding(True, f"request field '{field}' is now required")
                if direction == RESPONSE and name in old_required and name not in new_required:
                    yield Finding(True, f"response field '{field}' is no longer always present")
                if name in old_props and name in new_props:
                    yield from self.compare(old_props[name], new_props[name], field, direction)
        if (
            direction == REQUEST
            and closed
            and old.get("additionalProperties") is not False
            and (old.get("unevaluatedProperties") is not False)
        ):
            yield Finding(
                True, f"{where + ': ' if where else ''}unknown request fields are now rejected"
            )


def _visible(document: Document, properties: Any, hidden: str) -> dict[str, Any]:
    if not isinstance(properties, dict):
        return {}
    return {
        str(name): schema
        for name, schema in properties.items()
        if not (isinstance(document.resolve(schema), dict) and document.resolve(schema).get(hidden))
    }


def _show(types: set[str] | None) -> str:
    return "any" if types is None else "|".join(sorted(types))


def _parameters(document: Document, operation: Operation) -> dict[tuple[str, str], dict[str, Any]]:
    merged: dict[tuple[str, str], dict[str, Any]] = {}
    own = operation.data.get("parameters")
    for parameter in [*operation.path_parameters, *(own if isinstance(own, list) else [])]:
        parameter = document.resolve(parameter)
        if isinstance(parameter, dict) and "name" in parameter:
            merged[(str(parameter.get("in")), str(parameter["name"]))] = parameter
    return merged


def _security(document: Document, operation: Operation) -> list[dict[str, set[str]]]:
    """The alternatives (OR) of schemes and scopes; no requirement at all is ``[{}]``."""
    requirements = operation.data.get("security", document.data.get("security", []))
    if not isinstance(requirements, list) or not requirements:
        return [{}]
    return [
        {str(s): set(scopes or []) for s, scopes in r.items()} if isinstance(r, dict) else {}
        for r in requirements
    ]


def _satisfies(old: dict[str, set[str]], new: dict[str, set[str]]) -> bool:
    """A client meeting requirement ``old`` also meets ``new``."""
    return all(s in old and scopes <= old[s] for s, scopes in new.items())


def _media(document: Document, holder: Any) -> dict[str, Any]:
    holder = document.resolve(holder)
    content = holder.get("content") if isinstance(holder, dict) else None
    return content if isinstance(content, dict) else {}


def compare_operation(old_doc: Document, new_doc: Document, old: Operation, new: Operation
                      ) -> Iterator[Finding]:  # fmt: skip
    schemas = SchemaDiff(old_doc, new_doc)
    if old.operation_id != new.operation_id:
        yield Finding(True, f"operationId changed ({old.operation_id} → {new.operation_id})")
    # Parameters.
    old_params, new_params = _parameters(old_doc, old), _parameters(new_doc, new)
    for key in sorted(set(old_params) | set(new_params)):
        label = f"{key[0]} parameter '{key[1]}'"
        if key not in new_params:
            yield Finding(True, f"{label} removed")
            continue
        required = bool(new_params[key].get("required"))
        if key not in old_params:
            if required:
                yield Finding(True, f"new required {label}")
            else:
                yield Finding(False, f"new optional {label}")
            continue
        if required and not old_params[key].get("required"):
            yield Finding(True, f"{label} is now required")
        yield from _prefixed(
            label,
            schemas.compare(
                old_params[key].get("schema"), new_params[key].get("schema"), "", REQUEST
            ),
        )
    # Request body.
    old_body, new_body = old.data.get("requestBody"), new.data.get("requestBody")
    if new_body is not None:
        new_required = bool(new_doc.resolve(new_body).get("required"))
        if old_body is None:
            yield Finding(
                new_required, f"new {'required' if new_required else 'optional'} request body"
            )
        else:
            if new_required and not old_doc.resolve(old_body).get("required"):
                yield Finding(True, "request body is now required")
            old_media, new_media = _media(old_doc, old_body), _media(new_doc, new_body)
            for media in sorted(set(old_media) | set(new_media)):
                if media not in new_media:
                    yield Finding(True, f"request media type {media} removed")
                elif media not in old_media:
                    yield Finding(False, f"new request media type {media}")
                else:
                    yield from _prefixed(f"request {media}", schemas.compare(
                        old_media[media].get("schema"), new_media[media].get("schema"), "", REQUEST
                    ))  # fmt: skip
    elif old_body is not None:
        yield Finding(False, "request body removed")
    # Responses.
    old_responses = old.data.get("responses") or {}
    new_responses = new.data.get("responses") or {}
    for status in sorted({str(s) for s in old_responses} | {str(s) for s in new_responses}):
        old_response = _get(old_responses, status)
        new_response = _get(new_responses, status)
        if new_response is None:
            yield Finding(True, f"status {status} removed")
            continue
        if old_response is None:
            success = status.startswith("2")
            yield Finding(success, f"new {'success ' if success else ''}status {status}")
            continue
        yield from _response(old_doc, new_doc, schemas, status, old_response, new_response)
    # Security.
    old_security, new_security = _security(old_doc, old), _security(new_doc, new)
    if old_security != new_security:
        lost = [r for r in old_security if not any(_satisfies(r, n) for n in new_security)]
        text = f"security {_show_security(old_security)} → {_show_security(new_security)}"
        if lost:
            yield Finding(True, f"{text} (tightened)")
        else:
            yield Finding(False, f"{text} (relaxed)")


def _response(old_doc: Document, new_doc: Document, schemas: SchemaDiff, status: str,
              old: Any, new: Any) -> Iterator[Finding]:  # fmt: skip
    old, new = old_doc.resolve(old), new_doc.resolve(new)
    old_headers = {
        str(k).lower(): old_doc.resolve(v) for k, v in (old.get("headers") or {}).items()
    }
    new_headers = {
        str(k).lower(): new_doc.resolve(v) for k, v in (new.get("headers") or {}).items()
    }
    for name in sorted(set(old_headers) | set(new_headers)):
        label = f"{status} header {name}"
        if name not in new_headers:
            yield Finding(True, f"{label} removed")
        elif name not in old_headers:
            yield Finding(False, f"new {label}")
        else:
            if old_headers[name].get("required") and not new_headers[name].get("required"):
                yield Finding(True, f"{label} is no longer always present")
            yield from _prefixed(label, schemas.compare(
                old_headers[name].get("schema"), new_headers[name].get("schema"), "", RESPONSE
            ))  # fmt: skip
    old_media, new_media = _media(old_doc, old), _media(new_doc, new)
    for media in sorted(set(old_media) | set(new_media)):
        if media not in new_media:
            yield Finding(True, f"{status} {media} body removed")
        elif media not in old_media:
            yield Finding(False, f"new {status} {media} body")
        else:
            yield from _prefixed(f"{status} {media}", schemas.compare(
                old_media[media].get("schema"), new_media[media].get("schema"), "", RESPONSE
            ))  # fmt: skip


def _get(responses: Any, status: str) -> Any:
    if not isinstance(responses, dict):
        return None
    for key, value in responses.items():
        if str(key) == status:
            return value
    return None


def _prefixed(prefix: str, findings: Iterator[Finding]) -> Iterator[Finding]:
    for finding in findings:
        yield Finding(finding.breaking, f"{prefix}: {finding.message}")


def _show_security(requirements: list[dict[str, set[str]]]) -> str:
    shown = [
        " + ".join(f"{s}[{' '.join(sorted(scopes))}]" for s, scopes in sorted(r.items()))
        or "anonymous"
        for r in requirements
    ]
    return " or ".join(shown)


def compare(old: Document, new: Document) -> list[Change]:
    """Every change from ``old`` to ``new``, operation by operation, in the new file's order."""
    old_ops = {_route_key(op): op for op in old.operations()}
    new_ops = {_route_key(op): op for op in new.operations()}
    changes: list[Change] = []
    for key, operation in old_ops.items():
        if key not in new_ops:
            changes.append(Change(True, operation.label, operation.protocol_method,
                                  "operation removed"))  # fmt: skip
    for key, operation in new_ops.items():
        if key not in old_ops:
            changes.append(Change(False, operation.label, operation.protocol_method,
                                  "new operation"))  # fmt: skip
            continue
        for finding in compare_operation(old, new, old_ops[key], operation):
            changes.append(Change(finding.breaking, operation.label, operation.protocol_method,
                                  finding.message))  # fmt: skip
    return changes


def _major(document: Document) -> int | None:
    info = document.data.get("info")
    version = str(info.get("version", "")) if isinstance(info, dict) else ""
    match = re.match(r"\s*v?(\d+)", version)
    return int(match.group(1)) if match else None


def major_raised(old: Document, new: Document) -> bool:
    old_major, new_major = _major(old), _major(new)
    return old_major is not None and new_major is not None and new_major > old_major


def _git(*args: str) -> str:
    result = subprocess.run(["git", *args], capture_output=True, text=True, check=False)  # noqa: S607
    if result.returncode != 0:
        raise ContractError(f"git {' '.join(args)}: {result.stderr.strip()}")
    return result.stdout


def load_base(ref: str | None, spec: Path) -> Document:
    if ref is None:
        ref = _git("merge-base", "HEAD", "main").strip()
    relative = _git("ls-files", "--full-name", "--error-unmatch", str(spec)).strip() or str(spec)
    return parse(_git("show", f"{ref}:{relative}"), f"{ref}:{relative}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--spec", type=Path, default=Path("openapi.yaml"), help="the new contract")
    parser.add_argument("--base", help="git revision of the old contract (default: merge base)")
    parser.add_argument("--base-file", type=Path, help="the old contract as a file (not git)")
    args = parser.parse_args(argv)
    try:
        old = load(args.base_file) if args.base_file else load_base(args.base, args.spec)
        new = load(args.spec)
    except ContractError as exc:
        print(exc, file=sys.stderr)
        return 2
    changes = compare(old, new)
    for change in changes:
        print(change)
    breaking = sum(change.breaking for change in changes)
    old_version = old.data.get("info", {}).get("version")
    new_version = new.data.get("info", {}).get("version")
    summary = (
        f"{breaking} breaking, {len(changes) - breaking} non-breaking change(s) from {old.name} to"
        f" {new.name}; info.version {old_version} → {new_version}"
    )
    if breaking and not major_raised(old, new):
        print(f"{summary}: breaking changes need a new major version", file=sys.stderr)
        return 1
    print(summary)
    return 0


if __name__ == "__main__":
    sys.exit(main())
