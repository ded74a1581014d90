"""`make fuzz`: the Schemathesis CLI against a live server this script starts and stops itself.

    .venv/bin/python scripts/fuzz.py [--max-examples N] [--reports DIR]

1. Database: a fresh SQLite file under var/fuzz/, or DATABASE_URL (PostgreSQL in CI) when it is
   set; the migrations are applied first. The database must be fresh (only the admin in it).
2. Server: uvicorn (impl.main:app) on a free 127.0.0.1 port, ENVIRONMENT=test, a random 48-byte
   secret, argon2 at its cheapest, rate limits out of reach, INFO logs (the access log is the
   coverage record) to var/fuzz/server.log. Waits for /health; always stopped at the end.
3. Identities, through the API: "user" and "peer" register, the admin comes from ADMIN_*; a
   token with no scope (the user asking for a scope they lack) feeds the scopes_enforced check.
   Each must log in and work before anything runs: a run without working credentials would pass.
4. Schemathesis, twice, with tests/contract/schemathesis.toml (every check but one exception
   explained there, every phase, bounded examples, fixed seed, one worker, missing_auth fails;
   the custom checks of tests/contract/checks.py as hooks), logging in at run time through a
   Web Fuzzing Commons auth file (written to var/fuzz/):
     main   every operation but deleteUser, as "user"
     admin  deleteUser, registerUser, updateUser, as the admin; deleteUser is the admin's
            alone, and no response in this pass shows the admin's own id, so the admin cannot
            delete or lock out an identity the run depends on
   Reports: reports/fuzz-<pass>.junit.xml and reports/fuzz-<pass>.txt (the CLI's own output).
5. Contract coverage, from the server's access log: every (operationId, documented status)
   pair, observed or not. A 2xx, 401, 403, 404, 409 or 422 that an operation documents and the
   run never observed fails it, as does an undocumented status or any server error in the log.
   Reports: reports/fuzz-coverage.md and .json, and reports/fuzz-summary.md.

Exit status: 0 when everything passed, 1 on any failure, 2 when the run could not start.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import xml.etree.ElementTree as ElementTree
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Final, TextIO

import yaml

ROOT: Final = Path(__file__).resolve().parent.parent
CONTRACT: Final = ROOT / "openapi.yaml"
CONFIG: Final = ROOT / "tests" / "contract" / "schemathesis.toml"
WORK: Final = ROOT / "var" / "fuzz"
HOST: Final = "127.0.0.1"

# Statuses every operation that documents them must show at least once in a run; 2xx too.
REQUIRED: Final = frozenset({"401", "403", "404", "409", "422"})
NOT_PROVOKED: Final = {
    "429": "the fuzz server's rate limits are out of reach on purpose; the login limit's 429 "
    "is pinned in tests/contract (test_login_limit_answers_429_with_retry_after)",
    "500": "never expected: any 500 fails the run (not_a_server_error, and the log scan)",
    "503": "/ready answers 503 only when the database is down, which the run does not provoke",
}
SETUP_REQUEST_ID: Final = "fuzz-setup"
SERVER_START_TIMEOUT: Final = 60.0


class FuzzError(Exception):
    """The run could not be set up (exit status 2)."""


# ---- the contract ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Operation:
    operation_id: str
    method: str
    path: str
    statuses: tuple[str, ...]


def load_operations(contract: Path = CONTRACT) -> list[Operation]:
    document = yaml.safe_load(contract.read_text(encoding="utf-8"))
    operations = []
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in ("get", "put", "post", "delete", "patch", "head", "options", "trace"):
                statuses = tuple(sorted(str(status) for status in operation["responses"]))
                operations.append(
                    Operation(operation["operationId"], method.upper(), path, statuses)
                )
    return operations


def required_statuses(operation: Operation) -> list[str]:
    return [s for s in operation.statuses if s in REQUIRED or s.startswith("2")]


# ---- coverage from the access log --------------------------------------------------------


@dataclass
class Coverage:
    operations: list[Operation]
    observed: Counter[tuple[str, str]] = field(default_factory=Counter)
    undocumented: Counter[tuple[str, str]] = field(default_factory=Counter)
    undeclared_methods: Counter[str] = field(default_factory=Counter)  # status of such requests
    unmatched_paths: Counter[str] = field(default_factory=Counter)
    server_errors: list[str] = field(default_factory=list)
    requests: int = 0

    @property
    def missing(self) -> list[tuple[str, str]]:
        """Required pairs never observed: each one fails the run."""
        return [
            (op.operation_id, status)
            for op in self.operations
            for status in required_statuses(op)
            if not self.observed[(op.operation_id, status)]
        ]

    @property
    def not_provoked(self) -> list[tuple[str, str]]:
        return [
            (op.operation_id, status)
            for op in self.operations
            for status in op.statuses
            if status not in required_statuses(op) and not self.observed[(op.operation_id, status)]
        ]

    @property
    def documented_pairs(self) -> int:
        return sum(len(op.statuses) for op in self.operations)

    @property
    def observed_pairs(self) -> int:
        return sum(1 for key, count in self.observed.items() if count)

    @property
    def ok(self) -> bool:
        return not (self.missing or self.undocumented or self.server_errors)


def analyse_log(lines: Iterable[str], operations: Sequence[Operation]) -> Coverage:
    """Fold the server's JSON log lines into a ``Coverage``. Access-log records
    (logger impl.access) name the matched route template, the method and the status; requests
    this script made itself (X-Request-ID fuzz-setup-*) do not count."""
    by_route = {(op.method, op.path): op for op in operations}
    paths = {op.path for op in operations}
    coverage = Coverage(list(operations))
    for line in lines:
        try:
            record = json.loads(line)
        except ValueError:
            continue  # not one of the app's JSON records (e.g. a traceback of uvicorn's own)
        if not isinstance(record, dict):
            continue
        if record.get("level") in ("ERROR", "CRITICAL") and record.get("logger") != "impl.access":
            coverage.server_errors.append(str(record.get("message")))
        if record.get("logger") != "impl.access":
            continue
        if str(record.get("request_id", "")).startswith(SETUP_REQUEST_ID):
            continue
        coverage.requests += 1
        status = str(record.get("status"))
        if status.startswith("5"):
            coverage.server_errors.append(str(record.get("message")))
        route, method = record.get("route"), str(record.get("method"))
        operation = by_route.get((method, str(route)))
        if operation is not None:
            if status in operation.statuses:
                coverage.observed[(operation.operation_id, status)] += 1
            else:
                coverage.undocumented[(operation.operation_id, status)] += 1
        elif route in paths:
            coverage.undeclared_methods[status] += 1
        else:
            coverage.unmatched_paths[status] += 1
    return coverage


def coverage_markdown(coverage: Coverage) -> str:
    lines = [
        "# Contract coverage of `make fuzz`",
        "",
        f"{coverage.observed_pairs} of {coverage.documented_pairs} documented "
        f"(operationId, status) pairs observed in {coverage.requests} requests.",
        "",
        "| operationId | status | requests | |",
        "|---|---|---:|---|",
    ]
    required = {(op.operation_id, s) for op in coverage.operations for s in required_statuses(op)}
    for op in coverage.operations:
        for status in op.statuses:
            count = coverage.observed[(op.operation_id, status)]
            if count:
                mark = "observed"
            elif (op.operation_id, status) in required:
                mark = "**NEVER OBSERVED (fails the run)**"
            else:
                mark = f"not provoked: {NOT_PROVOKED.get(status, 'not required')}"
            lines.append(f"| {op.operation_id} | {status} | {count} | {mark} |")
    lines.append("")
    if coverage.undocumented:
        lines.append("Undocumented statuses (each fails the run):")
        lines += [
            f"- {op} answered {status} ({n}x)" for (op, status), n in coverage.undocumented.items()
        ]
        lines.append("")
    if coverage.server_errors:
        lines.append(f"Server errors in the log (fail the run): {len(coverage.server_errors)}")
        lines += [f"- {message}" for message in coverage.server_errors[:20]]
        lines.append("")
    methods = ", ".join(f"{s}: {n}" for s, n in sorted(coverage.undeclared_methods.items()))
    unmatched = ", ".join(f"{s}: {n}" for s, n in sorted(coverage.unmatched_paths.items()))
    lines.append(
        f"Requests with a method the contract does not declare for the path: {methods or 'none'}"
    )
    lines.append(f"Requests to paths the contract does not have: {unmatched or 'none'}")
    return "\n".join(lines) + "\n"


def coverage_json(coverage: Coverage) -> dict[str, Any]:
    return {
        "requests": coverage.requests,
        "documented_pairs": coverage.documented_pairs,
        "observed_pairs": coverage.observed_pairs,
        "observed": [
            {"operationId": op, "status": status, "requests": n}
            for (op, status), n in sorted(coverage.observed.items())
        ],
        "missing": [{"operationId": op, "status": s} for op, s in coverage.missing],
        "not_provoked": [
            {"operationId": op, "status": s, "why": NOT_PROVOKED.get(s, "not required")}
            for op, s in coverage.not_provoked
        ],
        "undocumented": [
            {"operationId": op, "status": status, "requests": n}
            for (op, status), n in sorted(coverage.undocumented.items())
        ],
        "server_errors": coverage.server_errors,
        "undeclared_method_statuses": dict(coverage.undeclared_methods),
        "unmatched_path_statuses": dict(coverage.unmatched_paths),
    }


# ---- the server --------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


@dataclass(frozen=True, slots=True)
class Identity:
    name: str
    username: str
    email: str
    password: str


def server_environment(database_url: str, admin: Identity) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "ALLOWED_ORIGINS")}
    settings = {
        "ENVIRONMENT": "test",
        "DATABASE_URL": database_url,
        "SECRET_KEY": secrets.token_urlsafe(48),
        # argon2 at its cheapest: fuzzing registers and logs in thousands of times.
        "PASSWORD_HASH_MEMORY_KIB": "8",
        "PASSWORD_HASH_TIME_COST": "1",
        "PASSWORD_HASH_PARALLELISM": "1",
        "RATE_LIMIT_DEFAULT": "1000000/minute",
        "RATE_LIMIT_LOGIN": "1000000/minute",
        "RATE_LIMIT_REGISTER": "1000000/minute",
        # Schemathesis logs in once per identity (see schemathesis.toml): tokens outlive the run.
        "ACCESS_TOKEN_EXPIRE_MINUTES": "120",
        "LOG_LEVEL": "INFO",
        "REDIS_URL": "",  # also overrides a REDIS_URL from a developer's .env
        "ALLOWED_ORIGINS": "",
        "ADMIN_USERNAME": admin.username,
        "ADMIN_EMAIL": admin.email,
        "ADMIN_PASSWORD": admin.password,
        "PYTHONUNBUFFERED": "1",
    }
    env.update(settings)
    return env


@contextmanager
def running_server(port: int, env: Mapping[str, str], log_path: Path) -> Iterator[None]:
    """uvicorn impl.main:app on HOST:port until the block ends, however it ends."""
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "impl.main:app",
        "--host",
        HOST,
        "--port",
        str(port),
    ]
    with log_path.open("w", encoding="utf-8") as log:
        server = subprocess.Popen(
            command, cwd=ROOT, env=dict(env), stdout=log, stderr=subprocess.STDOUT
        )
        try:
            wait_for_health(port, server, log_path)
            yield
        finally:
            stop(server)


def wait_for_health(port: int, server: subprocess.Popen[bytes], log_path: Path) -> None:
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise FuzzError(f"the server exited with {server.returncode}:\n{tail(log_path)}")
        try:
            status, _, _ = request(port, "GET", "/health")
        except OSError:
            status = 0
        if status == 200:
            return
        time.sleep(0.2)
    raise FuzzError(f"no 200 from /health within {SERVER_START_TIMEOUT:.0f}s:\n{tail(log_path)}")


def stop(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is None:
        server.send_signal(signal.SIGINT)  # uvicorn's graceful shutdown: the lifespan ends
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


_setup_requests = 0


def request(
    port: int,
    method: str,
    path: str,
    *,
    json_body: Any = None,
    form: Mapping[str, str] | None = None,
    token: str | None = None,
) -> tuple[int, dict[str, str], Any]:
    """One request of this script's own, marked so that the coverage leaves it out."""
    global _setup_requests
    _setup_requests += 1
    headers = {"X-Request-ID": f"{SETUP_REQUEST_ID}-{_setup_requests}"}
    body: bytes | None = None
    if json_body is not None:
        body = json.dumps(json_body).encode()
        headers["Content-Type"] = "application/json"
    elif form is not None:
        body = urllib.parse.urlencode(form).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    connection = http.client.HTTPConnection(HOST, port, timeout=10)
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        raw = response.read()
        answer_headers = {k.lower(): v for k, v in response.getheaders()}
    finally:
        connection.close()
    try:
        payload = json.loads(raw) if raw else None
    except ValueError:
        payload = raw.decode(errors="replace")
    return response.status, answer_headers, payload


