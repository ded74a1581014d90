"""Reading a contract: the data, bundled into one document, and where every node was written.

- ``.json`` is read as JSON (``json``): escaped surrogate pairs are characters, ``1e3`` is the
  number 1000.0. Line numbers are found only for the pointers a problem needs, by walking the
  text along the pointer, so that a big valid contract costs no more than parsing it. (A file
  of another name that YAML refuses but that starts like JSON is read as JSON too.)
- Anything else is read as YAML with YAML 1.2 core-schema scalars: ``1981-12-15`` stays a
  string (no dates), ``on``/``off``/``yes``/``no`` stay strings, ``1e3`` is a number, mapping
  keys stay the text they were written as (``200:`` is ``"200"``). PyYAML keeps the last of
  duplicate keys silently; they are reported here.
- Relative ``$ref``s to other files (``./schemas/pet.yaml``, ``common.yaml#/components/...``,
  each relative to the file it is written in) are bundled into one self-contained document: a
  target used as a schema, or taken from another file's ``components``, becomes a component of
  the bundle (named after it, deterministically, with a ``_2`` suffix where a name is taken);
  any other target is inlined where it is referenced. A source map keeps, for every node of the
  bundle, the file and the pointer it came from, so problems name the file and line where they
  really are. Remote (``http://``) refs, missing files and dangling pointers are located
  problems.
"""

from __future__ import annotations

import bisect
import copy
import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, Protocol
from urllib.parse import unquote

import yaml

