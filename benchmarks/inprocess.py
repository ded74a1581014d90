"""The route layers called in process (no server, no HTTP parsing): CPU time per request.

Each app of benchmarks/apps.py gets the same ASGI requests straight from Python; the figure is
microseconds per request, best of several rounds (the rounds alternate between the apps so
that background load does not favour one). A benchmark, not a test: it prints and exits 0.

    python benchmarks/inprocess.py [--requests 500] [--rounds 20]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.apps import TOKEN, fastapi_app, generated_app, starlette_app  # noqa: E402

POST_BODY = '{"name": "bench item", "price": 9.5, "tags": ["a", "b"]}'
APPS: dict[str, Any] = {
    "generated": generated_app,
    "fastapi": fastapi_app,
    "starlette": starlette_app,
}
# name: (method, path, query, expected status)
CASES = {
    "GET list": ("GET", "/api/v1/items", b"limit=10", 200),
    "GET by id": ("GET", "/api/v1/items/7", b"", 200),
    "POST create": ("POST", "/api/v1/items", b"", 201),
    "GET 422": ("GET", "/api/v1/items", b"limit=0", 422),
}


def _request(method: str, path: str, query: bytes) -> Callable[[], Any]:
    body = POST_BODY.encode() if method == "POST" else b""
    headers = [(b"host", b"bench"), (b"authorization", f"Bearer {TOKEN}".encode())]
    if body:
        headers += [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
        ]
    template = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method,
        "scheme": "http", "path": path, "raw_path": path.encode(), "root_path": "",
        "query_string": query, "headers": headers, "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 80),
    }  # fmt: skip

    def make() -> tuple[dict[str, Any], Any, Any, list[int]]:
        status: list[int] = []

        async def receive() -> dict[str, Any]:
            return {"type": "http.request", "body": body, "more_body": False}

        async def send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                status.append(message["status"])

        return dict(template), receive, send, status

    return make


async def _run(app: Any, make: Callable[[], Any], count: int, expected: int) -> float:
    start = time.perf_counter()
    for _ in range(count):
        scope, receive, send, status = make()
        await app(scope, receive, send)
    elapsed = time.perf_counter() - start
    scope, receive, send, status = make()
    await app(scope, receive, send)
    if status != [expected]:
        raise RuntimeError(f"expected {expected}, got {status}")
    return elapsed / count * 1e6


async def measure(count: int, rounds: int) -> dict[str, dict[str, float]]:
    results: dict[str, dict[str, float]] = {}
    for name, (method, path, query, expected) in CASES.items():
        make = _request(method, path, query)
        row = dict.fromkeys(APPS, float("inf"))
        for app_name, app in APPS.items():
            if name == "GET 422" and app_name == "starlette":
                continue
            await _run(app, make, 200, expected)  # warm-up
        for _ in range(rounds):
            for app_name, app in APPS.items():
                if name == "GET 422" and app_name == "starlette":
                    continue
                row[app_name] = min(row[app_name], await _run(app, make, count, expected))
        results[name] = row
    return results


def print_table(results: dict[str, dict[str, float]], count: int, rounds: int) -> None:
    print(f"\nin process: µs per request (best of {rounds} rounds of {count}); lower is better")
    columns = ("generated", "fastapi", "starlette")
    print(
        f"{'endpoint':<12}" + "".join(f" {c:>10}" for c in columns) + f" {'fastapi/generated':>18}"
    )
    for name, row in results.items():
        starlette = (
            f"{row['starlette']:>10.1f}" if row["starlette"] != float("inf") else f"{'-':>10}"
        )
        print(
            f"{name:<12} {row['generated']:>10.1f} {row['fastapi']:>10.1f} {starlette}"
            f" {row['fastapi'] / row['generated']:>17.2f}x"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    results = asyncio.run(measure(args.requests, args.rounds))
    print_table(results, args.requests, args.rounds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