# ---- identities --------------------------------------------------------------------------


def make_identities() -> dict[str, Identity]:
    def identity(name: str) -> Identity:
        # Fresh passwords each run: they only ever live in var/fuzz/ (gitignored).
        return Identity(name, f"fuzz_{name}", f"fuzz-{name}@example.com", secrets.token_urlsafe(18))

    return {name: identity(name) for name in ("user", "peer", "admin")}


def login(port: int, who: Identity, scope: str | None = None) -> str:
    form = {"username": who.username, "password": who.password}
    if scope is not None:
        form["scope"] = scope
    status, _, body = request(port, "POST", "/api/v1/auth/token", form=form)
    if status != 200:
        raise FuzzError(f"{who.username} cannot log in: {status} {body}")
    return str(body["access_token"])


def prepare_identities(port: int, identities: Mapping[str, Identity]) -> str:
    """Check that the database is fresh, register the users, prove that every identity's token
    works, and return a valid token that carries no scope."""
    status, headers, _ = request(
        port, "GET", "/api/v1/users", token=login(port, identities["admin"])
    )
    if status != 200 or headers.get("x-total-count") != "1":
        raise FuzzError(
            f"the database is not fresh: {headers.get('x-total-count')} users where only the "
            "admin was expected (give DATABASE_URL a new database: the seed and the coverage "
            "assume one)"
        )
    for name in ("user", "peer"):
        who = identities[name]
        payload = {"username": who.username, "email": who.email, "password": who.password}
        status, _, body = request(port, "POST", "/api/v1/auth/register", json_body=payload)
        if status != 201:
            raise FuzzError(f"registering {who.username}: {status} {body}")
    for who in identities.values():
        status, _, body = request(port, "GET", "/api/v1/auth/me", token=login(port, who))
        if status != 200:
            raise FuzzError(f"the token of {who.username} does not work: {status} {body}")
    # The user asking for a scope they do not have gets a token with no scope at all.
    scopeless = login(port, identities["user"], scope="admin")
    status, _, _ = request(port, "GET", "/api/v1/users", token=scopeless)
    if status != 403:
        raise FuzzError(f"the scopeless token is not refused by listUsers: {status}")
    return scopeless


