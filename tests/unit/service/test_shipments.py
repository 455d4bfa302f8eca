import pytest

from parcellocker.domain.errors import DuplicateTrackingNumber, IllegalTransition, NotFound, ParcelTooLarge
from parcellocker.domain.shipment import ShipmentState
from parcellocker.domain.sizes import Dimensions, Size
from parcellocker.service.shipments import (
    CancelShipment,
    FindShipments,
    GetShipment,
    cancel_shipment,
    find_shipments,
    get_shipment,
)

from .world import LOCKER, OTHER_LOCKER, RECIPIENT, World


async def test_a_carrier_announces_a_shipment_for_a_locker(world: World) -> None:
    shipment = await world.announce("TRK-1", size=Size.M)
    stored = world.shipment(shipment.id)
    assert (stored.state, stored.carrier_id, stored.locker_id, stored.tracking_number) == (
        ShipmentState.ANNOUNCED,
        "fast",
        LOCKER,
        "TRK-1",
    )
    assert stored.recipient == RECIPIENT
    assert stored.created_at == world.clock.now()
    history = [(t.to_state, str(t.actor)) for t in world.transitions(shipment.id)]
    assert history == [(ShipmentState.ANNOUNCED, "carrier:fast")]


async def test_announcing_for_an_unknown_locker_is_not_found(world: World) -> None:
    with pytest.raises(NotFound, match="there is no locker NOWHERE"):
        await world.announce("TRK-1", locker_id="NOWHERE")
    assert world.db.shipments == {}


async def test_a_parcel_that_fits_no_compartment_is_refused(world: World) -> None:
    with pytest.raises(ParcelTooLarge, match="fits in no compartment size"):
        await world.announce("TRK-1", size=None, dimensions=Dimensions(700, 400, 400))
    assert world.db.shipments == {}


async def test_a_tracking_number_announced_twice_is_refused(world: World) -> None:
    await world.announce("TRK-1")
    with pytest.raises(DuplicateTrackingNumber):
        await world.announce(" TRK-1 ")
    assert len(world.db.shipments) == 1


async def test_two_carriers_may_use_the_same_tracking_number(world: World) -> None:
    await world.announce("TRK-1")
    await world.announce("TRK-1", by=world.cast.other_carrier)
    assert len(world.db.shipments) == 2


async def test_a_carrier_sees_only_its_own_shipments(world: World) -> None:
    mine = await world.announce("TRK-1")
    theirs = await world.announce("TRK-1", by=world.cast.other_carrier)
    found = await world.services.read(find_shipments, FindShipments(world.cast.carrier, "TRK-1"))
    assert [s.id for s in found] == [mine.id]
    with pytest.raises(NotFound, match="there is no shipment"):
        await world.services.read(get_shipment, GetShipment(world.cast.carrier, theirs.id))
    everything = await world.services.read(find_shipments, FindShipments(world.cast.operator, "TRK-1"))
    assert {s.id for s in everything} == {mine.id, theirs.id}


async def test_a_shipment_that_is_not_yours_looks_the_same_as_one_that_does_not_exist(world: World) -> None:
    theirs = await world.announce("TRK-1", by=world.cast.other_carrier)
    with pytest.raises(NotFound) as hidden:
        await world.services.read(get_shipment, GetShipment(world.cast.carrier, theirs.id))
    with pytest.raises(NotFound) as missing:
        await world.services.read(get_shipment, GetShipment(world.cast.carrier, "no-such-id"))
    assert hidden.value.message.replace(theirs.id, "X") == missing.value.message.replace("no-such-id", "X")


async def test_a_terminal_sees_the_shipments_of_its_own_locker_only(world: World) -> None:
    here = await world.announce("TRK-1")
    there = await world.announce("TRK-2", locker_id=OTHER_LOCKER, size=Size.M)
    assert (await world.services.read(get_shipment, GetShipment(world.cast.terminal, here.id))).id == here.id
    with pytest.raises(NotFound):
        await world.services.read(get_shipment, GetShipment(world.cast.terminal, there.id))


async def test_a_carrier_cancels_an_announced_shipment(world: World) -> None:
    shipment = await world.announce("TRK-1")
    cancelled = await world.run(cancel_shipment, CancelShipment(world.cast.carrier, shipment.id))
    assert cancelled.state is ShipmentState.CANCELLED
    assert world.shipment(shipment.id).state is ShipmentState.CANCELLED
    assert world.transitions(shipment.id)[-1].reason == "cancelled by carrier"


async def test_a_stored_shipment_cannot_be_cancelled(world: World) -> None:
    parcel = await world.store_parcel("TRK-1")
    with pytest.raises(IllegalTransition):
        await world.run(cancel_shipment, CancelShipment(world.cast.carrier, parcel.shipment_id))
    assert world.shipment(parcel.shipment_id).state is ShipmentState.STORED


async def test_a_parcel_being_deposited_cannot_be_cancelled(world: World) -> None:
    shipment = await world.announce("TRK-1")
    await world.deposit("TRK-1")
    with pytest.raises(IllegalTransition, match="right now"):
        await world.run(cancel_shipment, CancelShipment(world.cast.carrier, shipment.id))


async def test_a_carrier_cannot_cancel_another_carriers_shipment(world: World) -> None:
    theirs = await world.announce("TRK-1", by=world.cast.other_carrier)
    with pytest.raises(NotFound):
        await world.run(cancel_shipment, CancelShipment(world.cast.carrier, theirs.id))
    assert world.shipment(theirs.id).state is ShipmentState.ANNOUNCED


@pytest.mark.parametrize(("locker_id", "size"), [(LOCKER, Size.XL), (OTHER_LOCKER, Size.L)])
async def test_a_parcel_larger_than_every_compartment_of_its_locker_is_refused(
    world: World, locker_id: str, size: Size
) -> None:
    with pytest.raises(ParcelTooLarge, match=f"no compartment of locker {locker_id}"):
        await world.announce("TRK-1", size=size, locker_id=locker_id)
    assert world.db.shipments == {}
