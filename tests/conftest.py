"""Fixtures shared by the whole suite.

Database
--------
SQLite by default (a temporary file); PostgreSQL when ``TEST_DATABASE_URL`` is set
(``postgresql+asyncpg://postgres@127.0.0.1:5432/<db>``; the suite owns that database: it resets
the schema at the start and downgrades it to base at the end).

* ``database_url`` (session): the URL above.
* ``migrated_database_url`` (session): the same, once the Alembic migrations have built the
  schema (downgrade to base, then upgrade to head), so every run tests the migrations.
* ``db_connection``: a connection inside an outer transaction that is rolled back after the
  test. ``db``: a ``Database`` bound to it; every ``db.transaction()`` (the services', the
  factories') is a SAVEPOINT in that outer transaction, so commits are real to the code under
  test and nothing survives the test. Give ``db`` to whatever needs a ``Database`` (services,
  an app under test) and the isolation follows.
* ``settings``: a ``Settings`` for tests (cheap argon2, a 32+ byte secret, the test URL),
  independent of the environment and of any ``.env``.
* ``hasher`` (session, cheap argon2) and ``codec``: what the services need besides ``db``.

Every async fixture here is function-scoped (so it runs on the test's event loop); the
session-scoped migration runs on its own loop in a worker thread.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Final, TypeVar

import pytest
from pydantic import SecretStr
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.pool import NullPool

from impl.db import Database, create_engine
from impl.db.migrate import downgrade, upgrade
from impl.http import flush_logs
from impl.security import PasswordHasher, TokenCodec
from impl.settings import Settings
from tests.factories import TEST_HASH_COST
from tests.factories import TEST_SECRET as TEST_SECRET  # re-exported (tests/api imports it)

TEST_DATABASE_URL_ENV: Final = "TEST_DATABASE_URL"

_T = TypeVar("_T")


def run_in_fresh_loop(main: Callable[[], Coroutine[Any, Any, _T]]) -> _T:
    """Run a coroutine to completion on a new event loop in a worker thread (from sync code,
    without disturbing the loops pytest-asyncio manages)."""
    with ThreadPoolExecutor(max_workers=1) as executor:
        return executor.submit(asyncio.run, main()).result()


async def _rebuild_schema(url: str) -> None:
    engine = create_engine(url, poolclass=NullPool)
    try:
        await downgrade(engine, "base")  # a leftover schema from an aborted run
        await upgrade(engine, "head")
    finally:
        await engine.dispose()


async def _drop_schema(url: str) -> None:
    engine = create_engine(url, poolclass=NullPool)
    try:
        await downgrade(engine, "base")
    finally:
        await engine.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = os.environ.get(TEST_DATABASE_URL_ENV)
    if url:
        return url
    return f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


@pytest.fixture(scope="session")
def migrated_database_url(database_url: str) -> Iterator[str]:
    run_in_fresh_loop(lambda: _rebuild_schema(database_url))
    yield database_url
    run_in_fresh_loop(lambda: _drop_schema(database_url))  # the downgrade is tested too
    flush_logs()  # its log lines are written by a thread: before pytest stops capturing


@pytest.fixture
async def db_connection(migrated_database_url: str) -> AsyncIterator[AsyncConnection]:
    engine = create_engine(migrated_database_url, poolclass=NullPool)
    try:
        async with engine.connect() as connection:
            outer = await connection.begin()
            try:
                yield connection
            finally:
                if outer.is_active:
                    await outer.rollback()
    finally:
        await engine.dispose()


@pytest.fixture
def db(db_connection: AsyncConnection) -> Database:
    return Database(db_connection)


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(
        # pydantic-settings init option: ignore any .env (mypy needs the ignore without the
        # pydantic plugin and reports it unused with it).
        _env_file=None,  # type: ignore[call-arg, unused-ignore]
        environment="test",
        database_url=database_url,
        secret_key=SecretStr(TEST_SECRET),
        password_hash_memory_kib=TEST_HASH_COST["memory_kib"],
        password_hash_time_cost=TEST_HASH_COST["time_cost"],
        password_hash_parallelism=TEST_HASH_COST["parallelism"],
        allowed_origins=[],
        redis_url=None,
        admin_username=None,
        admin_email=None,
        admin_password=None,
    )


@pytest.fixture(scope="session")
def hasher() -> Iterator[PasswordHasher]:
    running = PasswordHasher(**TEST_HASH_COST)
    yield running
    running.close()


@pytest.fixture
def codec(settings: Settings) -> TokenCodec:
    return TokenCodec.from_settings(settings)


# --- CI strictness ----------------------------------------------------------------------------
# .ci/run sets REQUIRE_SHARED=1 (tests that need ../shared must not skip: CI always has it) and,
# for its PostgreSQL run, FAIL_ON_SKIP=1 (nothing may skip there: a skipped PostgreSQL suite is
# a failed CI). A user's clone without ../shared or PostgreSQL still skips, with the reason.


def _skip_is_failure(reason: str) -> bool:
    if os.environ.get("FAIL_ON_SKIP") == "1":
        return True
    return os.environ.get("REQUIRE_SHARED") == "1" and "../shared" in reason


def _fail_skip(report: pytest.TestReport | pytest.CollectReport) -> None:
    if not report.skipped:
        return
    longrepr = report.longrepr
    reason = longrepr[2] if isinstance(longrepr, tuple) else str(longrepr)
    if _skip_is_failure(reason):
        report.outcome = "failed"
        report.longrepr = f"skipped where CI forbids it: {reason}"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    _fail_skip(report)
    return report


@pytest.hookimpl(wrapper=True)
def pytest_make_collect_report(collector: pytest.Collector) -> Any:
    report = yield
    _fail_skip(report)
    return report
