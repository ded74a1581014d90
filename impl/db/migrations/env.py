"""Alembic environment (async engines, run through a sync connection).

Two ways in:

* From code (``impl.db.migrate``): an open connection arrives in
  ``config.attributes["connection"]`` and the migrations run on it, inside the caller's
  transaction. This works under a running event loop (the app, the tests).
* From the alembic CLI at the repository root (configuration in pyproject's
  ``[tool.alembic]``): the URL is ``config.attributes["database_url"]``,
  else the ``sqlalchemy.url`` option (an ini file or ``[tool.alembic]``), else
  ``Settings().database_url`` (``DATABASE_URL``).
"""

from __future__ import annotations

import asyncio
import warnings
from typing import Any, Literal

from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.pool import NullPool

from impl.db.base import Base
from impl.db.database import create_engine
from impl.db.migrate import include_object_for
from impl.db.types import UTCDateTime

# Importing the models registers their tables on Base.metadata.
from impl.db import models  # noqa: F401  isort: skip

config = context.config
target_metadata = Base.metadata


def _render_item(type_: str, obj: Any, autogen_context: AutogenContext) -> str | Literal[False]:
    # Migrations must not import application code (it changes; migrations are frozen), so our
    # TypeDecorator is rendered as the column type it stands for.
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    if type_ == "type" and isinstance(obj, postgresql.JSONB):
        # The default rendering, `JSONB(astext_type=Text())`, misses the `sa.` prefix.
        autogen_context.imports.add("from sqlalchemy.dialects import postgresql")
        rendered = "postgresql.JSONB()"
        if "sqlite" in getattr(obj, "_variant_mapping", {}):
            rendered += '.with_variant(sa.JSON(), "sqlite")'
        return rendered
    return False


def _configure(dialect_name: str, **kwargs: Any) -> None:
    context.configure(
        target_metadata=target_metadata,
        render_item=_render_item,
        include_object=include_object_for(dialect_name),
        compare_type=True,
        **kwargs,
    )


def _database_url() -> str:
    url = config.attributes.get("database_url") or config.get_alembic_option("sqlalchemy.url")
    if url:
        return str(url)
    from impl.settings import Settings

    with warnings.catch_warnings():
        # Settings warns about a missing SECRET_KEY in development; irrelevant to migrations.
        warnings.simplefilter("ignore", RuntimeWarning)
        return Settings().database_url


def _run_on(connection: Connection) -> None:
    # SQLite cannot ALTER most things in place: batch mode recreates the table instead.
    dialect_name = connection.dialect.name
    _configure(dialect_name, connection=connection, render_as_batch=dialect_name == "sqlite")
    with context.begin_transaction():
        context.run_migrations()


async def _run_online() -> None:
    engine = create_engine(_database_url(), poolclass=NullPool)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(_run_on)
    finally:
        await engine.dispose()


def _run_offline() -> None:
    url = make_url(_database_url())
    _configure(
        url.get_backend_name(),
        url=url,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    _run_offline()
elif isinstance(connection := config.attributes.get("connection"), Connection):
    _run_on(connection)
else:
    asyncio.run(_run_online())