def wfc_document(identities: Sequence[Identity]) -> dict[str, Any]:
    """Web Fuzzing Commons auth: each entry logs in through the OAuth2 password form."""

    def entry(who: Identity) -> dict[str, Any]:
        form = urllib.parse.urlencode({"username": who.username, "password": who.password})
        return {
            "name": who.name,
            "loginEndpointAuth": {
                "endpoint": "/api/v1/auth/token",
                "verb": "POST",
                "contentType": "application/x-www-form-urlencoded",
                "payloadRaw": form,
                "token": {
                    "extractFrom": "body",
                    "extractSelector": "/access_token",
                    "sendIn": "header",
                    "sendName": "Authorization",
                    "sendTemplate": "Bearer {token}",
                },
            },
        }

    return {"schemaVersion": "0.2.0", "auth": [entry(who) for who in identities]}


# ---- Schemathesis ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Pass:
    name: str
    identity: str
    filters: tuple[str, ...]
    description: str


PASSES: Final = (
    Pass(
        "main",
        "user",
        ("--exclude-operation-id", "deleteUser"),
        "every operation but deleteUser, as an ordinary user",
    ),
    Pass(
        "admin",
        "admin",
        (
            "--include-operation-id",
            "deleteUser",
            "--include-operation-id",
            "registerUser",
            "--include-operation-id",
            "updateUser",
        ),
        "deleteUser, registerUser and updateUser, as the admin",
    ),
)


