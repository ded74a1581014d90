"""Database helpers that need no database: the UTC type, SQLite paths, error translation."""

from __future__ import annotations

import sqlite3
import uuid
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy.engine import Dialect, make_url
from sqlalchemy.exc import IntegrityError

from impl.db import UTCDateTime
from impl.db.database import is_sqlite, prepare_sqlite_file
from impl.db.errors import (
    ForeignKeyViolationError,
    IntegrityViolationError,
    UniqueViolationError,
    translate,
)
from impl.services import UNSET, Actor, UserChanges

PLUS_TWO = timezone(timedelta(hours=2))


def _dialect(name: str) -> Dialect:
    return make_url(f"{name}://").get_dialect()()


SQLITE = _dialect("sqlite")
POSTGRESQL = _dialect("postgresql")


class TestUTCDateTime:
    def test_naive_datetimes_are_refused(self) -> None:
        naive = datetime.now(UTC).replace(tzinfo=None)

        with pytest.raises(ValueError, match="naive"):
            UTCDateTime().process_bind_param(naive, SQLITE)

    def test_stored_as_utc_and_naive_on_sqlite(self) -> None:
        value = datetime(2026, 1, 1, 12, 0, tzinfo=PLUS_TWO)

        stored = UTCDateTime().process_bind_param(value, SQLITE)

        assert stored == datetime(2026, 1, 1, 10, 0, tzinfo=UTC).replace(tzinfo=None)

    def test_stored_as_aware_utc_on_postgresql(self) -> None:
        value = datetime(2026, 1, 1, 12, 0, tzinfo=PLUS_TWO)

        stored = UTCDateTime().process_bind_param(value, POSTGRESQL)

        assert stored == value
        assert stored is not None
        assert stored.tzinfo is UTC

    def test_read_back_aware_utc_on_both(self) -> None:
        from_sqlite = datetime(2026, 1, 1, 10, 0, tzinfo=UTC).replace(tzinfo=None)
        from_postgres = datetime(2026, 1, 1, 12, 0, tzinfo=PLUS_TWO)

        for value, dialect in (
            (from_sqlite, SQLITE),
            (from_postgres, POSTGRESQL),
        ):
            result = UTCDateTime().process_result_value(value, dialect)
            assert result == datetime(2026, 1, 1, 10, 0, tzinfo=UTC)
            assert result is not None
            assert result.tzinfo is UTC

    def test_none_passes_through(self) -> None:
        assert UTCDateTime().process_bind_param(None, SQLITE) is None
        assert UTCDateTime().process_result_value(None, SQLITE) is None


class TestSqliteFile:
    def test_creates_the_missing_directories(self, tmp_path: Path) -> None:
        target = tmp_path / "var" / "nested" / "app.db"

        prepare_sqlite_file(f"sqlite+aiosqlite:///{target}")

        assert target.parent.is_dir()
        assert not target.exists()  # the driver creates the file itself

    @pytest.mark.parametrize(
        "url",
        [
            "sqlite+aiosqlite://",
            "sqlite+aiosqlite:///:memory:",
            "postgresql+asyncpg://postgres@127.0.0.1/db",
        ],
    )
    def test_leaves_non_file_databases_alone(self, url: str) -> None:
        prepare_sqlite_file(url)

    def test_is_sqlite(self) -> None:
        assert is_sqlite("sqlite+aiosqlite:///./var/app.db")
        assert not is_sqlite("postgresql+asyncpg://postgres@127.0.0.1/db")


class _PgError(Exception):
    def __init__(self, sqlstate: str) -> None:
        super().__init__(f"sqlstate {sqlstate}")
        self.sqlstate = sqlstate


class TestTranslate:
    @pytest.mark.parametrize(
        ("orig", "expected"),
        [
            (_PgError("23505"), UniqueViolationError),
            (_PgError("23503"), ForeignKeyViolationError),
            (_PgError("23502"), IntegrityViolationError),
            (sqlite3.IntegrityError("UNIQUE constraint failed: users.x"), UniqueViolationError),
            (sqlite3.IntegrityError("FOREIGN KEY constraint failed"), ForeignKeyViolationError),
            (sqlite3.IntegrityError("NOT NULL constraint failed: x"), IntegrityViolationError),
        ],
    )
    def test_kinds(self, orig: Exception, expected: type[IntegrityViolationError]) -> None:
        translated = translate(IntegrityError("INSERT ...", {}, orig))

        assert type(translated) is expected


class TestActor:
    def test_admin_scope_makes_an_admin(self) -> None:
        assert Actor(uuid.uuid4(), frozenset({"admin"})).is_admin
        assert not Actor(uuid.uuid4(), frozenset({"items:write", "users:write"})).is_admin


class TestUserChanges:
    def test_nothing_given_by_default(self) -> None:
        assert UserChanges().given == frozenset()

    def test_none_is_given_unset_is_not(self) -> None:
        changes = UserChanges(full_name=None, email=UNSET, is_active=False)

        assert changes.given == {"full_name", "is_active"}
