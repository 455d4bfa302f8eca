"""The list of parcels a courier finds at a locker to take out, expired or redirected: their carrier's only, with
compartment, why and since when."""

from datetime import timedelta

import pytest

from parcellocker.domain.accounts import Principal, Role
from parcellocker.domain.errors import Forbidden, NotFound
from parcellocker.domain.events import SYSTEM
from parcellocker.service.parcels_to_collect import ListParcelsToCollect, list_parcels_to_collect
from parcellocker.service.redirects import RedirectShipment, redirect_shipment

from .world import LOCKER, OTHER_LOCKER, World


async def expire(world: World, shipment_id: str) -> None:
    async with world.uow() as uow:
        shipment = await uow.shipments.get(shipment_id)
        assert shipment is not None
        shipment.expire(world.clock.now(), SYSTEM)
        await uow.shipments.save(shipment)
        await uow.commit()


async def test_a_courier_sees_the_expired_parcels_of_their_carrier_the_longest_expired_first(world: World) -> None:
    first = await world.store_parcel("TRK-1")
    second = await world.store_parcel("TRK-2")
    await world.store_parcel("TRK-3")  # still waiting for its recipient
    world.clock.advance(timedelta(days=3))
    await expire(world, second.shipment_id)
    expired_second_at = world.clock.now()
    world.clock.advance(timedelta(hours=1))
    await expire(world, first.shipment_id)

    parcels = await world.services.read(list_parcels_to_collect, ListParcelsToCollect(world.cast.courier, LOCKER))

    assert [(p.tracking_number, p.compartment_number) for p in parcels] == [
        ("TRK-2", second.compartment_number),
        ("TRK-1", first.compartment_number),
    ]
    assert parcels[0].expired_at == expired_second_at
    assert [p.state for p in parcels] == ["expired", "expired"]


async def test_a_redirected_parcel_is_listed_since_its_redirect_until_collected(world: World) -> None:
    stays = await world.store_parcel("TRK-1")
    moves = await world.store_parcel("TRK-2")
    world.clock.advance(timedelta(hours=5))
    await world.run(redirect_shipment, RedirectShipment(world.cast.carrier, moves.shipment_id, OTHER_LOCKER))
    redirected_at = world.clock.now()
    world.clock.advance(timedelta(days=3))
    await expire(world, stays.shipment_id)

    parcels = await world.services.read(list_parcels_to_collect, ListParcelsToCollect(world.cast.courier, LOCKER))

    assert [(p.tracking_number, p.compartment_number, p.state) for p in parcels] == [
        ("TRK-2", moves.compartment_number, "redirected"),
        ("TRK-1", stays.compartment_number, "expired"),
    ]
    assert parcels[0].expired_at == redirected_at


async def test_another_carriers_courier_sees_none_of_them_and_only_couriers_may_ask(world: World) -> None:
    parcel = await world.store_parcel("TRK-1")
    await expire(world, parcel.shipment_id)
    stranger = Principal(Role.COURIER, "courier-of-another", carrier_id=world.cast.other_carrier.id)
    assert await world.services.read(list_parcels_to_collect, ListParcelsToCollect(stranger, LOCKER)) == []
    with pytest.raises(Forbidden):
        await world.services.read(list_parcels_to_collect, ListParcelsToCollect(world.cast.carrier, LOCKER))
    with pytest.raises(NotFound):
        await world.services.read(list_parcels_to_collect, ListParcelsToCollect(world.cast.courier, "NOWHERE"))
