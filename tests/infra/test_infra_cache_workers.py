"""The item cache with two workers (issue 10, item 4): two uvicorn processes on free loopback
ports share a scratch PostgreSQL database and Redis. A read through worker A fills the
cache; an update or delete through worker B is seen by A's very next read.

Needs TEST_DATABASE_URL (PostgreSQL: the test creates and drops a database of its own on that
server) and TEST_REDIS_URL (keys under a prefix of the test's own, removed afterwards).
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from redis.asyncio import Redis
from sqlalchemy import make_url, text
from sqlalchemy.pool import NullPool

from impl.db import create_engine
from tests.conftest import run_in_fresh_loop

ROOT = Path(__file__).resolve().parents[2]
DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")
REDIS_URL = os.environ.get("TEST_REDIS_URL", "")
SECRET = "two-workers-secret-key-that-is-long-enough-0123456789"
PASSWORD = "correct horse battery staple"
ITEM = {"name": "Lamp", "description": "Bright", "price": 1.0, "tags": ["light"]}

pytestmark = pytest.mark.skipif(
    not (DATABASE_URL.startswith("postgresql") and REDIS_URL),
    reason="needs TEST_DATABASE_URL (PostgreSQL) and TEST_REDIS_URL (issue 10)",
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Deployment:
    database_url: str
    prefix: str
    bases: list[str]


async def _admin(statement: str) -> None:
    engine = create_engine(
        make_url(DATABASE_URL).set(database="postgres").render_as_string(hide_password=False),
        poolclass=NullPool,
    )
    try:
        async with engine.connect() as connection:
            autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
            await autocommit.exec_driver_sql(statement)
    finally:
        await engine.dispose()


def _wait_until_up(base: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"the worker at {base} did not start")


async def _drop_keys(prefix: str) -> None:
    async with Redis.from_url(REDIS_URL) as redis:
        keys = [key async for key in redis.scan_iter(f"{prefix}*")]
        if keys:
            await redis.delete(*keys)


@pytest.fixture
def deployment() -> Iterator[Deployment]:
    """Sync (processes and the scratch database are set up outside the test's loop)."""
    name = f"cache_workers_{uuid.uuid4().hex[:10]}"
    url = make_url(DATABASE_URL).set(database=name).render_as_string(hide_password=False)
    prefix = f"test-{uuid.uuid4().hex[:12]}:"
    env = {
        **os.environ,
        "ENVIRONMENT": "test",
        "SECRET_KEY": SECRET,
        "DATABASE_URL": url,
        "REDIS_URL": REDIS_URL,
        "CACHE_KEY_PREFIX": prefix,
        "ITEM_CACHE_TTL": "60",
        "PASSWORD_HASH_MEMORY_KIB": "8",
        "PASSWORD_HASH_TIME_COST": "1",
        "PASSWORD_HASH_PARALLELISM": "1",
        "RATE_LIMIT_DEFAULT": "100000/minute",
        "RATE_LIMIT_LOGIN": "1000/minute",
        "RATE_LIMIT_REGISTER": "1000/minute",
        "LOG_LEVEL": "WARNING",
    }
    run_in_fresh_loop(lambda: _admin(f'CREATE DATABASE "{name}"'))
    processes: list[subprocess.Popen[bytes]] = []
    try:
        subprocess.run([sys.executable, "-m", "impl.db", "upgrade"], cwd=ROOT, env=env, check=True)
        bases = []
        for _ in range(2):
            port = free_port()
            command = [sys.executable, "-m", "uvicorn", "impl.main:app"]
            command += ["--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"]
            processes.append(subprocess.Popen(command, cwd=ROOT, env=env))
            bases.append(f"http://127.0.0.1:{port}")
        for base, process in zip(bases, processes, strict=True):
            _wait_until_up(base, process)
        yield Deployment(url, prefix, bases)
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        run_in_fresh_loop(lambda: _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        run_in_fresh_loop(lambda: _drop_keys(prefix))


@pytest.fixture
async def workers(deployment: Deployment) -> AsyncIterator[tuple[httpx.AsyncClient, ...]]:
    clients = [httpx.AsyncClient(base_url=base, timeout=30) for base in deployment.bases]
    try:
        yield tuple(clients)
    finally:
        for client in clients:
            await client.aclose()


async def _token(a: httpx.AsyncClient, b: httpx.AsyncClient) -> dict[str, str]:
    """Registered through A, logged in through B: the token works on both (shared secret)."""
    user = {"username": "owner", "email": "owner@example.com", "password": PASSWORD}
    assert (await a.post("/api/v1/auth/register", json=user)).status_code == 201
    response = await b.post("/api/v1/auth/token", data={"username": "owner", "password": PASSWORD})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


async def _behind_the_app(deployment: Deployment, item_id: int, name: str) -> None:
    engine = create_engine(deployment.database_url, poolclass=NullPool)
    try:
        async with engine.begin() as connection:
            await connection.execute(
                text("UPDATE items SET name = :name WHERE id = :id"), {"name": name, "id": item_id}
            )
    finally:
        await engine.dispose()


async def _create(client: httpx.AsyncClient, headers: dict[str, str]) -> dict[str, Any]:
    response = await client.post("/api/v1/items", json=ITEM, headers=headers)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_a_write_through_one_worker_is_read_at_once_through_the_other(
    deployment: Deployment, workers: tuple[httpx.AsyncClient, httpx.AsyncClient]
) -> None:
    a, b = workers
    headers = await _token(a, b)
    item = await _create(a, headers)
    url = f"/api/v1/items/{item['id']}"

    first = await a.get(url)  # A fills the shared cache
    assert first.status_code == 200
    async with Redis.from_url(REDIS_URL) as redis:
        assert await redis.exists(f"{deployment.prefix}v1:item:{{{item['id']}}}") == 1
    # Proof that reads are served from the cache, by both workers: a change made behind the
    # app's back is invisible to them.
    await _behind_the_app(deployment, item["id"], "Behind")
    assert (await a.get(url)).json()["name"] == "Lamp"
    assert (await b.get(url)).json()["name"] == "Lamp"

    # An update through B is what A reads next, every time.
    for round_ in range(10):
        body = {**ITEM, "name": f"Round {round_}", "price": float(round_ + 2)}
        response = await b.put(url, json=body, headers=headers)
        assert response.status_code == 200, response.text
        seen = await a.get(url, headers={"If-None-Match": first.headers["ETag"]})
        assert seen.status_code == 200
        assert seen.json() == response.json()
        assert (await a.get(url)).json()["name"] == f"Round {round_}"  # and now from the cache

    # A delete through B: A's next read is 404, also with an old ETag.
    assert (await b.delete(url, headers=headers)).status_code == 204
    assert (await a.get(url)).status_code == 404
    assert (await a.get(url, headers={"If-None-Match": first.headers["ETag"]})).status_code == 404


async def test_no_stale_read_while_both_workers_keep_reading(
    workers: tuple[httpx.AsyncClient, httpx.AsyncClient],
) -> None:
    """Readers on both workers keep missing and filling while B writes, so fills race the
    invalidations; after each acknowledged write, both workers read that version. (Timing
    decides whether a given run hits the race: tests/services/test_services_item_cache.py
    plays it step by step.)"""
    a, b = workers
    headers = await _token(a, b)
    item = await _create(a, headers)
    url = f"/api/v1/items/{item['id']}"
    stop = asyncio.Event()

    async def keep_reading(client: httpx.AsyncClient) -> int:
        reads = 0
        while not stop.is_set():
            assert (await client.get(url)).status_code == 200
            reads += 1
        return reads

    readers = [asyncio.create_task(keep_reading(c)) for c in (a, b, a, b)]
    try:
        for version in range(1, 31):
            body = {**ITEM, "price": float(version)}
            assert (await b.put(url, json=body, headers=headers)).status_code == 200
            assert (await a.get(url)).json()["price"] == version
            assert (await b.get(url)).json()["price"] == version
    finally:
        stop.set()
        counts = await asyncio.gather(*readers)
    assert all(count > 0 for count in counts)
