"""The server's own defences (impl/http/server.py, issue 8), on real sockets.

The app is the real one (``create_app`` on a temporary SQLite file), served by uvicorn with
``server_options`` in this test's event loop; clients are asyncio streams, so nothing blocks
the loop the server runs in. The budgets below (how long a client keeps trickling) are many
times the configured deadlines: they end a test that would otherwise hang, and nothing is
asserted about durations.
"""

from __future__ import annotations

import asyncio
import importlib.util
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from impl.app import create_app
from impl.db import create_engine
from impl.db.migrate import upgrade
from impl.http.server import server_options
from impl.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
SECRET = "test-secret-key-that-is-long-enough-for-hs256"
CHEAP_HASH = {
    "password_hash_memory_kib": 8,
    "password_hash_time_cost": 1,
    "password_hash_parallelism": 1,
}
# uvicorn's two HTTP protocols, each extended in impl/http/server.py: httptools' is what
# `make run` and `make serve` use whenever it is installed.
HTTP_FLAVOURS = ["h11"] + (["httptools"] if importlib.util.find_spec("httptools") else [])

Serve = Callable[..., Awaitable[int]]


@pytest.fixture
async def database_file(tmp_path: Path) -> str:
    url = f"sqlite+aiosqlite:///{tmp_path / 'server.db'}"
    engine = create_engine(url)
    try:
        await upgrade(engine, "head")
    finally:
        await engine.dispose()
    return url


@pytest.fixture
async def serve(database_file: str) -> AsyncIterator[Serve]:
    """``await serve(**settings)``: the app on a free port, with the server's defences."""
    async with AsyncExitStack() as stack:

        async def start(*, http: str = "h11", **overrides: Any) -> int:
            values: dict[str, Any] = {
                "environment": "test",
                "secret_key": SECRET,
                "database_url": database_file,
                "redis_url": None,
                "allowed_origins": [],
                **CHEAP_HASH,
                **overrides,
            }
            settings = Settings(_env_file=None, **values)  # type: ignore[call-arg, unused-ignore]
            app = create_app(settings)
            config = uvicorn.Config(
                app,
                host="127.0.0.1",
                port=0,
                log_config=None,
                **server_options(settings, http=http),
            )
            server = uvicorn.Server(config)
            task = asyncio.create_task(server.serve())

            async def stop() -> None:
                server.should_exit = True
                await task

            stack.push_async_callback(stop)
            for _ in range(500):
                if server.started or task.done():
                    break
                await asyncio.sleep(0.01)
            assert server.started
            port: int = server.servers[0].sockets[0].getsockname()[1]
            return port

        yield start


async def closed_by_server(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bytes:
    """What the server sent before closing the connection (b"" when it said nothing)."""
    try:
        return await asyncio.wait_for(reader.read(), timeout=15)
    except ConnectionError:  # reset, or our last write found it closed: nothing was said
        return b""
    finally:
        writer.close()


async def trickle(writer: asyncio.StreamWriter, pieces: list[bytes], pause: float) -> bool:
    """Send the pieces slowly; False as soon as the server has closed the connection."""
    for piece in pieces:
        if writer.transport.is_closing():
            return False
        try:
            writer.write(piece)
            await writer.drain()
        except ConnectionError:
            return False
        await asyncio.sleep(pause)
    return not writer.transport.is_closing()


@pytest.mark.parametrize("http", HTTP_FLAVOURS)
class TestSlowClients:
    """Issue 8: idle, trickling-header and partial-body connections stayed open 75 s+."""

    async def test_trickled_headers_are_cut_off(self, serve: Serve, http: str) -> None:
        port = await serve(http=http, header_timeout=0.5)
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        head = [b"GET /health HTTP/1.1\r\nHost: x\r\n"] + [b"X-Slow: 1\r\n"] * 100
        assert await trickle(writer, head, pause=0.1) is False
        assert await closed_by_server(reader, writer) == b""

    async def test_an_idle_connection_is_closed(self, serve: Serve, http: str) -> None:
        port = await serve(http=http, header_timeout=0.5)
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        assert await closed_by_server(reader, writer) == b""

    async def test_a_trickled_body_is_cut_off(self, serve: Serve, http: str) -> None:
        port = await serve(http=http, body_timeout=0.5)
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        head = (
            b"POST /api/v1/auth/register HTTP/1.1\r\nHost: x\r\n"
            b"Content-Type: application/json\r\nContent-Length: 500\r\n\r\n"
        )
        assert await trickle(writer, [head] + [b" "] * 100, pause=0.1) is False
        assert await closed_by_server(reader, writer) == b""

    async def test_an_oversized_head_is_refused(self, serve: Serve, http: str) -> None:
        port = await serve(http=http, max_header_bytes=4096)
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"GET /health HTTP/1.1\r\nHost: x\r\n" + b"X-Big: " + b"a" * 8192 + b"\r\n")
        answer = await closed_by_server(reader, writer)
        assert not answer.startswith(b"HTTP/1.1 200")

    async def test_prompt_clients_are_served_and_kept_alive(self, serve: Serve, http: str) -> None:
        port = await serve(http=http, header_timeout=0.5, body_timeout=0.5)
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            for _ in range(3):
                assert (await client.get("/health")).status_code == 200
            body = {"username": "prompt", "email": "p@example.com", "password": "p" * 10}
            assert (await client.post("/api/v1/auth/register", json=body)).status_code == 201


