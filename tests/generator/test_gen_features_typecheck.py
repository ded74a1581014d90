"""The packages generated from the feature contracts (names, parameter styles, bodies,
requests) pass ``mypy --strict``, as the corpus's do (issue 7, "Types")."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.generator import (
    test_gen_bodies,
    test_gen_deprecation,
    test_gen_requests,
    test_gen_wire_names,
)
from tests.generator.support import run_cli

CONTRACTS = {
    "wire": test_gen_wire_names.CONTRACT,
    "bodies": test_gen_bodies.CONTRACT,
    "requests": test_gen_requests.CONTRACT,
    "deprecation": test_gen_deprecation.CONTRACT,
}


def test_feature_packages_pass_mypy_strict(tmp_path: Path) -> None:
    for name, text in CONTRACTS.items():
        spec = tmp_path / f"{name}.yaml"
        spec.write_text(text, encoding="utf-8")
        result = run_cli("--spec", spec, "--out", tmp_path / f"{name}_pkg")
        assert result.status == 0, result.stderr
    completed = subprocess.run(
        [
            *(sys.executable, "-m", "mypy", "--strict", "--no-incremental", "--config-file", ""),
            *("--cache-dir", str(tmp_path / ".mypy_cache")),
            *[f"-p{name}_pkg" for name in CONTRACTS],
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "MYPYPATH": ""},
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
