"""Reading a contract: the data, and the line of every node for error messages.

PyYAML on its own silently keeps the last of duplicate keys and turns unquoted ``200:`` keys
into integers and ``on:`` into ``True``. Contracts are read here with mapping keys kept as the
text they were written as, and duplicate keys reported as problems.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

# libyaml when available: PagerDuty's 2.8 MB contract parses in under a second.
_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a contract, located by JSON pointer and line."""

    pointer: str
    message: str
    line: int = 0

    def render(self, filename: str) -> str:
        message = " ".join(self.message.split())  # one problem, one line
        return f"{filename}:{self.line}: {self.pointer or '/'}: {message}"


@dataclass
class Contract:
    path: Path
    data: dict[str, Any]
    lines: dict[str, int]
    problems: list[Problem] = field(default_factory=list)
    parsed: bool = True  # False: the text is not YAML/JSON, and ``problems`` says why

    def line_of(self, pointer: str) -> int:
        """The line of the node at ``pointer``, or of its nearest ancestor that has one."""
        while True:
            if pointer in self.lines:
                return self.lines[pointer]
            if not pointer:
                return 1
            pointer = pointer.rsplit("/", 1)[0]

    def problem(self, pointer: str, message: str) -> Problem:
        return Problem(pointer, message, self.line_of(pointer))


def escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def unescape(token: str) -> str:
    return token.replace("~1", "/").replace("~0", "~")


def pointer_of(parts: list[str | int] | tuple[str | int, ...]) -> str:
    return "".join(f"/{escape(str(part))}" for part in parts)


class _ContractLoader(_BaseLoader):  # type: ignore[misc,valid-type]
    """Mapping keys stay the text they were written as; duplicates are recorded."""

    duplicates: list[tuple[yaml.Node, yaml.Node, str]]  # (mapping, key node, key)

    def construct_mapping(self, node: yaml.Node, deep: bool = False) -> dict[Any, Any]:
        if not isinstance(node, yaml.MappingNode):  # PyYAML only calls this for mappings
            raise TypeError(f"expected a mapping node, got {type(node).__name__}")
        self.flatten_mapping(node)
        mapping: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = (
                key_node.value
                if isinstance(key_node, yaml.ScalarNode)
                else self.construct_object(key_node, deep=deep)
            )
            if key in mapping:
                self.duplicates.append((node, key_node, str(key)))
            mapping[key] = self.construct_object(value_node, deep=deep)
        return mapping


_ContractLoader.add_constructor(
    "tag:yaml.org,2002:map",
    _ContractLoader.construct_mapping,
)


def _index_lines(
    node: yaml.Node, pointer: str, lines: dict[str, int], mappings: dict[int, str]
) -> None:
    """Record the 1-based line of every node (for a mapping entry, its key's line), and the
    pointer of every mapping node (by ``id``), so that duplicate keys can be located."""
    stack: list[tuple[yaml.Node, str]] = [(node, pointer)]
    while stack:
        current, here = stack.pop()
        if isinstance(current, yaml.MappingNode):
            mappings.setdefault(id(current), here)
            for key_node, value_node in current.value:
                child = f"{here}/{escape(str(key_node.value))}"
                lines.setdefault(child, key_node.start_mark.line + 1)
                stack.append((value_node, child))
        elif isinstance(current, yaml.SequenceNode):
            for index, item in enumerate(current.value):
                child = f"{here}/{index}"
                lines.setdefault(child, item.start_mark.line + 1)
                stack.append((item, child))


def load_contract(path: Path) -> Contract:
    """Parse ``path``; syntax errors and duplicate keys become problems, never exceptions."""
    text = path.read_text(encoding="utf-8")
    loader = _ContractLoader(text)
    loader.duplicates = []
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        problem = Problem("", f"not valid YAML/JSON: {getattr(exc, 'problem', exc)}", line)
        return Contract(path, {}, {}, [problem], parsed=False)
    finally:
        loader.dispose()
    lines: dict[str, int] = {"": 1}
    mappings: dict[int, str] = {}
    if node is not None:
        _index_lines(node, "", lines, mappings)
    if not isinstance(data, dict):
        return Contract(
            path, {}, lines, [Problem("", "the contract must be a mapping", 1)], parsed=False
        )
    contract = Contract(path, data, lines)
    for mapping_node, key_node, key in loader.duplicates:
        # The pointer of the repeated entry itself (its parent mapping's pointer + the key), at
        # the line of the repetition: "/" alone would not say where to look.
        pointer = f"{mappings.get(id(mapping_node), '')}/{escape(key)}"
        contract.problems.append(
            Problem(
                pointer,
                f"duplicate key {key!r} (YAML keeps only the last)",
                key_node.start_mark.line + 1,
            )
        )
    return contract