# libyaml when available: PyYAML's pure-Python parser is several times slower.
_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a contract, located by file, JSON pointer (in that file) and line."""

    pointer: str
    message: str
    line: int = 0
    file: str = ""  # the file it is in, relative to the contract's directory; "" = the contract
    severity: str = "error"  # or "warning": reported, and generation goes on

    @property
    def is_error(self) -> bool:
        return self.severity != "warning"

    def render(self, filename: str) -> str:
        message = " ".join(self.message.split())  # one problem, one line
        kind = "warning: " if self.severity == "warning" else ""
        return f"{self.file or filename}:{self.line}: {self.pointer or '/'}: {kind}{message}"


def escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def unescape(token: str) -> str:
    return token.replace("~1", "/").replace("~0", "~")


def pointer_of(parts: list[str | int] | tuple[str | int, ...]) -> str:
    return "".join(f"/{escape(str(part))}" for part in parts)


def _tokens(pointer: str) -> list[str]:
    return [unescape(t) for t in pointer.split("/")[1:]] if pointer else []


# --- line numbers ----------------------------------------------------------------------------


class _Lines(Protocol):
    def line(self, pointer: str) -> int:
        """The 1-based line of the node at ``pointer`` (for a mapping entry, its key's line),
        or of the deepest ancestor that exists."""
        ...


class _YamlLines:
    def __init__(self, root: yaml.Node | None) -> None:
        self._root = root

    def line(self, pointer: str) -> int:
        node, line = self._root, 1
        for token in _tokens(pointer):
            if isinstance(node, yaml.MappingNode):
                entry = next(
                    (
                        (k, v)
                        for k, v in node.value
                        if isinstance(k, yaml.ScalarNode) and k.value == token
                    ),
                    None,
                )
                if entry is None:
                    break
                line, node = entry[0].start_mark.line + 1, entry[1]
            elif isinstance(node, yaml.SequenceNode) and token.isdigit():
                if int(token) >= len(node.value):
                    break
                node = node.value[int(token)]
                line = node.start_mark.line + 1
            else:
                break
        return line

    def mapping_pointers(self) -> dict[int, str]:
        """The pointer of every mapping node, by ``id`` (to locate duplicate keys)."""
        result: dict[int, str] = {}
        stack: list[tuple[yaml.Node | None, str]] = [(self._root, "")]
        while stack:
            node, here = stack.pop()
            if isinstance(node, yaml.MappingNode):
                if id(node) in result:
                    continue  # an alias seen before
                result[id(node)] = here
                stack.extend((v, f"{here}/{escape(str(k.value))}") for k, v in node.value)
            elif isinstance(node, yaml.SequenceNode):
                stack.extend((v, f"{here}/{i}") for i, v in enumerate(node.value))
        return result


_WHITESPACE = re.compile(r"[ \t\n\r]*")


class _JsonLines:
    """Lines of a JSON text, found on demand by walking the text along the pointer: the values
    passed on the way are skipped by the C decoder (``raw_decode``), and every entry seen is
    remembered, so that a contract without problems costs nothing here and each container is
    read at most once however many problems it holds."""

    def __init__(self, text: str) -> None:
        self._text = text
        self._decode = json.JSONDecoder().raw_decode
        # pointer → (index of its value, index where its entry starts); first and last entry
        # of a repeated key
        self._first: dict[str, tuple[int, int]] = {}
        self._last: dict[str, tuple[int, int]] = {}
        # container pointer → (index of its next unread entry, that entry's array index), or
        # None when it has been read to the end
        self._resume: dict[str, tuple[int, int] | None] = {}
        self._newlines: list[int] | None = None

    def _skip(self, index: int) -> int:
        match = _WHITESPACE.match(self._text, index)
        return match.end() if match else index

    def _read_until(self, pointer: str, start: int, wanted: str | None) -> None:
        """Read the entries of the container at ``start`` until ``wanted`` (or to its end)."""
        text = self._text
        if pointer in self._resume:
            state = self._resume[pointer]
        else:
            first = self._skip(start + 1)
            state = None if text[first] in "]}" else (first, 0)
        is_object = text[start] == "{"
        while state is not None:
            position, index = state
            entry = position
            if is_object:
                name, position = self._decode(text, position)
                position = self._skip(self._skip(position) + 1)  # past ':'
                child = f"{pointer}/{escape(str(name))}"
            else:
                child = f"{pointer}/{index}"
            self._first.setdefault(child, (position, entry))
            self._last[child] = (position, entry)
            _, position = self._decode(text, position)
            position = self._skip(position)
            state = (self._skip(position + 1), index + 1) if text[position] == "," else None
            if child == wanted:
                break
        self._resume[pointer] = state

    def line(self, pointer: str, *, last: bool = False) -> int:
        """``last``: of the last entry with the final key (a repeated key's repetition)."""
        text = self._text
        here, value, offset = "", self._skip(0), self._skip(0)
        tokens = _tokens(pointer)
        try:
            for depth, token in enumerate(tokens, 1):
                if value >= len(text) or text[value] not in "{[":
                    break
                child = f"{here}/{escape(token)}"
                final = last and depth == len(tokens)
                if child not in self._first or final:
                    self._read_until(here, value, None if final else child)
                found = (self._last if final else self._first).get(child)
                if found is None:
                    break
                here, (value, offset) = child, found
        except (ValueError, IndexError):  # not reached for text that json.loads accepted
            pass
        if self._newlines is None:
            self._newlines = [match.start() for match in re.finditer("\n", text)]
        return bisect.bisect_left(self._newlines, offset) + 1


# --- parsing one file --------------------------------------------------------------------------

_YAML12_INT = re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$")
_YAML12_FLOAT = re.compile(
    r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
)


class _ContractLoader(_BaseLoader):  # type: ignore[misc,valid-type]
    """YAML 1.2 core-schema scalars; mapping keys stay their text; duplicates are recorded."""

    duplicates: list[tuple[yaml.Node, yaml.Node, str]]  # (mapping, key node, key)
    yaml_implicit_resolvers: ClassVar[dict[Any, Any]] = {}  # below: not YAML 1.1's

    def construct_mapping(self, node: yaml.Node, deep: bool = False) -> dict[Any, Any]:
        if not isinstance(node, yaml.MappingNode):  # PyYAML only calls this for mappings
            raise TypeError(f"expected a mapping node, got {type(node).__name__}")
        self.flatten_mapping(node)
        mapping: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = (
                key_node.value
                if isinstance(key_node, yaml.ScalarNode)
                else str(self.construct_object(key_node, deep=True))
            )
            if key in mapping:
                self.duplicates.append((node, key_node, str(key)))
            mapping[key] = self.construct_object(value_node, deep=deep)
        return mapping

    def construct_yaml12_int(self, node: yaml.Node) -> int:
        text = str(self.construct_scalar(node))
        if text.startswith(("0o", "0x")):
            return int(text[2:], 8 if text[1] == "o" else 16)
        return int(text)

    def construct_yaml12_float(self, node: yaml.Node) -> float:
        text = str(self.construct_scalar(node)).lower()
        if text.endswith(".inf"):
            return float("-inf") if text.startswith("-") else float("inf")
        return float("nan") if text == ".nan" else float(text)

    def construct_text(self, node: yaml.Node) -> str:
        """``!!timestamp`` and ``!!binary`` stay the text they were written as (JSON has no
        dates or bytes)."""
        return str(self.construct_scalar(node))


_ContractLoader.add_constructor("tag:yaml.org,2002:map", _ContractLoader.construct_mapping)
_ContractLoader.add_constructor("tag:yaml.org,2002:int", _ContractLoader.construct_yaml12_int)
_ContractLoader.add_constructor("tag:yaml.org,2002:float", _ContractLoader.construct_yaml12_float)
_ContractLoader.add_constructor("tag:yaml.org,2002:timestamp", _ContractLoader.construct_text)
_ContractLoader.add_constructor("tag:yaml.org,2002:binary", _ContractLoader.construct_text)
for _tag, _pattern, _first in (
    ("tag:yaml.org,2002:null", re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""]),
    ("tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")),
    ("tag:yaml.org,2002:int", _YAML12_INT, list("-+0123456789")),
    ("tag:yaml.org,2002:float", _YAML12_FLOAT, list("-+.0123456789")),
    ("tag:yaml.org,2002:merge", re.compile(r"^(?:<<)$"), ["<"]),  # kept: widely used
):
    _ContractLoader.add_implicit_resolver(_tag, _pattern, _first)


