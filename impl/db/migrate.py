"""Apply the Alembic migrations from code: ``make migrate``, ``make run``, the tests.

    await migrate(settings.database_url)          # async callers (app startup, fixtures)
    upgrade_to_head(settings.database_url)        # sync callers without a running loop
    python -m impl.db upgrade                     # the command line (DATABASE_URL)

On PostgreSQL the whole upgrade runs in one transaction under an advisory lock, so several
processes starting at once (e.g. gunicorn workers) apply it once and the others wait.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final, Literal

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.pool import NullPool

from .database import create_engine

__all__ = [
    "MIGRATIONS_DIR",
    "alembic_config",
    "current_revision",
    "downgrade",
    "head_revision",
    "include_object_for",
    "migrate",
    "upgrade",
    "upgrade_to_head",
]

MIGRATIONS_DIR: Final = Path(__file__).resolve().parent / "migrations"

# pg_advisory_xact_lock key: any constant unique to this application.
_MIGRATION_LOCK_KEY: Final = 0x5EED_0003


def alembic_config() -> Config:
    """An Alembic ``Config`` pointing at our migrations, independent of the working directory."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def include_object_for(dialect_name: str) -> Callable[[Any, str | None, str, bool, Any], bool]:
    """Alembic's ``include_object`` filter for autogenerate/compare on ``dialect_name``.

    Objects that exist on one backend only (the GIN index on items.tags) carry
    ``info={"only_on": <dialect>}``: autogenerate does not know about ``Index.ddl_if()``.
    """

    def include_object(
        obj: Any, _name: str | None, _type: str, _reflected: bool, _compare_to: Any
    ) -> bool:
        only_on = getattr(obj, "info", {}).get("only_on")
        return only_on is None or only_on == dialect_name

    return include_object


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


async def upgrade(bind: AsyncEngine | AsyncConnection, revision: str = "head") -> None:
    """Upgrade the database behind ``bind``; an engine gets its own transaction."""
    await _run(bind, "upgrade", revision)


async def downgrade(bind: AsyncEngine | AsyncConnection, revision: str = "base") -> None:
    await _run(bind, "downgrade", revision)


async def current_revision(bind: AsyncEngine | AsyncConnection) -> str | None:
    def read(connection: Connection) -> str | None:
        return MigrationContext.configure(connection).get_current_revision()

    if isinstance(bind, AsyncConnection):
        return await bind.run_sync(read)
    async with bind.connect() as connection:
        return await connection.run_sync(read)


async def migrate(database_url: str, *, revision: str = "head") -> None:
    """Upgrade the database at ``database_url`` (to head by default)."""
    engine = create_engine(database_url, poolclass=NullPool)
    try:
        await upgrade(engine, revision)
    finally:
        await engine.dispose()


def upgrade_to_head(database_url: str) -> None:
    """``migrate()`` for synchronous callers; there must be no running event loop."""
    asyncio.run(migrate(database_url))


async def _run(
    bind: AsyncEngine | AsyncConnection, direction: Literal["upgrade", "downgrade"], revision: str
) -> None:
    def run(connection: Connection) -> None:
        if connection.dialect.name == "postgresql":
            connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_MIGRATION_LOCK_KEY})")
        config = alembic_config()
        config.attributes["connection"] = connection
        if direction == "upgrade":
            command.upgrade(config, revision)
        else:
            command.downgrade(config, revision)

    if isinstance(bind, AsyncConnection):
        await bind.run_sync(run)
        return
    async with bind.begin() as connection:
        await connection.run_sync(run)
