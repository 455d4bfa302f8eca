"""The outbox worker sends the reminder and the expiry notice in the recipient's language, and drops messages that
are no longer true when their turn comes."""

from dataclasses import replace
from datetime import timedelta

from parcellocker.adapters.notifications.port import Message, Notifier
from parcellocker.adapters.notifications.worker import OutboxWorker
from parcellocker.service.calendar import CalendarBatch, expire_parcels, send_reminders
from parcellocker.service.extensions import ExtendDeadline, extend_deadline

from .world import RECIPIENT, World

HOUR = timedelta(hours=1)


class Recorder(Notifier):
    def __init__(self) -> None:
        self.sent: list[Message] = []

    async def send(self, message: Message) -> None:
        self.sent.append(message)


async def send_all(world: World) -> list[Message]:
    recorder = Recorder()
    await OutboxWorker(world.services, recorder).send_due()
    return [m for m in recorder.sent if m.channel == "email"]


async def test_the_reminder_repeats_the_code_and_offers_the_extension_link_once(world: World) -> None:
    parcel = await world.store_parcel("TRK-1")
    await send_all(world)
    world.clock.advance(48 * HOUR)
    await world.run(send_reminders, CalendarBatch())
    [reminder] = await send_all(world)
    assert reminder.subject.startswith("Reminder: your parcel TRK-1 waits at Main Street until")
    assert f"Pickup code: {parcel.code}" in reminder.text
    assert "Need more time? You can extend the deadline once, here: http://127.0.0.1:8000/extend/plx." in reminder.text
    assert reminder.code == parcel.code and reminder.qr_token.startswith("PLQR1.")
    await world.run(extend_deadline, ExtendDeadline(world.cast.carrier, parcel.shipment_id))
    world.clock.advance(48 * HOUR)
    await world.run(send_reminders, CalendarBatch())
    [second] = await send_all(world)
    assert f"Pickup code: {parcel.code}" in second.text and "extend" not in second.text


async def test_the_expiry_notice_says_the_parcel_goes_back_and_an_unsent_code_is_dropped(world: World) -> None:
    await world.store_parcel("TRK-1")  # its message is not sent before the deadline (the notifier was down)
    world.clock.advance(72 * HOUR)
    await world.run(expire_parcels, CalendarBatch())
    [notice] = await send_all(world)
    assert notice.to == RECIPIENT.email
    assert notice.subject == "Your parcel TRK-1 was not picked up"
    assert "The pickup code no longer works; the parcel goes back to the sender." in notice.text
    assert (notice.code, notice.qr_token) == ("", "")
    assert await send_all(world) == []  # the stored message was dropped, not kept for later


async def test_the_reminder_in_polish(world: World) -> None:
    parcel = await world.store_parcel("TRK-1")
    shipment = world.db.shipments[parcel.shipment_id]
    world.db.shipments[parcel.shipment_id] = replace(shipment, recipient=replace(shipment.recipient, language="pl"))
    await send_all(world)
    world.clock.advance(48 * HOUR)
    await world.run(send_reminders, CalendarBatch())
    [reminder] = await send_all(world)
    assert reminder.subject.startswith("Przypomnienie: paczka TRK-1 czeka w Main Street do")
    assert "Potrzebujesz więcej czasu? Możesz raz przedłużyć termin odbioru tutaj: http" in reminder.text
    assert f"Kod odbioru: {parcel.code}" in reminder.text
