"""Rows written together in one statement come back exactly as rows written one by one."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from db_samples import START, history_of
from sqlalchemy.exc import StatementError
from sqlalchemy.ext.asyncio import AsyncEngine

from parcellocker.adapters.db.transaction import Transaction
from parcellocker.adapters.db.transitions import TransitionLog
from parcellocker.adapters.db.unit_of_work import SqlUnitOfWork
from parcellocker.domain.events import Actor, ActorKind, Transition

COURIER = Actor(ActorKind.COURIER, "courier-1")


def a_transition(n: int, at: datetime = START) -> Transition:
    return Transition("shipment", "shp-1", f"state-{n}", f"state-{n + 1}", at + timedelta(seconds=n), COURIER,
                      f"step {n}", {"n": str(n)})  # fmt: skip


async def write(engine: AsyncEngine, *transitions: Transition) -> None:
    async with SqlUnitOfWork(engine) as uow:
        log = TransitionLog(Transaction(uow._open()))
        log.take(list(transitions))
        await log.write_queued()
        await uow.commit()


@pytest.mark.parametrize("count", [1, 3, 60])
async def test_transitions_written_together_come_back_in_order_with_their_types(
    engine: AsyncEngine, count: int
) -> None:
    written = [a_transition(n) for n in range(count)]
    await write(engine, *written)
    assert await history_of(engine, "shipment", "shp-1") == written


async def test_a_naive_datetime_in_any_row_of_a_bulk_write_is_refused(engine: AsyncEngine) -> None:
    with pytest.raises(StatementError, match="naive datetime"):
        await write(engine, a_transition(0), a_transition(1, at=START.replace(tzinfo=None)))
    assert await history_of(engine, "shipment", "shp-1") == []