@dataclass
class PassResult:
    run: Pass
    returncode: int
    seconds: float
    output: Path
    junit: Path
    generated: int | None = None
    operations_tested: int | None = None
    junit_tests: int | None = None
    junit_failures: int | None = None
    junit_errors: int | None = None

    @property
    def ok(self) -> bool:
        return self.returncode == 0


def schemathesis_command() -> list[str]:
    beside = Path(sys.executable).with_name("schemathesis")
    found = str(beside) if beside.exists() else shutil.which("schemathesis")
    if found is None:
        raise FuzzError("the schemathesis CLI is not installed (make install)")
    return [found]


def run_arguments(run: Pass, port: int, reports: Path, max_examples: int | None) -> list[str]:
    """The `schemathesis` command line of a pass (after the executable).

    Every check runs, by the configuration's ``[checks] enabled = true`` rather than by
    ``--checks all``: the flag outranks every setting of the file, and would switch
    object_level_authorization back on where the file explains why it is off (getUser).
    """
    arguments = [
        "--no-color",
        *("--config-file", str(CONFIG)),
        *("run", f"http://{HOST}:{port}/openapi.json"),
        *("--phases", "examples,coverage,fuzzing,stateful"),
        *("--workers", "1"),
        *("--auth-wfc-user", run.identity),
        *("--report", "junit", "--report-dir", str(reports)),
        *("--report-junit-path", str(reports / f"fuzz-{run.name}.junit.xml")),
        *run.filters,
    ]
    if max_examples is not None:
        arguments += ["--max-examples", str(max_examples)]
    return arguments


