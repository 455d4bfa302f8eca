"""Two server processes on one PostgreSQL, each with its own webhook worker and connection pool: every event is
delivered once, a shipment's in order, while the receiver fails some attempts."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import timedelta
from typing import Any

import pytest
from webhook_rigs import StoppedClock, a_site, announce, cancel, register

from parcellocker.adapters.db.engine import make_engine
from parcellocker.adapters.db.unit_of_work import SqlUnitOfWork
from parcellocker.adapters.db.webhook_subscribers import WebhookSubscribers
from parcellocker.adapters.webhooks.sender import HttpWebhookSender
from parcellocker.adapters.webhooks.worker import WebhookWorker
from parcellocker.domain.webhooks import RetrySchedule
from parcellocker.security.keys import ServerKeys
from parcellocker.service.context import Env, Policy, Services
from webhook_receiver import WebhookReceiver

pytestmark = pytest.mark.postgres
SHIPMENTS = 24


@pytest.mark.parametrize("database_kind", ["postgres"], indirect=True)
async def test_two_workers_at_once_deliver_each_event_once_and_each_shipments_in_order(
    database_url: str, receiver: WebhookReceiver
) -> None:
    clock = StoppedClock()
    keys = ServerKeys.from_secret(bytes(range(32)))
    engines = [make_engine(database_url, pool_size=4) for _ in range(2)]
    processes = []
    for engine in engines:
        subscribers = WebhookSubscribers()
        env = Env(clock=clock, keys=keys, policy=Policy())
        services = Services(
            uow_factory=lambda engine=engine, s=subscribers: SqlUnitOfWork(engine, webhook_subscribers=s), env=env
        )
        schedule = RetrySchedule(first_delay=timedelta(seconds=1), max_delay=timedelta(seconds=1))
        sender = HttpWebhookSender(timeout=5, private_addresses=True)
        processes.append((services, WebhookWorker(services, sender, subscribers, schedule=schedule, batch_size=5)))
    try:
        first, second = processes
        await a_site(first[0], "carrier-1")
        await register(first[0], "carrier-1", receiver.url())
        for worker in (first[1], second[1]):
            await worker.refresh_subscribers()
        for number in range(SHIPMENTS):  # changes made through both processes
            services = processes[number % 2][0]
            shipment = await announce(services, "carrier-1", f"TN-{number}")
            if number % 3 == 0:
                await cancel(services, "carrier-1", shipment.id)
        events = SHIPMENTS + len(range(0, SHIPMENTS, 3))
        receiver.delay = 0.01  # the two workers' batches overlap
        receiver.fail_first(1, lambda event: int(event["tracking_number"][3:]) % 4 == 0)

        idle, claims = 0, [0, 0]
        while idle < 3:
            claimed = await asyncio.gather(first[1].deliver_due(), second[1].deliver_due())
            claims = [total + more for total, more in zip(claims, claimed, strict=True)]
            idle = 0 if any(claimed) else idle + 1
            clock.advance(timedelta(seconds=1))
    finally:
        for _, worker in processes:
            await worker.stop()
        for engine in engines:
            await engine.dispose()

    delivered = receiver.delivered()
    assert len(delivered) == events
    assert set(Counter(r.event_id for r in delivered).values()) == {1}
    by_shipment: dict[str, list[Any]] = {}
    for r in delivered:
        by_shipment.setdefault(r.event["tracking_number"], []).append(r.event["to_state"])
    assert all(states in (["announced"], ["announced", "cancelled"]) for states in by_shipment.values())
    assert len(by_shipment) == SHIPMENTS
    failed_once = sum(1 + (number % 3 == 0) for number in range(0, SHIPMENTS, 4))  # their announcement and cancel
    assert len([r for r in receiver.received if r.answered == 500]) == failed_once
    assert sum(claims) == events + failed_once and min(claims) > 0  # both workers took their share
