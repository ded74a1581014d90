#!/usr/bin/env python3
"""The client SDKs' packaging and their completeness check (`make sdk`).

    python scripts/sdk.py scaffold [--spec openapi.yaml] [--out build/sdk/typescript]
    python scripts/sdk.py check [--spec openapi.yaml] [--python build/sdk/python]
                                [--typescript build/sdk/typescript]
    python scripts/sdk.py testbed [--typescript build/sdk/typescript] [--out build/sdk-test]

``scaffold`` lays out the TypeScript package around openapi-typescript's output: package.json
(name and version from the contract's ``info``, openapi-fetch pinned as in package-lock.json),
tsconfig.json, src/index.ts and README.md from sdk/typescript/.

``check`` fails (exit 1) unless each SDK has every operation of the contract, naming each one
missing: openapi-python-client skips an operation it cannot handle with only a warning. The
Python SDK must have ``api/<tag>/<snake_case(operationId)>.py`` with ``sync_detailed`` calling
the operation's method; the TypeScript SDK's schema must declare ``operations["<operationId>"]``
and route ``paths["<path>"].<method>`` to it. Both packages must carry the contract's version.

``testbed`` lays out the TypeScript round trip (tests/sdk/typescript/) with the built SDK
installed under its package name (a link in its node_modules/), as a client team would import it.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from contract_doc import Document, Operation, load, snake_case

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = ROOT / "sdk" / "typescript"


def package_name(document: Document) -> str:
    """``Contract-first Items API`` → ``contract-first-items-api-client`` (as the Python SDK)."""
    title = str(document.data.get("info", {}).get("title", "api"))
    return "-".join([*re.findall(r"[a-z0-9]+", title.lower()), "client"])


def version(document: Document) -> str:
    return str(document.data.get("info", {}).get("version", "0.0.0"))


def _pinned(package: str) -> str:
    lock = json.loads((ROOT / "package-lock.json").read_text(encoding="utf-8"))
    return str(lock["packages"][f"node_modules/{package}"]["version"])


def scaffold(document: Document, out: Path) -> None:
    (out / "src").mkdir(parents=True, exist_ok=True)
    name = package_name(document)
    manifest: dict[str, Any] = {
        "name": name,
        "version": version(document),
        "description": f"TypeScript client for {document.data['info'].get('title', 'the API')}"
        " (generated from its OpenAPI contract)",
        "type": "module",
        "main": "./dist/index.js",
        "types": "./dist/index.d.ts",
        "exports": {".": {"types": "./dist/index.d.ts", "import": "./dist/index.js"}},
        "files": ["dist", "src", "README.md"],
        "sideEffects": False,
        "dependencies": {"openapi-fetch": _pinned("openapi-fetch")},
        "scripts": {"build": "tsc -p ."},
    }
    (out / "package.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    shutil.copyfile(TEMPLATE / "tsconfig.json", out / "tsconfig.json")
    shutil.copyfile(TEMPLATE / "src" / "index.ts", out / "src" / "index.ts")
    readme = (TEMPLATE / "README.md").read_text(encoding="utf-8").replace("PACKAGE_NAME", name)
    (out / "README.md").write_text(readme, encoding="utf-8")


def testbed(document: Document, typescript: Path, out: Path) -> None:
    if out.exists():
        shutil.rmtree(out)
    shutil.copytree(ROOT / "tests" / "sdk" / "typescript", out)
    link = out / "node_modules" / package_name(document)
    link.parent.mkdir(parents=True)
    link.symlink_to(Path(os.path.relpath(typescript.resolve(), link.parent.resolve())))


def _python_missing(document: Document, root: Path) -> list[str]:
    packages = [p.parent for p in root.glob("*/api/__init__.py")]
    if len(packages) != 1:
        return [f"{root}: no single generated package with an api/ directory"]
    modules = {p.stem: p for p in packages[0].glob("*/*.py") if p.stem != "__init__"}
    missing = []
    for operation in document.operations():
        module = modules.get(snake_case(operation.operation_id))
        text = module.read_text(encoding="utf-8") if module else ""
        calls = f'"method": "{operation.method}"' in text and "def sync_detailed(" in text
        if not calls:
            missing.append(operation.label)
    return missing


def _typescript_missing(document: Document, root: Path) -> list[str]:
    schema = root / "src" / "schema.ts"
    if not schema.exists():
        return [f"{schema} is missing"]
    text = schema.read_text(encoding="utf-8")
    declared = text[text.find("export interface operations {") :]
    missing = []
    for operation in document.operations():
        name = re.escape(operation.operation_id)
        has_type = re.search(rf'^    "?{name}"?: \{{', declared, re.MULTILINE)
        routed = _routes_to(text, operation)
        if not (has_type and routed):
            missing.append(operation.label)
    return missing


def _routes_to(text: str, operation: Operation) -> bool:
    start = text.find(f'    "{operation.path}": {{')
    if start < 0:
        return False
    end = text.find("\n    };", start)
    block = text[start:end]
    return f'{operation.method}: operations["{operation.operation_id}"];' in block


def _version_problems(document: Document, python: Path, typescript: Path) -> list[str]:
    expected = (package_name(document), version(document))
    problems = []
    pyproject = (python / "pyproject.toml").read_text(encoding="utf-8")
    found = (
        re.search(r'^name = "([^"]+)"', pyproject, re.MULTILINE),
        re.search(r'^version = "([^"]+)"', pyproject, re.MULTILINE),
    )
    python_meta = tuple(m.group(1) if m else None for m in found)
    if python_meta != expected:
        problems.append(f"{python}/pyproject.toml: name/version {python_meta}, expected {expected}")
    manifest = json.loads((typescript / "package.json").read_text(encoding="utf-8"))
    ts_meta = (manifest.get("name"), manifest.get("version"))
    if ts_meta != expected:
        problems.append(f"{typescript}/package.json: name/version {ts_meta}, expected {expected}")
    return problems


def check(document: Document, python: Path, typescript: Path) -> list[str]:
    total = sum(1 for _ in document.operations())
    lines = []
    for label, missing in (
        (f"python SDK ({python})", _python_missing(document, python)),
        (f"typescript SDK ({typescript})", _typescript_missing(document, typescript)),
    ):
        lines += [f"{label} lacks {name}" for name in missing]
        print(f"{label}: {total - len(missing)} of {total} operations")
    return lines + _version_problems(document, python, typescript)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=["scaffold", "check", "testbed"])
    parser.add_argument("--spec", type=Path, default=Path("openapi.yaml"))
    parser.add_argument("--python", type=Path, default=Path("build/sdk/python"))
    parser.add_argument("--typescript", type=Path, default=Path("build/sdk/typescript"))
    parser.add_argument(
        "--out", type=Path, help="scaffold: build/sdk/typescript; testbed: build/sdk-test"
    )
    args = parser.parse_args(argv)
    document = load(args.spec)
    if args.command == "scaffold":
        scaffold(document, args.out or Path("build/sdk/typescript"))
        return 0
    if args.command == "testbed":
        testbed(document, args.typescript, args.out or Path("build/sdk-test"))
        return 0
    problems = check(document, args.python, args.typescript)
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
