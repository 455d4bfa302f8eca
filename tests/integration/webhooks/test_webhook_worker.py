"""The webhook worker against a real receiver on 127.0.0.1, on SQLite and PostgreSQL: signed, retried with
growing pauses, delivered once, in order per shipment."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncEngine
from webhook_rigs import START, StoppedClock, a_site, announce, cancel, register

from parcellocker.adapters.db.tables import carrier_webhooks
from parcellocker.adapters.db.unit_of_work import SqlUnitOfWork
from parcellocker.adapters.db.webhook_subscribers import WebhookSubscribers
from parcellocker.adapters.webhooks.sender import HttpWebhookSender
from parcellocker.adapters.webhooks.worker import WebhookWorker
from parcellocker.domain.webhooks import RetrySchedule
from parcellocker.security.webhook_signatures import SignatureMismatch
from parcellocker.service.context import Services
from parcellocker.service.ports import WebhookBacklog
from webhook_receiver import WebhookReceiver

SCHEDULE = RetrySchedule(
    first_delay=timedelta(seconds=5), max_delay=timedelta(minutes=1), give_up_after=timedelta(hours=1)
)


def a_worker(services: Services, subscribers: WebhookSubscribers | None = None, **options: object) -> WebhookWorker:
    sender = HttpWebhookSender(timeout=float(str(options.pop("timeout", 5))), private_addresses=True)
    return WebhookWorker(services, sender, subscribers, schedule=SCHEDULE, **options)  # type: ignore[arg-type]


async def backlog(services: Services, carrier_id: str = "carrier-1") -> WebhookBacklog:
    async with services.uow_factory() as uow:
        return await uow.webhook_deliveries.backlog(carrier_id)


async def test_a_webhook_is_signed_with_the_carriers_secret(services: Services, receiver: WebhookReceiver) -> None:
    await a_site(services, "carrier-1")
    secret = await register(services, "carrier-1", receiver.url())
    shipment = await announce(services, "carrier-1", "TN-1")
    worker = a_worker(services)

    assert await worker.deliver_due() == 1
    await worker.stop()

    [got] = receiver.delivered()
    got.verify_with(secret, now=START.timestamp())
    assert got.event["shipment_id"] == shipment.id and got.event["to_state"] == "announced"
    assert got.event_id == got.event["event_id"] and got.headers["Content-Type"] == "application/json"
    with pytest.raises(SignatureMismatch, match="does not match"):
        got.verify_with("whsec_someone-elses-secret", now=START.timestamp())
    with pytest.raises(SignatureMismatch, match="away from now"):
        got.verify_with(secret, now=START.timestamp() + 600)


async def test_a_receiver_that_fails_twice_gets_the_webhook_on_the_third_try_exactly_once(
    services: Services, receiver: WebhookReceiver, clock: StoppedClock
) -> None:
    await a_site(services, "carrier-1")
    await register(services, "carrier-1", receiver.url())
    await announce(services, "carrier-1", "TN-1")
    receiver.fail_first(2)
    worker = a_worker(services)

    rounds = []
    for wait in (0, 0, 5, 5, 5, 3600):  # seconds before each round: the pauses are 5 s, then 10 s
        clock.advance(timedelta(seconds=wait))
        rounds.append(await worker.deliver_due())
    await worker.stop()

    assert rounds == [1, 0, 1, 0, 1, 0]
    assert [r.answered for r in receiver.received] == [500, 500, 200]
    assert len({r.event_id for r in receiver.received}) == 1
    assert len({r.body for r in receiver.received}) == 1  # the same body each time, signed anew
    assert (await backlog(services)).waiting == 0


async def test_a_shipments_events_arrive_in_order_even_when_one_has_to_be_tried_again(
    services: Services, receiver: WebhookReceiver, clock: StoppedClock
) -> None:
    await a_site(services, "carrier-1")
    await register(services, "carrier-1", receiver.url())
    first = await announce(services, "carrier-1", "TN-1")
    await cancel(services, "carrier-1", first.id)
    await announce(services, "carrier-1", "TN-2")
    receiver.fail_first(1, lambda event: event["tracking_number"] == "TN-1" and event["to_state"] == "announced")
    worker = a_worker(services)

    while await worker.deliver_due() or (await backlog(services)).waiting:
        clock.advance(timedelta(seconds=5))
    await worker.stop()

    told = [(r.event["tracking_number"], r.event["to_state"]) for r in receiver.delivered()]
    assert told == [("TN-2", "announced"), ("TN-1", "announced"), ("TN-1", "cancelled")]


async def test_a_delivery_too_old_is_given_up_and_the_shipments_next_event_goes(
    services: Services, receiver: WebhookReceiver, clock: StoppedClock
) -> None:
    await a_site(services, "carrier-1")
    await register(services, "carrier-1", receiver.url())
    first = await announce(services, "carrier-1", "TN-1")
    await cancel(services, "carrier-1", first.id)
    receiver.fail_first(1000, lambda event: event["to_state"] == "announced", status=503)
    worker = a_worker(services)

    for _ in range(200):
        await worker.deliver_due()
        if receiver.delivered():
            break
        clock.advance(SCHEDULE.max_delay)
    await worker.stop()

    attempts = [r for r in receiver.received if r.event["to_state"] == "announced"]
    assert [r.event["to_state"] for r in receiver.delivered()] == ["cancelled"]
    assert 5 < len(attempts) < 70 and {r.answered for r in attempts} == {503}
    assert (await backlog(services)).waiting == 0


async def test_the_deliveries_of_a_webhook_removed_meanwhile_are_given_up_unsent(
    services: Services, receiver: WebhookReceiver, engine: AsyncEngine
) -> None:
    await a_site(services, "carrier-1")
    await register(services, "carrier-1", receiver.url())
    await announce(services, "carrier-1", "TN-1")
    async with engine.begin() as connection:  # as a removal racing the change would leave it: the row only
        await connection.execute(delete(carrier_webhooks))
    worker = a_worker(services)

    assert await worker.deliver_due() == 1
    assert await worker.deliver_due() == 0
    await worker.stop()
    assert receiver.received == []
    async with SqlUnitOfWork(engine) as uow:
        assert (await uow.webhook_deliveries.backlog("carrier-1")).waiting == 0


async def test_a_receiver_that_answers_too_late_has_failed_and_is_told_why(
    services: Services, receiver: WebhookReceiver
) -> None:
    await a_site(services, "carrier-1")
    await register(services, "carrier-1", receiver.url())
    await announce(services, "carrier-1", "TN-1")
    receiver.delay = 1.0
    worker = a_worker(services, timeout=0.2)

    assert await worker.deliver_due() == 1
    await worker.stop()
    waiting = await backlog(services)
    assert (waiting.waiting, waiting.last_error) == (1, "the receiver did not answer within 0.2 s")


async def test_a_receiver_that_cannot_be_reached_has_failed_and_is_told_why(
    services: Services, receiver: WebhookReceiver
) -> None:
    await a_site(services, "carrier-1")
    await register(services, "carrier-1", "http://127.0.0.1:9/nobody-listens")
    await announce(services, "carrier-1", "TN-1")
    worker = a_worker(services)

    assert await worker.deliver_due() == 1
    await worker.stop()
    last_error = (await backlog(services)).last_error
    assert last_error is not None and last_error.startswith("could not reach the receiver (cannot connect")


async def test_the_running_worker_delivers_as_soon_as_a_change_commits(
    services: Services, receiver: WebhookReceiver, subscribers: WebhookSubscribers
) -> None:
    await a_site(services, "carrier-1", "carrier-2")
    worker = a_worker(services, subscribers, interval=30.0)  # only a wake-up can make it look in time
    await worker.refresh_subscribers()
    assert not subscribers.may_have_webhook("carrier-1")
    worker.start()
    try:
        await register(services, "carrier-1", receiver.url())  # known at once in this process
        shipment = await announce(services, "carrier-1", "TN-1")
        await announce(services, "carrier-2", "TN-2")  # no webhook: nothing offered for it
        await receiver.wait_for(lambda r: len(r.delivered()) == 1, within=5)
    finally:
        await worker.stop()
    assert receiver.delivered()[0].event["shipment_id"] == shipment.id
    assert subscribers.may_have_webhook("carrier-1") and not subscribers.may_have_webhook("carrier-2")
