"""The whole calendar of a parcel in test time, on SQLite and PostgreSQL, with the real store, the scheduler run by
the test's clock and the outbox worker delivering to a mailbox: store → reminder → extend → reminder → expire →
collect → return, and the recipient's personal data erased a month later."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from lifecycle_rig import CARRIER, COURIER, RECIPIENT, LifecycleSite, lifecycle_site
from sqlalchemy.ext.asyncio import AsyncEngine

from parcellocker.adapters.notifications.mailbox import MailboxNotifier, mailbox_file
from parcellocker.adapters.notifications.worker import OutboxWorker
from parcellocker.domain.compartment import CompartmentState, DoorState
from parcellocker.domain.errors import PickupCodeNotFound
from parcellocker.domain.shipment import ShipmentState
from parcellocker.service.collecting import CollectParcel, ReturnShipment, collect_parcel, return_shipment
from parcellocker.service.extensions import ExtendDeadline, extend_deadline
from parcellocker.service.pickups import PickUpParcel, pick_up_parcel
from parcellocker.service.scheduler import LifecycleScheduler, RoundDone
from parcellocker.service.terminal_sync import link_records

HOUR = timedelta(hours=1)
SECOND = timedelta(seconds=1)


async def test_the_whole_calendar_of_a_parcel(engine: AsyncEngine, tmp_path: Path) -> None:
    site = await lifecycle_site(engine)
    scheduler = LifecycleScheduler(site.services)
    worker = OutboxWorker(site.services, MailboxNotifier(tmp_path))
    shipment_id, number = await site.store("TN-1")
    stored_at = site.clock.now()
    await worker.send_due()
    [first] = _mailbox(tmp_path)
    code = first["code"]

    # The reminder, 24 hours before the 72-hour deadline, once.
    site.clock.advance(48 * HOUR - SECOND)
    assert await scheduler.run_due() == RoundDone()
    site.clock.advance(SECOND)
    assert await scheduler.run_due() == RoundDone(reminded=1)
    assert await scheduler.run_due() == RoundDone()
    await worker.send_due()
    reminder = _mailbox(tmp_path)[-1]
    assert reminder["subject"].startswith("Reminder: your parcel TN-1") and reminder["code"] == code
    assert "You can extend the deadline once, here: http://127.0.0.1:8000/extend/plx." in reminder["text"]

    # The carrier extends by 48 hours: the new deadline gets its own reminder; the terminal is told to sync.
    site.clock.advance(2 * HOUR)
    extended = await site.run(extend_deadline, ExtendDeadline(CARRIER, shipment_id))
    assert extended.pickup_deadline == stored_at + 120 * HOUR
    await _assert_terminal_asked_to_sync(site)
    site.clock.advance(46 * HOUR - SECOND)  # 96 h after storing, less a second
    assert await scheduler.run_due() == RoundDone()
    site.clock.advance(SECOND)
    assert await scheduler.run_due() == RoundDone(reminded=1)
    await worker.send_due()
    second = _mailbox(tmp_path)[-1]
    assert second["subject"].startswith("Reminder") and "extend" not in second["text"]
    assert second["pickup_deadline"] == (stored_at + 120 * HOUR).isoformat()

    # The deadline passes: expired, the code dead, the recipient told.
    site.clock.advance(24 * HOUR - SECOND)
    assert await scheduler.run_due() == RoundDone()
    site.clock.advance(SECOND)
    assert await scheduler.run_due() == RoundDone(expired=1)
    with pytest.raises(PickupCodeNotFound):
        await site.run(pick_up_parcel, PickUpParcel(site.terminal, site.locker_id, code=code))
    await worker.send_due()
    notice = _mailbox(tmp_path)[-1]
    assert notice["subject"] == "Your parcel TN-1 was not picked up"

    # A courier collects it; the compartment is free; the carrier confirms the return.
    site.clock.advance(5 * HOUR)
    opened = await site.run(collect_parcel, CollectParcel(COURIER, site.locker_id, "TN-1"))
    assert opened.compartment.number == number
    await site.door(number, DoorState.OPEN)
    assert (await site.door(number, DoorState.CLOSED)).outcome == "parcel_collected"
    site.clock.advance(20 * HOUR)
    returned = await site.run(return_shipment, ReturnShipment(CARRIER, shipment_id))
    assert (returned.state, returned.ended_at) == (ShipmentState.RETURNED, site.clock.now())
    ended_at = site.clock.now()

    # A month later the recipient's personal data is gone; the carrier's history stays.
    site.clock.advance(timedelta(days=30))
    assert await scheduler.run_due() == RoundDone()
    site.clock.advance(SECOND)
    assert await scheduler.run_due() == RoundDone(erased=1)
    async with site.services.uow_factory() as uow:
        kept = await uow.shipments.get(shipment_id)
        compartment = await uow.compartments.by_number(site.locker_id, number)
        reminders = await uow.outbox.latest_payload(shipment_id, "reminder")
    assert kept is not None and compartment is not None
    assert (kept.recipient.email, kept.recipient.phone, kept.recipient.name) == (None, None, None)
    assert (kept.tracking_number, kept.state, kept.ended_at, kept.extensions) == ("TN-1", "returned", ended_at, 1)
    assert reminders is None  # the sealed payloads are blanked too
    assert compartment.state is CompartmentState.FREE

    subjects = [message["subject"].split(":")[0].split(" ")[0] for message in _mailbox(tmp_path)]
    assert subjects == ["Your", "Reminder", "Reminder", "Your"]
    assert {message["to"] for message in _mailbox(tmp_path)} == {RECIPIENT.email}


def _mailbox(folder: Path) -> list[dict[str, str]]:
    assert RECIPIENT.email is not None
    path = mailbox_file(folder, RECIPIENT.email)
    return [json.loads(line) for line in path.read_text().splitlines()]


async def _assert_terminal_asked_to_sync(site: LifecycleSite) -> None:
    async with site.services.uow_factory() as uow:
        waiting = await link_records(uow).terminal_commands.pending(site.locker_id, 0, site.clock.now(), 20)
    assert [command.kind for command in waiting] == ["sync_codes"]
