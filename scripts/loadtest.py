"""``make loadtest``: ``make serve`` (Gunicorn, 2 workers) on PostgreSQL + Redis under Locust.

    python scripts/loadtest.py [--duration 60] [--users 16] [--spawn-rate 4]
                               [--out reports/loadtest.md]

1. A fresh PostgreSQL database is created on ``LOADTEST_PG`` (default the local server) and
   dropped at the end; ``DATABASE_URL`` instead runs against that database (kept).
   ``REDIS_URL`` defaults to ``redis://127.0.0.1:6379/15``: the rate limits are shared there.
2. ``make serve`` starts with WORKERS=2 on a free 127.0.0.1 port, ENVIRONMENT=production,
   argon2 at its production cost, access logs (JSON, INFO) into reports/loadtest-server.log.
   Every request comes from 127.0.0.1, which the per-client limits would soon answer 429:
   RATE_LIMIT_DEFAULT, RATE_LIMIT_LOGIN and RATE_LIMIT_REGISTER are set to 100000/minute
   here (unless given in the environment), and the report says so.
3. Locust, headless, runs scripts/locustfile.py for ``--duration`` seconds
   (``LOADTEST_DURATION``) with ``--users`` users (``LOADTEST_USERS``): register, login, list,
   create, get, update (PUT), delete, each user without pause.
4. Every item whose creation was acknowledged is read back (GET /api/v1/items/{id}) and must
   be as its last acknowledged write left it, or 404 after an acknowledged delete. A write
   answered 503 or not at all may or may not have happened: either outcome is accepted and
   counted as "undetermined".

Prints a table (throughput, p50/p99 per operation, status counts), writes ``--out``, and
exits 1 on any 5xx other than 503, any request without an answer, or any lost write. 429 and
503 (documented: rate limit, capacity, REQUEST_TIMEOUT) are counted and reported, not failed.
Only 127.0.0.1 is contacted.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg  # type: ignore[import-untyped]  # no py.typed
import httpx

ROOT = Path(__file__).resolve().parent.parent
ADMIN_DSN = os.environ.get("LOADTEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
DEFAULT_REDIS = "redis://127.0.0.1:6379/15"
GENEROUS = "100000/minute"
LIMITS = ("RATE_LIMIT_DEFAULT", "RATE_LIMIT_LOGIN", "RATE_LIMIT_REGISTER")
OPERATIONS = ("register", "login", "list", "create", "get", "update", "delete")
DELETED = "deleted"


def _uptime() -> str:
    done = subprocess.run(["uptime"], capture_output=True, text=True, check=False)  # noqa: S607
    return done.stdout.strip()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def _database() -> Iterator[str]:
    given = os.environ.get("DATABASE_URL")
    if given:
        if not given.startswith("postgresql"):
            sys.exit("make loadtest: DATABASE_URL must be a PostgreSQL URL")
        yield given
        return
    name = f"loadtest_{uuid.uuid4().hex[:12]}"

    async def run(statement: str) -> None:
        connection = await asyncpg.connect(ADMIN_DSN)
        try:
            await connection.execute(statement)
        finally:
            await connection.close()

    asyncio.run(run(f'CREATE DATABASE "{name}"'))
    server = ADMIN_DSN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://", 1)
    try:
        yield f"{server}/{name}"
    finally:
        asyncio.run(run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@contextmanager
def _serve(database_url: str, port: int, log: Path) -> Iterator[dict[str, str]]:
    env = dict(os.environ)
    env.update(
        ENVIRONMENT="production",
        SECRET_KEY=secrets.token_urlsafe(48),
        DATABASE_URL=database_url,
        HOST="127.0.0.1",
        PORT=str(port),
        WORKERS="2",
    )
    env.setdefault("REDIS_URL", DEFAULT_REDIS)
    for name in LIMITS:
        env.setdefault(name, GENEROUS)
    with tempfile.TemporaryDirectory() as runtime, log.open("wb") as output:
        env.update(XDG_RUNTIME_DIR=runtime, HOME=runtime)  # Gunicorn's control socket
        server = subprocess.Popen(
            ["make", "--no-print-directory", "serve"],  # noqa: S607 - make from PATH
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            _wait_ready(port, server, log)
            yield {name: env[name] for name in (*LIMITS, "REDIS_URL")}
        finally:
            if server.poll() is None:
                os.killpg(server.pid, signal.SIGTERM)
                try:
                    server.wait(timeout=60)
                except subprocess.TimeoutExpired:
                    os.killpg(server.pid, signal.SIGKILL)
                    server.wait()


def _wait_ready(port: int, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 120
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=5) as client:
        while time.monotonic() < deadline:
            if server.poll() is not None:
                sys.exit(f"make serve exited:\n{log.read_text()[-4000:]}")
            try:
                if client.get("/ready").status_code == 200:
                    time.sleep(2)  # the second worker finishes starting
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.2)
    sys.exit("make serve did not become ready within 120 s")


def _locust(port: int, args: argparse.Namespace, ledger: Path) -> int:
    command = [
        sys.executable,
        "-m",
        "locust",
        "-f",
        str(ROOT / "scripts" / "locustfile.py"),
        "--headless",
        "--host",
        f"http://127.0.0.1:{port}",
        "--users",
        str(args.users),
        "--spawn-rate",
        str(args.spawn_rate),
        "--run-time",
        f"{args.duration}s",
        "--stop-timeout",
        "10",
        "--only-summary",
        "--exit-code-on-error",
        "0",
    ]
    env = {**os.environ, "LOADTEST_LEDGER": str(ledger)}
    return subprocess.run(command, env=env, timeout=args.duration + 120, check=False).returncode


def classify(seen: Any, states: list[Any]) -> str:
    """What reading an item back (``seen``: ``[name, price]`` or ``"deleted"``) says, given
    the states its acknowledged and unanswered writes allow: alive, gone, undetermined (one
    of several allowed states) or lost (none of them)."""
    if seen not in states:
        return "lost"
    if len(states) > 1:
        return "undetermined"
    return "gone" if seen == DELETED else "alive"


def _verify(port: int, items: dict[str, list[Any]]) -> dict[str, Any]:
    """Read every acknowledged item back; what it must (or may) be is in ``items``."""
    counts = {"alive": 0, "gone": 0, "undetermined": 0}
    lost: list[str] = []
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
        for item_id, states in items.items():
            response = client.get(f"/api/v1/items/{item_id}")
            seen: Any
            if response.status_code == 404:
                seen = DELETED
            elif response.status_code == 200:
                body = response.json()
                seen = [body["name"], body["price"]]
            else:
                seen = f"status {response.status_code}"
            verdict = classify(seen, states)
            if verdict == "lost":
                lost.append(f"{item_id}: read {seen}, acknowledged {states[-1]}")
            else:
                counts[verdict] += 1
    return {**counts, "lost": lost}


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return math.nan
    return ordered[min(len(ordered) - 1, math.ceil(fraction * len(ordered)) - 1)]


def _table(ledger: dict[str, Any], duration: float) -> tuple[list[str], dict[str, int]]:
    rows = [
        "| operation | requests | req/s | p50 ms | p99 ms | 2xx | 4xx other | 429 | 503 "
        "| 5xx other | no answer |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    totals = {"requests": 0, "429": 0, "503": 0, "5xx": 0, "none": 0, "4xx": 0}
    names = [n for n in OPERATIONS if n in ledger["times"]]
    names += sorted(set(ledger["times"]) - set(names))
    for name in names:
        times = ledger["times"][name]
        statuses = {int(k): v for k, v in ledger["statuses"].get(name, {}).items()}
        ok = sum(v for k, v in statuses.items() if 200 <= k < 300)
        limited = statuses.get(429, 0)
        busy = statuses.get(503, 0)
        server = sum(v for k, v in statuses.items() if k >= 500 and k != 503)
        none = statuses.get(0, 0)
        other = sum(v for k, v in statuses.items() if 400 <= k < 500 and k != 429)
        totals["requests"] += len(times)
        totals["429"] += limited
        totals["503"] += busy
        totals["5xx"] += server
        totals["none"] += none
        totals["4xx"] += other
        rows.append(
            f"| {name} | {len(times)} | {len(times) / duration:.1f} "
            f"| {percentile(times, 0.5):.1f} | {percentile(times, 0.99):.1f} "
            f"| {ok} | {other} | {limited} | {busy} | {server} | {none} |"
        )
    rows.append(
        f"| **all** | {totals['requests']} | {totals['requests'] / duration:.1f} | | | "
        f"| {totals['4xx']} | {totals['429']} | {totals['503']} | {totals['5xx']} "
        f"| {totals['none']} |"
    )
    return rows, totals


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="scripts/loadtest.py", description=__doc__)
    parser.add_argument(
        "--duration", type=int, default=int(os.environ.get("LOADTEST_DURATION", 60))
    )
    parser.add_argument("--users", type=int, default=int(os.environ.get("LOADTEST_USERS", 16)))
    parser.add_argument("--spawn-rate", type=float, default=4.0)
    parser.add_argument("--out", type=Path, default=ROOT / "reports" / "loadtest.md")
    args = parser.parse_args(argv)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    server_log = args.out.with_name("loadtest-server.log")
    before = _uptime()
    port = _free_port()
    with _database() as database_url, tempfile.TemporaryDirectory() as scratch:
        ledger_path = Path(scratch) / "ledger.json"
        with _serve(database_url, port, server_log) as settings:
            started = time.monotonic()
            locust_rc = _locust(port, args, ledger_path)
            elapsed = time.monotonic() - started
            after = _uptime()
            if not ledger_path.exists():
                print(f"Locust wrote no ledger (exit {locust_rc})", file=sys.stderr)
                return 1
            ledger = json.loads(ledger_path.read_text())
            check = _verify(port, ledger["items"])
    duration = float(args.duration)
    rows, totals = _table(ledger, duration)
    failed = totals["5xx"] + totals["none"] + len(check["lost"])
    lines = [
        "# make loadtest",
        "",
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC. `make serve`: Gunicorn, 2 Uvicorn workers,"
        " ENVIRONMENT=production (argon2 at its production cost), PostgreSQL (a fresh database),"
        f" Redis ({settings['REDIS_URL']}). Locust {args.users} users (spawn rate"
        f" {args.spawn_rate}/s), no pause between requests, {args.duration} s"
        f" (the run took {elapsed:.0f} s with start-up and stop), all from 127.0.0.1, so the"
        " per-client limits were set to "
        + ", ".join(f"{name}={settings[name]}" for name in LIMITS)
        + ". Requests per second are over the run time; p50/p99 are Locust's response times.",
        "",
        *rows,
        "",
        f"Read back after the run: {check['alive']} acknowledged items as last written,"
        f" {check['gone']} acknowledged deletes gone, {check['undetermined']} undetermined"
        f" (their last write was answered 503 or not at all: either outcome accepted),"
        f" **{len(check['lost'])} lost writes**. 5xx other than 503: **{totals['5xx']}**;"
        f" requests without an answer: **{totals['none']}**.",
        "",
        f"Load before: `{before}`  ",
        f"Load after: `{after}`  ",
        "(a shared 2-core machine: server, PostgreSQL, Redis and Locust on the same cores)",
        "",
    ]
    if check["lost"]:
        lines += ["Lost writes:", "", *(f"* {entry}" for entry in check["lost"][:50]), ""]
    report = "\n".join(lines)
    args.out.write_text(report)
    print(report)
    print(f"written to {args.out}; server log {server_log}")
    if failed:
        print("make loadtest: FAILED (5xx, unanswered requests or lost writes)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
