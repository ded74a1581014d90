"""``make bench``: the generated route layer against hand-written FastAPI and raw Starlette.

First in process (benchmarks/inprocess.py: the apps called as ASGI callables, µs per request),
then over HTTP when wrk is installed. Each app (benchmarks/apps.py) runs in its own uvicorn
process on 127.0.0.1 with the same settings; wrk (Debian's ``wrk``) loads one at a time for a
fixed time per endpoint. The apps take turns, round after round, and each keeps its best
round, so that drift in the machine's background load does not favour whichever app ran
first. Then the generator is timed (benchmarks/generate_time.py). A benchmark, not a test:
it prints figures and exits 0.

    python benchmarks/run.py [--duration 4] [--rounds 3] [--connections 32]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = ("generated", "fastapi", "starlette")
POST_BODY = '{"name": "bench item", "price": 9.5, "tags": ["a", "b"]}'
ENDPOINTS = {
    "GET list": ("GET", "/api/v1/items?limit=10"),
    "GET by id": ("GET", "/api/v1/items/7"),
    "POST create": ("POST", "/api/v1/items"),
}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def _server(app: str) -> Iterator[str]:
    port = _free_port()
    command = [
        sys.executable, "-m", "uvicorn", f"benchmarks.apps:{app}_app",
        "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning", "--no-access-log",
    ]  # fmt: skip
    process = subprocess.Popen(command, cwd=ROOT)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            with contextlib.suppress(OSError):
                urllib.request.urlopen(f"{base}/api/v1/items/1", timeout=1).close()  # noqa: S310
                break
            time.sleep(0.1)
        else:
            raise RuntimeError(f"{app} did not start")
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


def _wrk(url: str, method: str, duration: int, connections: int) -> float:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(f'wrk.method = "{method}"\n')
        if method == "POST":
            script.write(f"wrk.body = '{POST_BODY}'\n")
            script.write('wrk.headers["Content-Type"] = "application/json"\n')
            script.write('wrk.headers["Authorization"] = "Bearer bench-token"\n')
    try:
        command = ["wrk", "-t1", f"-c{connections}", f"-d{duration}s", "-s", script.name, url]
        output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    finally:
        os.unlink(script.name)
    if re.search(r"Non-2xx or 3xx responses: (\d+)", output):
        raise RuntimeError(f"{method} {url} answered errors under load:\n{output}")
    match = re.search(r"Requests/sec:\s+([\d.]+)", output)
    if match is None:
        raise RuntimeError(f"cannot read wrk's output:\n{output}")
    return float(match.group(1))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=4, help="seconds per endpoint and round")
    parser.add_argument("--rounds", type=int, default=3, help="turns each app takes")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--requests", type=int, default=500, help="in process, per round")
    args = parser.parse_args()
    subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "inprocess.py"),
            "--requests",
            str(args.requests),
        ],
        cwd=ROOT,
        check=True,
    )
    if shutil.which("wrk") is None:
        print("\nover HTTP: skipped, wrk is not installed (apt-get install wrk)")
        return 0
    results: dict[str, dict[str, float]] = {name: dict.fromkeys(APPS, 0.0) for name in ENDPOINTS}
    with contextlib.ExitStack() as stack:
        bases = {app: stack.enter_context(_server(app)) for app in APPS}
        for method, path in ENDPOINTS.values():
            for app in APPS:
                _wrk(bases[app] + path, method, 1, args.connections)  # warm-up
        for _ in range(args.rounds):
            for name, (method, path) in ENDPOINTS.items():
                for app in APPS:
                    rate = _wrk(bases[app] + path, method, args.duration, args.connections)
                    results[name][app] = max(results[name][app], rate)
    print(
        f"\nrequests/s (best of {args.rounds} rounds), uvicorn 1 process each, "
        f"wrk -t1 -c{args.connections} -d{args.duration}s"
    )
    print(f"{'endpoint':<12} {'generated':>10} {'fastapi':>10} {'starlette':>10}"
          f" {'gen/fastapi':>12} {'gen/starlette':>14}")  # fmt: skip
    for name, row in results.items():
        gen, fastapi, starlette = row["generated"], row["fastapi"], row["starlette"]
        print(
            f"{name:<12} {gen:>10.0f} {fastapi:>10.0f} {starlette:>10.0f}"
            f" {gen / fastapi:>12.2f} {gen / starlette:>14.2f}"
        )
    generate_time = ROOT / "benchmarks" / "generate_time.py"
    if generate_time.exists():
        print()
        subprocess.run([sys.executable, str(generate_time)], cwd=ROOT, check=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
