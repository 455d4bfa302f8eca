"""Lockers and compartments: round trips, claiming the right free compartment, optimistic versions."""

from __future__ import annotations

import asyncio

import pytest
from db_samples import START, a_locker, add_locker_and_carrier, history_of
from sqlalchemy.ext.asyncio import AsyncEngine
from statement_log import StatementLog

from parcellocker.adapters.db.unit_of_work import SqlUnitOfWork
from parcellocker.domain.compartment import CompartmentState, DoorState, PendingAction
from parcellocker.domain.errors import ConcurrencyConflict
from parcellocker.domain.events import Actor, ActorKind
from parcellocker.domain.locker import Locker, LockerStatus
from parcellocker.domain.sizes import Dimensions, Size

COURIER = Actor(ActorKind.COURIER, "courier-1")


async def test_locker_comes_back_with_its_compartments_in_number_order(engine: AsyncEngine) -> None:
    locker = a_locker("L-7", "S:3,M:2,XL:1")
    locker.latitude, locker.longitude, locker.status = 52.2297, 21.0122, LockerStatus.ONLINE
    locker.opening_hours = "Mon-Sat 6:00-22:00"
    locker.inner_dimensions = {Size.S: Dimensions(90, 400, 600), Size.M: Dimensions(200, 400, 600)}
    await add_locker_and_carrier(engine, locker)
    async with SqlUnitOfWork(engine) as uow:
        found = await uow.lockers.get("L-7")
        assert await uow.lockers.exists("L-7")
        assert not await uow.lockers.exists("L-8")
        assert await uow.lockers.get("L-8") is None
    assert found is not None
    assert (found.name, found.address, found.timezone) == ("Locker L-7", "1 Station Square", "Europe/Warsaw")
    assert (found.latitude, found.longitude, found.status) == (52.2297, 21.0122, LockerStatus.ONLINE)
    assert found.opening_hours == "Mon-Sat 6:00-22:00"
    assert dict(found.inner_dimensions) == {Size.S: Dimensions(90, 400, 600), Size.M: Dimensions(200, 400, 600)}
    assert [(c.number, c.size, c.board, c.channel) for c in found.compartments] == [
        (c.number, c.size, c.board, c.channel) for c in locker.compartments
    ]
    assert all(c.state is CompartmentState.FREE and c.door is DoorState.CLOSED for c in found.compartments)


async def test_locker_sizes_say_its_inner_dimensions_and_which_sizes_it_has(engine: AsyncEngine) -> None:
    locker = a_locker("L-7", "S:3,L:1")
    locker.inner_dimensions = {Size.S: Dimensions(90, 400, 600), Size.M: Dimensions(200, 400, 600)}
    await add_locker_and_carrier(engine, locker)
    async with SqlUnitOfWork(engine) as uow:
        await uow.lockers.add(Locker(id="L-0", name="Empty", address="Nowhere"))
        sizes = await uow.lockers.sizes("L-7")
        empty = await uow.lockers.sizes("L-0")
        assert await uow.lockers.sizes("L-8") is None
    assert sizes is not None and empty is not None
    assert dict(sizes.inner_dimensions) == {Size.S: Dimensions(90, 400, 600), Size.M: Dimensions(200, 400, 600)}
    assert sizes.present == {Size.S, Size.L}
    assert empty.present == frozenset()


async def test_locker_without_compartments_is_only_its_own_record(engine: AsyncEngine) -> None:
    await add_locker_and_carrier(engine, a_locker("L-7", "S:3"))
    async with SqlUnitOfWork(engine) as uow:
        found = await uow.lockers.get("L-7", with_compartments=False)
        assert await uow.lockers.get("L-8", with_compartments=False) is None
    assert found is not None
    assert (found.id, found.name, found.timezone, found.compartments) == ("L-7", "Locker L-7", "Europe/Warsaw", [])


async def test_a_page_gives_every_locker_of_it_even_one_without_compartments(engine: AsyncEngine) -> None:
    await add_locker_and_carrier(engine, a_locker("L-1", "S:2"))
    async with SqlUnitOfWork(engine) as uow:
        await uow.lockers.add(Locker(id="L-0", name="Empty", address="Nowhere"))
        await uow.commit()
    async with SqlUnitOfWork(engine) as uow:
        lockers = await uow.lockers.page("", 10)
    assert [(locker.id, len(locker.compartments)) for locker in lockers] == [("L-0", 0), ("L-1", 2)]


async def test_claim_free_takes_the_smallest_size_then_the_lowest_number(engine: AsyncEngine) -> None:
    await add_locker_and_carrier(engine, a_locker("L-1", "L:1,M:2,S:2"))  # numbers: L=1, M=2-3, S=4-5
    async with SqlUnitOfWork(engine) as uow:
        first = await uow.compartments.claim_free("L-1", [Size.S, Size.M, Size.L])
        assert first is not None and (first.size, first.number) == (Size.S, 4)
        first.reserve_for_deposit("shp-1", START, COURIER)
        await uow.compartments.save(first)
        second = await uow.compartments.claim_free("L-1", [Size.S, Size.M, Size.L])
        assert second is not None and second.number == 5
        only_large = await uow.compartments.claim_free("L-1", [Size.L])
        assert only_large is not None and only_large.number == 1
        assert await uow.compartments.claim_free("L-1", [Size.XL]) is None
        assert await uow.compartments.claim_free("L-1", []) is None
        assert await uow.compartments.claim_free("L-2", [Size.S]) is None


