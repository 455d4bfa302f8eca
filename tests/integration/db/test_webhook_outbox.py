"""The webhook outbox on SQLite and PostgreSQL: queued with the change it tells of, claimed first-per-shipment,
settled once."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from db_samples import START, a_shipment
from sqlalchemy.ext.asyncio import AsyncEngine
from webhook_samples import announced, cancel, site_with_webhook

from parcellocker.adapters.db.unit_of_work import SqlUnitOfWork
from parcellocker.adapters.db.webhook_subscribers import WebhookSubscribers
from parcellocker.service.ports import WebhookDelivery

LATER = START + timedelta(seconds=1)


async def claim(
    engine: AsyncEngine, claim: str = "claim-1", now: datetime = START, lease: float = 60
) -> list[WebhookDelivery]:
    async with SqlUnitOfWork(engine) as uow:
        due = await uow.webhook_deliveries.claim(10, now, now + timedelta(seconds=lease), claim)
        await uow.commit()
    return due


async def test_a_change_of_a_carrier_with_a_webhook_is_queued_with_its_event(engine: AsyncEngine) -> None:
    await site_with_webhook(engine)
    shipment = await announced(engine, "TN-1")

    [delivery] = await claim(engine)

    async with SqlUnitOfWork(engine) as uow:
        [event] = await uow.shipment_events.of_shipment(shipment.id)
    body = json.loads(delivery.body)
    assert (delivery.event_id, delivery.carrier_id, delivery.shipment_id) == (event.event_id, "carrier-1", shipment.id)
    assert body == {
        "event_id": event.event_id,
        "shipment_id": shipment.id,
        "tracking_number": "TN-1",
        "carrier_id": "carrier-1",
        "locker_id": "L-1",
        "from_state": None,
        "to_state": "announced",
        "at": "2026-03-02T09:30:15.123456Z",
        "reason": "announced by carrier",
        "actor": "carrier:carrier-1",
        "details": {},
    }
    assert (delivery.url, delivery.sealed_secret, delivery.attempts) == ("http://127.0.0.1:9/hook", "sealed-secret", 0)


async def test_a_change_not_committed_queues_nothing(engine: AsyncEngine) -> None:
    await site_with_webhook(engine)
    async with SqlUnitOfWork(engine) as uow:
        await uow.shipments.add(a_shipment("TN-1"))
        await uow.shipments.by_tracking_number("carrier-1", "TN-1")  # the writes go out, then are rolled back
    assert await claim(engine) == []


async def test_a_carrier_without_a_webhook_gets_no_delivery(engine: AsyncEngine) -> None:
    await site_with_webhook(engine)
    await announced(engine, "TN-2", carrier_id="carrier-2")
    subscribers = WebhookSubscribers()
    subscribers.replace({"carrier-1"}, 0)
    async with SqlUnitOfWork(engine, webhook_subscribers=subscribers) as uow:
        await uow.shipments.add(a_shipment("TN-3", carrier_id="carrier-2"))
        await uow.commit()
    assert await claim(engine) == []


async def test_a_webhook_the_process_does_not_know_of_yet_is_told_nothing_until_it_does(engine: AsyncEngine) -> None:
    await site_with_webhook(engine)
    subscribers = WebhookSubscribers()
    subscribers.replace(set(), 0)  # read before carrier-1's webhook was added
    async with SqlUnitOfWork(engine, webhook_subscribers=subscribers) as uow:
        await uow.shipments.add(a_shipment("TN-1"))
        await uow.commit()
    subscribers.replace({"carrier-1"}, 0)
    async with SqlUnitOfWork(engine, webhook_subscribers=subscribers) as uow:
        await uow.shipments.add(a_shipment("TN-2"))
        await uow.commit()
    assert [json.loads(d.body)["tracking_number"] for d in await claim(engine)] == ["TN-2"]


async def test_a_shipments_later_event_waits_until_the_earlier_one_is_settled(engine: AsyncEngine) -> None:
    await site_with_webhook(engine)
    shipment = await announced(engine, "TN-1")
    await cancel(engine, shipment.id)
    other = await announced(engine, "TN-2")

    first = await claim(engine, "claim-1")
    assert [(json.loads(d.body)["tracking_number"], json.loads(d.body)["to_state"]) for d in first] == [
        ("TN-1", "announced"),
        ("TN-2", "announced"),
    ]
    async with SqlUnitOfWork(engine) as uow:
        await uow.webhook_deliveries.retry_later(first[0].id, "claim-1", "the receiver answered HTTP 500", LATER)
        await uow.webhook_deliveries.delivered(first[1].id, "claim-1", START)
        await uow.commit()
    assert await claim(engine, "claim-2") == []  # TN-1's announcement is not due again yet; its cancel waits

    [again] = await claim(engine, "claim-3", LATER)
    assert (again.id, again.attempts) == (first[0].id, 1)
    async with SqlUnitOfWork(engine) as uow:
        await uow.webhook_deliveries.delivered(again.id, "claim-3", LATER)
        await uow.commit()
    [cancelled] = await claim(engine, "claim-4", LATER)
    assert (json.loads(cancelled.body)["to_state"], cancelled.shipment_id) == ("cancelled", shipment.id)
    assert other.id != shipment.id


async def test_a_claimed_delivery_is_taken_over_only_when_its_lease_has_run_out(engine: AsyncEngine) -> None:
    await site_with_webhook(engine)
    await announced(engine, "TN-1")
    [held] = await claim(engine, "claim-1", START, lease=30)
    assert await claim(engine, "claim-2", START + timedelta(seconds=29)) == []
    [taken_over] = await claim(engine, "claim-2", START + timedelta(seconds=30))
    assert taken_over.id == held.id

    async with SqlUnitOfWork(engine) as uow:  # the first sender comes back late: its claim is no longer its own
        await uow.webhook_deliveries.delivered(held.id, "claim-1", LATER)
        await uow.commit()
    assert await claim(engine, "claim-3", START + timedelta(seconds=90)) == [taken_over]  # still waiting


async def test_removing_the_webhook_gives_up_what_waits_for_it(engine: AsyncEngine) -> None:
    await site_with_webhook(engine)
    await announced(engine, "TN-1")
    await announced(engine, "TN-2")
    async with SqlUnitOfWork(engine) as uow:
        assert await uow.webhook_endpoints.remove("carrier-1", START) == 2
        backlog = await uow.webhook_deliveries.backlog("carrier-1")
        await uow.commit()
    assert (backlog.waiting, backlog.oldest_at) == (0, None)
    assert await claim(engine) == []
    await announced(engine, "TN-3")
    assert await claim(engine) == []


async def test_the_backlog_tells_what_waits_and_why_the_last_attempt_failed(engine: AsyncEngine) -> None:
    await site_with_webhook(engine)
    await announced(engine, "TN-1")
    [delivery] = await claim(engine)
    async with SqlUnitOfWork(engine) as uow:
        await uow.webhook_deliveries.retry_later(delivery.id, "claim-1", "the receiver answered HTTP 503", LATER)
        await uow.commit()
    async with SqlUnitOfWork(engine) as uow:
        backlog = await uow.webhook_deliveries.backlog("carrier-1")
        assert (await uow.webhook_deliveries.backlog("carrier-2")).waiting == 0
    assert (backlog.waiting, backlog.oldest_at, backlog.last_error) == (1, START, "the receiver answered HTTP 503")


async def test_a_delivery_given_up_is_never_claimed_again_and_frees_the_next(engine: AsyncEngine) -> None:
    await site_with_webhook(engine)
    shipment = await announced(engine, "TN-1")
    await cancel(engine, shipment.id)
    [first] = await claim(engine)
    async with SqlUnitOfWork(engine) as uow:
        await uow.webhook_deliveries.give_up(first.id, "claim-1", "too old", LATER, attempted=True)
        await uow.commit()
    [second] = await claim(engine, "claim-2", LATER)
    assert json.loads(second.body)["to_state"] == "cancelled"
