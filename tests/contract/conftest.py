"""Fixtures for the in-process Schemathesis run (see harness.py for the machinery).

Session-scoped: one fresh database (a temporary SQLite file, or a new PostgreSQL database on
the server of TEST_DATABASE_URL) and the ``ContractRun`` around ``SCHEMA`` (harness.py), whose
auth hook registers Alice through the API and sends her token. Function-scoped: the app
(``create_app`` with the contract settings). Requests reach it through Schemathesis' ASGI
transport (``app=``), which starts the app's lifespan; Schemathesis' pytest plugin ends every
lifespan when a test ends, so each test gets an app of its own (on the same database).
Every example starts from ``reset()``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
from schemathesis import Case
from schemathesis.auths import AuthContext

from impl.app import create_app
from tests.contract.checks import use_scopeless_token
from tests.contract.harness import (
    ALICE,
    SCHEMA,
    ContractRun,
    FreshDatabase,
    LoopThread,
    contract_settings,
)


@pytest.fixture(scope="session")
def contract_loop() -> Iterator[LoopThread]:
    loop = LoopThread()
    yield loop
    loop.close()


@pytest.fixture(scope="session")
def contract_database(
    contract_loop: LoopThread, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[FreshDatabase]:
    database = FreshDatabase(
        contract_loop,
        server_url=os.environ.get("TEST_DATABASE_URL"),
        directory=tmp_path_factory.mktemp("contract"),
    )
    yield database
    database.drop()


@pytest.fixture(scope="session")
def contract_session(
    contract_loop: LoopThread, contract_database: FreshDatabase
) -> Iterator[ContractRun]:
    run = ContractRun(SCHEMA, contract_loop, contract_database.url)
    use_scopeless_token(run.scopeless_token)

    # The auth hook: Alice is registered and logged in through the API on first use (and her
    # token is checked against /auth/me); every generated request carries her bearer token.
    @SCHEMA.auth(refresh_interval=None)
    class AliceToken:
        def get(self, case: Case[Any], context: AuthContext) -> str:
            return run.account(ALICE).token

        def set(self, case: Case[Any], data: str, context: AuthContext) -> None:
            case.headers["Authorization"] = f"Bearer {data}"

    yield run
    SCHEMA.auth.unregister()
    run.close()


@pytest.fixture
def contract_run(contract_session: ContractRun, contract_database: FreshDatabase) -> ContractRun:
    contract_session.app = create_app(contract_settings(contract_database.url))
    return contract_session