@pytest.mark.parametrize("http", HTTP_FLAVOURS)
async def test_connections_beyond_the_cap_are_closed_and_the_others_served(
    serve: Serve, http: str
) -> None:
    port = await serve(http=http, max_connections=2)
    first = await asyncio.open_connection("127.0.0.1", port)
    second = await asyncio.open_connection("127.0.0.1", port)
    await asyncio.sleep(0.05)  # let the server accept both before the third arrives
    third_reader, third_writer = await asyncio.open_connection("127.0.0.1", port)
    assert await closed_by_server(third_reader, third_writer) == b""
    for reader, writer in (first, second):
        writer.write(b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        assert (await closed_by_server(reader, writer)).startswith(b"HTTP/1.1 200")


class TestProxyHeaders:
    """Issue 8: X-Forwarded-For was believed from 127.0.0.1, so a local client could rotate
    its apparent address and escape every per-client limit."""

    async def register_three(self, port: int) -> list[int]:
        statuses = []
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            for n in range(3):
                body = {"username": f"proxy{n}", "email": f"p{n}@example.com", "password": "p" * 10}
                response = await client.post(
                    "/api/v1/auth/register", json=body, headers={"X-Forwarded-For": f"10.9.9.{n}"}
                )
                statuses.append(response.status_code)
        return statuses

    async def test_not_believed_by_default(self, serve: Serve) -> None:
        port = await serve(rate_limit_register="2/minute")
        assert await self.register_three(port) == [201, 201, 429]

    async def test_believed_from_a_configured_proxy(self, serve: Serve) -> None:
        port = await serve(rate_limit_register="2/minute", forwarded_allow_ips="127.0.0.1")
        assert await self.register_three(port) == [201, 201, 201]


def run_make(
    target: str, env: dict[str, str], cwd: Path = ROOT
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["make", "--no-print-directory", target],  # noqa: S607 - make from PATH
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def clean_environment(**extra: str) -> dict[str, str]:
    """The test's environment without any of the app's settings, plus ``extra``."""
    names = set(Settings.model_fields) | {"ENVIRONMENT"}
    env = {k: v for k, v in os.environ.items() if k.lower() not in names}
    env.update(extra)
    return env


class TestMakeServe:
    """Issue 8: ``make serve`` started in development mode without SECRET_KEY, and each
    Gunicorn worker invented its own key (a third to a half of the requests with a valid
    token got 401)."""

    def test_refuses_to_start_without_a_secret_key(self, tmp_path: Path) -> None:
        env = clean_environment(DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'x.db'}")
        result = run_make("serve", env)
        assert result.returncode != 0
        assert "SECRET_KEY is required outside ENVIRONMENT=development" in result.stderr
        assert not (tmp_path / "x.db").exists()  # refused before migrating anything

    def test_a_short_key_is_refused_without_printing_it(self, tmp_path: Path) -> None:
        env = clean_environment(
            DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'x.db'}",
            SECRET_KEY="short-TAIL-key-1234",
            ADMIN_PASSWORD="hunter2-admin-password",
        )
        result = run_make("serve", env)
        assert result.returncode != 0
        assert "SECRET_KEY must be at least 32 bytes" in result.stderr
        for secret in ("short-TAIL-key-1234", "TAIL", "hunter2"):
            assert secret not in result.stdout + result.stderr

    def test_runs_in_production_by_default_where_a_cors_wildcard_is_refused(
        self, tmp_path: Path
    ) -> None:
        env = clean_environment(
            DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'x.db'}",
            SECRET_KEY="a-production-key-that-is-long-enough-0123456789",
            ALLOWED_ORIGINS="*",
        )
        result = run_make("serve", env)
        assert result.returncode != 0
        assert "ALLOWED_ORIGINS may contain '*' only in development" in result.stderr
        # Told otherwise, it is development (where the wildcard is allowed).
        result = run_make("check-settings", {**env, "ENVIRONMENT": "development"})
        assert result.returncode == 0, result.stderr
        assert "ENVIRONMENT=development" in result.stdout

    def test_every_worker_signs_with_the_same_key_even_without_one(self, tmp_path: Path) -> None:
        """Development mode, no SECRET_KEY, two workers: every request with a token is 200."""
        with tempfile.TemporaryDirectory() as runtime:
            port = _free_port()
            env = clean_environment(
                ENVIRONMENT="development",
                DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'serve.db'}",
                PORT=str(port),
                WORKERS="2",
                PASSWORD_HASH_MEMORY_KIB="8",
                PASSWORD_HASH_TIME_COST="1",
                PASSWORD_HASH_PARALLELISM="1",
                XDG_RUNTIME_DIR=runtime,
                HOME=runtime,  # Gunicorn's control socket goes under it
            )
            server = subprocess.Popen(
                ["make", "--no-print-directory", "serve"],  # noqa: S607 - make from PATH
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
            )
            try:
                statuses = _requests_with_one_token(port)
            finally:
                os.killpg(server.pid, 15)
                server.wait(timeout=60)
        assert statuses == [200] * 20


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _requests_with_one_token(port: int) -> list[int]:
    base = f"http://127.0.0.1:{port}"
    with httpx.Client(base_url=base, timeout=10) as client:
        for _ in range(600):  # up to a minute for Gunicorn and both workers to start
            try:
                if client.get("/health").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        body = {"username": "alice", "email": "a@example.com", "password": "correct horse"}
        assert client.post("/api/v1/auth/register", json=body).status_code == 201
        form = {"username": "alice", "password": "correct horse"}
        token = client.post("/api/v1/auth/token", data=form).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}", "Connection": "close"}
        # New connections, so that both workers answer some of them.
        return [client.get("/api/v1/auth/me", headers=headers).status_code for _ in range(20)]


def test_python_m_impl_serve_check_names_the_problem_not_the_value() -> None:
    env = clean_environment(ENVIRONMENT="production", ADMIN_PASSWORD="hunter2-admin-password")
    result = subprocess.run(
        [sys.executable, "-m", "impl.serve", "--check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "SECRET_KEY is required" in result.stderr
    assert "hunter2" not in result.stderr
