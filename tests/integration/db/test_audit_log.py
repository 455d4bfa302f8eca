"""The audit log: chained at commit, never forked by concurrent writers, and a changed row shows."""

from __future__ import annotations

import asyncio
from datetime import timedelta, timezone

import pytest
from db_samples import START
from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from parcellocker.adapters.db.tables import audit_log, audit_queue
from parcellocker.adapters.db.unit_of_work import SqlUnitOfWork
from parcellocker.domain.audit import GENESIS_HASH, AuditEntry, AuditRecord, ChainBreak, verify_chain


def _record(n: int) -> AuditRecord:
    return AuditRecord(START + timedelta(seconds=n), "operator:op-1", "locker.added", f"L-{n}", {"n": str(n)})


async def _queued(engine: AsyncEngine) -> int:
    async with engine.connect() as connection:
        return int((await connection.execute(select(func.count()).select_from(audit_queue))).scalar_one())


async def _entries(engine: AsyncEngine) -> list[AuditEntry]:
    async with SqlUnitOfWork(engine) as uow:
        return [entry async for entry in uow.audit.entries()]


async def test_entries_are_chained_at_commit_in_order(engine: AsyncEngine) -> None:
    async with SqlUnitOfWork(engine) as uow:
        await uow.audit.append(_record(1))
        await uow.audit.append(_record(2))
        assert [entry async for entry in uow.audit.entries()] == []  # queued, not yet written
        await uow.commit()
    async with SqlUnitOfWork(engine) as uow:
        await uow.audit.append(_record(3))
        await uow.commit()
    entries = await _entries(engine)
    assert await _queued(engine) == 0
    assert [(e.seq, e.record) for e in entries] == [(1, _record(1)), (2, _record(2)), (3, _record(3))]
    assert entries[0].prev_hash == GENESIS_HASH
    assert [e.prev_hash for e in entries[1:]] == [e.hash for e in entries[:-1]]
    assert verify_chain(entries) is None


async def test_rolled_back_entries_are_never_written(engine: AsyncEngine) -> None:
    async with SqlUnitOfWork(engine) as uow:
        await uow.audit.append(_record(1))
        await uow.rollback()
    async with SqlUnitOfWork(engine) as uow:
        await uow.audit.append(_record(2))
    assert await _entries(engine) == []


async def test_a_time_in_another_zone_is_kept_and_hashed_as_utc(engine: AsyncEngine) -> None:
    warsaw_summer = timezone(timedelta(hours=2))
    async with SqlUnitOfWork(engine) as uow:
        await uow.audit.append(AuditRecord(START.astimezone(warsaw_summer), "system:cli", "operator.added", "op", {}))
        await uow.commit()
    (entry,) = await _entries(engine)
    assert entry.record.at == START and entry.record.at.utcoffset() == timedelta(0)
    assert verify_chain([entry]) is None


async def test_concurrent_units_of_work_never_fork_the_chain(engine: AsyncEngine) -> None:
    async def append_two(n: int) -> None:
        async with SqlUnitOfWork(engine) as uow:
            await uow.audit.append(_record(2 * n))
            await asyncio.sleep(0)
            await uow.audit.append(_record(2 * n + 1))
            await uow.commit()

    await asyncio.gather(*(append_two(n) for n in range(50)))
    entries = await _entries(engine)
    assert [e.seq for e in entries] == list(range(1, 101))
    assert sorted(int(e.record.details["n"]) for e in entries) == list(range(100))
    assert verify_chain(entries) is None


async def test_verify_chain_finds_a_row_changed_in_the_database(engine: AsyncEngine) -> None:
    async with SqlUnitOfWork(engine) as uow:
        for n in range(1, 5):
            await uow.audit.append(_record(n))
        await uow.commit()
    assert verify_chain(await _entries(engine)) is None
    async with engine.begin() as connection:
        await connection.execute(update(audit_log).where(audit_log.c.seq == 3).values(details={"n": "tampered"}))
    broken = verify_chain(await _entries(engine))
    assert broken == ChainBreak(3, "its content was changed after it was written")


async def test_records_left_queued_by_a_process_that_died_are_chained_before_the_log_is_read(
    engine: AsyncEngine, database_kind: str
) -> None:
    if database_kind == "sqlite":
        pytest.skip("SQLite chains records inside the committing transaction: nothing is ever queued")
    async with SqlUnitOfWork(engine) as uow:
        await uow.audit.append(_record(1))
        await uow.commit()
    orphan = _record(2)
    async with engine.begin() as connection:
        await connection.execute(
            insert(audit_queue).values(
                at=orphan.at, actor=orphan.actor, action=orphan.action, subject=orphan.subject, details=orphan.details
            )
        )
    entries = await _entries(engine)
    assert [(e.seq, e.record) for e in entries] == [(1, _record(1)), (2, orphan)]
    assert verify_chain(entries) is None
    assert await _queued(engine) == 0