async def test_claim_free_passes_over_compartments_that_are_not_free(engine: AsyncEngine) -> None:
    await add_locker_and_carrier(engine, a_locker("L-1", "S:3"))
    async with SqlUnitOfWork(engine) as uow:
        broken = await uow.compartments.by_number("L-1", 1)
        reserved = await uow.compartments.by_number("L-1", 2)
        assert broken is not None and reserved is not None
        broken.take_out_of_order(START, COURIER, "door did not open")
        reserved.reserve_for_deposit("shp-1", START, COURIER)
        await uow.compartments.save(broken)
        await uow.compartments.save(reserved)
        await uow.commit()
    async with SqlUnitOfWork(engine) as uow:
        claimed = await uow.compartments.claim_free("L-1", [Size.S])
    assert claimed is not None and claimed.number == 3


async def test_saved_compartment_round_trips_and_keeps_its_transitions(engine: AsyncEngine) -> None:
    await add_locker_and_carrier(engine)
    async with SqlUnitOfWork(engine) as uow:
        compartment = await uow.compartments.get("L-1/2")
        assert compartment is not None
        compartment.reserve_for_deposit("shp-9", START, COURIER)
        compartment.door_reported(DoorState.OPEN)
        await uow.compartments.save(compartment)
        assert (compartment.version, compartment.events) == (1, [])
        await uow.commit()
    async with SqlUnitOfWork(engine) as uow:
        found = await uow.compartments.by_number("L-1", 2)
    history = await history_of(engine, "compartment", "L-1/2")
    assert found is not None
    assert (found.state, found.door, found.pending, found.shipment_id, found.version) == (
        CompartmentState.RESERVED,
        DoorState.OPEN,
        PendingAction.DEPOSIT,
        "shp-9",
        1,
    )
    assert [(t.from_state, t.to_state, t.at, t.actor, t.details) for t in history] == [
        ("free", "reserved", START, COURIER, {"shipment_id": "shp-9"})
    ]


async def test_saving_a_stale_compartment_raises_concurrency_conflict(engine: AsyncEngine) -> None:
    await add_locker_and_carrier(engine)
    async with SqlUnitOfWork(engine) as uow:
        stale = await uow.compartments.get("L-1/1")
    async with SqlUnitOfWork(engine) as uow:
        fresh = await uow.compartments.get("L-1/1")
        assert fresh is not None
        fresh.take_out_of_order(START, COURIER, "dirty")
        await uow.compartments.save(fresh)
        await uow.commit()
    assert stale is not None
    stale.reserve_for_deposit("shp-1", START, COURIER)
    async with SqlUnitOfWork(engine) as uow:
        with pytest.raises(ConcurrencyConflict):
            await uow.compartments.save(stale)
            await uow.commit()
    async with SqlUnitOfWork(engine) as uow:
        kept = await uow.compartments.get("L-1/1")
    assert kept is not None and (kept.state, kept.out_of_order_reason) == (CompartmentState.OUT_OF_ORDER, "dirty")


async def test_a_door_event_reads_its_compartment_and_whether_its_seq_was_applied_in_one_statement(
    engine: AsyncEngine,
) -> None:
    log = StatementLog(engine)  # before the first connection
    await add_locker_and_carrier(engine)
    reply = {"seq": 7, "compartment_number": 2, "door": "closed", "outcome": "recorded"}
    async with SqlUnitOfWork(engine) as uow:
        await uow.terminal_events.record("L-1", 7, reply, START)
        await uow.terminal_events.record("L-1", 8, {"kind": "alarm"}, START)
        await uow.commit()
    async with SqlUnitOfWork(engine) as uow:
        compartment, prior = await uow.compartments.by_number_at_event("L-1", 2, 6)
        await asyncio.sleep(0.02)  # asyncpg tells of a statement just after it
        before = len(log.sent)
        applied = await uow.compartments.by_number_at_event("L-1", 2, 7)
        await asyncio.sleep(0.02)
        sent = log.sent[before:]
        elsewhere = await uow.compartments.by_number_at_event("L-2", 2, 7)  # no locker L-2
        missing_compartment = await uow.compartments.by_number_at_event("L-1", 99, 8)
        neither = await uow.compartments.by_number_at_event("L-1", 99, 9)
    assert compartment is not None and (compartment.locker_id, compartment.number) == ("L-1", 2)
    assert prior is None
    assert applied == (compartment, reply)
    assert len(sent) == 1
    assert elsewhere == (None, None)
    assert missing_compartment == (None, {"kind": "alarm"})  # no such compartment, and yet its seq was used
    assert neither == (None, None)
