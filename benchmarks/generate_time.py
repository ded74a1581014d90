"""How long ``scripts/generate.py`` takes (a benchmark, not a test; issue 2 asks for the figures).

    .venv/bin/python benchmarks/generate_time.py [--repeat 3] [--full]

Times the command line exactly as ``make generate`` runs it (a fresh interpreter each time) on

* ``openapi.yaml`` (goal: under 3 s);
* a 150-operation contract: the first 150 operations of PagerDuty's published contract
  (``../shared/specs/real/pagerduty-openapiv3.json``) with its one invalid default corrected
  (``sre_memories_limit``: ``'20 - incident_summary'`` → ``20``) and all its components
  (goal: under 15 s);
* with ``--full``, all 465 operations of that corrected contract.

Each figure is the median of ``--repeat`` runs, wall-clock seconds.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
PAGERDUTY = REPO.parent / "shared" / "specs" / "real" / "pagerduty-openapiv3.json"
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def corrected_pagerduty() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(PAGERDUTY.read_text(encoding="utf-8"))
    schema = data["components"]["parameters"]["sre_memories_limit"]["schema"]
    schema["default"] = 20
    return data


def first_operations(data: dict[str, Any], count: int) -> dict[str, Any]:
    """The contract cut down to its first ``count`` operations (every component kept)."""
    paths: dict[str, Any] = {}
    taken = 0
    for path, item in data["paths"].items():
        kept = {k: v for k, v in item.items() if k not in METHODS}
        for method in METHODS:
            if method in item and taken < count:
                kept[method] = item[method]
                taken += 1
        if any(method in kept for method in METHODS):
            paths[path] = kept
        if taken == count:
            break
    return {**data, "paths": paths}


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def time_generation(spec: Path, out: Path, repeat: int) -> tuple[float, float]:
    """Median wall-clock and CPU seconds (CPU time of the command and its subprocesses, which
    a busy machine disturbs less than wall-clock time)."""
    walls, cpus = [], []
    command = [sys.executable, str(REPO / "scripts" / "generate.py"), "--spec", str(spec)]
    for _ in range(repeat):
        started, cpu = time.perf_counter(), _children_cpu()
        subprocess.run([*command, "--out", str(out)], check=True, capture_output=True, cwd=REPO)
        walls.append(time.perf_counter() - started)
        cpus.append(_children_cpu() - cpu)
    return statistics.median(walls), statistics.median(cpus)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--full", action="store_true", help="also all 465 PagerDuty operations")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        cases: list[tuple[str, Path, float | None]] = [("openapi.yaml", REPO / "openapi.yaml", 3.0)]
        if PAGERDUTY.exists():
            corrected = corrected_pagerduty()
            subset = Path(tmp) / "pagerduty-150.json"
            subset.write_text(json.dumps(first_operations(corrected, 150)), encoding="utf-8")
            cases.append(("150 operations (PagerDuty subset)", subset, 15.0))
            if args.full:
                full = Path(tmp) / "pagerduty-corrected.json"
                full.write_text(json.dumps(corrected), encoding="utf-8")
                cases.append(("465 operations (PagerDuty, corrected)", full, None))
        else:
            print(f"skipping the 150-operation contract: {PAGERDUTY} is missing")
        for label, spec, goal in cases:
            seconds, cpu = time_generation(spec, Path(tmp) / "out", args.repeat)
            verdict = ""
            if goal is not None:
                verdict = f"  (goal < {goal:.0f} s: {'met' if seconds < goal else 'MISSED'})"
            print(f"{label:40} {seconds:6.2f} s wall, {cpu:6.2f} s CPU{verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
