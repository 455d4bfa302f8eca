"""What the scheduler does when the clock says so: reminders once per deadline, expiry, erasure of personal data."""

from datetime import timedelta

import pytest

from parcellocker.domain.compartment import DoorState, PendingAction
from parcellocker.domain.errors import PickupCodeNotFound
from parcellocker.domain.shipment import ShipmentState
from parcellocker.domain.sizes import ParcelSpec, Size
from parcellocker.security.qr_tokens import read_qr_token
from parcellocker.security.sealing import unseal
from parcellocker.service.calendar import CalendarBatch, erase_personal_data, expire_parcels, send_reminders
from parcellocker.service.context import Replay
from parcellocker.service.extensions import ExtendDeadline, extend_deadline
from parcellocker.service.ports import Notification
from parcellocker.service.shipments import AnnounceShipment, GetShipment, announce_shipment, get_shipment

from .world import KEYS, RECIPIENT, World

HOUR = timedelta(hours=1)
BATCH = CalendarBatch(limit=100)


def of(world: World, shipment_id: str, template: str) -> list[Notification]:
    return sorted(
        (n for n in world.notifications(shipment_id) if n.template == template), key=lambda n: (n.created_at, n.channel)
    )


def secrets_of(notification: Notification) -> dict[str, str]:
    payload: dict[str, str] = unseal(KEYS.derive("notification-seal"), notification.sealed_payload)
    return payload


async def test_the_reminder_comes_24_hours_before_the_deadline_with_the_same_code(world: World) -> None:
    parcel = await world.store_parcel("TRK-1")
    world.clock.advance(48 * HOUR - timedelta(seconds=1))
    assert await world.run(send_reminders, BATCH) == 0
    world.clock.advance(timedelta(seconds=1))
    assert await world.run(send_reminders, BATCH) == 1
    reminders = of(world, parcel.shipment_id, "reminder")
    assert [(n.channel, n.address) for n in reminders] == [("email", RECIPIENT.email), ("sms", RECIPIENT.phone)]
    secrets = secrets_of(reminders[0])
    assert secrets["code"] == parcel.code
    assert "/extend/plx." in secrets["extend_url"]
    claim = read_qr_token(KEYS.verify_key, secrets["qr"], world.clock.now())
    assert claim is not None and claim.shipment_id == parcel.shipment_id
    deadline = world.shipment(parcel.shipment_id).pickup_deadline
    assert deadline is not None and claim.expires_at == int((deadline + 48 * HOUR).timestamp())


async def test_a_deadline_is_reminded_once_and_an_extended_one_again(world: World) -> None:
    parcel = await world.store_parcel("TRK-1")
    world.clock.advance(50 * HOUR)
    assert await world.run(send_reminders, BATCH) == 1
    world.clock.advance(HOUR)
    assert await world.run(send_reminders, BATCH) == 0
    await world.run(extend_deadline, ExtendDeadline(world.cast.carrier, parcel.shipment_id))  # deadline at 120 h
    world.clock.advance(44 * HOUR)  # 95 h after storing
    assert await world.run(send_reminders, BATCH) == 0
    world.clock.advance(HOUR)
    assert await world.run(send_reminders, BATCH) == 1
    assert await world.run(send_reminders, BATCH) == 0
    reminders = of(world, parcel.shipment_id, "reminder")
    assert len(reminders) == 4  # two deadlines, two channels
    second = secrets_of(reminders[-1])
    assert second["code"] == parcel.code and "extend_url" not in second  # extended once: no link any more
    claim = read_qr_token(KEYS.verify_key, second["qr"], world.clock.now())
    assert claim is not None
    assert claim.expires_at == int(world.shipment(parcel.shipment_id).pickup_deadline.timestamp())  # type: ignore[union-attr]


async def test_a_parcel_picked_up_early_gets_no_reminder(world: World) -> None:
    parcel = await world.store_parcel("TRK-1")
    await world.pick_up(code=parcel.code)
    await world.door(parcel.compartment_number, DoorState.CLOSED)
    world.clock.advance(60 * HOUR)
    assert await world.run(send_reminders, BATCH) == 0
    assert of(world, parcel.shipment_id, "reminder") == []


