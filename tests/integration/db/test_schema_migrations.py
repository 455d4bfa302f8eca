"""The migrations shipped in the package build exactly the schema of tables.py."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Column, MetaData, Text, inspect, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from parcellocker.adapters.db.engine import make_engine
from parcellocker.adapters.db.migrate import MIGRATIONS, current, head, upgrade
from parcellocker.adapters.db.tables import metadata
from parcellocker.adapters.db.unit_of_work import SqlUnitOfWork
from parcellocker.domain.accounts import Carrier


def _differences(connection: Connection, target: MetaData) -> list[Any]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, target))


async def _compare(engine: AsyncEngine, target: MetaData) -> list[Any]:
    async with engine.connect() as connection:
        return await connection.run_sync(_differences, target)


def test_migrations_are_found_inside_the_package() -> None:
    assert (MIGRATIONS / "env.py").is_file()
    assert (MIGRATIONS / "script.py.mako").is_file()
    assert head() == "0013"


async def test_upgrade_builds_an_empty_database_to_head(fresh_database: Any, database_kind: str) -> None:
    url = await fresh_database(database_kind, migrated=False)
    assert current(url) is None
    upgrade(url)
    assert current(url) == head()
    upgrade(url)  # a second upgrade finds nothing to do
    assert current(url) == head()
    engine = make_engine(url)
    try:
        async with engine.connect() as connection:
            tables = await connection.run_sync(lambda sync: set(inspect(sync).get_table_names()))
        assert set(metadata.tables) <= tables
    finally:
        await engine.dispose()


async def test_migrated_schema_matches_tables_exactly(engine: AsyncEngine) -> None:
    assert await _compare(engine, metadata) == []


async def test_the_comparison_notices_a_column_the_migrations_lack(engine: AsyncEngine) -> None:
    changed = MetaData(naming_convention=metadata.naming_convention)
    for table in metadata.tables.values():
        table.to_metadata(changed)
    changed.tables["lockers"].append_column(Column("colour", Text, nullable=True))
    differences = await _compare(engine, changed)
    assert [(d[0], d[3].name) for d in differences] == [("add_column", "colour")]


async def test_sqlite_file_and_its_folder_are_created_by_upgrade(tmp_path: Any) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'var' / 'nested' / 'parcellocker.db'}"
    upgrade(url)
    assert current(url) == head()
    engine = make_engine(url)
    try:
        async with SqlUnitOfWork(engine) as uow:
            await uow.accounts.add_carrier(Carrier("carrier-1", "Carrier One"))
            await uow.commit()
        async with engine.connect() as connection:
            journal = (await connection.execute(text("PRAGMA journal_mode"))).scalar()
            foreign_keys = (await connection.execute(text("PRAGMA foreign_keys"))).scalar()
        assert (journal, foreign_keys) == ("wal", 1)
    finally:
        await engine.dispose()


def test_an_in_memory_sqlite_database_is_refused() -> None:
    with pytest.raises(ValueError, match="use a SQLite file"):
        make_engine("sqlite+aiosqlite:///:memory:")


async def test_two_servers_upgrading_at_once_both_succeed(fresh_database: Any, database_kind: str) -> None:
    url = await fresh_database(database_kind, migrated=False)
    script = "import sys; from parcellocker.adapters.db.migrate import upgrade; upgrade(sys.argv[1])"
    servers = [
        await asyncio.create_subprocess_exec(sys.executable, "-c", script, url, stderr=asyncio.subprocess.PIPE)
        for _ in range(2)
    ]
    outcomes = [await server.communicate() for server in servers]
    assert [server.returncode for server in servers] == [0, 0], [err.decode()[-2000:] for _, err in outcomes]
    assert current(url) == head()


def test_asking_a_missing_sqlite_file_for_its_revision_does_not_create_it(tmp_path: Path) -> None:
    missing = tmp_path / "nothing-here.db"
    assert current(f"sqlite+aiosqlite:///{missing}") is None
    assert not missing.exists()
