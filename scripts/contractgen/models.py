"""Pydantic v2 models through datamodel-code-generator, exactly as strict as the contract.

datamodel-code-generator's defaults are laxer than the contract (../shared/STACK-NOTES.md), so:
- optional is not nullable: ``--use-missing-sentinel`` (absent fields are omitted, ``null`` is
  rejected unless the schema allows it);
- ``uniqueItems`` is enforced (``--generate-schema-validators``);
- JSON types are strict (``--strict-types``), and ``StrictInt`` is loosened to ``JsonInt``, which
  also takes integral floats such as ``258.0`` (JSON Schema counts them as integers);
- ``EmailStr`` (which rejects special-use domains such as ``.test``) becomes ``JsonEmail``,
  which accepts what ``format: email`` allows;
- readOnly properties are left out of request models and writeOnly ones out of responses
  (``--read-only-write-only-model-type request-response``).

Inline request and response schemas that need a class are lifted into synthetic component
schemas named after their operation, so every body type has a stable name.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .ir import Operation
from .load import escape
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
    "--generate-schema-validators",
    "--read-only-write-only-model-type", "request-response",
    "--openapi-scopes", "schemas",
    "--use-double-quotes",
    "--strict-types", "int", "float", "bool", "str",
    "--allow-population-by-field-name",
    "--output-datetime-class", "AwareDatetime",
    "--capitalise-enum-members",
)  # fmt: skip


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
    contract meanwhile (on PagerDuty's contract each takes seconds); ``result()`` waits."""

    def __init__(self, data: dict[str, Any], operations: list[Operation], filename: str) -> None:
        document, self._synthetic = _model_document(data, operations)
        self._tmp = tempfile.TemporaryDirectory()
        self._process: subprocess.Popen[str] | None = None
        if not document["components"]["schemas"]:
            return
        tmp = Path(self._tmp.name)
        source = (tmp / filename).with_suffix(".json")
        source.write_text(json.dumps(document), encoding="utf-8")
        self._output, self._metadata = tmp / "models.py", tmp / "models.json"
        command = [
            sys.executable, "-m", "datamodel_code_generator",
            "--input", str(source), "--output", str(self._output),
            "--emit-model-metadata", str(self._metadata), *DCG_OPTIONS,
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
            if self._process is None:
                return ModelSet(
                    code="from __future__ import annotations\n", synthetic=self._synthetic
                )
            stdout, stderr = self._process.communicate()
            if self._process.returncode != 0 or not self._output.exists():
                raise ModelGenerationError(stderr.strip() or stdout.strip())
            code = self._output.read_text(encoding="utf-8")
            meta = (
                json.loads(self._metadata.read_text(encoding="utf-8"))
                if self._metadata.exists()
                else {"models": []}
            )
        finally:
            self._tmp.cleanup()
        return _model_set(code, meta, self._synthetic)


def build_models(data: dict[str, Any], operations: list[Operation], filename: str) -> ModelSet:
    return PendingModels(data, operations, filename).result()


def _model_document(
    data: dict[str, Any], operations: list[Operation]
) -> tuple[dict[str, Any], dict[int, tuple[str, ...]]]:
    """The contract as datamodel-code-generator gets it: inline body schemas lifted into
    synthetic component schemas, deep ``$ref``s inlined."""
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
    # Only the schemas (``--openapi-scopes schemas``), now that no ref leaves them: the rest of
    # a large contract only costs datamodel-code-generator time (about 12% on PagerDuty's).
    schemas_only = {
        "openapi": document["openapi"],
        "info": document.get("info", {}),
        "paths": {},
        "components": {"schemas": document["components"]["schemas"]},
    }
    return schemas_only, synthetic


def _model_set(code: str, meta: dict[str, Any], synthetic: dict[int, tuple[str, ...]]) -> ModelSet:
    models = ModelSet(code=_post_process(code), synthetic=synthetic)
    for entry in meta.get("models", []):
        source_path = tuple(str(p) for p in entry.get("source_path") or ())
        if len(source_path) != 3 or source_path[:2] != ("components", "schemas"):
            continue
        class_name = str(entry["class_name"])
        variant = "any"
        base = re.sub(r"[^0-9A-Za-z]", "", source_path[2])
        if class_name.endswith("Request") and not base.endswith("Request"):
            variant = "request"
        elif class_name.endswith("Response") and not base.endswith("Response"):
            variant = "response"
        models.classes.setdefault(source_path, {}).setdefault(variant, class_name)
    return models


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
        from .load import unescape

        return ("components", "schemas", unescape(ref.rsplit("/", 1)[1]))
    if isinstance(ref, str):
        target = resolve_pointer(data, ref)
        if isinstance(target, dict) and target is not schema:
            return schema_source(data, models, target)
    return None


__all__ = [
    "ModelGenerationError",
    "ModelSet",
    "PendingModels",
    "build_models",
    "deref",
    "escape",
    "schema_source",
]
