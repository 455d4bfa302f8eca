"""On PostgreSQL a unit of work leaves its connection for the next one instead of giving it back to the pool: the
next one gets it open and outside any transaction, the pool keeps one free for others, and the engine's disposal
closes what was kept."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from parcellocker.adapters.db.driver_statements import DriverConnection
from parcellocker.adapters.db.engine import make_engine, unit_of_work_capacity
from parcellocker.adapters.db.kept_connections import kept_connections
from parcellocker.adapters.db.unit_of_work import SqlUnitOfWork
from parcellocker.domain.accounts import Carrier


@pytest.fixture
def postgres_engine(engine: AsyncEngine, database_kind: str) -> AsyncEngine:
    if database_kind == "sqlite":
        pytest.skip("SQLite units of work take a connection of their own (engine.py)")
    return engine


async def _server_pid(engine: AsyncEngine) -> int:
    async with SqlUnitOfWork(engine) as uow:
        connection = uow._open()
        assert isinstance(connection, DriverConnection)
        pid: int = connection.raw.get_server_pid()
        return pid


async def test_the_next_unit_of_work_gets_the_same_connection_outside_any_transaction(
    postgres_engine: AsyncEngine,
) -> None:
    async with SqlUnitOfWork(postgres_engine) as uow:
        await uow.accounts.add_carrier(Carrier("carrier-1", "Carrier One"))
        connection = uow._open()
        assert isinstance(connection, DriverConnection) and connection.raw.is_in_transaction()
        # left without a commit: rolled back before it is kept
    async with SqlUnitOfWork(postgres_engine) as uow:
        again = uow._open()
        assert isinstance(again, DriverConnection)
        assert again.raw is connection.raw and not again.raw.is_in_transaction() and not again.begun
        assert await uow.accounts.get_carrier("carrier-1") is None
    assert postgres_engine.sync_engine.pool.checkedout() == 1  # type: ignore[attr-defined]  # the one kept


async def test_no_more_are_kept_than_units_of_work_run_at_once_so_the_pool_has_one_for_others(
    postgres_engine: AsyncEngine,
) -> None:
    capacity = unit_of_work_capacity(postgres_engine)
    assert capacity is not None
    at_once = asyncio.Barrier(capacity)

    async def unit_of_work() -> None:
        async with SqlUnitOfWork(postgres_engine) as uow:
            await uow.accounts.get_carrier("nobody")
            await at_once.wait()  # all of them hold a connection together

    await asyncio.gather(*(unit_of_work() for _ in range(capacity)))
    assert len(kept_connections(postgres_engine, capacity)) == capacity
    async with asyncio.timeout(5), postgres_engine.connect() as other:  # the health check's way, past the gate
        assert await other.scalar(text("SELECT 1")) == 1


async def test_a_kept_connection_the_database_ended_is_replaced(
    postgres_engine: AsyncEngine, database_url: str
) -> None:
    backend = await _server_pid(postgres_engine)
    admin = await asyncpg.connect(database_url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        assert await admin.fetchval("SELECT pg_terminate_backend($1)", backend)
        for _ in range(50):  # until the kept connection has seen its end
            if not await admin.fetchval("SELECT count(*) FROM pg_stat_activity WHERE pid = $1", backend):
                break
            await asyncio.sleep(0.02)
    finally:
        await admin.close()
    await asyncio.sleep(0.05)  # the kept connection reads the server's goodbye

    found = []
    for _ in range(2):  # the first may still meet the ended connection; it must not be kept
        try:
            found.append(await _server_pid(postgres_engine))
        except (asyncpg.PostgresConnectionError, asyncpg.InterfaceError, OSError):
            continue
    assert found and found[-1] != backend


async def test_a_connection_kept_past_its_time_goes_back_to_the_pool(postgres_engine: AsyncEngine) -> None:
    first = await _server_pid(postgres_engine)
    capacity = unit_of_work_capacity(postgres_engine)
    assert capacity is not None
    kept = kept_connections(postgres_engine, capacity)
    kept.keep_for = 0.0
    await _server_pid(postgres_engine)  # taken from what was kept, then given back to the pool: too old
    assert len(kept) == 0
    assert postgres_engine.sync_engine.pool.checkedout() == 0  # type: ignore[attr-defined]
    assert await _server_pid(postgres_engine) == first  # the pool's, the same backend: only kept no longer


async def test_disposing_of_the_engine_closes_the_connections_kept(database_url: str, database_kind: str) -> None:
    if database_kind == "sqlite":
        pytest.skip("SQLite units of work take a connection of their own (engine.py)")
    engine = make_engine(database_url)
    async with SqlUnitOfWork(engine) as uow:
        connection = uow._open()
        assert isinstance(connection, DriverConnection)
    assert not connection.raw.is_closed()
    await engine.dispose()
    assert connection.raw.is_closed()
