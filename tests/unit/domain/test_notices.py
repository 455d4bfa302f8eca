"""Whether a message queued earlier is still worth sending when its turn comes."""

from datetime import UTC, datetime, timedelta

from parcellocker.domain.events import Actor, ActorKind
from parcellocker.domain.notices import Notice, worth_sending
from parcellocker.domain.shipment import Recipient, Shipment
from parcellocker.domain.sizes import ParcelSpec, Size

START = datetime(2025, 3, 3, 8, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)
ACTOR = Actor(ActorKind.SYSTEM, "parcellocker")


def stored_at(at: datetime) -> Shipment:
    shipment = Shipment.announce(
        shipment_id="s-1",
        tracking_number="TRK-1",
        carrier_id="fast",
        locker_id="L",
        parcel=ParcelSpec(size=Size.S),
        recipient=Recipient(email="ola@example.com"),
        at=START,
        actor=ACTOR,
    )
    shipment.begin_deposit("L/1", Size.S)
    shipment.store("h" * 64, at + 72 * HOUR, at, ACTOR)
    return shipment


def test_the_code_and_the_reminder_are_sent_while_the_parcel_waits() -> None:
    shipment = stored_at(START)
    assert worth_sending(Notice.PARCEL_STORED, START, shipment)
    assert worth_sending(Notice.REMINDER, START + 48 * HOUR, shipment)
    assert not worth_sending(Notice.EXPIRED, START + 72 * HOUR, shipment)


def test_the_code_is_not_sent_once_the_parcel_is_gone_but_the_expiry_notice_is() -> None:
    shipment = stored_at(START)
    shipment.expire(START + 72 * HOUR, ACTOR)
    assert not worth_sending(Notice.PARCEL_STORED, START, shipment)
    assert not worth_sending(Notice.REMINDER, START + 48 * HOUR, shipment)
    assert worth_sending(Notice.EXPIRED, START + 72 * HOUR, shipment)
    shipment.collect(START + 80 * HOUR, ACTOR)
    assert worth_sending(Notice.EXPIRED, START + 72 * HOUR, shipment)


def test_a_code_of_an_earlier_stay_is_not_sent_after_the_parcel_was_redirected_and_stored_again() -> None:
    shipment = stored_at(START)
    shipment.redirect(START + HOUR, ACTOR, "L2")
    shipment.collect(START + 2 * HOUR, ACTOR)
    shipment.begin_deposit("L2/1", Size.S)
    shipment.store("k" * 64, START + 80 * HOUR, START + 8 * HOUR, ACTOR)
    assert not worth_sending(Notice.PARCEL_STORED, START, shipment)
    assert worth_sending(Notice.PARCEL_STORED, START + 8 * HOUR, shipment)


def test_nothing_is_sent_to_a_recipient_whose_data_was_erased() -> None:
    shipment = stored_at(START)
    shipment.expire(START + 72 * HOUR, ACTOR)
    shipment.collect(START + 73 * HOUR, ACTOR)
    shipment.mark_returned(START + 74 * HOUR, ACTOR)
    shipment.erase_personal_data(START + 800 * HOUR, ACTOR)
    assert not worth_sending(Notice.EXPIRED, START + 72 * HOUR, shipment)
