"""Redirecting a stored parcel: the old code dies at once, a courier collects it, and depositing it at the new
locker issues a new code; the shipment keeps one history."""

from datetime import timedelta

import pytest

from parcellocker.domain.compartment import CompartmentState, DoorState
from parcellocker.domain.errors import (
    Conflict,
    Forbidden,
    IllegalTransition,
    InvalidInput,
    NotFound,
    ParcelTooLarge,
    PickupCodeNotFound,
)
from parcellocker.domain.shipment import Shipment, ShipmentState
from parcellocker.domain.sizes import Size
from parcellocker.security.sealing import unseal
from parcellocker.service.collecting import CollectParcel, collect_parcel
from parcellocker.service.redirects import RedirectShipment, redirect_shipment
from parcellocker.service.shipments import CancelShipment, cancel_shipment

from .world import KEYS, LOCKER, OTHER_LOCKER, World

HOUR = timedelta(hours=1)


async def redirect(world: World, shipment_id: str, to: str = OTHER_LOCKER) -> Shipment:
    shipment: Shipment = await world.run(redirect_shipment, RedirectShipment(world.cast.carrier, shipment_id, to))
    return shipment


async def test_a_redirect_kills_the_code_at_once_and_puts_the_parcel_on_the_collection_list(world: World) -> None:
    parcel = await world.store_parcel("TRK-1")
    redirected = await redirect(world, parcel.shipment_id)
    assert (redirected.state, redirected.redirect_to_locker_id) == (ShipmentState.REDIRECTED, OTHER_LOCKER)
    assert (redirected.locker_id, redirected.pickup_code_hash) == (LOCKER, None)
    with pytest.raises(PickupCodeNotFound):
        await world.pick_up(code=parcel.code)
    with pytest.raises(PickupCodeNotFound):
        await world.pick_up(qr_token=parcel.qr_token)
    assert world.compartment(parcel.compartment_number).state is CompartmentState.OCCUPIED
    assert "shipment.redirected" in world.audit_actions()


async def test_collected_it_is_announced_at_the_new_locker_and_stored_there_with_a_new_code(world: World) -> None:
    parcel = await world.store_parcel("TRK-1")
    await redirect(world, parcel.shipment_id)
    opened = await world.run(collect_parcel, CollectParcel(world.cast.courier, LOCKER, "TRK-1"))
    applied = await world.door(opened.compartment.number, DoorState.CLOSED)
    assert (applied.outcome, applied.shipment_state) == ("parcel_collected", "announced")
    assert world.compartment(parcel.compartment_number).state is CompartmentState.FREE
    shipment = world.shipment(parcel.shipment_id)
    assert (shipment.state, shipment.locker_id) == (ShipmentState.ANNOUNCED, OTHER_LOCKER)
    assert shipment.compartment_id is None

    world.clock.advance(3 * HOUR)
    deposit = await world.deposit("TRK-1", locker_id=OTHER_LOCKER)
    await world.door(deposit.compartment.number, DoorState.CLOSED, locker_id=OTHER_LOCKER, by=world.cast.other_terminal)
    restored = world.shipment(parcel.shipment_id)
    assert (restored.state, restored.locker_id, restored.deposited_size) == (ShipmentState.STORED, OTHER_LOCKER, Size.M)
    assert restored.pickup_deadline == world.clock.now() + 72 * HOUR
    new_messages = [n for n in world.notifications(parcel.shipment_id) if n.created_at == world.clock.now()]
    assert [n.template for n in new_messages] == ["parcel_stored", "parcel_stored"]
    new_code = unseal(KEYS.derive("notification-seal"), new_messages[0].sealed_payload)["code"]
    assert world.code_hash(new_code, OTHER_LOCKER) == restored.pickup_code_hash  # a new code, for the new locker
    moves = [(t.from_state, t.to_state) for t in world.transitions(parcel.shipment_id) if t.from_state != t.to_state]
    assert moves == [
        (None, "announced"),
        ("announced", "stored"),
        ("stored", "redirected"),
        ("redirected", "announced"),
        ("announced", "stored"),
    ]


async def test_a_redirect_names_what_is_wrong(world: World) -> None:
    parcel = await world.store_parcel("TRK-1", size=Size.L)
    with pytest.raises(NotFound, match="no locker NOWHERE"):
        await redirect(world, parcel.shipment_id, "NOWHERE")
    with pytest.raises(InvalidInput, match="already"):
        await redirect(world, parcel.shipment_id, LOCKER)
    with pytest.raises(ParcelTooLarge, match="fits in no compartment of locker LOCKER-2"):
        await redirect(world, parcel.shipment_id)  # LOCKER-2 has only an M compartment
    with pytest.raises(NotFound):
        await world.run(redirect_shipment, RedirectShipment(world.cast.other_carrier, parcel.shipment_id, OTHER_LOCKER))
    with pytest.raises(Forbidden):
        await world.run(redirect_shipment, RedirectShipment(world.cast.courier, parcel.shipment_id, OTHER_LOCKER))
    assert world.shipment(parcel.shipment_id).state is ShipmentState.STORED


async def test_only_a_stored_parcel_is_redirected(world: World) -> None:
    shipment = await world.announce("TRK-1")
    with pytest.raises(IllegalTransition, match="only a parcel stored in a locker can be redirected"):
        await redirect(world, shipment.id)


async def test_a_parcel_being_taken_out_by_its_recipient_is_not_redirected(world: World) -> None:
    parcel = await world.store_parcel("TRK-1")
    await world.pick_up(code=parcel.code)
    with pytest.raises(Conflict, match="taking parcel TRK-1 out right now"):
        await redirect(world, parcel.shipment_id)
    assert (await world.door(parcel.compartment_number, DoorState.CLOSED)).outcome == "parcel_picked_up"


async def test_a_cancelled_shipment_is_not_deposited(world: World) -> None:
    """Cancel exists for announced shipments: a courier scanning the parcel afterwards is told."""
    shipment = await world.announce("TRK-1")
    cancelled = await world.run(cancel_shipment, CancelShipment(world.cast.carrier, shipment.id))
    assert (cancelled.state, cancelled.ended_at) == (ShipmentState.CANCELLED, world.clock.now())
    with pytest.raises(Conflict, match="already cancelled"):
        await world.deposit("TRK-1")
    parcel = await world.store_parcel("TRK-2")
    with pytest.raises(IllegalTransition, match="from stored to cancelled"):
        await world.run(cancel_shipment, CancelShipment(world.cast.carrier, parcel.shipment_id))