def run_pass(
    run: Pass, port: int, auth_file: Path, scopeless: str, reports: Path, max_examples: int | None
) -> PassResult:
    junit = reports / f"fuzz-{run.name}.junit.xml"
    output = reports / f"fuzz-{run.name}.txt"
    command = [*schemathesis_command(), *run_arguments(run, port, reports, max_examples)]
    env = dict(os.environ)
    env.update(
        FUZZ_AUTH_FILE=str(auth_file),
        FUZZ_SCOPELESS_TOKEN=scopeless,
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")])),
    )
    print(f"\n== schemathesis: pass {run.name!r}: {run.description}", flush=True)
    started = time.monotonic()
    with output.open("w", encoding="utf-8") as sink:
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        if process.stdout is None:  # pragma: no cover - stdout=PIPE always sets it
            raise FuzzError("no output pipe from the schemathesis CLI")
        tee(process.stdout, sink)
        returncode = process.wait()
    result = PassResult(run, returncode, time.monotonic() - started, output, junit)
    read_numbers(result)
    return result


def tee(source: IO[str], sink: TextIO) -> None:
    for line in source:
        sys.stdout.write(line)
        sink.write(line)
    sys.stdout.flush()


def read_numbers(result: PassResult) -> None:
    text = result.output.read_text(encoding="utf-8", errors="replace")
    if match := re.search(r"(\d+) generated", text):
        result.generated = int(match[1])
    if match := re.search(r"Tested:\s+(\d+)", text):
        result.operations_tested = int(match[1])
    if result.junit.exists():
        # Our own report, written by the CLI a moment ago.
        root = ElementTree.parse(result.junit).getroot()  # noqa: S314
        suites = [root] if root.tag == "testsuite" else list(root.iter("testsuite"))
        result.junit_tests = sum(int(s.get("tests", 0)) for s in suites)
        result.junit_failures = sum(int(s.get("failures", 0)) for s in suites)
        result.junit_errors = sum(int(s.get("errors", 0)) for s in suites)


# ---- the run -----------------------------------------------------------------------------


