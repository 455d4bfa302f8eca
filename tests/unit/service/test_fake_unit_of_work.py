"""The fakes behave like the real store where the use cases depend on it."""

from datetime import timedelta

import pytest

from parcellocker.domain.audit import verify_chain
from parcellocker.domain.compartment import CompartmentState
from parcellocker.domain.errors import ConcurrencyConflict, DuplicateTrackingNumber
from parcellocker.domain.events import SYSTEM
from parcellocker.domain.lockout import Lockout
from parcellocker.domain.sizes import Size

from ..fakes import START, FakeClock, FakeUnitOfWork
from .world import LOCKER, World


def test_the_fake_clock_stands_still_until_moved() -> None:
    clock = FakeClock()
    assert clock.now() == clock.now() == START
    clock.advance(timedelta(seconds=90))
    assert clock.now() == START + timedelta(seconds=90)


async def test_nothing_is_written_without_a_commit(world: World) -> None:
    before = world.db.copy()
    uow = world.uow()
    async with uow:
        compartment = await uow.compartments.by_number(LOCKER, 1)
        assert compartment is not None
        compartment.take_out_of_order(START, SYSTEM, "test")
        await uow.compartments.save(compartment)
        await uow.lockouts.save(Lockout("pickup:x", failures=[START]))
        assert not uow.committed
    assert world.db == before


async def test_a_rollback_discards_what_was_saved_and_a_commit_publishes_it(world: World) -> None:
    uow = world.uow()
    compartment = await uow.compartments.by_number(LOCKER, 1)
    assert compartment is not None
    compartment.take_out_of_order(START, SYSTEM, "test")
    await uow.compartments.save(compartment)
    await uow.rollback()
    assert (await uow.compartments.by_number(LOCKER, 1)).state is CompartmentState.FREE  # type: ignore[union-attr]
    await uow.compartments.save(compartment)
    await uow.commit()
    assert uow.committed
    assert world.compartment(1).state is CompartmentState.OUT_OF_ORDER
    assert world.compartment(1).version == 1


async def test_a_change_without_save_is_lost(world: World) -> None:
    async with world.uow() as uow:
        compartment = await uow.compartments.by_number(LOCKER, 1)
        assert compartment is not None
        compartment.take_out_of_order(START, SYSTEM, "test")
        await uow.commit()
    assert world.compartment(1).state is CompartmentState.FREE


async def test_saving_a_record_another_unit_of_work_changed_first_is_a_conflict(world: World) -> None:
    first, second = world.uow(), world.uow()
    mine = await first.compartments.by_number(LOCKER, 1)
    theirs = await second.compartments.by_number(LOCKER, 1)
    assert mine is not None and theirs is not None
    await second.compartments.save(theirs)
    await second.commit()
    with pytest.raises(ConcurrencyConflict):
        await first.compartments.save(mine)


async def test_a_commit_after_a_rival_commit_on_the_same_record_is_a_conflict(world: World) -> None:
    first, second = world.uow(), world.uow()
    for uow in (first, second):
        compartment = await uow.compartments.by_number(LOCKER, 2)
        assert compartment is not None
        await uow.compartments.save(compartment)
    await second.commit()
    with pytest.raises(ConcurrencyConflict):
        await first.commit()
    assert world.compartment(2).version == 1


async def test_claim_free_follows_the_allocation_rule(world: World) -> None:
    async with world.uow() as uow:
        assert (await uow.compartments.claim_free(LOCKER, [Size.S, Size.M])).number == 1  # type: ignore[union-attr]
        assert (await uow.compartments.claim_free(LOCKER, [Size.L])).number == 5  # type: ignore[union-attr]
        assert await uow.compartments.claim_free(LOCKER, [Size.XL]) is None
        assert await uow.compartments.claim_free("NOWHERE", [Size.S]) is None


async def test_a_tracking_number_is_unique_per_carrier_in_the_fake_too(world: World) -> None:
    shipment = await world.announce("TRK-1")
    async with world.uow() as uow:
        with pytest.raises(DuplicateTrackingNumber):
            await uow.shipments.add(shipment)


async def test_audit_entries_are_chained_when_committed(world: World) -> None:
    assert verify_chain(world.db.audit) is None
    assert [entry.seq for entry in world.db.audit] == list(range(1, len(world.db.audit) + 1))
    async with world.uow() as uow:
        assert [entry async for entry in uow.audit.entries()] == world.db.audit


async def test_two_worlds_do_not_share_their_database(world: World) -> None:
    other = FakeUnitOfWork(world.db.copy())
    compartment = await other.compartments.by_number(LOCKER, 1)
    assert compartment is not None
    compartment.take_out_of_order(START, SYSTEM, "test")
    await other.compartments.save(compartment)
    await other.commit()
    assert world.compartment(1).state is CompartmentState.FREE


async def test_history_is_kept_once_and_aggregates_load_without_it(world: World) -> None:
    parcel = await world.store_parcel("TRK-1")
    history = [(t.from_state, t.to_state) for t in world.transitions(parcel.shipment_id)]
    assert history == [(None, "announced"), ("announced", "stored")]
    assert world.shipment(parcel.shipment_id).events == []
    async with world.uow() as uow:
        loaded = await uow.shipments.get(parcel.shipment_id)
        assert loaded is not None and loaded.events == []
