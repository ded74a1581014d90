"""How long reading and validating a contract takes (a benchmark, not a test; issue 7).

    .venv/bin/python benchmarks/load_time.py [--repeat 3] [SPEC ...]

For each contract (default: every one under ``../shared/specs``, PagerDuty both as published and
with its one invalid default corrected), a fresh interpreter imports the generator, loads the
contract (bundling other files) and validates it, exactly the first stages of
``scripts/generate.py``. Prints the median wall-clock and CPU seconds of the whole process, of the
imports, of loading and of validating, the peak memory, and how many problems were found.
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

REPO = Path(__file__).resolve().parents[1]
SPECS = REPO.parent / "shared" / "specs"
PAGERDUTY = SPECS / "real" / "pagerduty-openapiv3.json"

PROBE = """
import json, resource, sys, time
started = time.perf_counter()
sys.path.insert(0, sys.argv[1])
from pathlib import Path
from contractgen.load import load_contract
from contractgen.validate import validate
imported = time.perf_counter()
contract = load_contract(Path(sys.argv[2]))
loaded = time.perf_counter()
problems = validate(contract)
validated = time.perf_counter()
print(json.dumps({
    "imports": imported - started, "load": loaded - imported, "validate": validated - loaded,
    "problems": len(problems), "kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
}))
"""


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measure(spec: Path, repeat: int) -> dict[str, float]:
    runs = []
    for _ in range(repeat):
        started, cpu = time.perf_counter(), _children_cpu()
        completed = subprocess.run(
            [sys.executable, "-c", PROBE, str(REPO / "scripts"), str(spec)],
            check=True,
            capture_output=True,
            text=True,
        )
        figures = json.loads(completed.stdout)
        figures["total"] = time.perf_counter() - started
        figures["cpu"] = _children_cpu() - cpu
        runs.append(figures)
    return {key: statistics.median(run[key] for run in runs) for key in runs[0]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("specs", nargs="*", type=Path)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        specs = list(args.specs)
        if not specs:
            specs = sorted(p for p in SPECS.glob("*/*") if p.suffix in (".json", ".yaml", ".yml"))
            if PAGERDUTY.exists():
                data = json.loads(PAGERDUTY.read_text(encoding="utf-8"))
                data["components"]["parameters"]["sre_memories_limit"]["schema"]["default"] = 20
                corrected = Path(tmp) / "pagerduty-corrected.json"
                corrected.write_text(json.dumps(data, indent=2), encoding="utf-8")
                specs.append(corrected)
        print(f"{'contract':34} {'total':>6} {'cpu':>5} {'imports':>7} {'load':>6} "
              f"{'validate':>8} {'peak MB':>7} problems")  # fmt: skip
        for spec in specs:
            f = measure(spec, args.repeat)
            print(
                f"{spec.name:34} {f['total']:6.2f} {f['cpu']:5.2f} {f['imports']:7.2f} "
                f"{f['load']:6.2f} {f['validate']:8.2f} {f['kb'] / 1024:7.0f} {int(f['problems'])}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
