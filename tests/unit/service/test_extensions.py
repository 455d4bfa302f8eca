"""Extending a pickup deadline once: by the carrier over the API, or by the recipient with the signed link."""

from datetime import timedelta

import pytest

from parcellocker.domain.compartment import DoorState
from parcellocker.domain.errors import AlreadyExtended, DeadlinePassed, Forbidden, IllegalTransition, NotFound
from parcellocker.domain.pickup_policy import PickupPolicy, PolicySubject
from parcellocker.domain.shipment import ShipmentState
from parcellocker.security.sealing import unseal
from parcellocker.service.collecting import CollectParcel, collect_parcel
from parcellocker.service.extensions import (
    ExtendByLink,
    ExtendDeadline,
    ExtensionOffer,
    extend_by_link,
    extend_deadline,
    read_extension_offer,
)
from parcellocker.service.pickup_policies import SetPickupPolicy, set_pickup_policy
from parcellocker.service.ports import Notification
from parcellocker.service.redirects import RedirectShipment, redirect_shipment

from .world import KEYS, LOCKER, World

HOUR = timedelta(hours=1)


def secrets_of(notification: Notification) -> dict[str, str]:
    payload: dict[str, str] = unseal(KEYS.derive("notification-seal"), notification.sealed_payload)
    return payload


def link_token(world: World, shipment_id: str) -> str:
    """The token of the extension link in the recipient's first message."""
    [email] = [n for n in world.notifications(shipment_id) if n.channel == "email"]
    url = secrets_of(email)["extend_url"]
    assert url.startswith("http://127.0.0.1:8000/extend/plx.")
    return url.rsplit("/", 1)[1]


async def test_the_carrier_extends_the_deadline_by_48_hours_once(world: World) -> None:
    parcel = await world.store_parcel("TRK-1")
    stored_at = world.clock.now()
    world.clock.advance(10 * HOUR)
    extended = await world.run(extend_deadline, ExtendDeadline(world.cast.carrier, parcel.shipment_id))
    assert (extended.pickup_deadline, extended.extensions) == (stored_at + 120 * HOUR, 1)
    shipment = world.shipment(parcel.shipment_id)
    assert (shipment.pickup_deadline, shipment.remind_at) == (stored_at + 120 * HOUR, stored_at + 96 * HOUR)
    [extension] = [t for t in world.transitions(parcel.shipment_id) if t.reason == "pickup deadline extended"]
    assert (str(extension.actor), extension.at) == ("carrier:fast", world.clock.now())
    assert "shipment.deadline_extended" in world.audit_actions()


async def test_a_second_extension_is_refused_and_the_deadline_stays(world: World) -> None:
    parcel = await world.store_parcel("TRK-1")
    await world.run(extend_deadline, ExtendDeadline(world.cast.carrier, parcel.shipment_id))
    deadline = world.shipment(parcel.shipment_id).pickup_deadline
    with pytest.raises(AlreadyExtended, match="only once"):
        await world.run(extend_deadline, ExtendDeadline(world.cast.carrier, parcel.shipment_id))
    assert world.shipment(parcel.shipment_id).pickup_deadline == deadline


async def test_an_extension_after_the_deadline_is_refused(world: World) -> None:
    parcel = await world.store_parcel("TRK-1")
    world.clock.advance(72 * HOUR)
    with pytest.raises(DeadlinePassed):
        await world.run(extend_deadline, ExtendDeadline(world.cast.carrier, parcel.shipment_id))


async def test_a_parcel_not_yet_stored_cannot_be_extended(world: World) -> None:
    shipment = await world.announce("TRK-1")
    with pytest.raises(IllegalTransition, match="is announced"):
        await world.run(extend_deadline, ExtendDeadline(world.cast.carrier, shipment.id))


async def test_another_carrier_does_not_see_the_shipment_and_a_courier_may_not_extend(world: World) -> None:
    parcel = await world.store_parcel("TRK-1")
    with pytest.raises(NotFound):
        await world.run(extend_deadline, ExtendDeadline(world.cast.other_carrier, parcel.shipment_id))
    with pytest.raises(Forbidden):
        await world.run(extend_deadline, ExtendDeadline(world.cast.courier, parcel.shipment_id))
    assert world.shipment(parcel.shipment_id).extensions == 0


async def test_the_extension_follows_the_carriers_policy(world: World) -> None:
    policy = SetPickupPolicy(world.cast.operator, PolicySubject.CARRIER, "fast", PickupPolicy(extension=24 * HOUR))
    await world.run(set_pickup_policy, policy)
    parcel = await world.store_parcel("TRK-1")
    before = world.shipment(parcel.shipment_id).pickup_deadline
    assert before is not None
    await world.run(extend_deadline, ExtendDeadline(world.cast.operator, parcel.shipment_id))
    assert world.shipment(parcel.shipment_id).pickup_deadline == before + 24 * HOUR


async def test_the_recipients_link_shows_the_offer_without_changing_anything_then_extends(world: World) -> None:
    parcel = await world.store_parcel("TRK-1")
    token = link_token(world, parcel.shipment_id)
    deadline = world.shipment(parcel.shipment_id).pickup_deadline
    assert deadline is not None

    offer: ExtensionOffer = await world.services.read(read_extension_offer, ExtendByLink(token))
    assert (offer.deadline, offer.extended_deadline, offer.locker.id) == (deadline, deadline + 48 * HOUR, LOCKER)
    assert world.shipment(parcel.shipment_id).extensions == 0

    done: ExtensionOffer = await world.run(extend_by_link, ExtendByLink(token))
    assert done.extended_deadline == deadline + 48 * HOUR
    assert world.shipment(parcel.shipment_id).pickup_deadline == deadline + 48 * HOUR
    extension = world.transitions(parcel.shipment_id)[-1]
    assert str(extension.actor) == "recipient:extension-link"

    with pytest.raises(AlreadyExtended):
        await world.run(extend_by_link, ExtendByLink(token))
    with pytest.raises(AlreadyExtended):  # the page says so too
        await world.services.read(read_extension_offer, ExtendByLink(token))


@pytest.mark.parametrize("mangle", [lambda t: t[:-3] + "AAA", lambda t: "plx.e30." + t.split(".")[2], lambda t: "x"])
async def test_a_forged_or_mangled_link_is_not_found(world: World, mangle: object) -> None:
    parcel = await world.store_parcel("TRK-1")
    token = mangle(link_token(world, parcel.shipment_id))  # type: ignore[operator]
    with pytest.raises(NotFound, match="not valid"):
        await world.run(extend_by_link, ExtendByLink(token))
    assert world.shipment(parcel.shipment_id).extensions == 0


async def test_a_link_from_before_a_redirect_does_not_extend_the_new_stay(world: World) -> None:
    parcel = await world.store_parcel("TRK-1")
    old_token = link_token(world, parcel.shipment_id)
    await world.run(redirect_shipment, RedirectShipment(world.cast.carrier, parcel.shipment_id, "LOCKER-2"))
    opened = await world.run(collect_parcel, CollectParcel(world.cast.courier, LOCKER, "TRK-1"))
    await world.door(opened.compartment.number, DoorState.CLOSED)
    world.clock.advance(5 * HOUR)  # the courier drives to the other locker
    second = await world.deposit("TRK-1", locker_id="LOCKER-2")
    await world.door(second.compartment.number, DoorState.CLOSED, locker_id="LOCKER-2", by=world.cast.other_terminal)
    assert world.shipment(parcel.shipment_id).state is ShipmentState.STORED
    with pytest.raises(NotFound, match="earlier delivery"):
        await world.run(extend_by_link, ExtendByLink(old_token))
