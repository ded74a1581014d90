"""``make bench-service``: the real service over HTTP on PostgreSQL, loaded by wrk.

The app is ``impl.main:app`` exactly as deployed (every middleware, JSON access logs to a
file, production settings, argon2 at its production cost) in one uvicorn worker on a fresh
PostgreSQL database with 100 items. Where the machine has two cores or more, the server and
the database backends serving it share CPU 0 (``taskset``) and wrk runs on CPU 1, so the
figures are what one core does. Cases (``wrk -t1 --latency --timeout 5s``, each ``--duration``
seconds, the median of ``--rounds``):

    GET list            GET /api/v1/items?limit=10                      32 connections
    GET by id           GET /api/v1/items/7                             32
    POST create         POST /api/v1/items (bearer token)               32
    login               POST /api/v1/auth/token (argon2 verify)          4
    GET by id c=N       as above with 64, 256 and 1,024 connections
    GET while logins    GET by id (16) while 8 clients log in without pause

A benchmark, not a test: it prints a table, writes it to ``--out`` (reports/bench-service.md)
and exits 0 whatever the figures are. Only 127.0.0.1 is ever contacted.

    python benchmarks/service.py [--duration 5] [--rounds 1] [--only NAME ...]
        [--app-root DIR] [--loop auto|asyncio|uvloop] [--http auto|h11|httptools]
        [--label TEXT] [--out reports/bench-service.md] [--serve]

``--app-root`` runs another checkout's app with this interpreter (e.g. ``git archive main``
unpacked in a temporary directory: the baseline). ``--serve`` sets everything up, prints the
URL, a token and the server's pid, and waits (for profiling with py-spy).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import re
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg

ROOT = Path(__file__).resolve().parent.parent
ADMIN_DSN = os.environ.get("BENCH_PG_ADMIN_DSN", "postgresql://postgres@127.0.0.1:5432/postgres")
SECRET = "bench-service-secret-key-of-at-least-32-bytes"
USERNAME, PASSWORD = "bench", "bench password 1"
ITEMS = 100
ITEM_BODY = '{"name": "bench item", "price": 9.5, "tags": ["a", "b"]}'
TIMEOUT = "5s"


@dataclass(frozen=True)
class Load:
    method: str
    path: str
    connections: int
    body: str | None = None
    content_type: str | None = None
    auth: bool = False


@dataclass(frozen=True)
class Case:
    name: str
    load: Load
    background: Load | None = None  # runs at the same time; its rate is reported too


@dataclass
class Result:
    rate: float
    p50_ms: float
    p99_ms: float
    non_2xx: int
    socket_errors: int
    requests: int
    background_rate: float | None = None
    server_cpu_us: float = float("nan")  # CPU time per request answered, server process
    db_cpu_us: float = float("nan")  # and the PostgreSQL backends serving it
    samples: list[float] = field(default_factory=list)


GET_LIST = Load("GET", "/api/v1/items?limit=10", 32)
GET_ONE = Load("GET", "/api/v1/items/7", 32)
POST = Load("POST", "/api/v1/items", 32, ITEM_BODY, "application/json", auth=True)
LOGIN_FORM = urllib.parse.urlencode({"username": USERNAME, "password": PASSWORD})
LOGIN = Load("POST", "/api/v1/auth/token", 4, LOGIN_FORM, "application/x-www-form-urlencoded")

# Logins come after the connection counts: logins that wrk gave up on still hold their slots
# under the concurrency cap until their hash is done (and argon2 yields to everything else).
CASES = (
    Case("GET list", GET_LIST),
    Case("GET by id", GET_ONE),
    Case("GET by id c=64", Load("GET", GET_ONE.path, 64)),
    Case("GET by id c=256", Load("GET", GET_ONE.path, 256)),
    Case("GET by id c=1024", Load("GET", GET_ONE.path, 1024)),
    Case("login", LOGIN),
    Case(
        "GET while logins",
        Load("GET", GET_ONE.path, 16),
        background=Load(LOGIN.method, LOGIN.path, 8, LOGIN.body, LOGIN.content_type),
    ),
    Case("POST create", POST),  # last: it adds rows (removed again after each round)
)


# --- machine -------------------------------------------------------------------------------


def _ensure_wrk() -> str:
    path = shutil.which("wrk")
    if path is not None:
        return path
    apt_get = shutil.which("apt-get")
    if os.geteuid() == 0 and apt_get is not None:
        print("wrk is missing: installing Debian's wrk", file=sys.stderr)
        install = [apt_get, "install", "-y", "-qq", "wrk"]
        if subprocess.run(install, check=False, capture_output=True).returncode != 0:
            subprocess.run([apt_get, "update", "-qq"], check=False, capture_output=True)
            subprocess.run(install, check=False, capture_output=True)
        path = shutil.which("wrk")
    if path is None:
        raise SystemExit("make bench-service needs wrk (Debian: apt-get install wrk)")
    return path


def _cpus() -> tuple[list[str], list[str], bool]:
    """Prefixes for the server and the load generator, and whether they are pinned apart."""
    cpus = sorted(os.sched_getaffinity(0))
    taskset = shutil.which("taskset")
    if len(cpus) >= 2 and taskset is not None:
        return [taskset, "-c", str(cpus[0])], [taskset, "-c", str(cpus[1])], True
    return [], [], False


def _raise_fd_limit() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = 8192 if hard == resource.RLIM_INFINITY else min(hard, 8192)
    if soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# --- database ------------------------------------------------------------------------------


def database_dsn(database: str) -> str:
    return ADMIN_DSN.rsplit("/", 1)[0] + "/" + database


async def admin_sql(sql: str) -> None:
    conn = await asyncpg.connect(ADMIN_DSN)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


async def _backends(database: str) -> list[int]:
    conn = await asyncpg.connect(database_dsn(database))
    try:
        rows = await conn.fetch(
            "SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
            database,
        )
    finally:
        await conn.close()
    return [int(row["pid"]) for row in rows]


def _pin_backends(database: str, cpu_prefix: list[str]) -> list[int]:
    """Put the PostgreSQL backends serving the benchmark's database (and only those) on the
    server's core: the server and its database share one core, as in the issue's method.
    Returns their pids (their CPU time is measured too)."""
    pids = asyncio.run(_backends(database))
    for pid in pids if cpu_prefix else []:
        command = [cpu_prefix[0], "-p", "-c", cpu_prefix[-1], str(pid)]
        subprocess.run(command, check=False, capture_output=True)
    return pids


async def _trim_items(database: str) -> None:
    conn = await asyncpg.connect(database_dsn(database))
    try:
        await conn.execute(f"DELETE FROM items WHERE id > {ITEMS}")  # noqa: S608 (a constant)
    finally:
        await conn.close()


@contextlib.contextmanager
def _database() -> Iterator[str]:
    name = f"bench_service_{os.getpid()}_{int(time.time())}"
    asyncio.run(admin_sql(f'CREATE DATABASE "{name}"'))
    try:
        yield name
    finally:
        asyncio.run(admin_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


# --- server --------------------------------------------------------------------------------


@contextlib.contextmanager
def _server(
    app_root: Path, database: str, prefix: list[str], loop: str, http: str, log: Path
) -> Iterator[tuple[str, int]]:
    url = f"postgresql+asyncpg://{database_dsn(database).split('://', 1)[1]}"
    env = {
        **os.environ,
        "ENVIRONMENT": "production",
        "DATABASE_URL": url,
        "SECRET_KEY": SECRET,
        "LOG_LEVEL": "INFO",
        # Never reached (the limiter still runs): a one-second window keeps its per-key event
        # list as short as a real client's under the production per-minute limits.
        "RATE_LIMIT_DEFAULT": "100000/second",
        "RATE_LIMIT_LOGIN": "100000/second",
        "PYTHONPATH": str(app_root),
    }
    for name in ("REDIS_URL", "ALLOWED_ORIGINS", "ADMIN_USERNAME", "ADMIN_PASSWORD"):
        env.pop(name, None)
    migrate = [sys.executable, "-m", "impl.db", "--url", url, "upgrade"]
    migrated = subprocess.run(migrate, cwd=app_root, env=env, capture_output=True, text=True)
    if migrated.returncode != 0:
        raise RuntimeError(f"the migrations failed:\n{migrated.stderr[-3000:]}")
    port = _free_port()
    command = [
        *prefix, sys.executable, "-m", "uvicorn", "impl.main:app",
        "--host", "127.0.0.1", "--port", str(port), "--loop", loop, "--http", http,
    ]  # fmt: skip
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=app_root, env=env, stdout=out, stderr=out)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            if process.poll() is not None:
                raise RuntimeError(f"the server exited:\n{log.read_text()[-3000:]}")
            with contextlib.suppress(OSError):
                urllib.request.urlopen(f"{base}/health", timeout=1).close()  # noqa: S310
                break
            time.sleep(0.1)
        else:
            raise RuntimeError("the server did not start")
        yield base, process.pid
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _request(
    method: str, url: str, body: str | None = None, content_type: str | None = None, **headers: str
) -> tuple[int, dict[str, object]]:
    data = body.encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method)  # noqa: S310
    if content_type:
        request.add_header("Content-Type", content_type)
    for name, value in headers.items():
        request.add_header(name, value)
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
        return response.status, json.loads(response.read() or b"{}")


def _seed(base: str) -> str:
    """The bench user, its token, and ``ITEMS`` items; returns the token."""
    user = json.dumps({"username": USERNAME, "email": "bench@example.com", "password": PASSWORD})
    _request("POST", f"{base}/api/v1/auth/register", user, "application/json")
    _, token = _request("POST", f"{base}/api/v1/auth/token", LOGIN.body, LOGIN.content_type)
    access = str(token["access_token"])
    for _ in range(ITEMS):
        _request(
            "POST",
            f"{base}/api/v1/items",
            ITEM_BODY,
            "application/json",
            Authorization=f"Bearer {access}",
        )
    return access


_TICK = os.sysconf("SC_CLK_TCK")


def _cpu_seconds(pids: list[int]) -> dict[int, float]:
    """User + system CPU time of each of these processes (every thread), from /proc (Linux)."""
    times = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # gone (a backend whose connection the pool closed)
        times[pid] = (int(fields[11]) + int(fields[12])) / _TICK  # utime, stime
    return times


def _cpu_used(before: dict[int, float], after: dict[int, float]) -> float:
    return sum(after[pid] - before[pid] for pid in before.keys() & after.keys())


def _settle(base: str, limit: float = 60.0) -> None:
    """Wait until the server has worked off what the last load left queued (wrk stops
    sending, but requests already read are still answered): /health answers promptly."""
    deadline = time.monotonic() + limit
    fast = 0
    while fast < 3 and time.monotonic() < deadline:
        started = time.monotonic()
        with contextlib.suppress(OSError):
            urllib.request.urlopen(f"{base}/health", timeout=10).close()  # noqa: S310
        fast = fast + 1 if time.monotonic() - started < 0.05 else 0
        time.sleep(0.1)


# --- wrk -----------------------------------------------------------------------------------


def _lua(load: Load, token: str) -> str:
    lines = [f'wrk.method = "{load.method}"']
    if load.body is not None:
        lines.append(f"wrk.body = '{load.body}'")
    if load.content_type is not None:
        lines.append(f'wrk.headers["Content-Type"] = "{load.content_type}"')
    if load.auth:
        lines.append(f'wrk.headers["Authorization"] = "Bearer {token}"')
    return "\n".join(lines) + "\n"


def _wrk_command(
    wrk: str, prefix: list[str], base: str, load: Load, duration: int, script: str
) -> list[str]:
    return [
        *prefix, wrk, "-t1", f"-c{load.connections}", f"-d{duration}s", "--latency",
        "--timeout", TIMEOUT, "-s", script, base + load.path,
    ]  # fmt: skip


_SOCKET_ERRORS = r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)"
_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _latency(output: str, percentile: str) -> float:
    match = re.search(rf"^\s+{percentile}%\s+([\d.]+)(us|ms|s)\s*$", output, re.M)
    return float(match.group(1)) * _UNITS[match.group(2)] if match else float("nan")


def _parse(output: str) -> Result:
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    if rate is None:
        raise RuntimeError(f"cannot read wrk's output:\n{output}")
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors = re.search(_SOCKET_ERRORS, output)
    requests = re.search(r"(\d+) requests in", output)
    return Result(
        requests=int(requests.group(1)) if requests else 0,
        rate=float(rate.group(1)),
        p50_ms=_latency(output, "50"),
        p99_ms=_latency(output, "99"),
        non_2xx=int(non_2xx.group(1)) if non_2xx else 0,
        socket_errors=sum(int(n) for n in errors.groups()) if errors else 0,
    )


def _run_case(
    wrk: str,
    prefix: list[str],
    base: str,
    case: Case,
    duration: int,
    token: str,
    tmp: Path,
    pids: tuple[int, list[int]] = (0, []),
) -> Result:
    scripts = {}
    for role, load in (("main", case.load), ("background", case.background)):
        if load is not None:
            scripts[role] = tmp / f"{role}.lua"
            scripts[role].write_text(_lua(load, token))
    background = None
    if case.background is not None:
        # Started first and given one extra second, so the main load runs entirely under it.
        background = subprocess.Popen(
            _wrk_command(
                wrk, prefix, base, case.background, duration + 1, str(scripts["background"])
            ),
            stdout=subprocess.PIPE,
            text=True,
        )
        time.sleep(0.5)
    command = _wrk_command(wrk, prefix, base, case.load, duration, str(scripts["main"]))
    server_pid, backend_pids = pids
    cpu_before = _cpu_seconds([server_pid]), _cpu_seconds(backend_pids)
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    cpu_after = _cpu_seconds([server_pid]), _cpu_seconds(backend_pids)
    result = _parse(output)
    if server_pid and result.requests:
        result.server_cpu_us = _cpu_used(cpu_before[0], cpu_after[0]) / result.requests * 1e6
        result.db_cpu_us = _cpu_used(cpu_before[1], cpu_after[1]) / result.requests * 1e6
    if os.environ.get("BENCH_DEBUG"):
        print(output, file=sys.stderr)
    if background is not None:
        out, _ = background.communicate(timeout=duration + 30)
        result.background_rate = _parse(out).rate
    _settle(base)
    return result


# --- report --------------------------------------------------------------------------------


def _median(results: list[Result]) -> Result:
    ordered = sorted(results, key=lambda r: r.rate)
    middle = ordered[len(ordered) // 2]
    middle.samples = [r.rate for r in results]
    return middle


def _table(results: dict[str, Result], cases: list[Case]) -> str:
    lines = [
        "| case | conns | req/s | p50 ms | p99 ms | non-2xx | socket err | CPU µs/req server + db"
        " | one-core capacity req/s | note |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for case in cases:
        r = results[case.name]
        note = ""
        if r.background_rate is not None and case.background is not None:
            note = f"logins meanwhile: {r.background_rate:.1f}/s (c={case.background.connections})"
        if len(r.samples) > 1:
            note = (
                (note + "; " if note else "")
                + "rounds: "
                + ", ".join(f"{s:.0f}" for s in r.samples)
            )
        cpu = r.server_cpu_us + r.db_cpu_us
        lines.append(
            f"| {case.name} | {case.load.connections} | {r.rate:,.1f} | {r.p50_ms:.1f} "
            f"| {r.p99_ms:.1f} | {r.non_2xx} | {r.socket_errors} "
            f"| {r.server_cpu_us:,.0f} + {r.db_cpu_us:,.0f} | {1e6 / cpu if cpu else 0:,.0f} "
            f"| {note} |"
        )
    return "\n".join(lines)


def _git_rev(app_root: Path) -> str:
    git = shutil.which("git")
    if git is None:
        return "(git missing)"
    found = subprocess.run(
        [git, "-C", str(app_root), "describe", "--always", "--dirty"],
        capture_output=True,
        text=True,
        check=False,
    )
    return found.stdout.strip() if found.returncode == 0 else "(not a git checkout)"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=5, help="seconds per case and round")
    parser.add_argument("--rounds", type=int, default=1, help="rounds; the median is reported")
    parser.add_argument("--only", nargs="*", help="case names to run (default: all)")
    parser.add_argument("--app-root", type=Path, default=ROOT, help="the checkout to serve")
    parser.add_argument("--loop", default="auto", choices=["auto", "asyncio", "uvloop"])
    parser.add_argument("--http", default="auto", choices=["auto", "h11", "httptools"])
    parser.add_argument("--label", default="", help="a title for the report")
    parser.add_argument("--out", type=Path, default=ROOT / "reports" / "bench-service.md")
    parser.add_argument("--serve", action="store_true", help="set up, print, wait (profiling)")
    args = parser.parse_args()

    wrk = _ensure_wrk()
    _raise_fd_limit()
    server_cpu, load_cpu, pinned = _cpus()
    cases = [c for c in CASES if not args.only or c.name in args.only]
    app_root = args.app_root.resolve()
    with contextlib.ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-service-")))
        database = stack.enter_context(_database())
        log = tmp / "server.log"
        base, pid = stack.enter_context(
            _server(app_root, database, server_cpu, args.loop, args.http, log)
        )
        token = _seed(base)
        if args.serve:
            _pin_backends(database, server_cpu)
            print(f"serving {base} (pid {pid}); token:\n{token}\nCtrl-C ends it", flush=True)
            with contextlib.suppress(KeyboardInterrupt):
                while True:
                    time.sleep(3600)
            return 0
        # Warm-up: every path once under load, then the backends the pool opened are pinned.
        for case in cases:
            _run_case(wrk, load_cpu, base, Case(case.name, case.load), 1, token, tmp)
        asyncio.run(_trim_items(database))
        runs: dict[str, list[Result]] = {case.name: [] for case in cases}
        for round_no in range(args.rounds):
            for case in cases:
                backends = _pin_backends(database, server_cpu)
                result = _run_case(
                    wrk, load_cpu, base, case, args.duration, token, tmp, (pid, backends)
                )
                runs[case.name].append(result)
                print(
                    f"round {round_no + 1} {case.name:<18} {result.rate:>9,.1f} req/s"
                    f"  p99 {result.p99_ms:8.1f} ms  non-2xx {result.non_2xx}"
                    f"  CPU/req server {result.server_cpu_us:,.0f} us"
                    f" + db {result.db_cpu_us:,.0f} us",
                    flush=True,
                )
            asyncio.run(_trim_items(database))
        log_lines = sum(1 for _ in log.open("rb"))

    results = {name: _median(rs) for name, rs in runs.items()}
    table = _table(results, cases)
    header = [
        f"# bench-service{': ' + args.label if args.label else ''}",
        "",
        f"- app: `impl.main:app` from {app_root} at {_git_rev(app_root)}, one uvicorn worker "
        f"(`--loop {args.loop} --http {args.http}`), ENVIRONMENT=production, JSON access logs "
        f"on ({log_lines:,} lines written), argon2 at the production cost",
        f"- PostgreSQL (a fresh database), {ITEMS} items; "
        + (
            f"server and its database backends on CPU {server_cpu[-1]}, wrk on CPU {load_cpu[-1]}"
            if pinned
            else "not pinned (fewer than two CPUs or no taskset)"
        ),
        f"- wrk -t1 --latency --timeout {TIMEOUT}, {args.duration} s per case, "
        f"median of {args.rounds} round(s); {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}",
        f"- load average at the end: {', '.join(f'{x:.2f}' for x in os.getloadavg())} "
        f"(a shared machine: other work competes for the same cores, so req/s and latencies "
        f"move with it; CPU time per request, read from /proc for the server process and its "
        f"database backends, does much less; one-core capacity = 1 s / that CPU time)",
        "",
    ]
    text = "\n".join(header) + "\n" + table + "\n"
    print("\n" + text)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text)
    print(f"written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
