"""Sends the outbox to the server, oldest event first, each until the server acknowledges it.

When the server cannot be reached the sender waits (doubling from `retry_initial` up to `retry_max`) and tries
again; events queue up meanwhile, nothing is dropped. Before the first event after (re)connecting it greets the
server, which says the last seq it has applied for this terminal: events this store numbered at or below it and
never sent are renumbered after it (a new store on a locker the server knows), instead of being taken for
replays and dropped.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import UTC, datetime

from parcellocker.terminal.link.health import LinkHealth
from parcellocker.terminal.link.port import EventReceipt, Link, LinkDown, LinkRefused, OutboxEvent
from parcellocker.terminal.store import TerminalStore
from parcellocker.wakeups import woken_within

log = logging.getLogger(__name__)

IDLE_CHECK = 5.0
"""Seconds between looks at an empty outbox when nothing wakes the sender."""


class OutboxSender:
    def __init__(
        self,
        store: TerminalStore,
        link: Link,
        health: LinkHealth,
        *,
        retry_initial: float = 0.5,
        retry_max: float = 15.0,
        on_receipt: Callable[[OutboxEvent, EventReceipt], None] = lambda event, receipt: None,
    ) -> None:
        self._store = store
        self._link = link
        self._health = health
        self._retry_initial = retry_initial
        self._retry_max = retry_max
        self._on_receipt = on_receipt
        self._wake = asyncio.Event()
        self._greeted = False

    def wake(self) -> None:
        """There is something new in the outbox."""
        self._wake.set()

    async def run(self) -> None:
        delay = self._retry_initial
        while True:
            try:
                await self.send_pending()
            except (LinkDown, LinkRefused) as error:
                self._greeted = False
                self._health.mark_down(error)
                await self._sleep(delay)
                delay = min(delay * 2, self._retry_max)
                continue
            delay = self._retry_initial
            await self._sleep(IDLE_CHECK)

    async def send_pending(self) -> int:
        """Send everything in the outbox now; returns how many events were acknowledged. Raises LinkDown (or
        LinkRefused for a refused key) on the first event that could not be delivered."""
        sent = 0
        while True:
            self._wake.clear()
            pending = self._store.outbox.pending(limit=50)
            if not pending:
                return sent
            if not self._greeted:
                await self.greet()
                continue
            for event in pending:
                await self._send(event)
                sent += 1

    async def greet(self) -> None:
        greeting = await self._link.greet()
        self._health.mark_up()
        self._store.codes.set_qr_public_key(greeting.qr_public_key)
        if greeting.last_seq is not None:
            renumbered = self._store.outbox.renumber_after(greeting.last_seq)
            if renumbered:
                log.warning(
                    "the server has applied events up to seq %d already: %d unsent events renumbered after it",
                    greeting.last_seq,
                    len(renumbered),
                )
        self._greeted = True

    async def _send(self, event: OutboxEvent) -> None:
        self._store.outbox.attempting(event.seq)
        try:
            receipt = await self._link.send_event(event)
        except LinkDown as error:
            self._store.outbox.failed(event.seq, str(error))
            raise
        except LinkRefused as error:
            if error.retry_later:
                raise
            log.error("the server refused event %d (%s %s): %s", event.seq, event.kind, event.body, error)
            self._store.outbox.reject(event.seq, str(error), datetime.now(UTC))
            return
        self._health.mark_up()
        self._store.outbox.acknowledge(event.seq)
        self._on_receipt(event, receipt)

    async def _sleep(self, seconds: float) -> None:
        await woken_within(self._wake, seconds)
