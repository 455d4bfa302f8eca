"""Opening a compartment again for the person who has just picked a parcel up from it and forgot something."""

from datetime import timedelta

import pytest

from parcellocker.domain.alarms import AlarmKind
from parcellocker.domain.compartment import CompartmentState, DoorState, PendingAction
from parcellocker.domain.errors import Forbidden, NotFound
from parcellocker.service.pickups import ReopenAfterPickup, ReopenRefused, reopen_after_pickup

from .world import LOCKER, OTHER_LOCKER, StoredParcel, World


async def picked_up(world: World, tracking_number: str = "TRK-1") -> StoredParcel:
    parcel = await world.store_parcel(tracking_number)
    await world.pick_up(code=parcel.code)
    await world.door(parcel.compartment_number, DoorState.OPEN)
    await world.door(parcel.compartment_number, DoorState.CLOSED)
    return parcel


def reopen(world: World, parcel: StoredParcel, number: int | None = None, locker_id: str = LOCKER) -> ReopenAfterPickup:
    number = parcel.compartment_number if number is None else number
    return ReopenAfterPickup(world.cast.terminal, locker_id, parcel.shipment_id, number)


async def test_reopening_soon_after_the_pickup_expects_the_opening_and_is_audited(world: World) -> None:
    parcel = await picked_up(world)
    world.clock.advance(timedelta(seconds=20))

    reopened = await world.run(reopen_after_pickup, reopen(world, parcel))

    assert reopened.number == parcel.compartment_number
    compartment = world.compartment(parcel.compartment_number)
    assert (compartment.state, compartment.pending) == (CompartmentState.FREE, PendingAction.SERVICE)
    assert world.audit_actions()[-1] == "compartment.reopened_after_pickup"
    opened = await world.door(parcel.compartment_number, DoorState.OPEN)
    closed = await world.door(parcel.compartment_number, DoorState.CLOSED)
    assert (opened.outcome, closed.outcome) == ("recorded", "recorded")  # no forced-door alarm
    assert world.alarms(AlarmKind.FORCED_DOOR) == []
    assert world.compartment(parcel.compartment_number).pending is None


async def test_reopening_after_the_window_is_refused(world: World) -> None:
    parcel = await picked_up(world)
    world.clock.advance(timedelta(seconds=36))
    with pytest.raises(ReopenRefused):
        await world.run(reopen_after_pickup, reopen(world, parcel))
    assert world.compartment(parcel.compartment_number).pending is None


async def test_a_compartment_given_to_a_courier_meanwhile_is_not_reopened(world: World) -> None:
    parcel = await picked_up(world)
    await world.announce("TRK-NEXT")
    opened = await world.deposit("TRK-NEXT")
    assert opened.compartment.number == parcel.compartment_number  # the smallest free S door again
    with pytest.raises(ReopenRefused, match="reserved"):
        await world.run(reopen_after_pickup, reopen(world, parcel))
    assert world.compartment(parcel.compartment_number).pending is PendingAction.DEPOSIT


async def test_a_parcel_not_yet_taken_out_or_another_compartment_is_refused(world: World) -> None:
    parcel = await world.store_parcel("TRK-1")
    with pytest.raises(ReopenRefused):  # still stored: the door has not closed on the pickup
        await world.run(reopen_after_pickup, reopen(world, parcel))
    other = await world.store_parcel("TRK-2")
    picked = await picked_up(world, "TRK-3")
    with pytest.raises(ReopenRefused, match="occupied"):  # a door that holds someone else's parcel
        await world.run(reopen_after_pickup, reopen(world, picked, other.compartment_number))


async def test_only_the_lockers_own_terminal_may_reopen(world: World) -> None:
    parcel = await picked_up(world)
    with pytest.raises(Forbidden):
        await world.run(reopen_after_pickup, reopen(world, parcel, locker_id=OTHER_LOCKER))
    with pytest.raises(NotFound):
        await world.run(reopen_after_pickup, reopen(world, parcel, number=99))