class _ParseError(Exception):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _parse_json(text: str) -> tuple[Any, _Lines, list[tuple[str, str, int]]]:
    """The data, its lines, and (pointer, key, line) of every repeated key."""
    repeated: list[tuple[dict[str, Any], str]] = []

    def pairs_hook(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        result = dict(pairs)
        if len(result) != len(pairs):
            seen: set[str] = set()
            for key, _ in pairs:
                if key in seen:
                    repeated.append((result, key))
                seen.add(key)
        return result

    try:
        data = json.loads(text, object_pairs_hook=pairs_hook, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        raise _ParseError(exc.lineno, f"not valid JSON: {exc.msg}") from None
    except ValueError as exc:
        raise _ParseError(1, f"not valid JSON: {exc}") from None
    lines = _JsonLines(text)
    duplicates: list[tuple[str, str, int]] = []
    if repeated:
        where = _container_pointers(data)
        for mapping, key in repeated:
            pointer = f"{where.get(id(mapping), '')}/{escape(key)}"
            duplicates.append((pointer, key, lines.line(pointer, last=True)))
    return data, lines, duplicates


def _container_pointers(data: Any) -> dict[int, str]:
    result: dict[int, str] = {}
    stack: list[tuple[Any, str]] = [(data, "")]
    while stack:
        node, here = stack.pop()
        if isinstance(node, dict):
            result[id(node)] = here
            stack.extend((v, f"{here}/{escape(str(k))}") for k, v in node.items())
        elif isinstance(node, list):
            stack.extend((v, f"{here}/{i}") for i, v in enumerate(node))
    return result


def _parse_yaml(text: str) -> tuple[Any, _Lines, list[tuple[str, str, int]]]:
    loader = _ContractLoader(text)
    loader.duplicates = []
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        raise _ParseError(line, f"not valid YAML/JSON: {getattr(exc, 'problem', exc)}") from None
    finally:
        loader.dispose()
    lines = _YamlLines(node)
    duplicates: list[tuple[str, str, int]] = []
    if loader.duplicates:
        where = lines.mapping_pointers()
        for mapping_node, key_node, key in loader.duplicates:
            # The pointer of the repeated entry itself (its mapping's pointer + the key), at the
            # line of the repetition: "/" alone would not say where to look.
            pointer = f"{where.get(id(mapping_node), '')}/{escape(key)}"
            duplicates.append((pointer, key, key_node.start_mark.line + 1))
    return data, lines, duplicates


@dataclass
class _Source:
    """One file of the contract."""

    path: Path
    name: str  # as problems print it: "" for the contract itself, else relative to its directory
    data: Any
    lines: _Lines


def _read(path: Path, name: str, problems: list[Problem]) -> _Source | None:
    """Parse one file; syntax errors and duplicate keys become problems. ``None`` when the file
    cannot be used (the problem says why). OSErrors are the caller's."""
    text = path.read_text(encoding="utf-8")
    try:
        if path.suffix.lower() == ".json":
            data, lines, duplicates = _parse_json(text)
        else:
            try:
                data, lines, duplicates = _parse_yaml(text)
            except _ParseError:
                if not text.lstrip().startswith(("{", "[")):
                    raise
                data, lines, duplicates = _parse_json(text)  # JSON under another name
    except _ParseError as exc:
        problems.append(Problem("", exc.message, exc.line, name))
        return None
    reader = "JSON readers keep" if isinstance(lines, _JsonLines) else "YAML keeps"
    for pointer, key, line in duplicates:
        problems.append(
            Problem(pointer, f"duplicate key {key!r} ({reader} only the last)", line, name)
        )
    return _Source(path, name, data, lines)


# --- the contract ------------------------------------------------------------------------------


@dataclass
class Contract:
    """The contract as one self-contained document, and where each of its nodes came from."""

    path: Path
    data: dict[str, Any]
    problems: list[Problem] = field(default_factory=list)
    # False: the data cannot be checked further (not YAML/JSON, not a mapping, or a reference to
    # another file could not be followed); ``problems`` says why.
    parsed: bool = True
    sources: dict[str, _Source] = field(default_factory=dict)  # by name; "" is the contract
    # bundle pointer → (source name, pointer in that source), for every node put in the bundle
    # from another file (or from elsewhere in one); everything else is the contract's own.
    origins: dict[str, tuple[str, str]] = field(default_factory=dict)

    @property
    def files(self) -> list[Path]:
        """Every file read: the contract and the files it refers to."""
        return [source.path for source in self.sources.values()]

    def locate(self, pointer: str) -> tuple[str, str, int]:
        """(file name, pointer in that file, line) of a pointer into the bundle."""
        here, rest = pointer, ""
        while here not in self.origins:
            if not here:
                break
            here, tail = here.rsplit("/", 1)
            rest = f"/{tail}{rest}"
        name, base = self.origins.get(here, ("", ""))
        source = self.sources.get(name)
        line = source.lines.line(base + rest) if source is not None else 1
        return name, base + rest, line

    def line_of(self, pointer: str) -> int:
        """The line of the node at ``pointer`` (or of its nearest ancestor), in its own file."""
        return self.locate(pointer)[2]

    def problem(self, pointer: str, message: str, *, severity: str = "error") -> Problem:
        name, where, line = self.locate(pointer)
        return Problem(where, message, line, name, severity)


def load_contract(path: Path) -> Contract:
    """Parse ``path`` and every file it refers to; problems are collected, never raised."""
    problems: list[Problem] = []
    try:
        root = _read(path, "", problems)
    except OSError as exc:
        problems.append(Problem("", f"cannot read the contract: {exc.strerror or exc}", 1))
        return Contract(path, {}, problems, parsed=False)
    except UnicodeDecodeError as exc:
        problems.append(Problem("", f"cannot read the contract: not UTF-8 text ({exc.reason})", 1))
        return Contract(path, {}, problems, parsed=False)
    if root is None:
        return Contract(path, {}, problems, parsed=False)
    if not isinstance(root.data, dict):
        problems.append(Problem("", "the contract must be a mapping", 1))
        return Contract(path, {}, problems, parsed=False, sources={"": root})
    contract = Contract(path, root.data, problems, sources={"": root})
    if _has_external_refs(root.data):
        _Bundler(contract, root).run()
    return contract


# --- bundling ----------------------------------------------------------------------------------

# Values that are data, not part of the description: a "$ref" inside them is not a reference.
_DATA_KEYS = frozenset({"example", "examples", "default", "enum", "const"})
# Mappings whose keys are names (properties, paths, statuses, media types...), not keywords.
_NAME_MAPS = frozenset(
    {
        "properties", "patternProperties", "$defs", "definitions", "dependentSchemas", "paths",
        "webhooks", "responses", "content", "headers", "callbacks", "links", "encoding",
        "schemas", "parameters", "requestBodies", "securitySchemes", "pathItems", "variables",
    }
)  # fmt: skip
_COMPONENT_SECTIONS = frozenset(
    {
        "schemas", "responses", "parameters", "examples", "requestBodies", "headers",
        "securitySchemes", "links", "callbacks", "pathItems",
    }
)  # fmt: skip
_REMOTE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_COMPONENT = re.compile(r"^/components/([^/]+)/([^/]+)$")
_FILE_SUFFIX = re.compile(r"\.(?:ya?ml|json)$", re.IGNORECASE)


def description_mappings(data: Any) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every mapping of the description with its pointer, leaving out data (``example``,
    ``examples`` values, and a schema's ``default``, ``enum`` and ``const``) and extensions
    (``x-...``): a ``$ref`` inside those is not a reference. The same rules as the bundler's."""
    stack: list[tuple[str, Any, bool, bool]] = [("", data, False, False)]  # ..., schema, names
    while stack:
        here, node, schema, names = stack.pop()
        if isinstance(node, list):
            stack.extend((f"{here}/{i}", v, schema, False) for i, v in enumerate(node))
            continue
        if not isinstance(node, dict):
            continue
        if not names:
            yield here, node
        for key, value in node.items():
            if not isinstance(value, dict | list):
                continue
            child = f"{here}/{escape(str(key))}"
            if not names:
                if str(key).startswith("x-") or key == "example":
                    continue
                if key in _DATA_KEYS and (schema or isinstance(value, list)):
                    continue
                if key == "examples" and isinstance(value, dict):  # Example Objects: their refs
                    stack.extend(
                        (f"{child}/{escape(str(k))}", v, False, False)
                        for k, v in value.items()
                        if isinstance(v, dict) and "$ref" in v
                    )
                    continue
            child_schema = (
                schema
                or (not names and key == "schema")
                or (names and here == "/components/schemas")
            )
            child_names = not names and key in _NAME_MAPS and isinstance(value, dict)
            stack.append((child, value, child_schema, child_names))


def _has_external_refs(data: Any) -> bool:
    stack = [data]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and not ref.startswith("#"):
                return True
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return False


def _resolve(document: Any, fragment: str) -> Any:
    node = document
    for token in _tokens(fragment):
        node = node[int(token)] if isinstance(node, list) else node[token]
    return node


class _Bundler:
    def __init__(self, contract: Contract, root: _Source) -> None:
        self.contract = contract
        self.root = root
        self.by_path: dict[Path, _Source | None] = {root.path.resolve(): root}
        self.placed: dict[tuple[Path, str], tuple[str, str]] = {}  # target → (section, name)
        self.claims: dict[tuple[Path, str], tuple[str, str]] = {}  # the same, by the contract
        self.queue: list[tuple[str, str, Any, _Source, str]] = []  # section, name, node, ...
        self.inlining: list[tuple[Path, str]] = []
        self.seen: dict[int, Any] = {}  # by id, kept alive so that no id is reused
        self.failed = False
        components = root.data.get("components")
        self.components: dict[str, Any] = components if isinstance(components, dict) else {}

    def run(self) -> None:
        self._claim_component_refs()
        self._visit_dict(self.root.data, self.root, "", "", schema=False)
        while self.queue:
            section, name, node, source, fragment = self.queue.pop(0)
            bundle_pointer = f"/components/{section}/{escape(name)}"
            self.contract.origins[bundle_pointer] = (source.name, fragment)
            self.components.setdefault(section, {})[name] = self._visit(
                node, source, fragment, bundle_pointer, schema=section == "schemas"
            )
        if self.components and "components" not in self.root.data:
            self.root.data["components"] = self.components
        if self.failed:
            self.contract.parsed = False

    # -- where things go --

    def _claim_component_refs(self) -> None:
        """``components: {schemas: {Pet: {$ref: pet.yaml}}}``: the file's content becomes
        ``Pet`` itself, rather than ``Pet`` referring to a copy named after the file."""
        for section, entries in self.components.items():
            if section not in _COMPONENT_SECTIONS or not isinstance(entries, dict):
                continue
            for name, node in entries.items():
                if not isinstance(node, dict) or len(node) != 1:
                    continue
                ref = node.get("$ref")
                if not isinstance(ref, str) or ref.startswith("#") or _REMOTE.match(ref):
                    continue
                target = self._target_key(ref, self.root)
                if target not in self.claims and target[0] != self.root.path.resolve():
                    self.claims[target] = (section, name)

    def _target_key(self, ref: str, source: _Source) -> tuple[Path, str]:
        file_part, _, fragment = ref.partition("#")
        path = (
            (source.path.parent / unquote(file_part)).resolve()
            if file_part
            else source.path.resolve()
        )
        return path, unquote(fragment)

    def _place(
        self, section: str, preferred: str, target: tuple[Path, str], node: Any, source: _Source
    ) -> str:
        """The name of ``target`` under ``components/<section>``, queued the first time."""
        if target in self.placed:
            return self.placed[target][1]
        if target in self.claims:  # its content goes where the contract claims it
            self.placed[target] = self.claims[target]
            return self.claims[target][1]
        base = re.sub(r"[^A-Za-z0-9._-]", "_", preferred) or section.rstrip("s")
        taken = self.components.get(section) or {}
        queued = {n for s, n in self.placed.values() if s == section}
        name, counter = base, 2
        while name in taken or name in queued:
            name, counter = f"{base}_{counter}", counter + 1
        self.placed[target] = (section, name)
        self.queue.append((section, name, copy.deepcopy(node), source, target[1]))
        return name

    # -- the walk --

    def _problem(self, source: _Source, pointer: str, message: str) -> None:
        self.failed = True
        self.contract.problems.append(
            Problem(pointer, message, source.lines.line(pointer), source.name)
        )

    def _source(self, path: Path, ref: str, source: _Source, pointer: str) -> _Source | None:
        if path in self.by_path:
            return self.by_path[path]
        name = Path(os.path.relpath(path, self.root.path.resolve().parent)).as_posix()
        loaded: _Source | None = None
        try:
            loaded = _read(path, name, self.contract.problems)
        except (OSError, UnicodeDecodeError) as exc:
            reason = (
                "no such file"
                if isinstance(exc, FileNotFoundError)
                else getattr(exc, "strerror", None) or str(exc)
            )
            self._problem(source, pointer, f"cannot read {ref!r} ({name}): {reason}")
        if loaded is None:
            self.failed = True
        else:
            self.contract.sources[name] = loaded
        self.by_path[path] = loaded
        return loaded

    def _visit(self, node: Any, source: _Source, pointer: str, bundle: str, *, schema: bool) -> Any:
        if isinstance(node, dict):
            return self._visit_dict(node, source, pointer, bundle, schema=schema)
        if isinstance(node, list) and id(node) not in self.seen:
            self.seen[id(node)] = node
            for index, item in enumerate(node):
                node[index] = self._visit(
                    item, source, f"{pointer}/{index}", f"{bundle}/{index}", schema=schema
                )
        return node

    def _visit_dict(
        self,
        node: dict[str, Any],
        source: _Source,
        pointer: str,
        bundle: str,
        *,
        schema: bool,
        names: bool = False,
    ) -> Any:
        """Rewrite the references under ``node`` (in place); ``names``: its keys are names
        (properties, statuses, media types...), not keywords."""
        if id(node) in self.seen:
            return node
        self.seen[id(node)] = node
        ref = node.get("$ref")
        if not names and isinstance(ref, str) and (source is not self.root or ref[:1] != "#"):
            replaced = self._reference(node, ref, source, pointer, bundle, schema=schema)
            if replaced is not node:
                return replaced
        for key, value in node.items():
            if not isinstance(value, dict | list) or key == "$ref":
                continue
            if not names and (
                key.startswith("x-")
                or (key in _DATA_KEYS and (schema or key == "example" or isinstance(value, list)))
            ):
                continue
            child = f"{pointer}/{escape(key)}"
            child_bundle = f"{bundle}/{escape(key)}"
            child_schema = (
                schema
                or (not names and key == "schema")
                or (names and bundle == "/components/schemas")
            )
            if schema and not names and key == "discriminator" and isinstance(value, dict):
                self._mapping(value, source, child)
                continue
            if not names and key == "examples" and isinstance(value, dict):  # Example Objects
                for name, example in value.items():
                    if isinstance(example, dict) and "$ref" in example:
                        value[name] = self._visit_dict(
                            example,
                            source,
                            f"{child}/{escape(name)}",
                            f"{child_bundle}/{escape(name)}",
                            schema=False,
                        )
                continue
            if isinstance(value, dict) and not names and key in _NAME_MAPS:
                node[key] = self._visit_dict(
                    value, source, child, child_bundle, schema=child_schema, names=True
                )
            else:
                node[key] = self._visit(value, source, child, child_bundle, schema=child_schema)
        return node

    def _mapping(self, discriminator: dict[str, Any], source: _Source, pointer: str) -> None:
        """A discriminator's mapping values that refer to schemas in other files (or, in another
        file, to that file itself) are rewritten to the components they become; bare schema
        names are left as they are."""
        mapping = discriminator.get("mapping")
        if not isinstance(mapping, dict):
            return
        for name, target in mapping.items():
            if not isinstance(target, str) or (source is self.root and target.startswith("#")):
                continue
            if "#" not in target and "/" not in target and not _FILE_SUFFIX.search(target):
                continue  # a schema name
            where = f"{pointer}/mapping/{escape(str(name))}"
            node = {"$ref": target}
            self._reference(node, target, source, where, where, schema=True, where=where)
            mapping[name] = node["$ref"]

    def _reference(
        self,
        node: dict[str, Any],
        ref: str,
        source: _Source,
        pointer: str,
        bundle: str,
        *,
        schema: bool,
        where: str | None = None,
    ) -> Any:
        """What replaces the Reference Object ``node``: itself with ``$ref`` rewritten to a
        component of the bundle, or the target inlined."""
        where = where or f"{pointer}/$ref"
        if _REMOTE.match(ref):
            self._problem(
                source,
                where,
                f"remote $ref {ref!r} is not supported: save the file beside the contract and "
                "refer to it by a relative path",
            )
            return node
        path, fragment = self._target_key(ref, source)
        if fragment and not fragment.startswith("/"):
            self._problem(source, where, f"$ref {ref!r}: only JSON pointer fragments are supported")
            return node
        target_source = self._source(path, ref, source, where)
        if target_source is None:
            return node
        try:
            target = _resolve(target_source.data, fragment)
        except (KeyError, IndexError, TypeError, ValueError):
            self._problem(source, where, f"unresolvable $ref {ref!r}")
            return node
        if target_source is self.root:
            node["$ref"] = "#" + ref.partition("#")[2]
            return node
        key = (path, fragment)
        claim = self.claims.get(key)
        if claim is not None and bundle == f"/components/{claim[0]}/{escape(claim[1])}":
            self.placed[key] = claim
            return self._inline(node, ref, key, target, target_source, where, source, bundle)
        component = _COMPONENT.match(fragment)
        if schema or (component is not None and component.group(1) in _COMPONENT_SECTIONS):
            section = "schemas" if schema or component is None else component.group(1)
            if component is not None and component.group(1) == section:
                preferred = unescape(component.group(2))
            elif fragment:
                preferred = unescape(fragment.rsplit("/", 1)[1])
            else:
                preferred = path.stem
            name = self._place(section, preferred, key, target, target_source)
            node["$ref"] = f"#/components/{section}/{escape(name)}"
            return node
        return self._inline(node, ref, key, target, target_source, where, source, bundle)

    def _inline(
        self,
        node: dict[str, Any],
        ref: str,
        key: tuple[Path, str],
        target: Any,
        target_source: _Source,
        where: str,
        source: _Source,
        bundle: str,
    ) -> Any:
        if key in self.inlining:
            self._problem(source, where, f"circular $ref {ref!r}")
            return node
        if not isinstance(target, dict):
            self._problem(source, where, f"$ref {ref!r} does not point to an object")
            return node
        schema = bundle.startswith("/components/schemas/") and bundle.count("/") == 3
        self.inlining.append(key)
        try:
            inlined = copy.deepcopy(target)
            self.contract.origins[bundle] = (target_source.name, key[1])
            result = self._visit_dict(inlined, target_source, key[1], bundle, schema=schema)
        finally:
            self.inlining.pop()
        # 3.1: a Reference Object's summary and description override the target's.
        for extra in ("summary", "description"):
            if extra in node and isinstance(result, dict):
                result[extra] = node[extra]
        return result