async def test_a_parcel_expires_at_its_deadline_and_its_recipient_is_told(world: World) -> None:
    parcel = await world.store_parcel("TRK-1")
    world.clock.advance(72 * HOUR - timedelta(seconds=1))
    assert await world.run(expire_parcels, BATCH) == 0
    world.clock.advance(timedelta(seconds=1))
    assert await world.run(expire_parcels, BATCH) == 1
    assert await world.run(expire_parcels, BATCH) == 0
    shipment = world.shipment(parcel.shipment_id)
    assert (shipment.state, shipment.pickup_code_hash) == (ShipmentState.EXPIRED, None)
    assert shipment.compartment_id is not None  # waits for a courier
    expired = of(world, parcel.shipment_id, "expired")
    assert [n.channel for n in expired] == ["email", "sms"]
    assert secrets_of(expired[0]) == {}
    with pytest.raises(PickupCodeNotFound):
        await world.pick_up(code=parcel.code)
    [expiry] = [t for t in world.transitions(parcel.shipment_id) if t.to_state == ShipmentState.EXPIRED]
    assert (str(expiry.actor), expiry.reason) == ("system:parcellocker", "pickup deadline passed")


async def test_a_parcel_being_taken_out_at_its_deadline_is_left_to_its_pickup(world: World) -> None:
    parcel = await world.store_parcel("TRK-1")
    world.clock.advance(72 * HOUR - timedelta(minutes=1))
    await world.pick_up(code=parcel.code)
    world.clock.advance(2 * timedelta(minutes=1))
    assert await world.run(expire_parcels, BATCH) == 0
    assert world.compartment(parcel.compartment_number).pending is PendingAction.PICKUP
    applied = await world.door(parcel.compartment_number, DoorState.CLOSED)
    assert applied.outcome == "parcel_picked_up"


async def test_personal_data_is_erased_30_days_after_the_shipment_ended(world: World) -> None:
    parcel = await world.store_parcel("TRK-1")
    await world.pick_up(code=parcel.code)
    await world.door(parcel.compartment_number, DoorState.CLOSED)
    waiting = await world.store_parcel("TRK-2")
    world.clock.advance(timedelta(days=30) - timedelta(seconds=1))
    assert await world.run(expire_parcels, BATCH) == 1  # TRK-2: expired, on the collection list, not ended
    assert await world.run(erase_personal_data, BATCH) == 0
    world.clock.advance(timedelta(seconds=2))
    assert await world.run(erase_personal_data, BATCH) == 1
    assert await world.run(erase_personal_data, BATCH) == 0
    erased = world.shipment(parcel.shipment_id)
    assert (erased.recipient.email, erased.recipient.phone, erased.recipient.name) == (None, None, None)
    assert (erased.tracking_number, erased.state, erased.deposited_size) == ("TRK-1", ShipmentState.PICKED_UP, "S")
    assert all((n.address, n.sealed_payload) == ("", "") for n in world.notifications(parcel.shipment_id))
    kept = world.shipment(waiting.shipment_id)  # expired, not ended: its data stays
    assert kept.recipient.email == RECIPIENT.email
    assert "personal_data.erased" in world.audit_actions()
    seen = await world.services.read(get_shipment, GetShipment(world.cast.carrier, parcel.shipment_id))
    assert seen.personal_data_erased_at == world.clock.now()


async def test_idempotency_replies_that_may_quote_a_recipient_are_forgotten_with_the_same_delay(world: World) -> None:
    replay = Replay.of("carrier:fast", "key-1", "POST", "/api/v1/shipments", b"{}")
    command = AnnounceShipment(world.cast.carrier, "TRK-9", "LOCKER-1", ParcelSpec(Size.S), RECIPIENT)
    await world.services.run(announce_shipment, command, lambda s: {"email": s.recipient.email}, replay)
    assert len(world.db.replies) == 1
    world.clock.advance(timedelta(days=30))
    await world.run(erase_personal_data, BATCH)
    assert len(world.db.replies) == 1
    world.clock.advance(timedelta(seconds=1))
    await world.run(erase_personal_data, BATCH)
    assert world.db.replies == {}
