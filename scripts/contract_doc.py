"""A contract read for the designer's tools: its data, the line of every JSON pointer, and the
few OpenAPI walks they share (operations, local ``$ref`` resolution, Protocol names).

Kept apart from ``contractgen`` on purpose: the tools read any version of the contract (an old
git revision included) and must not break when the generator's internals change.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")

_WORD_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_NOT_IDENT = re.compile(r"[^0-9a-zA-Z]+")


class ContractError(Exception):
    """The file is not a YAML/JSON mapping; the message is ``FILE:LINE: message``."""


def escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def unescape(token: str) -> str:
    return token.replace("~1", "/").replace("~0", "~")


def pointer(*parts: str | int) -> str:
    return "".join(f"/{escape(str(part))}" for part in parts)


@dataclass
class Document:
    """One contract: ``data`` as loaded, ``lines`` maps JSON pointers to 1-based lines."""

    name: str
    data: dict[str, Any]
    lines: dict[str, int] = field(default_factory=dict)

    def line_of(self, where: str) -> int:
        """The line of ``where``, or of its nearest ancestor present in the file."""
        while where:
            if where in self.lines:
                return self.lines[where]
            where = where.rsplit("/", 1)[0]
        return 1

    def resolve(self, value: Any) -> Any:
        """Follow local ``$ref`` chains (``#/...``); anything else is returned as it is."""
        seen: set[str] = set()
        while isinstance(value, dict) and isinstance(value.get("$ref"), str):
            ref: str = value["$ref"]
            if not ref.startswith("#") or ref in seen:
                return value
            seen.add(ref)
            target: Any = self.data
            for token in ref[1:].split("/")[1:]:
                key = unescape(token)
                if isinstance(target, dict) and key in target:
                    target = target[key]
                elif isinstance(target, list) and key.isdigit() and int(key) < len(target):
                    target = target[int(key)]
                else:
                    return value
            value = target
        return value

    def operations(self) -> Iterator[Operation]:
        paths = self.data.get("paths")
        if not isinstance(paths, dict):
            return
        for path, item in paths.items():
            item = self.resolve(item)
            if not isinstance(item, dict):
                continue
            shared = item.get("parameters")
            shared = list(shared) if isinstance(shared, list) else []
            for method in HTTP_METHODS:
                operation = item.get(method)
                if isinstance(operation, dict):
                    yield Operation(str(path), method, operation, shared)


@dataclass
class Operation:
    path: str
    method: str
    data: dict[str, Any]
    path_parameters: list[Any]

    @property
    def pointer(self) -> str:
        return pointer("paths", self.path, self.method)

    @property
    def operation_id(self) -> str:
        """The contract's operationId, or the one the generator derives from method and path."""
        value = self.data.get("operationId")
        if isinstance(value, str) and value:
            return value
        return snake_case(f"{self.method} {self.path}")

    @property
    def label(self) -> str:
        return f"{self.method.upper()} {self.path} [{self.operation_id}]"

    @property
    def protocol_method(self) -> str:
        """The generated Protocol method: ``<Tag>Api.<snake_case(operationId)>``."""
        tags = self.data.get("tags")
        tag = str(tags[0]) if isinstance(tags, list) and tags else "default"
        return f"{pascal_case(tag)}Api.{snake_case(self.operation_id)}"


def snake_case(name: str) -> str:
    """``getHTTPStatus`` → ``get_http_status`` (the generator's rule for Protocol methods)."""
    words = [w for w in _NOT_IDENT.split(_WORD_BOUNDARY.sub("_", name)) if w]
    result = "_".join(words).lower() or "x"
    return f"n{result}" if result[0].isdigit() else result


def pascal_case(name: str) -> str:
    """``list-pets`` → ``ListPets`` (the generator's rule for Protocol names)."""
    words = [w for w in _NOT_IDENT.split(_WORD_BOUNDARY.sub("_", name)) if w]
    result = "".join(w[0].upper() + w[1:] for w in words) or "X"
    return f"N{result}" if result[0].isdigit() else result


def _index_lines(node: yaml.Node, lines: dict[str, int]) -> None:
    stack: list[tuple[yaml.Node, str]] = [(node, "")]
    while stack:
        current, here = stack.pop()
        if isinstance(current, yaml.MappingNode):
            for key_node, value_node in current.value:
                child = f"{here}/{escape(str(key_node.value))}"
                lines.setdefault(child, key_node.start_mark.line + 1)
                stack.append((value_node, child))
        elif isinstance(current, yaml.SequenceNode):
            for index, item in enumerate(current.value):
                child = f"{here}/{index}"
                lines.setdefault(child, item.start_mark.line + 1)
                stack.append((item, child))


def parse(text: str, name: str) -> Document:
    """Parse a contract's text (YAML or JSON); ``name`` is used in messages."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ContractError(f"{name}:{line}: not valid YAML/JSON: {problem}") from exc
    if not isinstance(data, dict):
        raise ContractError(f"{name}:1: the contract must be a mapping")
    lines: dict[str, int] = {}
    if node is not None:
        _index_lines(node, lines)
    return Document(name, data, lines)


def load(path: Path) -> Document:
    return parse(path.read_text(encoding="utf-8"), str(path))
