"""Contract in, package out: validate, build the models and routes, format, write atomically."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from .ir import build_operations
from .load import load_contract
from .models import ModelGenerationError, PendingModels
from .render import STATIC_DIR, Renderer, header, init_module, spec_module
from .types import TypeResolver
from .validate import validate


class GenerationError(Exception):
    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        super().__init__("\n".join(lines))


def render_files(spec: Path) -> dict[str, str]:
    """Every file of the package, by name, formatted and headed; raises GenerationError."""
    contract = load_contract(spec)
    # datamodel-code-generator (a subprocess) starts before the validation (this process), so
    # the two overlap; on a contract that turns out invalid it is killed and nothing is written.
    operations = None
    pending = None
    if contract.parsed:
        try:
            operations = build_operations(contract.data)
            pending = PendingModels(contract.data, operations, spec.name)
        except Exception:  # an invalid contract: the validation below says why
            operations = pending = None
    try:
        problems = validate(contract)
    except BaseException:
        if pending is not None:
            pending.cancel()
        raise
    if any(problem.is_error for problem in problems):
        if pending is not None:
            pending.cancel()
        raise GenerationError([problem.render(spec.name) for problem in problems])
    for problem in problems:  # warnings only (3.1's SHOULDs): reported, and generation goes on
        print(problem.render(spec.name), file=sys.stderr)
    if pending is None:  # the contract is valid, so this raises no more
        operations = build_operations(contract.data)
        pending = PendingModels(contract.data, operations, spec.name)
    if operations is None:  # pragma: no cover - set together with ``pending`` above
        raise RuntimeError("operations were not built")
    try:
        models = pending.result()
    except ModelGenerationError as exc:
        raise GenerationError(
            [f"{spec.name}:1: /components/schemas: model generation failed: {exc}"]
        ) from None
    renderer = Renderer(contract.data, operations, TypeResolver(contract.data, models))
    files = {
        "models.py": models.code,
        "api.py": renderer.api_module(),
        "routes.py": renderer.routes_module(spec.name),
        "spec.py": spec_module(contract.data, spec.name),
        "__init__.py": init_module(renderer, spec.name),
        "errors.py": (STATIC_DIR / "errors.py").read_text(encoding="utf-8"),
        "security.py": (STATIC_DIR / "security.py").read_text(encoding="utf-8"),
        "_runtime.py": (STATIC_DIR / "runtime.py").read_text(encoding="utf-8"),
        "_formats.py": (STATIC_DIR / "formats.py").read_text(encoding="utf-8"),
        "py.typed": "",
    }
    files = _format(files)
    return {
        name: (header(spec.name) + text if name.endswith(".py") else text)
        for name, text in files.items()
    }


def _format(files: dict[str, str]) -> dict[str, str]:
    """ruff (pinned): sorted imports, then formatted, so the output is readable and
    byte-identical on every run."""
    with tempfile.TemporaryDirectory() as tmp:
        for name, text in files.items():
            (Path(tmp) / name).write_text(text, encoding="utf-8")
        ruff = [sys.executable, "-m", "ruff"]
        options = ["--quiet", "--line-length", "100", "--no-cache", "--isolated"]
        for command in (
            [*ruff, "check", *options, "--select", "I", "--fix-only", "--exit-zero", tmp],
            [*ruff, "format", *options, tmp],
        ):
            completed = subprocess.run(command, capture_output=True, text=True, check=False)
            if completed.returncode != 0:
                raise GenerationError(
                    [f"formatting the generated code failed: {completed.stderr.strip()}"]
                )
        return {name: (Path(tmp) / name).read_text(encoding="utf-8") for name in files}


def generate(spec: Path, out: Path) -> list[Path]:
    """Write the package to ``out``, replacing it whole (never touching anything else)."""
    files = render_files(spec)
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}-", dir=out.parent))
    try:
        for name, text in files.items():
            (staging / name).write_text(text, encoding="utf-8")
        if out.exists():
            backup = out.with_name(f".{out.name}-old-{os.getpid()}")
            out.rename(backup)
            staging.rename(out)
            shutil.rmtree(backup)
        else:
            staging.rename(out)
    finally:
        if staging.exists():
            shutil.rmtree(staging)
    return [out / name for name in files]


def check(spec: Path, out: Path) -> list[str]:
    """What differs between ``out`` and a fresh generation (empty when up to date)."""
    files = render_files(spec)
    stale = []
    for name, text in files.items():
        path = out / name
        if not path.exists():
            stale.append(f"missing: {path}")
        elif path.read_text(encoding="utf-8") != text:
            stale.append(f"differs: {path}")
    if out.exists():
        for path in sorted(out.iterdir()):
            if path.is_file() and path.name not in files:
                stale.append(f"unexpected: {path}")
    return stale
