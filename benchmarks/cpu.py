"""The real app called in process on PostgreSQL: CPU time per request, and where it goes.

``impl.app.create_app`` with production settings (every middleware, JSON access logs written
to a file, the rate limiter in memory) on a fresh PostgreSQL database with 100 items; each
case sends raw ASGI requests straight from Python, one after the other (no server, no HTTP
parsing). The figure is this process's CPU time per request (``time.process_time``: the
app's Python, SQLAlchemy and asyncpg; PostgreSQL's own work is in its backends, not here),
best of ``--rounds``. ``--profile CASE`` prints a cProfile of that case instead.

A benchmark, not a test: it prints and exits 0. Only 127.0.0.1 is contacted.

    python benchmarks/cpu.py [--requests 500] [--rounds 5] [--profile "GET by id"]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import io
import json
import os
import pstats
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.service import admin_sql, database_dsn  # noqa: E402 (after the path)

SECRET = "bench-cpu-secret-key-of-at-least-32-bytes-long"
ITEMS = 100
ITEM_BODY = b'{"name": "bench item", "price": 9.5, "tags": ["a", "b"]}'

# name: (method, path, query, expected status, authenticated)
CASES: dict[str, tuple[str, str, bytes, int, bool]] = {
    "health": ("GET", "/health", b"", 200, False),
    "GET list": ("GET", "/api/v1/items", b"limit=10", 200, False),
    "GET by id": ("GET", "/api/v1/items/7", b"", 200, False),
    "GET 404": ("GET", "/api/v1/items/100000", b"", 404, False),
    "POST create": ("POST", "/api/v1/items", b"", 201, True),
}

Call = Callable[[], Any]


@contextlib.asynccontextmanager
async def _database() -> AsyncIterator[str]:
    name = f"bench_cpu_{os.getpid()}_{int(time.time())}"
    await admin_sql(f'CREATE DATABASE "{name}"')
    try:
        yield name
    finally:
        await admin_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _caller(app: Any, method: str, path: str, query: bytes, body: bytes, token: str) -> Any:
    headers = [(b"host", b"bench"), (b"user-agent", b"bench"), (b"accept", b"*/*")]
    if token:
        headers.append((b"authorization", f"Bearer {token}".encode()))
    if body:
        headers += [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
        ]
    template = {
        "type": "http", "asgi": {"version": "3.0", "spec_version": "2.3"}, "http_version": "1.1",
        "method": method, "scheme": "http", "path": path, "raw_path": path.encode(),
        "root_path": "", "query_string": query, "headers": headers,
        "client": ("127.0.0.1", 40000), "server": ("127.0.0.1", 8000), "state": {},
    }  # fmt: skip

    async def call() -> tuple[int, bytes]:
        out: list[Any] = []

        async def receive() -> dict[str, Any]:
            return {"type": "http.request", "body": body, "more_body": False}

        async def send(message: dict[str, Any]) -> None:
            out.append(message)

        await app(dict(template), receive, send)
        return out[0]["status"], b"".join(m.get("body", b"") for m in out[1:])

    return call


async def _lifespan(app: Any) -> tuple[asyncio.Queue[Any], asyncio.Task[Any]]:
    inbox: asyncio.Queue[Any] = asyncio.Queue()
    outbox: asyncio.Queue[Any] = asyncio.Queue()
    await inbox.put({"type": "lifespan.startup"})
    task = asyncio.create_task(
        app({"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}}, inbox.get, outbox.put)
    )
    started = await outbox.get()
    if started["type"] != "lifespan.startup.complete":
        raise RuntimeError(f"startup failed: {started}")
    return inbox, task


async def _run(call: Call, count: int, expected: int) -> float:
    start = time.process_time()
    for _ in range(count):
        status, body = await call()
        if status != expected:
            raise RuntimeError(f"expected {expected}, got {status}: {body[:300]!r}")
    return (time.process_time() - start) / count * 1e6


async def main_async(args: argparse.Namespace) -> int:
    async with _database() as database:
        os.environ.update(
            {
                "ENVIRONMENT": "production",
                "DATABASE_URL": f"postgresql+asyncpg://{database_dsn(database).split('://', 1)[1]}",
                "SECRET_KEY": SECRET,
                "LOG_LEVEL": "INFO",
                "RATE_LIMIT_DEFAULT": "100000/second",
                "RATE_LIMIT_LOGIN": "100000/second",
                "RATE_LIMIT_REGISTER": "100000/second",
                # Cheap argon2: only the seeding logs in here.
                "PASSWORD_HASH_MEMORY_KIB": "64",
                "PASSWORD_HASH_TIME_COST": "1",
                "PASSWORD_HASH_PARALLELISM": "1",
            }
        )
        for name in ("REDIS_URL", "ALLOWED_ORIGINS", "ADMIN_USERNAME", "ADMIN_PASSWORD"):
            os.environ.pop(name, None)
        from impl.db.migrate import migrate  # after the environment is set

        await migrate(os.environ["DATABASE_URL"])
        with tempfile.TemporaryDirectory(prefix="bench-cpu-") as tmp:
            log = Path(tmp) / "app.log"
            sys.stdout = log.open("w")
            try:
                return await _measure(args)
            finally:
                sys.stdout.close()
                sys.stdout = sys.__stdout__
                with log.open("rb") as written:
                    print(f"({sum(1 for _ in written):,} log lines written)")


async def _measure(args: argparse.Namespace) -> int:
    from impl.app import create_app
    from impl.settings import Settings

    app = create_app(Settings())
    inbox, task = await _lifespan(app)
    try:
        user = json.dumps(
            {"username": "bench", "email": "bench@example.com", "password": "bench password 1"}
        ).encode()
        status, _ = await _caller(app, "POST", "/api/v1/auth/register", b"", user, "")()
        assert status == 201, status
        token = await _login(app, b"username=bench&password=bench+password+1")
        create = _caller(app, "POST", "/api/v1/items", b"", ITEM_BODY, token)
        for _ in range(ITEMS):
            await create()
        calls = {
            name: (
                _caller(app, method, path, query, ITEM_BODY if method == "POST" else b"",
                        token if auth else ""),
                expected,
            )
            for name, (method, path, query, expected, auth) in CASES.items()
            if not args.only or name in args.only
        }  # fmt: skip
        if args.profile:
            call, expected = calls[args.profile]
            await _run(call, 200, expected)
            profiler = cProfile.Profile(time.process_time)  # CPU, not waits
            profiler.enable()
            await _run(call, args.requests, expected)
            profiler.disable()
            out = io.StringIO()
            stats = pstats.Stats(profiler, stream=out)
            stats.sort_stats(args.sort).print_stats(args.lines)
            print(out.getvalue(), file=sys.__stdout__)
            print(_by_area(stats, args.requests), file=sys.__stdout__)
            return 0
        best = dict.fromkeys(calls, float("inf"))
        for call, expected in calls.values():
            await _run(call, 100, expected)  # warm-up
        for _ in range(args.rounds):
            for name, (call, expected) in calls.items():
                best[name] = min(best[name], await _run(call, args.requests, expected))
        print(
            f"\nin process on PostgreSQL: CPU µs per request of this process (best of "
            f"{args.rounds} rounds of {args.requests})",
            file=sys.__stdout__,
        )
        for name, value in best.items():
            print(f"{name:<14} {value:>8.0f}", file=sys.__stdout__)
        return 0
    finally:
        await inbox.put({"type": "lifespan.shutdown"})
        await task


async def _login(app: Any, form: bytes) -> str:
    out: list[Any] = []
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
        "scheme": "http", "path": "/api/v1/auth/token", "raw_path": b"/api/v1/auth/token",
        "root_path": "", "query_string": b"", "client": ("127.0.0.1", 40000),
        "server": ("127.0.0.1", 8000), "state": {},
        "headers": [
            (b"host", b"bench"),
            (b"content-type", b"application/x-www-form-urlencoded"),
            (b"content-length", str(len(form)).encode()),
        ],
    }  # fmt: skip

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": form, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        out.append(message)

    await app(scope, receive, send)
    body = b"".join(m.get("body", b"") for m in out[1:])
    if out[0]["status"] != 200:
        raise RuntimeError(f"login failed: {out[0]['status']} {body!r}")
    return str(json.loads(body)["access_token"])


# Where a function's own time is counted (first match of its file's path), for --profile.
AREAS = (
    ("impl/http/", "impl/http (middleware, logs)"),
    ("impl/", "impl (handlers, services, db)"),
    ("generated/", "generated routes"),
    ("/starlette/", "starlette"),
    ("/fastapi/", "fastapi"),
    ("/pydantic", "pydantic"),
    ("/sqlalchemy/", "sqlalchemy"),
    ("/asyncpg/", "asyncpg"),
    ("/greenlet", "greenlet"),
    ("/limits/", "limits (rate limit)"),
    ("/prometheus_client/", "prometheus_client"),
    ("/logging/", "logging"),
    ("/json/", "json"),
    ("/asyncio/", "asyncio"),
    ("uvloop", "uvloop"),
    ("/jwt/", "jwt"),
)


def _by_area(stats: pstats.Stats, requests: int) -> str:
    totals: dict[str, float] = {}
    for (filename, _line, name), row in stats.stats.items():  # type: ignore[attr-defined]
        area = next((label for key, label in AREAS if key in filename), None)
        if area is None:
            area = f"other: {name}" if filename == "~" else "other"
        totals[area] = totals.get(area, 0.0) + row[2]
    whole = sum(totals.values())
    lines = [f"own time by area, µs per request (profiled; {whole / requests * 1e6:.0f} in all)"]
    for area, seconds in sorted(totals.items(), key=lambda kv: -kv[1])[:25]:
        lines.append(f"  {area:<44} {seconds / requests * 1e6:>7.1f}  {seconds / whole:>6.1%}")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--only", nargs="*", choices=list(CASES), help="these cases only")
    parser.add_argument("--profile", choices=list(CASES), help="cProfile this case instead")
    parser.add_argument("--sort", default="cumulative", help="pstats sort key (--profile)")
    parser.add_argument("--lines", type=int, default=60, help="pstats lines (--profile)")
    parser.add_argument("--loop", default="uvloop", choices=["uvloop", "asyncio"])
    args = parser.parse_args()
    if args.loop == "uvloop":
        import uvloop

        return uvloop.run(main_async(args))
    return asyncio.run(main_async(args))


if __name__ == "__main__":
    sys.exit(main())
