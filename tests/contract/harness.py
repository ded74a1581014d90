"""The in-process Schemathesis run's machinery: a fresh database, accounts, reset, ownership.

    FreshDatabase      a database nobody else uses: a temporary SQLite file, or (when
                       TEST_DATABASE_URL is set) a new PostgreSQL database on that server,
                       built with the Alembic migrations and dropped afterwards
    ContractRun        the app's accounts (registered and logged in through the API), the reset
                       that runs before every example, and the ownership check
    SCHEMA             the contract as Schemathesis sees it, with the suite's configuration;
                       importing this module also registers the checks of checks.py

SCHEMA is loaded when the test module is imported (``generated.SPEC``, which is what the app
serves as /openapi.json): Schemathesis' lazy ``from_fixture`` loader does not work with pytest
9.2 (it sets ``Function._nodeid``, which pytest no longer has). Requests reach the app in
process because every call passes ``app=`` (Schemathesis' ASGI transport).

The app runs on Schemathesis' own event-loop thread (its ASGI transport starts the lifespan);
the reset talks to the database from a second loop thread of ours, with its own engine. The
two never run at once: the reset happens between requests.
"""

from __future__ import annotations

import asyncio
import threading
import uuid
from collections.abc import Coroutine, Mapping
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, TypeVar

import schemathesis
from pydantic import SecretStr
from schemathesis import Case
from schemathesis.config import SchemathesisConfig
from schemathesis.core.transport import Response
from schemathesis.schemas import BaseSchema
from sqlalchemy import Table, delete, select, text, update
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.pool import NullPool

from generated import SPEC
from impl.db import Base, create_engine
from impl.db.migrate import upgrade
from impl.settings import Settings
from tests.contract import checks  # noqa: F401  (registers the custom checks)

__all__ = [
    "ADMIN",
    "ALICE",
    "BOB",
    "FORM",
    "JSON",
    "SCHEMA",
    "SEED",
    "SUITE_CONFIG",
    "Account",
    "ContractRun",
    "Credentials",
    "FreshDatabase",
    "LoopThread",
    "contract_settings",
]

_T = TypeVar("_T")

SEED: Final = 20261126
SECRET: Final = "contract-run-secret-key-for-hs256-32-bytes-or-more"
JSON: Final = "application/json"
FORM: Final = "application/x-www-form-urlencoded"
ITEM_ID_MAX: Final = 2**63 - 1


# The in-suite run: phases examples, coverage and fuzzing per operation; stateful in a test of
# its own. Bounded so that the whole run takes a couple of minutes on two cores; `make fuzz`
# (scripts/fuzz.py) is the longer run against a live server.
SUITE_CONFIG: Final[dict[str, Any]] = {
    "seed": SEED,
    "generation": {
        "mode": "all",
        "max-examples": 50,
        "deterministic": True,  # Hypothesis' derandomize: the same examples on every run
        "database": "none",  # no example database: nothing carried over from earlier runs
    },
    "phases": {
        "examples": {"enabled": True},
        "coverage": {"enabled": True},
        "fuzzing": {"enabled": True},
        "stateful": {"enabled": True, "max-steps": 8},
    },
    # No max_response_time: a test never fails on timing (a loaded CI machine is not a defect).
    "checks": {"enabled": True},
    "cache": {"enabled": False},
}
SCHEMA: Final = schemathesis.openapi.from_dict(
    SPEC, config=SchemathesisConfig.from_dict(SUITE_CONFIG)
)


@dataclass(frozen=True, slots=True)
class Credentials:
    username: str
    email: str
    password: str


# Alice is the identity every generated request carries; Bob is the other user, whose
# PUT/DELETE on Alice's things must be refused; the admin comes from the ADMIN_* bootstrap.
ALICE: Final = Credentials("contract_alice", "alice@example.com", "alice-password-1")
BOB: Final = Credentials("contract_bob", "bob@example.com", "bob-password-12")
ADMIN: Final = Credentials("contract_admin", "admin@example.com", "admin-password-1")