def prepare_database(database_url: str | None) -> tuple[str, str]:
    """The database URL and a label for it; a new SQLite file unless a URL is given."""
    if database_url:
        backend = database_url.split(":", 1)[0]
        url = database_url
    else:
        database = WORK / "fuzz.db"
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{database}{suffix}").unlink(missing_ok=True)
        url, backend = f"sqlite+aiosqlite:///{database}", "sqlite (fresh file)"
    migrate = [sys.executable, "-m", "impl.db", "--url", url, "upgrade"]
    done = subprocess.run(migrate, cwd=ROOT, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise FuzzError(f"migrating {backend} failed:\n{done.stdout}{done.stderr}")
    return url, backend


def summary_markdown(
    backend: str, results: Sequence[PassResult], coverage: Coverage, seconds: float, ok: bool
) -> str:
    lines = [
        "# make fuzz",
        "",
        f"- Verdict: **{'PASSED' if ok else 'FAILED'}**",
        f"- Database: {backend}",
        f"- Duration: {seconds:.0f}s",
        f"- Configuration: {CONFIG.relative_to(ROOT)}: every phase, one worker, every check "
        "(object_level_authorization excepted for getUser and the stateful phase: see the file)",
        "",
        "| pass | identity | operations | test cases | junit tests | failures | errors | exit "
        "| time |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| {r.run.name} | {r.run.identity} | {_n(r.operations_tested)} | {_n(r.generated)} "
            f"| {_n(r.junit_tests)} | {_n(r.junit_failures)} | {_n(r.junit_errors)} "
            f"| {r.returncode} | {r.seconds:.0f}s |"
        )
    lines += [
        "",
        f"Contract coverage: {coverage.observed_pairs}/{coverage.documented_pairs} documented "
        f"(operationId, status) pairs observed; {len(coverage.missing)} required pairs never "
        f"observed; {sum(coverage.undocumented.values())} undocumented answers; "
        f"{len(coverage.server_errors)} server errors. Details: fuzz-coverage.md.",
        "",
        "Reports: "
        + ", ".join(f"fuzz-{r.run.name}.junit.xml, fuzz-{r.run.name}.txt" for r in results),
    ]
    return "\n".join(lines) + "\n"


def _n(value: int | None) -> str:
    return "?" if value is None else str(value)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="scripts/fuzz.py",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--max-examples", type=int, help="override the configuration's bound")
    parser.add_argument("--reports", type=Path, default=ROOT / "reports", help="report directory")
    args = parser.parse_args(argv)
    # A SIGTERM (CI cancelling the job) unwinds like Ctrl-C, so the server is always stopped.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    started = time.monotonic()
    reports: Path = args.reports.resolve()
    reports.mkdir(parents=True, exist_ok=True)
    WORK.mkdir(parents=True, exist_ok=True)
    log_path = WORK / "server.log"
    operations = load_operations()
    try:
        url, backend = prepare_database(os.environ.get("DATABASE_URL"))
        identities = make_identities()
        port = free_port()
        print(f"== server: uvicorn impl.main:app on {HOST}:{port}, database {backend}", flush=True)
        results = []
        with running_server(port, server_environment(url, identities["admin"]), log_path):
            scopeless = prepare_identities(port, identities)
            for run in PASSES:
                members = [identities[run.identity]] + [
                    identities[name] for name in ("user", "peer") if name != run.identity
                ]
                auth_file = WORK / f"auth-{run.name}.json"
                auth_file.write_text(json.dumps(wfc_document(members), indent=2), encoding="utf-8")
                results.append(
                    run_pass(run, port, auth_file, scopeless, reports, args.max_examples)
                )
    except FuzzError as exc:
        print(f"\nmake fuzz could not run: {exc}", file=sys.stderr)
        return 2
    with log_path.open(encoding="utf-8", errors="replace") as log:
        coverage = analyse_log(log, operations)
    seconds = time.monotonic() - started
    ok = all(r.ok for r in results) and coverage.ok
    (reports / "fuzz-coverage.md").write_text(coverage_markdown(coverage), encoding="utf-8")
    (reports / "fuzz-coverage.json").write_text(
        json.dumps(coverage_json(coverage), indent=2) + "\n", encoding="utf-8"
    )
    summary = summary_markdown(backend, results, coverage, seconds, ok)
    (reports / "fuzz-summary.md").write_text(summary, encoding="utf-8")
    print("\n" + coverage_markdown(coverage) + "\n" + summary, flush=True)
    for operation_id, status in coverage.missing:
        print(f"never observed: {operation_id} {status}", file=sys.stderr)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
