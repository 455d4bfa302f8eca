"""Couriers collect expired parcels (the door closing makes them `collected` and frees the compartment), and the
carrier confirms the return."""

from datetime import timedelta

import pytest

from parcellocker.domain.compartment import CompartmentState, DoorState, PendingAction
from parcellocker.domain.errors import Conflict, Forbidden, IllegalTransition, NotFound
from parcellocker.domain.shipment import ShipmentState
from parcellocker.service.calendar import CalendarBatch, expire_parcels
from parcellocker.service.collecting import CollectParcel, ReturnShipment, collect_parcel, return_shipment
from parcellocker.service.deposits import CompartmentOpened

from .world import LOCKER, OTHER_LOCKER, StoredParcel, World

HOUR = timedelta(hours=1)


async def expired_parcel(world: World, tracking_number: str = "TRK-1") -> StoredParcel:
    parcel = await world.store_parcel(tracking_number)
    world.clock.advance(72 * HOUR)
    await world.run(expire_parcels, CalendarBatch())
    assert world.shipment(parcel.shipment_id).state is ShipmentState.EXPIRED
    return parcel


async def collect(world: World, tracking_number: str = "TRK-1", locker_id: str = LOCKER) -> CompartmentOpened:
    opened: CompartmentOpened = await world.run(
        collect_parcel, CollectParcel(world.cast.courier, locker_id, tracking_number)
    )
    return opened


async def test_a_courier_collects_an_expired_parcel_and_the_compartment_is_free_when_its_door_closes(
    world: World,
) -> None:
    parcel = await expired_parcel(world)
    opened = await collect(world)
    assert (opened.compartment.number, opened.shipment.id) == (parcel.compartment_number, parcel.shipment_id)
    assert world.compartment(parcel.compartment_number).pending is PendingAction.COLLECTION
    assert "compartment.opened_for_collection" in world.audit_actions()
    assert (await world.door(parcel.compartment_number, DoorState.OPEN)).outcome == "recorded"  # not forced
    applied = await world.door(parcel.compartment_number, DoorState.CLOSED)
    assert (applied.outcome, applied.shipment_state) == ("parcel_collected", "collected")
    shipment = world.shipment(parcel.shipment_id)
    assert (shipment.state, shipment.compartment_id) == (ShipmentState.COLLECTED, None)
    compartment = world.compartment(parcel.compartment_number)
    assert (compartment.state, compartment.shipment_id, compartment.pending) == (CompartmentState.FREE, None, None)


async def test_asking_again_gives_the_same_door(world: World) -> None:
    parcel = await expired_parcel(world)
    first, again = await collect(world), await collect(world)
    assert first.compartment.number == again.compartment.number == parcel.compartment_number


async def test_a_parcel_still_waiting_for_its_recipient_is_not_collected(world: World) -> None:
    parcel = await world.store_parcel("TRK-1")
    with pytest.raises(IllegalTransition, match="is stored: only parcels that expired or were redirected"):
        await collect(world)
    assert world.compartment(parcel.compartment_number).pending is None


async def test_collecting_names_what_is_wrong(world: World) -> None:
    await expired_parcel(world)
    with pytest.raises(NotFound, match="no parcel 'NOPE'"):
        await collect(world, "NOPE")
    with pytest.raises(NotFound, match="no locker NOWHERE"):
        await collect(world, locker_id="NOWHERE")
    with pytest.raises(Conflict, match=f"is for locker {LOCKER}, not this one"):
        await collect(world, locker_id=OTHER_LOCKER)
    with pytest.raises(Forbidden):
        await world.run(collect_parcel, CollectParcel(world.cast.carrier, LOCKER, "TRK-1"))


async def test_the_carrier_confirms_the_return_of_a_collected_parcel(world: World) -> None:
    parcel = await expired_parcel(world)
    await collect(world)
    await world.door(parcel.compartment_number, DoorState.CLOSED)
    world.clock.advance(30 * HOUR)
    returned = await world.run(return_shipment, ReturnShipment(world.cast.carrier, parcel.shipment_id))
    assert (returned.state, returned.ended_at) == (ShipmentState.RETURNED, world.clock.now())
    assert [t.to_state for t in world.transitions(parcel.shipment_id) if t.from_state != t.to_state] == [
        "announced",
        "stored",
        "expired",
        "collected",
        "returned",
    ]
    assert "shipment.returned" in world.audit_actions()


async def test_only_a_collected_parcel_is_returned_and_only_by_its_carrier(world: World) -> None:
    parcel = await expired_parcel(world)
    with pytest.raises(IllegalTransition, match="only a collected parcel can be returned; shipment TRK-1 is expired"):
        await world.run(return_shipment, ReturnShipment(world.cast.carrier, parcel.shipment_id))
    with pytest.raises(NotFound):
        await world.run(return_shipment, ReturnShipment(world.cast.other_carrier, parcel.shipment_id))
    with pytest.raises(NotFound):
        await world.run(return_shipment, ReturnShipment(world.cast.carrier, "no-such-shipment"))
