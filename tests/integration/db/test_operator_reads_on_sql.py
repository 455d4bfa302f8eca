"""What the operator's views read and write on SQL (SQLite and PostgreSQL): the parcels on a locker's doors, the
alarm feed and acknowledgements, the kept transitions."""

from __future__ import annotations

from datetime import timedelta

import pytest
from db_samples import START, a_locker, a_shipment, add_locker_and_carrier, announce
from sqlalchemy.ext.asyncio import AsyncEngine

from parcellocker.adapters.db.unit_of_work import SqlUnitOfWork
from parcellocker.domain.alarms import Alarm, AlarmKind
from parcellocker.domain.errors import ConcurrencyConflict
from parcellocker.domain.events import Actor, ActorKind
from parcellocker.domain.sizes import Size

COURIER = Actor(ActorKind.COURIER, "courier-1")


async def test_the_tracking_numbers_on_a_lockers_doors_are_read_in_one_go(engine: AsyncEngine) -> None:
    await add_locker_and_carrier(engine)
    await add_locker_and_carrier(engine, a_locker("L-2", "S:1"), carrier_id="carrier-2")
    first, second, elsewhere = a_shipment("TN-1"), a_shipment("TN-2", size=Size.M), a_shipment("TN-3", locker_id="L-2")
    await announce(engine, first, second, elsewhere)
    async with SqlUnitOfWork(engine) as uow:
        for shipment, compartment_id in ((first, "L-1/2"), (second, "L-1/3"), (elsewhere, "L-2/1")):
            compartment = await uow.compartments.get(compartment_id)
            assert compartment is not None
            compartment.reserve_for_deposit(shipment.id, START, COURIER)
            await uow.compartments.save(compartment)
        await uow.commit()
    async with SqlUnitOfWork(engine) as uow:
        assert await uow.shipments.tracking_numbers_in("L-1") == {2: "TN-1", 3: "TN-2"}
        assert await uow.shipments.tracking_numbers_in("L-9") == {}


def an_alarm(alarm_id: str, minutes: int, locker_id: str = "L-1") -> Alarm:
    at = START + timedelta(minutes=minutes)
    return Alarm(alarm_id, locker_id, AlarmKind.FORCED_DOOR, at, f"compartment {minutes} forced", minutes)


async def test_the_alarm_feed_is_newest_first_and_an_acknowledgement_is_kept_once(engine: AsyncEngine) -> None:
    await add_locker_and_carrier(engine)
    async with SqlUnitOfWork(engine) as uow:
        for alarm in (an_alarm("a-1", 1), an_alarm("a-3", 3), an_alarm("a-2", 2)):
            await uow.alarms.add(alarm)
        await uow.commit()
    async with SqlUnitOfWork(engine) as uow:
        first = await uow.alarms.get("a-1")
        assert first is not None and await uow.alarms.get("a-9") is None
        await uow.alarms.acknowledge(first.acknowledged(START + timedelta(hours=1), "operator:anna"))
        await uow.commit()
    async with SqlUnitOfWork(engine) as uow:
        assert [a.id for a in await uow.alarms.latest(10)] == ["a-3", "a-2", "a-1"]
        assert [a.id for a in await uow.alarms.latest(2)] == ["a-3", "a-2"]
        assert [a.id for a in await uow.alarms.latest(10, open_only=True)] == ["a-3", "a-2"]
        acknowledged = await uow.alarms.get("a-1")
    assert acknowledged == an_alarm("a-1", 1).acknowledged(START + timedelta(hours=1), "operator:anna")


async def test_a_second_acknowledgement_of_the_same_alarm_changes_nothing_and_conflicts(engine: AsyncEngine) -> None:
    await add_locker_and_carrier(engine)
    async with SqlUnitOfWork(engine) as uow:
        await uow.alarms.add(an_alarm("a-1", 1))
        await uow.commit()
    async with SqlUnitOfWork(engine) as uow:
        read_before = await uow.alarms.get("a-1")  # read by a second operator before the first one's commit
    async with SqlUnitOfWork(engine) as uow:
        await uow.alarms.acknowledge(an_alarm("a-1", 1).acknowledged(START, "operator:anna"))
        await uow.commit()
    assert read_before is not None
    with pytest.raises(ConcurrencyConflict):
        async with SqlUnitOfWork(engine) as uow:
            await uow.alarms.acknowledge(read_before.acknowledged(START, "operator:bob"))
            await uow.commit()
    async with SqlUnitOfWork(engine) as uow:
        kept = await uow.alarms.get("a-1")
    assert kept is not None and kept.acknowledged_by == "operator:anna"


async def test_the_history_of_a_subject_is_read_whole_or_its_newest_part(engine: AsyncEngine) -> None:
    await add_locker_and_carrier(engine)
    async with SqlUnitOfWork(engine) as uow:
        compartment = await uow.compartments.get("L-1/1")
        assert compartment is not None
        for minute in range(3):
            at = START + timedelta(minutes=minute)
            compartment.take_out_of_order(at, COURIER, f"reason {minute}")
            compartment.return_to_service(at, COURIER)
        await uow.compartments.save(compartment)
        await uow.commit()
    async with SqlUnitOfWork(engine) as uow:
        whole = await uow.history.of_subject("compartment", "L-1/1")
        newest = await uow.history.of_subject("compartment", "L-1/1", newest=3)
        none = await uow.history.of_subject("compartment", "L-1/2")
    assert [t.to_state for t in whole] == ["out_of_order", "free"] * 3
    assert newest == whole[-3:]
    assert (whole[0].reason, whole[0].at, whole[0].actor) == ("reason 0", START, COURIER)
    assert none == []


async def test_a_lockers_compartment_transitions_are_read_from_a_moment_on(engine: AsyncEngine) -> None:
    await add_locker_and_carrier(engine)
    await add_locker_and_carrier(engine, a_locker("L-2", "S:1"), carrier_id="carrier-2")
    async with SqlUnitOfWork(engine) as uow:
        for compartment_id, minute in (("L-1/1", 0), ("L-1/2", 10), ("L-2/1", 20), ("L-1/1", 30)):
            compartment = await uow.compartments.get(compartment_id)
            assert compartment is not None
            at = START + timedelta(minutes=minute)
            compartment.take_out_of_order(at, COURIER, f"at {minute}")
            compartment.return_to_service(at, COURIER)
            await uow.compartments.save(compartment)
            await uow.commit()
    async with SqlUnitOfWork(engine) as uow:
        since_ten = await uow.history.of_locker_compartments("L-1", START + timedelta(minutes=10))
        everything = await uow.history.of_locker_compartments("L-1", START)
    assert [(t.subject_id, t.reason, t.to_state) for t in since_ten] == [
        ("L-1/2", "at 10", "out_of_order"),
        ("L-1/2", "returned to service", "free"),
        ("L-1/1", "at 30", "out_of_order"),
        ("L-1/1", "returned to service", "free"),
    ]
    assert len(everything) == 6 and {t.subject for t in everything} == {"compartment"}
