"""The scheduler inside the server: every `interval` seconds it does what the clock says is due (service/calendar.py),
in batches, each batch one unit of work run by `Services.run` (which retries a lost race).

It reads the time from the services' clock only, so a test moves a settable clock and calls `run_due()` to travel
in time. Several server processes may run it against one database: each batch takes only shipments no other
transaction holds, and what one process did no longer matches the others' searches (adapters/db/calendar.py).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from parcellocker.background_loop import BackgroundLoop
from parcellocker.service.calendar import CalendarBatch, erase_personal_data, expire_parcels, send_reminders
from parcellocker.service.context import Env, Services
from parcellocker.service.ports import UnitOfWork

log = logging.getLogger(__name__)

CalendarJob = Callable[[CalendarBatch, UnitOfWork, Env], Awaitable[int]]


@dataclass(frozen=True, slots=True)
class RoundDone:
    """What one round did: shipments reminded, expired, and erased."""

    reminded: int = 0
    expired: int = 0
    erased: int = 0


class LifecycleScheduler:
    def __init__(
        self,
        services: Services,
        *,
        interval: float = 30.0,
        batch_size: int = 100,
        max_batches: int = 100,
        queued: Callable[[], None] | None = None,
    ) -> None:
        """`queued` is called after a round that queued notifications (the outbox worker's `wake`)."""
        self.services = services
        self.interval = interval
        self.batch_size = batch_size
        self.max_batches = max_batches
        self.queued = queued
        self._loop = BackgroundLoop("lifecycle-scheduler", self._run)

    def start(self) -> None:
        self._loop.start()

    async def stop(self) -> None:
        await self._loop.stop()

    async def run_due(self) -> RoundDone:
        """Everything due now: reminders first (a reminder is worth nothing after its deadline), then expiries, then
        erasures."""
        done = RoundDone(
            reminded=await self._drain(send_reminders),
            expired=await self._drain(expire_parcels),
            erased=await self._drain(erase_personal_data),
        )
        if (done.reminded or done.expired) and self.queued is not None:
            self.queued()
        return done

    async def _drain(self, job: CalendarJob) -> int:
        """Batch after batch until one comes back short (at most `max_batches`, the rest waits for the next round)."""
        total = 0
        for _ in range(self.max_batches):
            dealt_with: int = await self.services.run(job, CalendarBatch(self.batch_size), _same)
            total += dealt_with
            if dealt_with < self.batch_size:
                break
        return total

    async def _run(self) -> None:
        while True:
            try:
                done = await self.run_due()
            except Exception:
                log.exception("the scheduler's round failed; trying again at the next one")
            else:
                if done != RoundDone():
                    log.info("scheduler: %d reminded, %d expired, %d erased", done.reminded, done.expired, done.erased)
            await asyncio.sleep(self.interval)


def _same(dealt_with: int) -> int:
    return dealt_with