@dataclass(frozen=True, slots=True)
class Account:
    credentials: Credentials
    user_id: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def contract_settings(database_url: str, **overrides: Any) -> Settings:
    """ENVIRONMENT=test, a 32+ byte secret, argon2 at its cheapest, and rate limits that a run
    never reaches (one test lowers the login limit on purpose). Nothing from the environment."""
    values: dict[str, Any] = {
        "environment": "test",
        "database_url": database_url,
        "secret_key": SecretStr(SECRET),
        "password_hash_memory_kib": 8,
        "password_hash_time_cost": 1,
        "password_hash_parallelism": 1,
        "rate_limit_default": "1000000/minute",
        "rate_limit_login": "1000000/minute",
        "rate_limit_register": "1000000/minute",
        "redis_url": None,
        "allowed_origins": [],
        "log_level": "WARNING",
        "admin_username": ADMIN.username,
        "admin_email": ADMIN.email,
        "admin_password": SecretStr(ADMIN.password),
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg, unused-ignore]


class LoopThread:
    """An event loop in a daemon thread, for async database work from synchronous tests."""

    def __init__(self) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()

    def run(self, coroutine: Coroutine[Any, Any, _T]) -> _T:
        future: Future[_T] = asyncio.run_coroutine_threadsafe(coroutine, self._loop)
        return future.result()

    def close(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join()
        self._loop.close()


class FreshDatabase:
    """A database for one run, migrated to head; ``drop()`` removes it.

    PostgreSQL: ``CREATE DATABASE contract_<random>`` on the server of ``server_url`` (the
    connecting role needs CREATEDB), so the suite's own test database is never touched.
    """

    def __init__(self, loop: LoopThread, *, server_url: str | None, directory: Path) -> None:
        self._loop = loop
        self._server_url = server_url
        self._name: str | None = None
        if server_url:
            self._name = f"contract_{uuid.uuid4().hex[:12]}"
            self.url = make_url(server_url).set(database=self._name).render_as_string(False)
            loop.run(self._admin(f'CREATE DATABASE "{self._name}"'))
        else:
            self.url = f"sqlite+aiosqlite:///{directory / 'contract.db'}"
        loop.run(self._migrate())

    async def _migrate(self) -> None:
        engine = create_engine(self.url, poolclass=NullPool)
        try:
            await upgrade(engine)
        finally:
            await engine.dispose()

    async def _admin(self, statement: str) -> None:
        assert self._server_url is not None
        engine = create_engine(self._server_url, poolclass=NullPool)
        try:
            async with engine.connect() as connection:
                autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
                await autocommit.execute(text(statement))
        finally:
            await engine.dispose()

    def drop(self) -> None:
        if self._name is not None:
            self._loop.run(self._admin(f'DROP DATABASE IF EXISTS "{self._name}" WITH (FORCE)'))


class ContractRun:
    """Accounts, reset and the ownership check for one Schemathesis schema bound to the app."""

    def __init__(self, schema: BaseSchema, loop: LoopThread, database_url: str) -> None:
        self.schema = schema
        self.database_url = database_url
        self.app: Any = None  # the current test's app (conftest: ``contract_run``)
        self._loop = loop
        self._engine: AsyncEngine = loop.run(_make_engine(database_url))
        self._accounts: dict[str, Account] = {}
        self._scopeless: Account | None = None
        self._snapshot: list[dict[str, Any]] = []
        self._lock = threading.Lock()

    # ---- accounts --------------------------------------------------------------------------

    def account(self, who: Credentials) -> Account:
        """The account, registered (Alice, Bob) and logged in through the API on first use.
        The first call also snapshots the three accounts' rows, which ``reset`` restores."""
        with self._lock:
            if not self._accounts:
                for credentials in (ALICE, BOB):
                    self._register(credentials)
                for credentials in (ALICE, BOB, ADMIN):
                    self._accounts[credentials.username] = self._login(credentials)
                # Asking for a scope Alice does not have gets a token with none at all.
                # Bob's: the pinned cases change Alice's password, which ends her older tokens.
                self._scopeless = self._login(BOB, scope="admin")
                self._snapshot = self._loop.run(self._read_accounts())
            return self._accounts[who.username]

    def scopeless_token(self) -> str:
        """A valid token of Bob's that carries no scope (for ``checks.scopes_enforced``)."""
        self.account(ALICE)
        assert self._scopeless is not None
        return self._scopeless.token

    def _register(self, who: Credentials) -> None:
        body = {"username": who.username, "email": who.email, "password": who.password}
        response = self.send("POST", "/api/v1/auth/register", body=body)
        if response.status_code != 201:
            raise RuntimeError(
                f"registering {who.username}: {response.status_code} {response.text}"
            )

    def _login(self, who: Credentials, *, scope: str | None = None) -> Account:
        form = {"username": who.username, "password": who.password}
        if scope is not None:
            form["scope"] = scope
        response = self.send("POST", "/api/v1/auth/token", body=form, media_type=FORM)
        if response.status_code != 200:
            raise RuntimeError(f"logging in {who.username}: {response.status_code} {response.text}")
        token = str(response.json()["access_token"])
        # A token that does not work would turn every secured case into a 401 that passes
        # every check (STACK-NOTES: missing auth is only a warning): refuse to go on.
        answer = self.send("GET", "/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
        if answer.status_code != 200:
            raise RuntimeError(f"the token of {who.username} does not work: {answer.status_code}")
        return Account(who, str(answer.json()["id"]), token)

    def case(
        self,
        method: str,
        path: str,
        *,
        path_parameters: Mapping[str, Any] | None = None,
        query: Mapping[str, Any] | None = None,
        body: Any = None,
        headers: Mapping[str, str] | None = None,
        media_type: str = JSON,
    ) -> Case[Any]:
        """A hand-made case for an operation of the contract (no generated data, no auth hook)."""
        operation = self.schema[path][method]
        kwargs: dict[str, Any] = {}
        if body is not None:
            kwargs.update(body=body, media_type=media_type)
        return operation.Case(
            path_parameters=dict(path_parameters or {}),
            query=dict(query or {}),
            headers=dict(headers or {}),
            **kwargs,
        )

    def send(self, method: str, path: str, **kwargs: Any) -> Response:
        """Send ``case(method, path, **kwargs)`` to the app."""
        return self.case(method, path, **kwargs).call(app=self.app)

    # ---- reset -----------------------------------------------------------------------------

    def reset(self) -> None:
        """Back to the state right after the accounts were made: no items, no other users,
        the accounts' rows as they were, item ids counting from 1 again. Run before every
        example and every stateful scenario, so that no state leaks between them."""
        self.account(ALICE)
        self._loop.run(self._reset())

    async def _read_accounts(self) -> list[dict[str, Any]]:
        users = _table("users")
        names = [who.username for who in (ALICE, BOB, ADMIN)]
        async with self._engine.connect() as connection:
            result = await connection.execute(select(users).where(users.c.username.in_(names)))
            return [dict(row) for row in result.mappings()]

    async def _reset(self) -> None:
        users, items = _table("users"), _table("items")
        keep = [row["id"] for row in self._snapshot]
        async with self._engine.begin() as connection:
            await connection.execute(delete(items))
            await connection.execute(delete(users).where(users.c.id.not_in(keep)))
            for row in self._snapshot:
                await connection.execute(update(users).where(users.c.id == row["id"]).values(row))
            if connection.dialect.name == "sqlite":
                await connection.execute(text("DELETE FROM sqlite_sequence WHERE name = 'items'"))
            else:
                await connection.execute(
                    text("SELECT setval(pg_get_serial_sequence('items', 'id'), 1, false)")
                )

    def close(self) -> None:
        self._loop.run(self._engine.dispose())

    # ---- ownership -------------------------------------------------------------------------

    def check_ownership(self, ctx: Any, response: Response, case: Case[Any]) -> bool | None:
        """Issue 4, beyond Schemathesis' own checks: whenever a response shows an item or a user
        profile that is not Bob's, Bob's PUT and DELETE on it are 403 and change nothing; when it
        shows that an item id does not exist, Bob's PUT and DELETE on that id are 404."""
        del ctx  # the signature Schemathesis calls checks with
        bob = self.account(BOB)
        key = (case.method.upper(), case.operation.path)
        status = response.status_code
        if key in _ITEM_RESPONSES and status in (200, 201):
            item = response.json()
            if isinstance(item, dict) and item.get("owner_id") != bob.user_id:
                self._assert_item_guarded(bob, int(item["id"]))
        elif key in _ITEM_PATHS and status in (204, 404):
            item_id = (case.path_parameters or {}).get("item_id")
            if (
                isinstance(item_id, int)
                and not isinstance(item_id, bool)
                and 1 <= item_id <= ITEM_ID_MAX
                and (status == 204 or _is_not_found(response))
            ):
                self._assert_item_missing(bob, item_id)
        elif key in _USER_RESPONSES and status in (200, 201):
            user = response.json()
            if isinstance(user, dict) and user.get("id") not in (None, bob.user_id):
                self._assert_profile_guarded(bob, str(user["id"]))
        return None

    def _assert_item_guarded(self, bob: Account, item_id: int) -> None:
        path = {"item_id": item_id}
        before = self.send("GET", "/api/v1/items/{item_id}", path_parameters=path)
        replacement = {"name": "taken by bob", "price": 1.0, "tags": ["bob"]}
        put = self.send(
            "PUT",
            "/api/v1/items/{item_id}",
            path_parameters=path,
            body=replacement,
            headers=bob.headers,
        )
        remove = self.send(
            "DELETE", "/api/v1/items/{item_id}", path_parameters=path, headers=bob.headers
        )
        after = self.send("GET", "/api/v1/items/{item_id}", path_parameters=path)
        _expect(put, 403, f"Bob's PUT on item {item_id}, which he does not own")
        _expect(remove, 403, f"Bob's DELETE on item {item_id}, which he does not own")
        _expect_unchanged(before, after, f"item {item_id}")

    def _assert_item_missing(self, bob: Account, item_id: int) -> None:
        path = {"item_id": item_id}
        replacement = {"name": "taken by bob", "price": 1.0}
        put = self.send(
            "PUT",
            "/api/v1/items/{item_id}",
            path_parameters=path,
            body=replacement,
            headers=bob.headers,
        )
        remove = self.send(
            "DELETE", "/api/v1/items/{item_id}", path_parameters=path, headers=bob.headers
        )
        _expect(put, 404, f"Bob's PUT on item {item_id}, which does not exist")
        _expect(remove, 404, f"Bob's DELETE on item {item_id}, which does not exist")

    def _assert_profile_guarded(self, bob: Account, user_id: str) -> None:
        path = {"user_id": user_id}
        before = self.send(
            "GET", "/api/v1/users/{user_id}", path_parameters=path, headers=bob.headers
        )
        if before.status_code == 404:
            return  # the response showed a user since deleted (an admin's run): nothing to guard
        put = self.send(
            "PUT",
            "/api/v1/users/{user_id}",
            path_parameters=path,
            body={"full_name": "Bob was here"},
            headers=bob.headers,
        )
        remove = self.send(
            "DELETE", "/api/v1/users/{user_id}", path_parameters=path, headers=bob.headers
        )
        after = self.send(
            "GET", "/api/v1/users/{user_id}", path_parameters=path, headers=bob.headers
        )
        _expect(put, 403, f"Bob's PUT on the profile of user {user_id}")
        _expect(remove, 403, f"Bob's DELETE on user {user_id}")
        _expect_unchanged(before, after, f"user {user_id}")


_ITEM_RESPONSES: Final = frozenset(
    {
        ("POST", "/api/v1/items"),
        ("GET", "/api/v1/items/{item_id}"),
        ("PUT", "/api/v1/items/{item_id}"),
    }
)
_ITEM_PATHS: Final = frozenset(
    {
        ("GET", "/api/v1/items/{item_id}"),
        ("PUT", "/api/v1/items/{item_id}"),
        ("DELETE", "/api/v1/items/{item_id}"),
    }
)
_USER_RESPONSES: Final = frozenset(
    {
        ("POST", "/api/v1/auth/register"),
        ("GET", "/api/v1/auth/me"),
        ("GET", "/api/v1/users/{user_id}"),
        ("PUT", "/api/v1/users/{user_id}"),
    }
)


def _table(name: str) -> Table:
    return Base.metadata.tables[name]


async def _make_engine(url: str) -> AsyncEngine:
    # Created on the loop thread: asyncpg connections belong to the loop that opened them.
    return create_engine(url, pool_size=1, max_overflow=0)


def _is_not_found(response: Response) -> bool:
    """A 404 from the item route itself (not an unmatched path): the contract's Error body."""
    try:
        body = response.json()
    except ValueError:
        return False
    return isinstance(body, dict) and isinstance(body.get("detail"), str)


def _expect(response: Response, status: int, what: str) -> None:
    if response.status_code != status:
        raise AssertionError(
            f"{what}: expected {status}, got {response.status_code} {response.text[:300]}"
        )


def _expect_unchanged(before: Response, after: Response, what: str) -> None:
    if (before.status_code, before.content) != (after.status_code, after.content):
        raise AssertionError(
            f"{what} changed after another user's refused PUT/DELETE:\n"
            f"  before: {before.status_code} {before.text[:300]}\n"
            f"  after:  {after.status_code} {after.text[:300]}"
        )
