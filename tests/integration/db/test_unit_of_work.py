"""The SQL unit of work: one transaction, nothing kept without commit, safe to roll back at any point."""

from __future__ import annotations

import asyncio
from datetime import datetime

import pytest
from sqlalchemy import insert
from sqlalchemy.exc import StatementError
from sqlalchemy.ext.asyncio import AsyncEngine

from parcellocker.adapters.db.engine import make_engine
from parcellocker.adapters.db.tables import carriers
from parcellocker.adapters.db.unit_of_work import SqlUnitOfWork
from parcellocker.domain.accounts import Carrier, Principal, Role


async def test_nothing_is_kept_without_commit(engine: AsyncEngine) -> None:
    async with SqlUnitOfWork(engine) as uow:
        await uow.accounts.add_carrier(Carrier("carrier-1", "Carrier One"))
        assert await uow.accounts.get_carrier("carrier-1") is not None
    async with SqlUnitOfWork(engine) as uow:
        assert await uow.accounts.get_carrier("carrier-1") is None


async def test_rollback_after_commit_keeps_what_was_committed(engine: AsyncEngine) -> None:
    async with SqlUnitOfWork(engine) as uow:
        await uow.accounts.add_carrier(Carrier("carrier-1", "Carrier One"))
        await uow.commit()
        await uow.rollback()
        await uow.rollback()
    async with SqlUnitOfWork(engine) as uow:
        assert await uow.accounts.get_carrier("carrier-1") == Carrier("carrier-1", "Carrier One")


async def test_an_error_inside_leaves_nothing_written(engine: AsyncEngine) -> None:
    with pytest.raises(RuntimeError):
        async with SqlUnitOfWork(engine) as uow:
            await uow.accounts.add_carrier(Carrier("carrier-1", "Carrier One"))
            raise RuntimeError("use case failed")
    async with SqlUnitOfWork(engine) as uow:
        assert await uow.accounts.get_carrier("carrier-1") is None


async def test_a_naive_datetime_is_refused(engine: AsyncEngine) -> None:
    operator = Principal(Role.OPERATOR, "op-1")
    async with SqlUnitOfWork(engine) as uow:
        with pytest.raises(StatementError, match="naive datetime"):
            await uow.accounts.add_api_key("a" * 64, operator, datetime(2026, 3, 2, 9, 30))


async def test_a_read_only_unit_of_work_does_not_wait_for_a_writer(engine: AsyncEngine) -> None:
    async with SqlUnitOfWork(engine) as writer:
        await writer.accounts.add_carrier(Carrier("carrier-1", "Carrier One"))
        async with asyncio.timeout(5), SqlUnitOfWork(engine, read_only=True) as reader:
            assert await reader.accounts.get_carrier("carrier-1") is None  # not committed yet
        await writer.commit()
    async with SqlUnitOfWork(engine, read_only=True) as reader:
        assert await reader.accounts.get_carrier("carrier-1") is not None


async def test_writers_take_turns_and_all_of_them_commit(engine: AsyncEngine) -> None:
    async def add(n: int) -> None:
        async with SqlUnitOfWork(engine) as uow:
            await uow.accounts.add_carrier(Carrier(f"carrier-{n}", f"Carrier {n}"))
            await asyncio.sleep(0.001)
            await uow.commit()

    await asyncio.gather(*(add(n) for n in range(30)))
    async with SqlUnitOfWork(engine, read_only=True) as uow:
        found = [await uow.accounts.get_carrier(f"carrier-{n}") for n in range(30)]
    assert all(carrier is not None for carrier in found)


async def test_waiting_for_another_process_write_lock_leaves_the_event_loop_free(
    engine: AsyncEngine, database_kind: str
) -> None:
    if database_kind != "sqlite":
        pytest.skip("only SQLite has one write lock for the whole database")
    ticks = 0
    enough = asyncio.Event()

    async def tick() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.005)
            ticks += 1
            if ticks >= 20:
                enough.set()

    async def add_carrier() -> None:
        async with SqlUnitOfWork(engine) as uow:
            await uow.accounts.add_carrier(Carrier("carrier-2", "Carrier Two"))
            await uow.commit()

    ticker = asyncio.create_task(tick())
    async with engine.begin() as other_process:  # holds the write lock like another process would
        await other_process.execute(insert(carriers).values(id="carrier-1", name="Carrier One"))
        waiting = asyncio.create_task(add_carrier())
        await asyncio.sleep(0)  # the unit of work starts waiting for the lock
        ticks = 0
        enough.clear()
        # 20 ticks while it waits: the loop kept running (a loaded machine runs the ticker slowly, not never).
        await asyncio.wait_for(enough.wait(), 30)
        assert not waiting.done()
    await asyncio.wait_for(waiting, 5)
    ticker.cancel()
    async with SqlUnitOfWork(engine) as uow:
        assert await uow.accounts.get_carrier("carrier-1") is not None
        assert await uow.accounts.get_carrier("carrier-2") is not None


async def test_units_of_work_get_their_connection_in_the_order_they_asked(database_url: str) -> None:
    engine = make_engine(database_url, pool_size=2, max_overflow=0)  # room for one unit of work at a time
    entered: list[int] = []

    async def use(n: int) -> None:
        async with SqlUnitOfWork(engine) as uow:
            entered.append(n)
            await uow.accounts.get_carrier("carrier-1")
            await asyncio.sleep(0.002)

    try:
        tasks = []
        for n in range(12):
            tasks.append(asyncio.create_task(use(n)))
            await asyncio.sleep(0)  # each asks before the next is created
        await asyncio.gather(*tasks)
    finally:
        await engine.dispose()
    assert entered == list(range(12))
