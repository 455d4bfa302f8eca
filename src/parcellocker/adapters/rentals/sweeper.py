"""Settles the rentals whose time has come (service/rental_settlement.py), every few seconds, in the server process
until it stops. Each server process runs one; they share the work (the rentals are claimed with SKIP LOCKED)."""

from __future__ import annotations

import asyncio
import logging

from parcellocker.background_loop import BackgroundLoop
from parcellocker.service.context import Services
from parcellocker.service.rental_settlement import RentalsSettled, SettleRentals, settle_rentals

log = logging.getLogger(__name__)


class RentalSweeper:
    def __init__(self, services: Services, interval: float = 10.0, batch: int = 100) -> None:
        self.services = services
        self.interval = interval
        self.batch = batch
        self._loop = BackgroundLoop("rental-sweeper", self._run)

    def start(self) -> None:
        self._loop.start()

    async def stop(self) -> None:
        await self._loop.stop()

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
