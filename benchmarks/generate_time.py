"""How long ``scripts/generate.py`` takes, and how much memory (a benchmark, not a test).

    .venv/bin/python benchmarks/generate_time.py [--repeat 1] [--quick] [--only NAME ...]

Runs the command line exactly as ``make generate`` does (a fresh interpreter each time) on

* ``openapi.yaml`` (issue 7's goal: under 2 s);
* every contract under ``../shared/specs`` (``public/`` and ``real/``), PagerDuty's with its one
  invalid default corrected (``sre_memories_limit``: ``'20 - incident_summary'`` → ``20``;
  goal: under 6 s);
* a synthetic contract of at least 10 MB and 500+ operations (goal: under 60 s, under 1 GiB):
  PagerDuty (corrected), Discord and Box merged, again and again until it is 10 MB, each copy's
  paths, operationIds, tags and components prefixed (``/c1/...``, ``c1_...``) and its refs
  following, so nothing collides and every copy is generated on its own.

Each contract is generated twice with an empty model cache (cold: datamodel-code-generator
runs; ``CONTRACTGEN_CACHE_DIR`` points at a fresh directory) and once more with that cache
filled (warm: an unchanged contract regenerated, as ``make check-generated`` after
``make generate``). Figures: wall-clock seconds (the median of ``--repeat`` runs), CPU seconds
of the command and all its subprocesses, and the peak of the summed resident memory of the
command and all its subprocesses (sampled from /proc every 100 ms). A contract the generator
refuses is listed with the first line of its error instead. Exits 0.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
SPECS = REPO.parent / "shared" / "specs"
PAGERDUTY = SPECS / "real" / "pagerduty-openapiv3.json"
DISCORD = SPECS / "real" / "discord-openapi.json"
BOX = SPECS / "real" / "box-openapi-v2025.0.json"
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
BIG_BYTES = 10 * 1024 * 1024
PAGE = os.sysconf("SC_PAGE_SIZE")


def corrected_pagerduty() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(PAGERDUTY.read_text(encoding="utf-8"))
    data["components"]["parameters"]["sre_memories_limit"]["schema"]["default"] = 20
    return data


def operation_count(data: dict[str, Any]) -> int:
    return sum(
        1
        for item in (data.get("paths") or {}).values()
        for method in METHODS
        if isinstance(item, dict) and method in item
    )


def _prefixed(data: dict[str, Any], prefix: str) -> dict[str, Any]:
    """A copy of ``data`` whose paths, operationIds, tags and component names carry
    ``prefix`` (refs, discriminator mappings and security requirements follow)."""
    components = data.get("components") or {}
    names = {
        kind: set(entries) for kind, entries in components.items() if isinstance(entries, dict)
    }

    def ref(value: str) -> str:
        parts = value.split("/")
        if (
            len(parts) >= 4
            and parts[:2] == ["#", "components"]
            and parts[3] in _unescaped(names.get(parts[2], set()))
        ):
            parts[3] = f"{prefix}_{parts[3]}"
        return "/".join(parts)

    def walk(node: Any) -> Any:
        if isinstance(node, list):
            return [walk(item) for item in node]
        if not isinstance(node, dict):
            return node
        result: dict[str, Any] = {}
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                result[key] = ref(value)
            elif key == "mapping" and isinstance(value, dict):
                result[key] = {
                    k: ref(v) if v.startswith("#") else f"{prefix}_{v}"
                    for k, v in value.items()
                    if isinstance(v, str)
                }
            elif key == "operationId" and isinstance(value, str):
                result[key] = f"{prefix}_{value}"
            elif key == "security" and isinstance(value, list):
                result[key] = [
                    {f"{prefix}_{name}": scopes for name, scopes in requirement.items()}
                    for requirement in value
                ]
            elif key == "tags" and isinstance(value, list):
                result[key] = [f"{prefix}_{tag}" if isinstance(tag, str) else tag for tag in value]
            else:
                result[key] = walk(value)
        return result

    copy: dict[str, Any] = walk(
        {k: v for k, v in data.items() if k not in ("paths", "components", "tags")}
    )
    copy["paths"] = {f"/{prefix}{path}": walk(item) for path, item in data["paths"].items()}
    copy["components"] = {
        kind: (
            {f"{prefix}_{name}": walk(entry) for name, entry in entries.items()}
            if isinstance(entries, dict)
            else entries
        )
        for kind, entries in components.items()
    }
    copy["tags"] = [
        {**tag, "name": f"{prefix}_{tag['name']}"}
        for tag in data.get("tags") or []
        if "name" in tag
    ]
    return copy


def _as_3_1(node: Any) -> Any:
    """A 3.0 description's schemas read as 3.1 (the merged contract is 3.1, as Discord's is):
    ``nullable`` becomes a ``null`` type, boolean exclusive bounds become numeric ones."""
    if isinstance(node, list):
        return [_as_3_1(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: _as_3_1(value) for key, value in node.items()}
    if node.get("in") in ("path", "header", "cookie"):
        node.pop("allowEmptyValue", None)  # 3.1's schema allows it on query parameters only
    if node.pop("nullable", False) is True and isinstance(node.get("type"), str):
        node["type"] = [node["type"], "null"]
    for exclusive, bound in (("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")):
        if isinstance(node.get(exclusive), bool) and node.pop(exclusive) and bound in node:
            node[exclusive] = node.pop(bound)
    return node


def _unescaped(names: set[str]) -> set[str]:
    return {name.replace("~", "~0").replace("/", "~1") for name in names}


def merged_contract() -> dict[str, Any]:
    """PagerDuty, Discord and Box, prefixed copies merged until the JSON is 10 MB."""
    sources = [
        _as_3_1(corrected_pagerduty()),
        json.loads(DISCORD.read_text(encoding="utf-8")),
        _as_3_1(json.loads(BOX.read_text(encoding="utf-8"))),
    ]
    merged: dict[str, Any] = {
        "openapi": "3.1.0",  # Discord is 3.1; the 3.0 parts read the same in 3.1
        "info": {"title": "synthetic: PagerDuty, Discord and Box merged", "version": "1"},
        "paths": {},
        "components": {},
        "tags": [],
    }
    size, copy = 0, 0
    while size < BIG_BYTES:
        source = sources[copy % len(sources)]
        copy += 1
        part = _prefixed(source, f"c{copy}")
        if "security" in part:  # top-level security moves onto the operations it covers
            for item in part["paths"].values():
                for method in METHODS:
                    if isinstance(item.get(method), dict):
                        item[method].setdefault("security", part["security"])
        merged["paths"].update(part["paths"])
        merged["tags"] += part["tags"]
        for kind, entries in part["components"].items():
            merged["components"].setdefault(kind, {}).update(entries)
        size = len(json.dumps(merged, indent=2))
    return merged


@dataclass
class Run:
    wall: float
    cpu: float
    peak_rss: int  # bytes
    error: str | None = None


def _tree_rss(root: int) -> int:
    """The resident memory of ``root`` and all its descendants, in bytes."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="utf-8") as handle:
                stat = handle.read()
        except OSError:
            continue
        parents[int(entry)] = int(stat[stat.rfind(")") + 2 :].split()[1])
    tree, frontier = {root}, [root]
    while frontier:
        parent = frontier.pop()
        children = [pid for pid, ppid in parents.items() if ppid == parent and pid not in tree]
        tree.update(children)
        frontier.extend(children)
    total = 0
    for pid in tree:
        try:
            with open(f"/proc/{pid}/statm", encoding="utf-8") as handle:
                total += int(handle.read().split()[1]) * PAGE
        except (OSError, ValueError, IndexError):
            continue
    return total


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def generate_once(spec: Path, out: Path, cache: Path) -> Run:
    command = [sys.executable, str(REPO / "scripts" / "generate.py"), "--spec", str(spec)]
    env = {**os.environ, "CONTRACTGEN_CACHE_DIR": str(cache)}
    started, cpu = time.perf_counter(), _children_cpu()
    process = subprocess.Popen(
        [*command, "--out", str(out)],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _tree_rss(process.pid))
            done.wait(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, stderr = process.communicate()
    done.set()
    sampler.join()
    wall, cpu = time.perf_counter() - started, _children_cpu() - cpu
    error = None
    if process.returncode != 0:
        lines = stderr.strip().splitlines() or ["(no message)"]
        error = (lines[-1] if lines[0].startswith("Traceback") else lines[0])[:110]
    return Run(wall, cpu, peak, error)


def measure(spec: Path, tmp: Path, repeat: int) -> tuple[Run, Run]:
    """The median cold run and the median warm run."""
    cold, warm = [], []
    for attempt in range(repeat):
        cache = tmp / f"cache-{spec.stem}-{attempt}"
        cold.append(generate_once(spec, tmp / "out", cache))
        if cold[-1].error is not None:
            return cold[-1], cold[-1]
        warm.append(generate_once(spec, tmp / "out", cache))
    return _median(cold), _median(warm)


def _median(runs: list[Run]) -> Run:
    return Run(
        statistics.median(r.wall for r in runs),
        statistics.median(r.cpu for r in runs),
        max(r.peak_rss for r in runs),
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--quick", action="store_true", help="openapi.yaml only")
    parser.add_argument("--only", nargs="*", help="only the contracts whose name contains one")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        cases: list[tuple[str, Path, float | None]] = [("openapi.yaml", REPO / "openapi.yaml", 2)]
        if not args.quick and SPECS.exists():
            for path in sorted((SPECS / "public").glob("*.yaml")):
                cases.append((f"public/{path.name}", path, None))
            for path in sorted((SPECS / "real").iterdir()):
                if path.suffix not in (".json", ".yaml", ".yml"):
                    continue
                if path == PAGERDUTY:
                    corrected = tmp / "pagerduty-openapiv3-corrected.json"
                    corrected.write_text(json.dumps(corrected_pagerduty(), indent=2), "utf-8")
                    cases.append(("real/pagerduty (corrected)", corrected, 6))
                else:
                    cases.append((f"real/{path.name}", path, None))
            if all(path.exists() for path in (PAGERDUTY, DISCORD, BOX)):
                big = merged_contract()
                synthetic = tmp / "synthetic-big.json"
                synthetic.write_text(json.dumps(big, indent=2), encoding="utf-8")
                megabytes = synthetic.stat().st_size / 1024 / 1024
                label = f"synthetic ({megabytes:.1f} MB, {operation_count(big)} operations)"
                cases.append((label, synthetic, 60))
        elif not args.quick:
            print(f"only openapi.yaml: {SPECS} is missing")
        if args.only:
            cases = [case for case in cases if any(word in case[0] for word in args.only)]
        print(
            f"{'contract':46} {'cold wall':>9} {'cold CPU':>9} {'peak RSS':>9} "
            f"{'warm wall':>9} {'warm CPU':>9}"
        )
        for label, spec, goal in cases:
            cold, warm = measure(spec, tmp, args.repeat)
            if cold.error is not None:
                print(f"{label:46} refused: {cold.error}")
                continue
            verdict = ""
            if goal is not None:
                met = cold.wall < goal and (goal != 60 or cold.peak_rss < 1024**3)
                verdict = f"  goal < {goal} s: {'met' if met else 'MISSED'}"
            print(
                f"{label:46} {cold.wall:8.2f}s {cold.cpu:8.2f}s "
                f"{cold.peak_rss / 1024**2:7.0f}MB {warm.wall:8.2f}s {warm.cpu:8.2f}s{verdict}",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
