"""The lifecycle rules of a shipment after it is stored: the reminder, the one extension, expiry, collection,
return, redirect (the same shipment announced again for the new locker) and the erasure of personal data."""

from datetime import UTC, datetime, timedelta

import pytest

from parcellocker.domain.compartment import Compartment, CompartmentState, PendingAction
from parcellocker.domain.errors import AlreadyExtended, DeadlinePassed, IllegalTransition, InvalidInput
from parcellocker.domain.events import Actor, ActorKind
from parcellocker.domain.shipment import Recipient, Shipment, ShipmentState
from parcellocker.domain.sizes import ParcelSpec, Size

START = datetime(2025, 3, 3, 8, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)
CARRIER = Actor(ActorKind.CARRIER, "fast")
TERMINAL = Actor(ActorKind.TERMINAL, "terminal-L")
SYSTEM = Actor(ActorKind.SYSTEM, "parcellocker")
S = ShipmentState


def stored(window: timedelta = 72 * HOUR, reminder_before: timedelta | None = 24 * HOUR) -> Shipment:
    shipment = Shipment.announce(
        shipment_id="shipment-1",
        tracking_number="TRK-1",
        carrier_id="fast",
        locker_id="L",
        parcel=ParcelSpec(size=Size.S),
        recipient=Recipient(email="ola@example.com", phone="+48 600 100 200", name="Ola", language="pl"),
        at=START,
        actor=CARRIER,
    )
    shipment.begin_deposit("L/1", Size.M)
    shipment.store("h" * 64, START + window, START, TERMINAL, reminder_before=reminder_before)
    return shipment


def test_a_stored_parcel_is_reminded_once_a_day_before_its_deadline() -> None:
    shipment = stored()
    assert shipment.remind_at == START + 48 * HOUR
    assert not shipment.reminder_due(START + 48 * HOUR - timedelta(seconds=1))
    assert shipment.reminder_due(START + 48 * HOUR)
    shipment.remind(START + 50 * HOUR)
    assert shipment.remind_at is None and not shipment.reminder_due(START + 60 * HOUR)
    with pytest.raises(IllegalTransition, match="no reminder"):
        shipment.remind(START + 60 * HOUR)


def test_no_reminder_when_the_deadline_is_set_closer_than_the_reminders_lead() -> None:
    assert stored(window=12 * HOUR).remind_at is None
    assert stored(reminder_before=None).remind_at is None


def test_no_reminder_once_the_deadline_has_passed() -> None:
    shipment = stored()
    assert not shipment.reminder_due(START + 72 * HOUR)


def test_the_one_extension_moves_the_deadline_and_plans_a_reminder_for_the_new_one() -> None:
    shipment = stored()
    shipment.remind(START + 48 * HOUR)
    shipment.extend_deadline(48 * HOUR, START + 50 * HOUR, CARRIER, reminder_before=24 * HOUR)
    assert (shipment.pickup_deadline, shipment.extensions) == (START + 120 * HOUR, 1)
    assert shipment.remind_at == START + 96 * HOUR
    last = shipment.events[-1]
    assert (last.from_state, last.to_state, last.reason) == (S.STORED, S.STORED, "pickup deadline extended")
    assert last.details == {"pickup_deadline": (START + 120 * HOUR).isoformat()}


def test_a_second_extension_is_refused_clearly_and_changes_nothing() -> None:
    shipment = stored()
    shipment.extend_deadline(48 * HOUR, START + HOUR, CARRIER)
    events = len(shipment.events)
    with pytest.raises(AlreadyExtended, match="extended already; it can be extended only once"):
        shipment.extend_deadline(48 * HOUR, START + 2 * HOUR, CARRIER)
    assert (shipment.pickup_deadline, shipment.extensions, len(shipment.events)) == (START + 120 * HOUR, 1, events)
    assert AlreadyExtended.code == "already_extended"


def test_an_extension_after_the_deadline_is_refused() -> None:
    shipment = stored()
    with pytest.raises(DeadlinePassed, match="has passed"):
        shipment.extend_deadline(48 * HOUR, START + 72 * HOUR, CARRIER)
    assert shipment.extensions == 0


def test_only_a_stored_parcel_can_be_extended() -> None:
    shipment = stored()
    shipment.expire(START + 72 * HOUR, SYSTEM)
    with pytest.raises(IllegalTransition, match="is expired"):
        shipment.extend_deadline(48 * HOUR, START + 73 * HOUR, CARRIER)


def test_expiry_kills_the_code_and_the_reminder_but_keeps_the_parcel_in_its_compartment() -> None:
    shipment = stored()
    shipment.expire(START + 72 * HOUR, SYSTEM)
    assert (shipment.state, shipment.pickup_code_hash, shipment.compartment_id) == (S.EXPIRED, None, "L/1")
    assert shipment.remind_at is None and shipment.ended_at is None


def test_a_returned_shipment_has_ended_when_the_carrier_confirmed_it() -> None:
    shipment = stored()
    shipment.expire(START + 72 * HOUR, SYSTEM)
    shipment.collect(START + 80 * HOUR, TERMINAL)
    assert (shipment.state, shipment.compartment_id) == (S.COLLECTED, None)
    shipment.mark_returned(START + 90 * HOUR, CARRIER)
    assert (shipment.state, shipment.ended_at) == (S.RETURNED, START + 90 * HOUR)


