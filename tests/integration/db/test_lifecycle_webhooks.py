"""The lifecycle's changes reach the carrier's webhook, on SQLite and PostgreSQL, in test time: the carrier's
extension, the scheduler's expiry, a courier's collection, the return, a redirect collected for its new locker,
the scheduler's erasure, and a return dropped off at the locker, collected and handed to the carrier, each POSTed
signed by the real worker to a receiver on 127.0.0.1. The bodies hold none of the recipient's (or sender's)
personal data, before the erasure or after it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from lifecycle_rig import CARRIER, COURIER, KEYS, OPERATOR, RECIPIENT, LifecycleSite, lifecycle_site
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from parcellocker.adapters.db.consistency import Inconsistency, check_consistency
from parcellocker.adapters.db.tables import webhook_deliveries
from parcellocker.adapters.webhooks.sender import HttpWebhookSender
from parcellocker.adapters.webhooks.worker import WebhookWorker
from parcellocker.domain.compartment import DoorState
from parcellocker.domain.shipment import ShipmentKind
from parcellocker.domain.sizes import ParcelSpec, Size
from parcellocker.security.sealing import unseal
from parcellocker.security.webhook_signatures import TIMESTAMP_HEADER
from parcellocker.service.collecting import (
    CollectParcel,
    HandOverShipment,
    ReturnShipment,
    collect_parcel,
    hand_over_shipment,
    return_shipment,
)
from parcellocker.service.dropoffs import DropOffParcel, IssueDropoffCode, drop_off_parcel, issue_dropoff_code
from parcellocker.service.extensions import ExtendDeadline, extend_deadline
from parcellocker.service.lockers import AddLocker, add_locker
from parcellocker.service.recipient_messages import SEAL_PURPOSE
from parcellocker.service.redirects import RedirectShipment, redirect_shipment
from parcellocker.service.scheduler import LifecycleScheduler, RoundDone
from parcellocker.service.webhooks import SetWebhook, set_webhook
from webhook_receiver import Received, WebhookReceiver

HOUR = timedelta(hours=1)
SECOND = timedelta(seconds=1)
DOCUMENT_FIELDS = {"event_id", "shipment_id", "tracking_number", "carrier_id", "locker_id", "from_state", "to_state",
                   "at", "reason", "actor", "details"}  # fmt: skip
PERSONAL = [value for value in (RECIPIENT.email, RECIPIENT.phone, RECIPIENT.name) if value]


async def deliver_all(worker: WebhookWorker) -> None:
    """Rounds until nothing is due (a shipment's next event is due once the one before it is delivered)."""
    while await worker.deliver_due():
        pass


def told(received: list[Received], shipment_id: str) -> list[tuple[Any, ...]]:
    return [
        (r.event["from_state"], r.event["to_state"], r.event["reason"], r.event["actor"], r.event["locker_id"])
        for r in received
        if r.event["shipment_id"] == shipment_id
    ]


async def inconsistencies(engine: AsyncEngine) -> list[Inconsistency]:
    """What `parcellocker db check` would report."""
    async with engine.connect() as connection, connection.begin():
        return (await check_consistency(connection)).inconsistencies


async def collect(site: LifecycleSite, tracking_number: str) -> None:
    opened = await site.run(collect_parcel, CollectParcel(COURIER, site.locker_id, tracking_number))
    await site.door(opened.compartment.number, DoorState.OPEN)
    assert (await site.door(opened.compartment.number, DoorState.CLOSED)).outcome == "parcel_collected"


async def test_the_lifecycles_changes_reach_the_carriers_webhook(engine: AsyncEngine) -> None:
    site = await lifecycle_site(engine)
    await site.run(add_locker, AddLocker(OPERATOR, "North", "2 North St", "S:2", "L-2", "Europe/Warsaw"))
    scheduler = LifecycleScheduler(site.services)
    async with WebhookReceiver() as receiver:
        registered = await site.run(set_webhook, SetWebhook(CARRIER, "carrier-1", receiver.url()))
        assert registered.secret is not None
        worker = WebhookWorker(site.services, HttpWebhookSender(timeout=5, private_addresses=True))
        try:
            expiring, _ = await site.store("TN-1")
            redirected, _ = await site.store("TN-2")

            # The carrier extends TN-1 (72 h + 48 h); the scheduler expires it when that passes.
            await site.run(extend_deadline, ExtendDeadline(CARRIER, expiring))
            await site.run(redirect_shipment, RedirectShipment(CARRIER, redirected, "L-2"))
            await deliver_all(worker)
            site.clock.advance(120 * HOUR - SECOND)
            assert (await scheduler.run_due()).expired == 0
            site.clock.advance(SECOND)
            assert (await scheduler.run_due()).expired == 1
            await deliver_all(worker)

            # A courier collects both; the carrier confirms TN-1's return; its data is erased 30 days later.
            site.clock.advance(HOUR)
            await collect(site, "TN-1")
            await collect(site, "TN-2")
            await site.run(return_shipment, ReturnShipment(CARRIER, expiring))
            await deliver_all(worker)
            site.clock.advance(timedelta(days=30) + SECOND)
            assert await scheduler.run_due() == RoundDone(erased=1)
            await deliver_all(worker)
        finally:
            await worker.stop()
        delivered = receiver.delivered()

    carrier = "carrier:carrier-1"
    assert told(delivered, expiring) == [
        (None, "announced", "announced by carrier", carrier, "L-1"),
        ("announced", "stored", "door closed on the parcel", "terminal", "L-1"),
        ("stored", "stored", "pickup deadline extended", carrier, "L-1"),
        ("stored", "expired", "pickup deadline passed", "system", "L-1"),
        ("expired", "collected", "collected by courier", "terminal", "L-1"),
        ("collected", "returned", "returned to sender", carrier, "L-1"),
        ("returned", "returned", "recipient's personal data erased", "system", "L-1"),
    ]
    assert told(delivered, redirected) == [
        (None, "announced", "announced by carrier", carrier, "L-1"),
        ("announced", "stored", "door closed on the parcel", "terminal", "L-1"),
        ("stored", "redirected", "redirected", carrier, "L-1"),
        ("redirected", "announced", "collected by courier for another locker", "terminal", "L-2"),
    ]
    [redirect] = [r.event for r in delivered if r.event["to_state"] == "redirected"]
    [moved] = [r.event for r in delivered if r.event["reason"] == "collected by courier for another locker"]
    assert redirect["details"] == {"to_locker_id": "L-2"}
    assert moved["details"] == {"from_locker_id": "L-1", "to_locker_id": "L-2"}
    for request in delivered:
        request.verify_with(registered.secret, now=float(request.headers[TIMESTAMP_HEADER]))  # signed in test time
        assert set(request.event) == DOCUMENT_FIELDS
    # Nothing of the recipient's is ever in a webhook's body: not in what was sent, nor in what the outbox keeps.
    async with engine.connect() as connection:
        kept = [row[0] for row in await connection.execute(select(webhook_deliveries.c.body))]
    assert len(kept) == len(delivered) == 11
    assert not [body for body in kept + [r.body.decode() for r in delivered] if any(p in body for p in PERSONAL)]
    assert await inconsistencies(engine) == []  # parcel db check: these paths are all allowed


async def test_a_return_dropped_off_collected_and_handed_over_reaches_the_carriers_webhook(engine: AsyncEngine) -> None:
    site = await lifecycle_site(engine)
    async with WebhookReceiver() as receiver:
        registered = await site.run(set_webhook, SetWebhook(CARRIER, "carrier-1", receiver.url()))
        worker = WebhookWorker(site.services, HttpWebhookSender(timeout=5, private_addresses=True))
        try:
            issued = IssueDropoffCode(
                CARRIER, "RET-1", site.locker_id, ParcelSpec(Size.S), RECIPIENT, ShipmentKind.RETURN
            )
            shipment = await site.run(issue_dropoff_code, issued)
            async with site.services.uow_factory() as uow:
                sealed = await uow.outbox.latest_payload(shipment.id, "dropoff_code")
            assert sealed is not None
            code = str(unseal(KEYS.derive(SEAL_PURPOSE), sealed)["code"])
            opened = await site.run(drop_off_parcel, DropOffParcel(site.terminal, site.locker_id, code))
            await site.door(opened.compartment.number, DoorState.OPEN)
            assert (await site.door(opened.compartment.number, DoorState.CLOSED)).outcome == "parcel_dropped_off"
            site.clock.advance(HOUR)
            await collect(site, "RET-1")
            await site.run(hand_over_shipment, HandOverShipment(CARRIER, shipment.id))
            await deliver_all(worker)
        finally:
            await worker.stop()
        delivered = receiver.delivered()

    carrier = "carrier:carrier-1"
    assert told(delivered, shipment.id) == [
        (None, "announced", "return announced by carrier", carrier, "L-1"),
        ("announced", "dropped_off", "door closed on the returned parcel", "terminal", "L-1"),
        ("dropped_off", "collected", "collected by courier", "terminal", "L-1"),
        ("collected", "handed_to_carrier", "handed to carrier", carrier, "L-1"),
    ]
    assert registered.secret is not None
    for request in delivered:
        request.verify_with(registered.secret, now=float(request.headers[TIMESTAMP_HEADER]))
        assert set(request.event) == DOCUMENT_FIELDS and not any(p in request.body.decode() for p in PERSONAL)
    assert await inconsistencies(engine) == []
