"""The dashboard's reads that must not grow with what was ever stored, on SQLite and PostgreSQL: the locker list a
page at a time with its compartments counted by the database, the compartment card's newest transitions read
backwards along the index, utilisation starting from the locker's compartments; their results, and their plans."""

from __future__ import annotations

from datetime import timedelta

from db_samples import START, a_locker, a_shipment, add_locker_and_carrier, announce
from sqlalchemy.ext.asyncio import AsyncEngine

from parcellocker.adapters.db.transitions import _NEWEST_OF_SUBJECT, _OF_LOCKER_COMPARTMENTS_SINCE
from parcellocker.adapters.db.unit_of_work import SqlUnitOfWork
from parcellocker.bench.query_plans import explain
from parcellocker.domain.events import Actor, ActorKind
from parcellocker.domain.occupancy import fill_by_size
from parcellocker.domain.sizes import Size

COURIER = Actor(ActorKind.COURIER, "courier-1")


async def test_a_page_of_lockers_counts_each_ones_compartments_as_the_domain_does(engine: AsyncEngine) -> None:
    await add_locker_and_carrier(engine)  # L-1: S:2, M:2, L:1
    for locker_id, layout in (("L-2", "S:1"), ("L-3", "M:3,L:1"), ("L-4", "L:2")):
        await add_locker_and_carrier(engine, a_locker(locker_id, layout), carrier_id=f"carrier-{locker_id}")
    shipment = a_shipment("TN-1")
    await announce(engine, shipment)
    async with SqlUnitOfWork(engine) as uow:
        reserved, broken = await uow.compartments.get("L-1/1"), await uow.compartments.get("L-3/2")
        assert reserved is not None and broken is not None
        reserved.reserve_for_deposit(shipment.id, START, COURIER)
        broken.take_out_of_order(START, COURIER, "hinge broken")
        await uow.compartments.save(reserved)
        await uow.compartments.save(broken)
        await uow.commit()
    async with SqlUnitOfWork(engine) as uow:
        everything = await uow.lockers.page("", 10)
        first, second, rest = (
            await uow.lockers.fill_page("", 2),
            await uow.lockers.fill_page("L-2", 2),
            await uow.lockers.fill_page("L-4", 2),
        )
    assert [counted.locker.id for counted in first + second] == ["L-1", "L-2", "L-3", "L-4"] and rest == []
    for counted, locker in zip(first + second, everything, strict=True):
        assert counted.fill == fill_by_size(locker.compartments)
        assert counted.locker.compartments == []
        assert (counted.locker.name, counted.locker.status) == (locker.name, locker.status)
    assert [(f.size, f.total, f.in_use, f.out_of_order) for f in first[0].fill] == [
        (Size.S, 2, 1, 0),
        (Size.M, 2, 0, 0),
        (Size.L, 1, 0, 0),
    ]
    assert [(f.size, f.out_of_order) for f in second[0].fill] == [(Size.M, 1), (Size.L, 0)]


async def test_the_card_reads_the_newest_transitions_newest_first_however_many(engine: AsyncEngine) -> None:
    await add_locker_and_carrier(engine)
    async with SqlUnitOfWork(engine) as uow:
        compartment = await uow.compartments.get("L-1/2")
        assert compartment is not None
        for hour in range(6):  # out of order and back, three times: six transitions
            if hour % 2 == 0:
                compartment.take_out_of_order(START + timedelta(hours=hour), COURIER, f"check {hour}")
            else:
                compartment.return_to_service(START + timedelta(hours=hour), COURIER)
        await uow.compartments.save(compartment)
        await uow.commit()
    async with SqlUnitOfWork(engine) as uow:
        everything = await uow.history.of_subject("compartment", "L-1/2")
        newest = await uow.history.of_subject("compartment", "L-1/2", newest=4)
    assert len(everything) == 6 and newest == everything[-4:]  # oldest first, as the whole history
    assert [t.at for t in newest] == [START + timedelta(hours=hour) for hour in range(2, 6)]


async def test_the_plans_read_one_subject_and_one_lockers_compartments(engine: AsyncEngine) -> None:
    """No sort of a subject's whole history for the card; utilisation reaches transitions by compartment."""
    await add_locker_and_carrier(engine)
    card = await explain(engine, _NEWEST_OF_SUBJECT, {"subject": "compartment", "subject_id": "L-1/1", "newest": 20})
    window = {"subject": "compartment", "locker_id": "L-1", "since": START}
    utilisation = await explain(engine, _OF_LOCKER_COMPARTMENTS_SINCE, window)
    assert "ix_transitions_subject_subject_id_at_id" in card, card
    assert "Sort" not in card and "TEMP B-TREE" not in card, card
    assert "ix_transitions_subject_subject_id_at_id" in utilisation, utilisation
    if engine.dialect.name == "sqlite":
        # The transitions are searched by compartment id and window, never scanned by subject alone.
        assert "subject_id=?" in utilisation and "at>?" in utilisation, utilisation