def test_a_redirected_parcel_is_announced_again_for_the_new_locker_once_collected() -> None:
    shipment = stored()
    shipment.redirect(START + HOUR, CARRIER, "L2")
    assert (shipment.state, shipment.pickup_code_hash, shipment.compartment_id) == (S.REDIRECTED, None, "L/1")
    assert shipment.remind_at is None
    shipment.collect(START + 5 * HOUR, TERMINAL)
    assert (shipment.state, shipment.locker_id, shipment.compartment_id) == (S.ANNOUNCED, "L2", None)
    assert (shipment.redirect_to_locker_id, shipment.pickup_deadline, shipment.stored_at) == (None, None, None)
    assert (shipment.deposited_size, shipment.extensions, shipment.ended_at) == (None, 0, None)
    assert [t.to_state for t in shipment.events] == [S.ANNOUNCED, S.STORED, S.REDIRECTED, S.ANNOUNCED]
    assert shipment.events[-1].details == {"from_locker_id": "L", "to_locker_id": "L2"}
    shipment.begin_deposit("L2/3", Size.S)
    shipment.store("k" * 64, START + 80 * HOUR, START + 8 * HOUR, TERMINAL)
    assert (shipment.state, shipment.locker_id, shipment.stored_at) == (S.STORED, "L2", START + 8 * HOUR)


def test_a_parcel_cannot_be_redirected_to_the_locker_it_is_in() -> None:
    shipment = stored()
    with pytest.raises(InvalidInput, match="at locker L already"):
        shipment.redirect(START, CARRIER, "L")
    assert (shipment.state, shipment.pickup_code_hash) == (S.STORED, "h" * 64)


def test_an_announced_shipment_is_cancelled_and_has_ended() -> None:
    shipment = Shipment.announce(
        shipment_id="s-2",
        tracking_number="TRK-2",
        carrier_id="fast",
        locker_id="L",
        parcel=ParcelSpec(size=Size.S),
        recipient=Recipient(email="ola@example.com"),
        at=START,
        actor=CARRIER,
    )
    shipment.cancel(START + HOUR, CARRIER)
    assert (shipment.state, shipment.ended_at) == (S.CANCELLED, START + HOUR)


def test_personal_data_is_erased_only_after_the_shipment_ended_and_the_rest_is_kept() -> None:
    shipment = stored()
    with pytest.raises(IllegalTransition, match="kept until it has ended"):
        shipment.erase_personal_data(START + HOUR, SYSTEM)
    shipment.pick_up(START + 2 * HOUR, TERMINAL)
    shipment.erase_personal_data(START + 800 * HOUR, SYSTEM)
    assert shipment.recipient == Recipient(language="pl", erased=True)
    assert (shipment.recipient.email, shipment.recipient.phone, shipment.recipient.name) == (None, None, None)
    assert shipment.personal_data_erased_at == START + 800 * HOUR
    assert (shipment.tracking_number, shipment.state, shipment.picked_up_at) == ("TRK-1", S.PICKED_UP, START + 2 * HOUR)
    assert shipment.events[-1].reason == "recipient's personal data erased"
    shipment.erase_personal_data(START + 900 * HOUR, SYSTEM)  # again: nothing more to do
    assert shipment.personal_data_erased_at == START + 800 * HOUR


def test_an_erased_recipient_keeps_no_contact() -> None:
    with pytest.raises(InvalidInput, match="keeps no e-mail"):
        Recipient(email="ola@example.com", erased=True)


def test_a_compartment_opens_for_the_collection_of_the_parcel_it_holds_and_only_then() -> None:
    compartment = Compartment("L/1", "L", 1, Size.S, 0, 1)
    with pytest.raises(IllegalTransition, match="compartment 1 is free"):
        compartment.open_for_collection(START, TERMINAL)
    compartment.reserve_for_deposit("shipment-1", START, TERMINAL)
    compartment.fill(START, TERMINAL)
    compartment.open_for_service(START, TERMINAL)
    compartment.open_for_collection(START, TERMINAL)  # an operator's opening gives way to it
    compartment.open_for_collection(START, TERMINAL)  # asked again: still the collection
    assert (compartment.state, compartment.pending) == (CompartmentState.OCCUPIED, PendingAction.COLLECTION)
    compartment.empty(START, TERMINAL, "door closed after a collection")
    assert (compartment.state, compartment.shipment_id, compartment.pending) == (CompartmentState.FREE, None, None)


def test_a_compartment_open_for_a_pickup_is_not_opened_for_a_collection() -> None:
    compartment = Compartment("L/1", "L", 1, Size.S, 0, 1)
    compartment.reserve_for_deposit("shipment-1", START, TERMINAL)
    compartment.fill(START, TERMINAL)
    compartment.open_for_pickup(START, TERMINAL)
    with pytest.raises(IllegalTransition, match="open for a pickup right now"):
        compartment.open_for_collection(START, TERMINAL)
