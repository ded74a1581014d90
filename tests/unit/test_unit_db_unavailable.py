"""Which database errors mean "the database is away" (503) rather than a bug (500): issue 10."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import exc as sa_exc

from impl.db.errors import DatabaseUnavailableError, is_unavailable
from impl.errors import ServiceUnavailable


def _wrapped(error_class: type[sa_exc.DBAPIError], orig: BaseException) -> sa_exc.DBAPIError:
    return error_class("SELECT 1", None, orig)


@pytest.mark.parametrize(
    ("error", "dialect"),
    [
        (ConnectionRefusedError(111, "refused"), "postgresql"),
        (TimeoutError(), "postgresql"),
        (sa_exc.TimeoutError("QueuePool limit reached"), "postgresql"),  # DB_POOL_TIMEOUT
        (sa_exc.DisconnectionError("gone"), "postgresql"),
        (_wrapped(sa_exc.OperationalError, Exception("server closed")), "postgresql"),
        (_wrapped(sa_exc.InterfaceError, Exception("connection is closed")), "postgresql"),
        (_wrapped(sa_exc.DBAPIError, ConnectionResetError(104, "reset")), "postgresql"),
    ],
)
def test_connection_failures_are_unavailability(error: BaseException, dialect: str) -> None:
    assert is_unavailable(error, dialect)


@pytest.mark.parametrize(
    ("error", "dialect"),
    [
        (ValueError("a bug"), "postgresql"),
        (_wrapped(sa_exc.ProgrammingError, Exception("syntax error")), "postgresql"),
        (_wrapped(sa_exc.IntegrityError, Exception("duplicate key")), "postgresql"),
        # On SQLite an OperationalError is a local fault ("no such table"): a 500, not an outage.
        (_wrapped(sa_exc.OperationalError, sqlite3.OperationalError("no such table")), "sqlite"),
    ],
)
def test_other_errors_are_not(error: BaseException, dialect: str) -> None:
    assert not is_unavailable(error, dialect)


def test_the_error_is_the_contracts_503_with_retry_after() -> None:
    error = DatabaseUnavailableError()
    assert isinstance(error, ServiceUnavailable)
    assert error.status_code == 503
    assert error.detail == "Database unavailable; retry shortly"
    assert error.headers == {"Retry-After": "1"}
