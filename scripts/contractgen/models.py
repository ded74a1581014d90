"""Pydantic v2 models through datamodel-code-generator, exactly as strict as the contract.

datamodel-code-generator's defaults are laxer than the contract (../shared/STACK-NOTES.md), so:
- optional is not nullable: ``--use-missing-sentinel`` (absent fields are omitted, ``null`` is
  rejected unless the schema allows it);
- ``uniqueItems`` is enforced (``--generate-schema-validators``, whose helper is retyped for
  ``mypy --strict``);
- JSON types are strict (``--strict-types``), and ``StrictInt`` is loosened to ``JsonInt``, which
  also takes integral floats such as ``258.0`` (JSON Schema counts them as integers);
- ``EmailStr`` (which rejects special-use domains such as ``.test``) becomes ``JsonEmail``,
  which accepts what ``format: email`` allows;
- readOnly properties are left out of request models and writeOnly ones out of responses
  (``--read-only-write-only-model-type request-response``);
- enum defaults are enum members (``--deserialize-default-values enum``), and a discriminator's
  ``Literal`` is an enum member where the property is an enum (``--use-enum-values-in-
  discriminator``), so a subclass narrowing its base's enum field type-checks.

Inline request and response schemas that need a class are lifted into synthetic component
schemas named after their operation, so every body type has a stable name.

Class names (the wire keeps the contract's names; fields carry aliases where they differ):
every component schema is renamed before datamodel-code-generator sees it, to the PascalCase of
its runs of letters and digits (``api.v2010.account`` → ``ApiV2010Account``, ``foo-bar`` and
``foo bar`` → ``FooBar``), with ``Schema`` in front of a leading digit (``1st`` → ``Schema1st``)
and behind ``None``/``True``/``False``. A name that already is its own class name keeps it; the
others take, in document order, the first of ``Name``, ``Name2``, ``Name3``... that no other
schema holds (``Foo`` stays ``Foo``, ``foo`` becomes ``Foo2``). datamodel-code-generator may still
append ``Model`` to a name its own imports use (``Field`` → ``FieldModel``) or a number where one
of its inline classes took the name first; ``ModelSet.classes`` records the final class of every
schema.

Discriminators as the contract states them: one schema under several ``oneOf``/``anyOf``
discriminators that give it different values (or use different properties) would be narrowed
to the first one's ``Literal`` and refuse valid input for the others. Every later discriminator
gets its own copy of the schema, named ``<owner>.<schema>`` (class ``<Owner><Schema>``).

Speed: options cost only where the contract needs them. ``--generate-schema-validators`` runs
only when some schema says ``uniqueItems: true`` (on large composed contracts it is slow), the
readOnly/writeOnly split only when some schema is readOnly or writeOnly. Its output is cached
(``cache_dir``: ``~/.cache/contractgen``; ``CONTRACTGEN_CACHE_DIR=off`` turns the cache off) by
the digest of its version, its options and the document it is given, so regenerating an
unchanged contract (``make generate`` then ``make check-generated``) does not run it again.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import keyword
import os
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .ir import Operation
from .load import escape, unescape
from .validate import deref, resolve_pointer

DCG_OPTIONS = (
    "--input-file-type", "openapi",
    "--output-model-type", "pydantic_v2.BaseModel",
    "--target-python-version", "3.11",
    "--target-pydantic-version", "2.14",
    "--disable-timestamp",
    "--no-formatters",  # the pipeline runs ruff (isort + format) over every module anyway
    "--use-missing-sentinel",
    "--strict-nullable",  # a default does not make a field nullable (only nullable/"null" does)
    "--use-annotated",
    "--field-constraints",
    "--use-union-operator",
    "--use-standard-collections",
    "--openapi-scopes", "schemas",
    "--use-double-quotes",
    "--strict-types", "int", "float", "bool", "str",
    "--allow-population-by-field-name",
    "--output-datetime-class", "AwareDatetime",
    "--capitalise-enum-members",
    "--deserialize-default-values", "enum",
    "--use-enum-values-in-discriminator",
)  # fmt: skip
UNIQUE_ITEMS_OPTIONS = ("--generate-schema-validators",)
READ_WRITE_OPTIONS = ("--read-only-write-only-model-type", "request-response")


@dataclass
class ModelSet:
    """The generated models module and the class of every schema it holds."""

    code: str
    # ("components", "schemas", name) source path → {"request"|"response"|"any": class name}
    classes: dict[tuple[str, ...], dict[str, str]] = field(default_factory=dict)
    synthetic: dict[int, tuple[str, ...]] = field(default_factory=dict)  # id(schema) → source path

    def class_for(self, source: tuple[str, ...], direction: str) -> str | None:
        variants = self.classes.get(source)
        if not variants:
            return None
        return variants.get(direction) or variants.get("any") or next(iter(variants.values()))


def needs_model(data: dict[str, Any], schema: dict[str, Any] | None) -> bool:
    """Whether an inline schema needs a class of its own (objects and compositions do)."""
    if not isinstance(schema, dict) or "$ref" in schema:
        return False
    if any(k in schema for k in ("allOf", "oneOf", "anyOf", "properties")):
        return True
    if schema.get("type") == "array" and isinstance(schema.get("items"), dict):
        return needs_model(data, schema["items"])
    return False


class PendingModels:
    """datamodel-code-generator running in a subprocess, so that the caller can validate the
    contract meanwhile (on PagerDuty's contract each takes seconds); ``result()`` waits.

    Its output is cached by the digest of everything it depends on (its version, its options
    and the document it is given), so an unchanged contract skips it: see ``cache_dir``.
    """

    def __init__(self, data: dict[str, Any], operations: list[Operation], filename: str) -> None:
        document, self._synthetic, self._names = _model_document(data, operations)
        self._tmp = tempfile.TemporaryDirectory()
        self._process: subprocess.Popen[str] | None = None
        self._cached: tuple[str, dict[str, Any]] | None = None
        self._cache_entry: Path | None = None
        schemas = document["components"]["schemas"]
        if not schemas:
            return
        options = dcg_options(schemas)
        text = json.dumps(document)
        cache = cache_dir()
        if cache is not None:
            key = json.dumps([_dcg_version(), options, filename]) + text
            self._cache_entry = cache / f"{hashlib.sha256(key.encode()).hexdigest()}.json"
            self._cached = _read_cache(self._cache_entry)
            if self._cached is not None:
                return
        tmp = Path(self._tmp.name)
        source = (tmp / filename).with_suffix(".json")
        source.write_text(text, encoding="utf-8")
        self._output, self._metadata = tmp / "models.py", tmp / "models.json"
        command = [
            sys.executable, "-m", "datamodel_code_generator",
            "--input", str(source), "--output", str(self._output),
            "--emit-model-metadata", str(self._metadata), *options,
        ]  # fmt: skip
        self._process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )

    def cancel(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.kill()
            self._process.communicate()
        self._tmp.cleanup()

    def result(self) -> ModelSet:
        try:
            if self._cached is not None:
                code, meta = self._cached
            elif self._process is None:
                return ModelSet(
                    code="from __future__ import annotations\n", synthetic=self._synthetic
                )
            else:
                stdout, stderr = self._process.communicate()
                if self._process.returncode != 0 or not self._output.exists():
                    raise ModelGenerationError(stderr.strip() or stdout.strip())
                code = self._output.read_text(encoding="utf-8")
                meta = (
                    json.loads(self._metadata.read_text(encoding="utf-8"))
                    if self._metadata.exists()
                    else {"models": []}
                )
                if self._cache_entry is not None:
                    _write_cache(self._cache_entry, code, meta)
        finally:
            self._tmp.cleanup()
        return _model_set(code, meta, self._synthetic, self._names)


CACHE_ENV = "CONTRACTGEN_CACHE_DIR"
CACHE_ENTRIES = 64  # the newest entries kept; one is about as large as its models.py


def cache_dir() -> Path | None:
    """Where datamodel-code-generator's output is cached: ``$CONTRACTGEN_CACHE_DIR``
    (``off`` turns the cache off), else ``$XDG_CACHE_HOME/contractgen`` or
    ``~/.cache/contractgen``. None when off or not writable."""
    configured = os.environ.get(CACHE_ENV)
    if configured is not None and configured.strip().lower() in ("", "off", "0", "false"):
        return None
    if configured:
        directory = Path(configured)
    else:
        base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
        directory = Path(base) / "contractgen"
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return directory


def _dcg_version() -> str:
    return importlib.metadata.version("datamodel-code-generator")


def _read_cache(entry: Path) -> tuple[str, dict[str, Any]] | None:
    try:
        stored = json.loads(entry.read_text(encoding="utf-8"))
        code, meta = stored["code"], stored["meta"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not isinstance(code, str) or not isinstance(meta, dict):
        return None
    os.utime(entry)  # the newest entries are the ones kept
    return code, meta


def _write_cache(entry: Path, code: str, meta: dict[str, Any]) -> None:
    """Write atomically (concurrent generations may write the same entry), then keep only the
    newest ``CACHE_ENTRIES``; a cache that cannot be written is no error."""
    try:
        with tempfile.NamedTemporaryFile(
            "w", encoding="utf-8", dir=entry.parent, suffix=".tmp", delete=False
        ) as handle:
            json.dump({"code": code, "meta": meta}, handle)
        os.replace(handle.name, entry)
        entries = sorted(
            entry.parent.glob("*.json"), key=lambda path: path.stat().st_mtime, reverse=True
        )
        for stale in entries[CACHE_ENTRIES:]:
            stale.unlink(missing_ok=True)
    except OSError:
        return


def build_models(data: dict[str, Any], operations: list[Operation], filename: str) -> ModelSet:
    return PendingModels(data, operations, filename).result()


def dcg_options(schemas: dict[str, Any]) -> list[str]:
    """datamodel-code-generator's options for these schemas: the costly ones only when a schema
    needs them (the unique-items validators took Stripe's contract past 10 minutes; the
    readOnly/writeOnly split is about a third of PagerDuty's time)."""
    unique_items = read_write = False
    stack: list[Any] = [schemas]
    while stack and not (unique_items and read_write):
        node = stack.pop()
        if isinstance(node, dict):
            unique_items = unique_items or node.get("uniqueItems") is True
            read_write = read_write or node.get("readOnly") is True or node.get("writeOnly") is True
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    options = list(DCG_OPTIONS)
    if unique_items:
        options += UNIQUE_ITEMS_OPTIONS
    if read_write:
        options += READ_WRITE_OPTIONS
    return options


def _model_document(
    data: dict[str, Any], operations: list[Operation]
) -> tuple[dict[str, Any], dict[int, tuple[str, ...]], dict[str, str]]:
    """The contract as datamodel-code-generator gets it: inline body schemas lifted into
    synthetic component schemas, deep ``$ref``s inlined, shared discriminator targets copied,
    every schema renamed to its class name. Also returns the synthetic schemas (by the id of
    the contract's node) and the schema name of every class name given."""
    document = json.loads(json.dumps(data))  # a private copy we may add synthetic schemas to
    components = document.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    synthetic: dict[int, tuple[str, ...]] = {}
    originals: list[tuple[dict[str, Any], str]] = []
    for operation in operations:
        if operation.body is not None:
            for media_type, schema in operation.body.schemas.items():
                suffix = (
                    "Request" if len(operation.body.schemas) == 1 else _media_suffix(media_type)
                )
                originals.append((schema or {}, f"{operation.class_prefix}{suffix}Body"))
        for response in operation.responses:
            originals.append(
                (
                    response.schema or {},
                    f"{operation.class_prefix}{_status_name(response.status)}Response",
                )
            )
    for schema, name in originals:
        target = schema
        if (
            target.get("type") == "array"
            and isinstance(target.get("items"), dict)
            and "$ref" not in target["items"]
        ):
            target, name = target["items"], f"{name}Item"
        if not needs_model(data, target) or id(target) in synthetic:
            continue
        while name in schemas:
            name += "_"
        schemas[name] = json.loads(json.dumps(target))
        synthetic[id(target)] = ("components", "schemas", name)
    _inline_deep_refs(document)
    _separate_shared_discriminators(schemas)
    names = class_names(list(schemas))
    renamed = _rename_schemas(schemas, names)
    # Only the schemas (``--openapi-scopes schemas``), now that no ref leaves them: the rest of
    # a large contract only costs datamodel-code-generator time (about 12% on PagerDuty's).
    schemas_only = {
        "openapi": document["openapi"],
        "info": document.get("info", {}),
        "paths": {},
        "components": {"schemas": renamed},
    }
    return schemas_only, synthetic, {new: old for old, new in names.items()}


def _model_set(
    code: str,
    meta: dict[str, Any],
    synthetic: dict[int, tuple[str, ...]],
    names: dict[str, str],
) -> ModelSet:
    models = ModelSet(code=_post_process(code), synthetic=synthetic)
    for entry in meta.get("models", []):
        source_path = tuple(str(p) for p in entry.get("source_path") or ())
        if len(source_path) != 3 or source_path[:2] != ("components", "schemas"):
            continue
        class_name, given = str(entry["class_name"]), source_path[2]
        variant = "any"
        if class_name.endswith("Request") and not given.endswith("Request"):
            variant = "request"
        elif class_name.endswith("Response") and not given.endswith("Response"):
            variant = "response"
        source = ("components", "schemas", names.get(given, given))
        models.classes.setdefault(source, {}).setdefault(variant, class_name)
    return models


_WORDS = re.compile(r"[^\W_]+")
_SCHEMAS = "#/components/schemas/"


def class_name(name: str) -> str:
    """The class name a schema name asks for (the module docstring gives the rules)."""
    result = "".join(word[0].upper() + word[1:] for word in _WORDS.findall(name)) or "Schema"
    if result[0].isdigit():
        result = f"Schema{result}"
    if keyword.iskeyword(result):  # None, True, False: the only PascalCase keywords
        result += "Schema"
    return result


def class_names(schema_names: list[str]) -> dict[str, str]:
    """A distinct class name for every schema name, deterministic for the contract's order."""
    result = {name: name for name in schema_names if class_name(name) == name}
    taken = set(result)
    for name in schema_names:
        if name in result:
            continue
        base = candidate = class_name(name)
        number = 2
        while candidate in taken:
            candidate, number = f"{base}{number}", number + 1
        result[name] = candidate
        taken.add(candidate)
    return result


def _schema_ref_name(ref: str) -> str | None:
    """The schema a ``#/components/schemas/<name>`` ref names (None for other refs)."""
    if not ref.startswith(_SCHEMAS) or "/" in ref[len(_SCHEMAS) :]:
        return None
    return unescape(ref[len(_SCHEMAS) :])


def _mapped_schema(value: Any) -> str | None:
    """The schema a discriminator ``mapping`` value names: a ref, or a bare schema name."""
    if not isinstance(value, str):
        return None
    if value.startswith("#"):
        return _schema_ref_name(value)
    return value if "/" not in value else None


def _rename_schemas(schemas: dict[str, Any], names: dict[str, str]) -> dict[str, Any]:
    """The schemas under their class names, with every ref and discriminator mapping following
    (all refs left name whole component schemas: ``_inline_deep_refs`` ran before)."""

    def ref_to(name: str) -> str:
        return f"{_SCHEMAS}{escape(names.get(name, name))}"

    stack: list[Any] = [schemas]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and (target := _schema_ref_name(ref)) is not None:
                node["$ref"] = ref_to(target)
            discriminator = node.get("discriminator")
            if isinstance(discriminator, dict) and isinstance(discriminator.get("mapping"), dict):
                mapping = discriminator["mapping"]
                for key, value in mapping.items():
                    if (target := _mapped_schema(value)) is not None and target in schemas:
                        mapping[key] = ref_to(target)
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return {names[name]: schema for name, schema in schemas.items()}


def _separate_shared_discriminators(schemas: dict[str, Any]) -> None:
    """Give each ``oneOf``/``anyOf`` discriminator that disagrees with an earlier one about a
    shared schema (its property, or the values it maps to the schema) a copy of that schema.

    datamodel-code-generator writes the discriminator's ``Literal`` into the schema's own class,
    so a class serves one discriminator only.
    """
    # target schema → [(the site's schema node, its owner, property, values)]
    uses: dict[str, list[tuple[dict[str, Any], str, str, frozenset[str]]]] = {}
    for owner, root in list(schemas.items()):
        stack: list[Any] = [root]
        while stack:
            node = stack.pop()
            if isinstance(node, list):
                stack.extend(node)
                continue
            if not isinstance(node, dict):
                continue
            stack.extend(reversed(list(node.values())))
            discriminator = node.get("discriminator")
            branches = node.get("oneOf") or node.get("anyOf")
            if not (
                isinstance(discriminator, dict)
                and isinstance(discriminator.get("propertyName"), str)
                and isinstance(branches, list)
            ):
                continue
            mapping = discriminator.get("mapping")
            mapping = mapping if isinstance(mapping, dict) else {}
            for branch in branches:
                ref = branch.get("$ref") if isinstance(branch, dict) else None
                target = _schema_ref_name(ref) if isinstance(ref, str) else None
                if target is None or target not in schemas:
                    continue
                values = frozenset(k for k, v in mapping.items() if _mapped_schema(v) == target)
                site = (node, owner, discriminator["propertyName"], values)
                if all(use[0] is not node for use in uses.get(target, [])):
                    uses.setdefault(target, []).append(site)
    for target, sites in uses.items():
        _, _, first_property, first_values = sites[0]
        for node, owner, property_name, values in sites[1:]:
            if (property_name, values) == (first_property, first_values):
                continue
            copy = f"{owner}.{target}"
            while copy in schemas:
                copy += "_"
            schemas[copy] = json.loads(json.dumps(schemas[target]))
            for branch in node.get("oneOf") or node.get("anyOf") or []:
                if isinstance(branch, dict) and branch.get("$ref") == f"{_SCHEMAS}{escape(target)}":
                    branch["$ref"] = f"{_SCHEMAS}{escape(copy)}"
            mapping = node["discriminator"].get("mapping")
            for key, value in (mapping or {}).items():
                if _mapped_schema(value) == target:
                    mapping[key] = f"{_SCHEMAS}{escape(copy)}"


_WHOLE_SCHEMA = re.compile(r"^#/components/schemas/[^/]+$")


def _inline_deep_refs(document: dict[str, Any]) -> None:
    """Replace ``$ref``s that do not name a whole component schema by a copy of their target.

    datamodel-code-generator's request/response split cannot follow them (PagerDuty's contract
    has ``#/components/schemas/X/properties/y`` and refs into responses and parameters); refs to
    whole component schemas stay refs.
    """
    for _ in range(16):  # an inlined copy may carry deep refs of its own
        changed = False
        stack: list[Any] = [document["components"]["schemas"]]
        while stack:
            node = stack.pop()
            if isinstance(node, dict):
                ref = node.get("$ref")
                if isinstance(ref, str) and not _WHOLE_SCHEMA.match(ref):
                    target = json.loads(json.dumps(resolve_pointer(document, ref)))
                    del node["$ref"]
                    node.update({k: v for k, v in target.items() if k not in node})
                    changed = True
                stack.extend(node.values())
            elif isinstance(node, list):
                stack.extend(node)
        if not changed:
            return


class ModelGenerationError(Exception):
    """datamodel-code-generator failed on the contract."""


def _status_name(status: str) -> str:
    return "Default" if status == "default" else status


def _media_suffix(media_type: str) -> str:
    return "".join(part.capitalize() for part in re.split(r"[^0-9A-Za-z]+", media_type) if part)


def _post_process(code: str) -> str:
    """Tighten datamodel-code-generator's output to the contract (see the module docstring)."""
    code = re.sub(r"\A(#[^\n]*\n)+\n?", "", code)  # its own header; ours is added by the writer
    imports_end = _imports_end(code)
    header, body = code[:imports_end], code[imports_end:]
    body = body.replace(_UNTYPED_FINGERPRINT_LOOKUP, _TYPED_FINGERPRINT_LOOKUP)
    body = re.sub(r"\bStrictInt\b", "JsonInt", body)
    body = re.sub(r"\bEmailStr\b", "JsonEmail", body)
    pydantic_names: set[str] = set()
    for match in re.finditer(r"^from pydantic import (\([^)]*\)|[^\n]+)\n", header, re.M):
        pydantic_names.update(n.strip() for n in match.group(1).strip("()").split(",") if n.strip())
    header = re.sub(r"^from pydantic import (\([^)]*\)|[^\n]+)\n", "", header, flags=re.M)
    pydantic_names.discard("EmailStr")
    if pydantic_names:
        header += f"from pydantic import {', '.join(sorted(pydantic_names))}\n"
    # JSON Schema's own integer and email (see static/formats.py); ruff sorts the import.
    header += "from ._formats import JsonEmail, JsonInt  # noqa: F401\n"
    return header + body


# The unique-items helper of ``--generate-schema-validators`` looks a fingerprint that may be
# None up in a dict keyed by int, which ``mypy --strict`` refuses (``int | None`` into
# ``dict.get``). The same test with the None case spelled out (the dict has no None key, so the
# lookup found nothing then either).
_UNTYPED_FINGERPRINT_LOOKUP = (
    "and (candidates := structural_items.get(cls._json_schema_unique_items_fingerprint(item)))"
)
_TYPED_FINGERPRINT_LOOKUP = (
    "and (scalar_fingerprint := cls._json_schema_unique_items_fingerprint(item)) is not None\n"
    "                        and (candidates := structural_items.get(scalar_fingerprint))"
)


def _imports_end(code: str) -> int:
    """Offset just after the last top-level import statement."""
    end = 0
    for match in re.finditer(
        r"^(from [^\n]+ import \([^)]*\)|from [^\n]+|import [^\n]+)\n", code, re.M
    ):
        end = match.end()
    return end


def schema_source(
    data: dict[str, Any], models: ModelSet, schema: dict[str, Any]
) -> tuple[str, ...] | None:
    """The component a schema is (a ``$ref`` to it, or a lifted inline schema)."""
    if id(schema) in models.synthetic:
        return models.synthetic[id(schema)]
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/components/schemas/") and ref.count("/") == 3:
        return ("components", "schemas", unescape(ref.rsplit("/", 1)[1]))
    if isinstance(ref, str):
        target = resolve_pointer(data, ref)
        if isinstance(target, dict) and target is not schema:
            return schema_source(data, models, target)
    return None


__all__ = [
    "CACHE_ENV",
    "ModelGenerationError",
    "ModelSet",
    "PendingModels",
    "build_models",
    "cache_dir",
    "class_name",
    "class_names",
    "dcg_options",
    "deref",
    "escape",
    "schema_source",
]
