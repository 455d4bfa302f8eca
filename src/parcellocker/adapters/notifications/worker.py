"""The outbox worker: sends the notifications the use cases queued, in the server process, until it stops."""

from __future__ import annotations

import asyncio
import logging
import math
from dataclasses import dataclass
from datetime import timedelta

from parcellocker.adapters.notifications.library import TemplateLibrary
from parcellocker.adapters.notifications.messages import compose
from parcellocker.adapters.notifications.port import Message, NotificationFailed, Notifier
from parcellocker.adapters.notifications.rental_messages import rental_message
from parcellocker.background_loop import BackgroundLoop
from parcellocker.domain.locker import Locker
from parcellocker.domain.notices import worth_sending
from parcellocker.security.sealing import unseal
from parcellocker.service.context import Services
from parcellocker.service.ports import Notification, UnitOfWork
from parcellocker.wakeups import woken_within

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """After the n-th failure a notification waits first_delay · 2^(n-1), at most max_delay."""

    first_delay: timedelta = timedelta(seconds=5)
    max_delay: timedelta = timedelta(hours=1)

    def delay_after(self, failures: int) -> timedelta:
        delay: timedelta = self.first_delay * 2 ** max(0, failures - 1)
        return min(delay, self.max_delay)


class OutboxWorker:
    """Wakes every `interval` seconds, or `gather` seconds after `wake()` is called, and sends what is due.

    Under load a batch then holds the messages of many stored parcels, each batch costing two transactions and
    one search of the outbox, instead of that for nearly every parcel."""

    def __init__(
        self,
        services: Services,
        notifier: Notifier,
        *,
        library: TemplateLibrary | None = None,
        interval: float = 0.5,
        gather: float = 0.02,
        batch_size: int = 50,
        send_timeout: float = 10.0,
        concurrency: int = 10,
        retry: RetryPolicy | None = None,
    ) -> None:
        self.services = services
        self.notifier = notifier
        self.library = library or TemplateLibrary()
        self.interval = interval
        self.gather = gather
        self.batch_size = batch_size
        self.send_timeout = send_timeout
        self.concurrency = concurrency
        # Outlasts the delivery of a whole batch, every message of it taking its longest.
        self.claim_for = timedelta(seconds=math.ceil(batch_size / concurrency) * send_timeout + 30)
        self.retry = retry or RetryPolicy()
        self._seal_key = services.env.keys.derive("notification-seal")
        self._wake = asyncio.Event()
        self._loop = BackgroundLoop("notification-outbox", self._run)

    def wake(self) -> None:
        """Something was just queued: look now rather than at the next tick."""
        self._wake.set()

    def start(self) -> None:
        self._loop.start()

    async def stop(self) -> None:
        await self._loop.stop()
        await self.notifier.close()

    async def send_due(self) -> int:
        """Send one batch of due notifications; returns how many were taken from the outbox.

        Three steps, so that no transaction is open while a message travels (on SQLite an open transaction holds
        the write lock of the whole server): claim the batch (each put off for `claim_for`, so that no other
        sender takes it meanwhile; on PostgreSQL in the one statement that finds them) and commit; deliver, up to
        `concurrency` at once; record what happened. A process that dies between the first and the last step
        leaves its claims to lapse: those messages are sent again then, as they would be had it died between a
        send and its commit."""
        clock = self.services.env.clock
        to_deliver: list[tuple[Notification, Message]] = []
        async with self.services.uow_factory() as uow:
            now = clock.now()
            due = await uow.outbox.claim_due(self.batch_size, now, now + self.claim_for)
            lockers: dict[str, Locker | None] = {}
            composed = [await self._compose_or_failure(uow, notification, lockers) for notification in due]
            for notification, outcome in zip(due, composed, strict=True):
                if isinstance(outcome, Exception):  # one bad message must not hold up the others
                    await self._failed(uow, notification, outcome)
                elif outcome is None:
                    log.info("notification %s dropped: its parcel is no longer waiting", notification.id)
                    await uow.outbox.mark_sent(notification.id, clock.now())
                else:
                    to_deliver.append((notification, outcome))
            if due:
                await uow.commit()
        if to_deliver:
            outcomes = await self._deliver_all(to_deliver)
            async with self.services.uow_factory() as uow:
                for (notification, _), failure in zip(to_deliver, outcomes, strict=True):
                    if failure is None:
                        await uow.outbox.mark_sent(notification.id, clock.now())
                    else:
                        await self._failed(uow, notification, failure)
                await uow.commit()
        return len(due)

    async def _deliver_all(self, batch: list[tuple[Notification, Message]]) -> list[Exception | None]:
        """Each message's failure, or None if it was delivered; up to `concurrency` travelling at once."""
        if len(batch) == 1:
            return [await self._deliver(*batch[0])]
        gate = asyncio.Semaphore(self.concurrency)

        async def deliver(notification: Notification, message: Message) -> Exception | None:
            async with gate:
                return await self._deliver(notification, message)

        return list(await asyncio.gather(*(deliver(notification, message) for notification, message in batch)))

    async def _run(self) -> None:
        while True:
            self._wake.clear()  # a wake() from now on is for what this round may not see
            try:
                taken = await self.send_due()
            except Exception:
                log.exception("the notification outbox could not be read or updated; trying again shortly")
                taken = 0
            if taken >= self.batch_size:
                continue  # there may be more waiting
            if await woken_within(self._wake, self.interval):
                await asyncio.sleep(self.gather)  # woken: let the messages queued just after it join this batch

    async def _deliver(self, notification: Notification, message: Message) -> Exception | None:
        try:
            async with asyncio.timeout(self.send_timeout):
                await self.notifier.send(message)
        except Exception as error:
            return error
        log.info("notification %s sent by %s", notification.id, notification.channel)
        return None

    async def _compose_or_failure(
        self, uow: UnitOfWork, notification: Notification, lockers: dict[str, Locker | None]
    ) -> Message | Exception | None:
        try:
            return await self._compose(uow, notification, lockers)
        except Exception as error:
            return error

    async def _compose(
        self, uow: UnitOfWork, notification: Notification, lockers: dict[str, Locker | None]
    ) -> Message | None:
        """The message, or None when it is no longer worth sending; `lockers` holds the batch's lockers, read once."""
        if notification.rental_id is not None:
            return await rental_message(uow, self.library, notification, self._seal_key)
        assert notification.shipment_id is not None
        shipment = await uow.shipments.get(notification.shipment_id)
        if (
            shipment is None
            or not notification.address  # erased with the recipient's personal data
            or not worth_sending(notification.template, notification.created_at, shipment)
        ):
            return None
        if shipment.locker_id not in lockers:
            lockers[shipment.locker_id] = await uow.lockers.get(shipment.locker_id, with_compartments=False)
        locker = lockers[shipment.locker_id]
        if locker is None:
            return None
        secrets = unseal(self._seal_key, notification.sealed_payload)
        return compose(self.library, notification, secrets, shipment, locker)

    async def _failed(self, uow: UnitOfWork, notification: Notification, error: Exception) -> None:
        # Only the type and our own wording: an exception's text could quote the message, and with it the code.
        reason = str(error) if isinstance(error, NotificationFailed) else type(error).__name__
        failures = notification.attempts + 1
        now = self.services.env.clock.now()
        retry_at = now + self.retry.delay_after(failures)
        log.warning(
            "notification %s could not be sent (attempt %d: %s); next try at %s",
            notification.id,
            failures,
            reason,
            retry_at.isoformat(timespec="seconds"),
        )
        await uow.outbox.mark_failed(notification.id, now, reason[:500], retry_at)
