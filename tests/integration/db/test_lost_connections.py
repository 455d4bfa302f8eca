"""A connection the database ended (a restart, an administrator) is replaced, not handed out again."""

from __future__ import annotations

import asyncpg
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from parcellocker.adapters.db.driver_statements import DriverConnection
from parcellocker.adapters.db.unit_of_work import SqlUnitOfWork
from parcellocker.domain.accounts import Carrier


async def test_a_connection_the_database_ended_is_not_used_again(
    engine: AsyncEngine, database_url: str, database_kind: str
) -> None:
    if database_kind == "sqlite":
        pytest.skip("SQLite has no server to end a connection")
    async with SqlUnitOfWork(engine) as uow:
        await uow.accounts.add_carrier(Carrier("carrier-1", "Carrier One"))
        connection = uow._open()
        assert isinstance(connection, DriverConnection)
        backend = connection.raw.get_server_pid()
        await uow.commit()
    admin = await asyncpg.connect(database_url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        assert await admin.fetchval("SELECT pg_terminate_backend($1)", backend)
    finally:
        await admin.close()

    found = []
    for _ in range(2):  # the first may still meet the ended connection; it must not stay in the pool
        try:
            async with SqlUnitOfWork(engine) as uow:
                found.append(await uow.accounts.get_carrier("carrier-1"))
        except (asyncpg.PostgresConnectionError, asyncpg.InterfaceError, asyncpg.InternalClientError, OSError):
            continue
    assert found[-1:] == [Carrier("carrier-1", "Carrier One")]
    async with SqlUnitOfWork(engine) as uow:
        assert await uow.accounts.get_carrier("carrier-1") == Carrier("carrier-1", "Carrier One")
