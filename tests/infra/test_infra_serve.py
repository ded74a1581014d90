"""``make serve`` under test (issue 10, item 1): Gunicorn, two Uvicorn workers, PostgreSQL, Redis.

The server is started through ``make serve`` itself (migrations first, then Gunicorn with
``scripts/gunicorn_conf.py``) on a free 127.0.0.1 port, against a fresh PostgreSQL database
(created here, dropped afterwards) and a Redis database number of its own (``REDIS_DB``,
emptied before each test). PostgreSQL and Redis are what these tests are about, so without
``TEST_DATABASE_URL`` and ``TEST_REDIS_URL`` they skip (and the CI PostgreSQL pass, which sets
FAIL_ON_SKIP, fails if they do).

Which worker answered: each test holds one kept-alive connection per worker. The worker that
owns a connection is read from the kernel: the connection's socket inode in /proc/net/tcp,
found among the file descriptors of each worker process in /proc/<pid>/fd. A request sent on
that connection is served by that process, so "a token from one worker works on the other"
is shown, not hoped for from the balancing of fresh connections. Nothing is added to the
app's responses for it.

A slow request, without a test-only endpoint: the test locks the items table (``LOCK TABLE
items IN ACCESS EXCLUSIVE MODE`` in a psql session it keeps open), so ``GET /api/v1/items``
waits in the database until the lock is released.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final
from urllib.parse import urlsplit, urlunsplit

import pytest
import redis
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from impl.db import create_engine
from impl.http.deadline import TIMEOUT_DETAIL
from tests.conftest import run_in_fresh_loop

ROOT: Final = Path(__file__).resolve().parents[2]
DATABASE_ENV: Final = os.environ.get("TEST_DATABASE_URL", "")
REDIS_ENV: Final = os.environ.get("TEST_REDIS_URL", "")
REDIS_DB: Final = 14  # this module's own Redis database number (FLUSHDB before each test)
SECRET: Final = "serve-test-secret-key-that-is-long-enough-0123456789"
PASSWORD: Final = "correct horse battery"
REQUEST_TIMEOUT: Final = 2  # seconds; the request time limit of the served app
STARTUP_BUDGET: Final = 90.0  # seconds for make, migrations and both workers (a hang guard)

pytestmark = pytest.mark.skipif(
    not (DATABASE_ENV.startswith("postgresql") and REDIS_ENV),
    reason="needs TEST_DATABASE_URL (PostgreSQL) and TEST_REDIS_URL (issue 10: make serve)",
)


# --- the database and the lock --------------------------------------------------------------


@contextmanager
def fresh_database() -> Iterator[str]:
    """A new, empty PostgreSQL database on TEST_DATABASE_URL's server; dropped afterwards."""
    name = f"serve_{uuid.uuid4().hex[:12]}"
    server = make_url(DATABASE_ENV)

    async def run(statement: str) -> None:
        engine = create_engine(server.set(database="postgres"), poolclass=NullPool)
        try:
            async with engine.connect() as connection:
                autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
                await autocommit.exec_driver_sql(statement)
        finally:
            await engine.dispose()

    run_in_fresh_loop(lambda: run(f'CREATE DATABASE "{name}"'))
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        run_in_fresh_loop(lambda: run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def psql_url(database_url: str) -> str:
    return make_url(database_url).set(drivername="postgresql").render_as_string(False)


class TableLock:
    """``LOCK TABLE items IN ACCESS EXCLUSIVE MODE`` held by a psql session until released."""

    def __init__(self, database_url: str) -> None:
        self._psql = subprocess.Popen(
            ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", psql_url(database_url)],  # noqa: S607
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self._send("BEGIN;\nLOCK TABLE items IN ACCESS EXCLUSIVE MODE;\n\\echo locked\n")
        assert self._psql.stdout is not None
        assert self._psql.stdout.readline().strip() == "locked"

    def _send(self, commands: str) -> None:
        assert self._psql.stdin is not None
        self._psql.stdin.write(commands)
        self._psql.stdin.flush()

    def release(self) -> None:
        if self._psql.poll() is None:
            self._send("ROLLBACK;\n\\q\n")
        self._psql.communicate(timeout=30)  # waits, and closes the pipes


def waiting_for_the_lock(database_url: str) -> int:
    """How many sessions wait for a lock on the database right now."""
    done = subprocess.run(
        [  # noqa: S607 - psql from PATH
            "psql",
            "-X",
            "-qtA",
            psql_url(database_url),
            "-c",
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE datname = current_database() AND wait_event_type = 'Lock'",
        ],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    return int(done.stdout.strip())


# --- the server --------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _stat(pid: int) -> tuple[int, int] | None:
    """(ppid, session id) of a process, or None when it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat[stat.rindex(")") + 2 :].split()
    return int(fields[1]), int(fields[3])


def _is_gunicorn(pid: int) -> bool:
    try:
        return b"gunicorn" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


@dataclass
class Served:
    make: subprocess.Popen[bytes]
    port: int
    database_url: str
    log: Path

    def processes(self) -> tuple[int | None, list[int]]:
        """(the Gunicorn master's pid, its workers' pids), from /proc."""
        ours = {}
        for entry in os.listdir("/proc"):
            if entry.isdigit() and (stat := _stat(int(entry))) and stat[1] == self.make.pid:
                ours[int(entry)] = stat[0]
        gunicorns = {pid for pid in ours if _is_gunicorn(pid)}
        masters = [pid for pid in gunicorns if ours[pid] not in gunicorns]
        if len(masters) != 1:
            return None, []
        return masters[0], sorted(pid for pid in gunicorns if ours[pid] == masters[0])

    @property
    def master(self) -> int:
        master, _ = self.processes()
        assert master is not None
        return master

    @property
    def workers(self) -> list[int]:
        return self.processes()[1]

    def connect(self) -> http.client.HTTPConnection:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        connection.connect()
        return connection

    def owner(self, connection: http.client.HTTPConnection) -> int | None:
        """The worker process holding the server side of ``connection`` (after a request)."""
        assert connection.sock is not None
        client_port = connection.sock.getsockname()[1]
        inode = None
        for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
            fields = line.split()
            local, remote = fields[1], fields[2]
            if (
                int(local.split(":")[1], 16) == self.port
                and int(remote.split(":")[1], 16) == client_port
            ):
                inode = fields[9]
        target = f"socket:[{inode}]"
        for pid in self.workers:
            with suppress(OSError):  # a descriptor closed while we look
                for fd in os.listdir(f"/proc/{pid}/fd"):
                    with suppress(OSError):
                        if os.readlink(f"/proc/{pid}/fd/{fd}") == target:
                            return pid
        return None

    @contextmanager
    def one_connection_per_worker(self) -> Iterator[dict[int, http.client.HTTPConnection]]:
        """Kept-alive connections, one owned by each worker (fresh connections are accepted
        by whichever worker gets there first: open them until every worker has one)."""
        pinned: dict[int, http.client.HTTPConnection] = {}
        workers = self.workers
        try:
            for _ in range(400):
                connection = self.connect()
                assert call(connection, "GET", "/health")[0] == 200
                owner = self.owner(connection)
                if owner is not None and owner not in pinned:
                    pinned[owner] = connection
                    if len(pinned) == len(workers):
                        break
                else:
                    connection.close()
            else:
                raise AssertionError(f"no connection reached each of the workers {workers}")
            yield pinned
        finally:
            for connection in pinned.values():
                connection.close()


def call(
    connection: http.client.HTTPConnection,
    method: str,
    path: str,
    *,
    body: dict[str, Any] | None = None,
    form: str | None = None,
    token: str | None = None,
) -> tuple[int, dict[str, str], Any]:
    headers = {}
    payload: str | None = None
    if body is not None:
        headers["Content-Type"] = "application/json"
        payload = json.dumps(body)
    elif form is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        payload = form
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    connection.request(method, path, body=payload, headers=headers)
    response = connection.getresponse()
    raw = response.read()
    answer = (
        json.loads(raw) if raw and "json" in (response.getheader("content-type") or "") else raw
    )
    return response.status, {k.lower(): v for k, v in response.getheaders()}, answer


def redis_url() -> str:
    """TEST_REDIS_URL's server, with this module's own database number."""
    parts = urlsplit(REDIS_ENV)
    return urlunsplit((parts.scheme, parts.netloc, f"/{REDIS_DB}", "", ""))


def serve_environment(port: int, database_url: str, runtime: str, **extra: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("TEST_", "RATE_LIMIT_", "DB_", "ADMIN_", "PASSWORD_HASH_"))
    }
    env.update(
        ENVIRONMENT="production",
        SECRET_KEY=SECRET,
        DATABASE_URL=database_url,
        REDIS_URL=redis_url(),
        HOST="127.0.0.1",
        PORT=str(port),
        WORKERS="2",
        REQUEST_TIMEOUT=str(REQUEST_TIMEOUT),
        # One database connection per worker: a connection a cancelled request kept would
        # leave its worker unable to answer anything that touches the database.
        DB_POOL_SIZE="1",
        DB_MAX_OVERFLOW="0",
        # Connections stay open between the steps of a test (see one_connection_per_worker).
        KEEPALIVE_TIMEOUT="120",
        HEADER_TIMEOUT="120",
        RATE_LIMIT_DEFAULT="10000/minute",
        RATE_LIMIT_REGISTER="1000/minute",
        RATE_LIMIT_LOGIN="3/minute",
        PASSWORD_HASH_MEMORY_KIB="8",
        PASSWORD_HASH_TIME_COST="1",
        PASSWORD_HASH_PARALLELISM="1",
        LOG_LEVEL="WARNING",
        XDG_RUNTIME_DIR=runtime,
        HOME=runtime,  # Gunicorn's control socket goes under it
    )
    env.pop("ALLOWED_ORIGINS", None)
    env.update(extra)
    return env


@contextmanager
def make_serve(log: Path, **extra: str) -> Iterator[Served]:
    """``make serve`` on a free port and a fresh database, until both workers answer."""
    with fresh_database() as database_url, tempfile.TemporaryDirectory() as runtime:
        port = free_port()
        with log.open("wb") as output:
            process = subprocess.Popen(
                ["make", "--no-print-directory", "serve"],  # noqa: S607 - make from PATH
                cwd=ROOT,
                env=serve_environment(port, database_url, runtime, **extra),
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        served = Served(process, port, database_url, log)
        try:
            _wait_until_up(served)
            yield served
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=60)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait()


def _wait_until_up(served: Served) -> None:
    deadline = time.monotonic() + STARTUP_BUDGET
    while time.monotonic() < deadline:
        assert served.make.poll() is None, served.log.read_text()
        if len(served.workers) == 2:
            with suppress(OSError):
                connection = served.connect()
                try:
                    if call(connection, "GET", "/ready")[0] == 200:
                        return
                finally:
                    connection.close()
        time.sleep(0.2)
    raise AssertionError(f"make serve did not come up:\n{served.log.read_text()}")


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    with make_serve(tmp_path_factory.mktemp("serve") / "serve.log") as running:
        yield running


@pytest.fixture
def pinned(served: Served) -> Iterator[dict[int, http.client.HTTPConnection]]:
    """One kept-alive connection per worker, keyed by the worker's pid."""
    with served.one_connection_per_worker() as connections:
        yield connections


@pytest.fixture(autouse=True)
def _empty_redis_db() -> Iterator[None]:
    """Rate-limit counters from an earlier test (or run) must not count in this one."""
    if not REDIS_ENV:
        yield
        return
    client = redis.Redis.from_url(redis_url())
    assert client.connection_pool.connection_kwargs["db"] == REDIS_DB
    try:
        client.flushdb()
        yield
    finally:
        client.close()


def register_and_login(connection: http.client.HTTPConnection, name: str) -> str:
    body = {"username": name, "email": f"{name}@example.com", "password": PASSWORD}
    assert call(connection, "POST", "/api/v1/auth/register", body=body)[0] == 201
    status, _, token = call(
        connection, "POST", "/api/v1/auth/token", form=f"username={name}&password={PASSWORD}"
    )
    assert status == 200, token
    return str(token["access_token"])


# --- the tests -------------------------------------------------------------------------------


def test_a_token_from_one_worker_works_on_the_other(
    served: Served, pinned: dict[int, http.client.HTTPConnection]
) -> None:
    first, second = sorted(pinned)
    assert first != second

    token = register_and_login(pinned[first], f"u{uuid.uuid4().hex[:10]}")
    status, _, me = call(pinned[second], "GET", "/api/v1/auth/me", token=token)

    assert status == 200
    assert served.owner(pinned[first]) == first  # each request was served where we think
    assert served.owner(pinned[second]) == second
    # And what one worker created, the other reads and changes with that token.
    status, _, item = call(
        pinned[second], "POST", "/api/v1/items", body={"name": "shared", "price": 1}, token=token
    )
    assert status == 201
    status, _, read = call(pinned[first], "GET", f"/api/v1/items/{item['id']}", token=token)
    assert (status, read["owner_id"]) == (200, me["id"])


def test_the_login_limit_holds_across_workers(
    served: Served, pinned: dict[int, http.client.HTTPConnection]
) -> None:
    """RATE_LIMIT_LOGIN=3/minute per client, counted in Redis: three failed logins spread over
    both workers use it up, so the fourth is 429 on either (with per-process counters the
    worker that saw one attempt would still answer 401)."""
    a, b = sorted(pinned)
    name = f"u{uuid.uuid4().hex[:10]}"
    wrong = f"username={name}&password=wrong-password"

    statuses = [call(pinned[w], "POST", "/api/v1/auth/token", form=wrong)[0] for w in (a, b, a)]
    assert statuses == [401, 401, 401]

    for worker in (b, a):
        status, headers, body = call(pinned[worker], "POST", "/api/v1/auth/token", form=wrong)
        assert status == 429, body
        assert int(headers["retry-after"]) >= 1
        assert set(body) == {"detail"}


def test_a_request_past_the_time_limit_answers_503_and_the_worker_lives_on(
    served: Served, pinned: dict[int, http.client.HTTPConnection]
) -> None:
    workers_before = served.workers
    lock = TableLock(served.database_url)
    try:
        # Three per worker, on a pool of one connection per worker: each must have given
        # its connection back, or the requests after the lock would find none.
        answers = [call(pinned[w], "GET", "/api/v1/items") for w in sorted(pinned) * 3]
    finally:
        lock.release()

    for status, headers, body in answers:
        assert status == 503
        assert body == {"detail": TIMEOUT_DETAIL}
        assert headers["retry-after"] == "1"
        assert headers["x-request-id"]
    assert served.workers == workers_before  # no worker died or was replaced
    for worker, connection in pinned.items():  # the same workers, on the same connections
        status, _, page = call(connection, "GET", "/api/v1/items")
        assert status == 200, page
        assert served.owner(connection) == worker
    assert waiting_for_the_lock(served.database_url) == 0


def test_sigterm_drains_in_flight_requests_before_exit(tmp_path: Path) -> None:
    """SIGTERM to the Gunicorn master while a request waits in the database: the listening
    socket closes at once, the request still completes with 200, and Gunicorn (so make)
    exits 0 within GRACEFUL_TIMEOUT."""
    graceful = 30
    log = tmp_path / "serve.log"
    with make_serve(log, REQUEST_TIMEOUT="60", GRACEFUL_TIMEOUT=str(graceful)) as server:
        lock = TableLock(server.database_url)
        answer: list[tuple[int, bytes]] = []

        def slow_request() -> None:
            connection = server.connect()
            try:
                connection.request("GET", "/api/v1/items")
                response = connection.getresponse()
                answer.append((response.status, response.read()))
            finally:
                connection.close()

        try:
            in_flight = threading.Thread(target=slow_request)
            in_flight.start()
            _until(lambda: waiting_for_the_lock(server.database_url) == 1, "the request waits")

            os.kill(server.master, signal.SIGTERM)
            _until(lambda: _refused(server.port), "new connections are refused")
        finally:
            lock.release()
        in_flight.join(timeout=graceful)
        assert answer, "the in-flight request got no answer"
        status, body = answer[0]
        assert status == 200, body
        assert json.loads(body) == []  # the page, from the fresh database
        assert server.make.wait(timeout=graceful + 30) == 0, log.read_text()
    assert "WORKER TIMEOUT" not in log.read_text()


def _refused(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=5):
            return False
    except ConnectionRefusedError:
        return True


def _until(condition: Any, what: str, budget: float = 30.0) -> None:
    deadline = time.monotonic() + budget
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"never happened: {what}")


def test_the_served_database_is_postgresql(served: Served) -> None:
    """The premise of the module: the workers really run on the fresh PostgreSQL database."""

    async def tables() -> set[str]:
        engine = create_engine(served.database_url, poolclass=NullPool)
        try:
            async with engine.connect() as connection:
                rows = await connection.execute(
                    text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
                )
                return {str(row[0]) for row in rows}
        finally:
            await engine.dispose()

    assert {"users", "items"} <= run_in_fresh_loop(tables)
