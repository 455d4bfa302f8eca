"""The webhook worker: POSTs the deliveries the units of work queued, inside the server process, until it stops.

Each round claims a batch (a short transaction: the claim holds them for `lease`), POSTs them at once (a shipment
appears at most once per batch, its events go out one after another), and settles them in another short
transaction; no transaction is open while a receiver is waited for. Several server processes each run one: their
claims never overlap (SKIP LOCKED on PostgreSQL, the single writer on SQLite), and a claim whose process died is
taken over once its lease has run out.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from parcellocker.adapters.db.webhook_subscribers import WebhookSubscribers
from parcellocker.adapters.webhooks.sender import WebhookFailed, WebhookSender
from parcellocker.background_loop import BackgroundLoop
from parcellocker.domain.errors import ConcurrencyConflict
from parcellocker.domain.webhooks import RetrySchedule
from parcellocker.security.webhook_signatures import EVENT_ID_HEADER, signature_headers
from parcellocker.service.context import Services
from parcellocker.service.ports import WebhookDelivery, WebhookDeliveryQueue
from parcellocker.service.webhooks import unseal_secret
from parcellocker.wakeups import woken_within

log = logging.getLogger(__name__)
SETTLE_TRIES = 5


@dataclass(frozen=True, slots=True)
class Attempt:
    """How one delivery went: delivered, or the reason it failed; `attempted` is False when it was not even
    tried (its webhook is gone)."""

    delivery: WebhookDelivery
    error: str | None = None
    attempted: bool = True


class WebhookWorker:
    """Wakes every `interval` seconds, or `gather` seconds after `wake()`, and delivers what is due; reads which
    carriers have a webhook every `refresh` seconds (see webhook_subscribers.py)."""

    def __init__(
        self,
        services: Services,
        sender: WebhookSender,
        subscribers: WebhookSubscribers | None = None,
        *,
        schedule: RetrySchedule | None = None,
        interval: float = 0.5,
        gather: float = 0.02,
        batch_size: int = 50,
        lease: timedelta | None = None,
        refresh: float = 2.0,
    ) -> None:
        self.services = services
        self.sender = sender
        self.subscribers = subscribers
        self.schedule = schedule or RetrySchedule()
        self.interval = interval
        self.gather = gather
        self.batch_size = batch_size
        # Longer than any attempt can take, so a claim is never taken over while its sender still waits.
        self.lease = lease or timedelta(seconds=60 + 2 * sender.timeout)
        self.refresh = refresh
        self._refreshed_at: float | None = None
        self._wake = asyncio.Event()
        self._loop = BackgroundLoop("webhook-worker", self._run)
        if subscribers is not None:
            subscribers.listeners.append(self.wake)

    def wake(self) -> None:
        """Deliveries were just queued: look now rather than at the next tick."""
        self._wake.set()

    def start(self) -> None:
        self._loop.start()

    async def stop(self) -> None:
        await self._loop.stop()
        await self.sender.close()
        if self.subscribers is not None and self.wake in self.subscribers.listeners:
            self.subscribers.listeners.remove(self.wake)

    async def deliver_due(self) -> int:
        """Claim, attempt and settle one batch of due deliveries; returns how many were claimed."""
        claim = str(uuid.uuid4())
        clock = self.services.env.clock
        async with self.services.uow_factory() as uow:
            now = clock.now()
            due = await uow.webhook_deliveries.claim(self.batch_size, now, now + self.lease, claim)
            if not due:
                return 0
            await uow.commit()
        attempts = await asyncio.gather(*(self._attempt(delivery) for delivery in due))
        await self._settle_all(attempts, claim)
        return len(due)

    async def refresh_subscribers(self) -> None:
        """Read which carriers have a webhook now."""
        if self.subscribers is None:
            return
        started = time.monotonic()
        async with self.services.uow_factory() as uow:
            carriers = await uow.webhook_endpoints.carriers()
        self.subscribers.replace(carriers, started)
        self._refreshed_at = started

    async def _run(self) -> None:
        while True:
            self._wake.clear()  # a wake() from now on is for what this round may not see
            taken = 0
            try:
                if self._refreshed_at is None or time.monotonic() - self._refreshed_at >= self.refresh:
                    await self.refresh_subscribers()
                taken = await self.deliver_due()
            except Exception:
                log.exception("the webhook outbox could not be read; trying again shortly")
            if taken >= self.batch_size:
                continue  # there may be more waiting
            if await woken_within(self._wake, self.interval):
                await asyncio.sleep(self.gather)  # woken: let the deliveries queued just after join this round

    async def _attempt(self, delivery: WebhookDelivery) -> Attempt:
        if delivery.url is None or delivery.sealed_secret is None:
            return Attempt(delivery, "the webhook was removed", attempted=False)
        try:
            secret = unseal_secret(self.services.env, delivery.sealed_secret)
            body = delivery.body.encode()
            timestamp = int(self.services.env.clock.now().timestamp())
            headers = {EVENT_ID_HEADER: delivery.event_id, **signature_headers(secret, timestamp, body)}
            await self.sender.post(delivery.url, body, headers)
        except WebhookFailed as failed:
            return Attempt(delivery, str(failed))
        except Exception as error:  # one bad delivery must not hold up the others; its text could quote a secret
            log.exception("webhook %s could not be attempted", delivery.event_id)
            return Attempt(delivery, type(error).__name__)
        return Attempt(delivery)

    async def _settle_all(self, attempts: list[Attempt], claim: str) -> None:
        """Record how the attempts went, trying again if the database was busy: what was sent must not be sent
        again for want of a record (each write holds the claim, so doing it twice changes nothing more)."""
        for retry in range(1, SETTLE_TRIES + 1):
            try:
                async with self.services.uow_factory() as uow:
                    now = self.services.env.clock.now()
                    for attempt in attempts:
                        await self._settle(uow.webhook_deliveries, attempt, claim, now)
                    await uow.commit()
                return
            except ConcurrencyConflict:
                if retry == SETTLE_TRIES:
                    raise
                await asyncio.sleep(0.05 * retry)

    async def _settle(self, queue: WebhookDeliveryQueue, attempt: Attempt, claim: str, now: datetime) -> None:
        delivery = attempt.delivery
        if attempt.error is None:
            log.info("webhook %s delivered to carrier %s", delivery.event_id, delivery.carrier_id)
            await queue.delivered(delivery.id, claim, now)
            return
        error = attempt.error[:500]
        failures = delivery.attempts + 1
        retry_at = self.schedule.next_attempt(delivery.created_at, failures, now) if attempt.attempted else None
        if retry_at is None:
            log.warning("webhook %s to carrier %s given up: %s", delivery.event_id, delivery.carrier_id, error)
            await queue.give_up(delivery.id, claim, error, now, attempted=attempt.attempted)
            return
        log.warning(
            "webhook %s to carrier %s failed (attempt %d: %s); next try at %s",
            delivery.event_id,
            delivery.carrier_id,
            failures,
            error,
            retry_at.isoformat(timespec="seconds"),
        )
        await queue.retry_later(delivery.id, claim, error, retry_at)
