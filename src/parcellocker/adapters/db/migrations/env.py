"""Alembic's entry point: runs the migrations on the database named by the `database_url` attribute."""

from __future__ import annotations

import asyncio
import zlib

from alembic import context
from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from parcellocker.adapters.db.engine import SQLITE_BEGIN, make_engine
from parcellocker.adapters.db.tables import metadata

MIGRATION_LOCK = zlib.crc32(b"parcellocker.migrations")


def _database_url() -> str:
    url = context.config.attributes.get("database_url") or context.config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError("no database URL: run migrations through parcellocker.adapters.db.migrate")
    return str(url)


def _migrate(connection: Connection) -> None:
    sqlite = connection.dialect.name == "sqlite"
    context.configure(
        connection=connection,
        target_metadata=metadata,
        compare_type=True,
        render_as_batch=sqlite,  # SQLite alters a table by copying it
        transactional_ddl=True,  # on SQLite too: our own BEGIN IMMEDIATE (below) makes DDL transactional there
    )
    with context.begin_transaction():
        if not sqlite:  # two servers starting at once: the second waits, then finds nothing left to do
            connection.execute(select(func.pg_advisory_xact_lock(MIGRATION_LOCK)))
        context.run_migrations()


async def _migrate_online() -> None:
    engine = make_engine(_database_url())  # the server's own settings: pragmas, our own BEGIN, folder created
    try:
        async with engine.connect() as connection:
            if engine.dialect.name == "sqlite":
                connection = await connection.execution_options(**{SQLITE_BEGIN: "IMMEDIATE"})
            await connection.run_sync(_migrate)
    finally:
        await engine.dispose()


if context.is_offline_mode():
    context.configure(url=_database_url(), target_metadata=metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    asyncio.run(_migrate_online())
