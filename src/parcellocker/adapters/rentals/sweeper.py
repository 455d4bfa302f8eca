"""Settles the rentals whose time has come (service/rental_settlement.py), every few seconds, in the server process
until it stops. Each server process runs one; they share the work (the rentals are claimed with SKIP LOCKED)."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from parcellocker.service.context import Services
from parcellocker.service.rental_settlement import RentalsSettled, SettleRentals, settle_rentals

log = logging.getLogger(__name__)


class RentalSweeper:
    def __init__(self, services: Services, interval: float = 10.0, batch: int = 100) -> None:
        self.services = services
        self.interval = interval
        self.batch = batch
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="rental-sweeper")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def sweep(self) -> RentalsSettled:
        """Settle one batch now."""
        settled: RentalsSettled = await self.services.run(settle_rentals, SettleRentals(self.batch), lambda s: s)
        if settled.total:
            log.info(
                "rentals settled: %d unpaid cancelled, %d unused ended, %d handed to staff, %d paid late",
                settled.cancelled,
                settled.ended_unused,
                settled.to_collect,
                settled.paid_late,
            )
        return settled

    async def _run(self) -> None:
        while True:
            try:
                settled = await self.sweep()
            except Exception:
                log.exception("the rentals could not be settled; trying again shortly")
                settled = RentalsSettled()
            if settled.total < self.batch:
                await asyncio.sleep(self.interval)
