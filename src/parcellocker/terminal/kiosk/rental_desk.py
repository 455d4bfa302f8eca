"""Renting at the kiosk, at the terminal: the server decides (the offer, the payment, the code, whether a code opens
now) and the terminal opens the door it names, for the renter. Renting needs the server: while it cannot be
reached the kiosk says so, and a rental's code is not checked by the terminal itself."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import NoReturn, TypeVar

from parcellocker.terminal.doors import DoorControlError, DoorCoordinator, OpeningPurpose
from parcellocker.terminal.kiosk.errors import DoorDidNotOpen, NotReady, RefusedByServer, ServerUnreachable
from parcellocker.terminal.link.health import LinkHealth
from parcellocker.terminal.link.port import LinkDown, LinkRefused
from parcellocker.terminal.link.rental_port import RentalDoor, RentalLink, RentalOffer, WalkUpRental
from parcellocker.terminal.reporting import DoorReporter

log = logging.getLogger(__name__)

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Renter:
    """What a walk-up renter may give for the code to be sent to them too."""

    email: str | None = None
    phone: str | None = None
    language: str = "en"


class RentalDesk:
    def __init__(
        self,
        locker_id: str,
        link: RentalLink,
        coordinator: DoorCoordinator,
        reporter: DoorReporter,
        health: LinkHealth,
    ) -> None:
        self.locker_id = locker_id
        self._link = link
        self._coordinator = coordinator
        self._reporter = reporter
        self._health = health

    async def offer(self) -> RentalOffer:
        offer = await self._asked(self._link.rental_offer)
        self._health.mark_up()
        return offer

    async def rent(
        self, size: str, duration_minutes: int, payment_method: str, voucher_code: str | None, renter: Renter
    ) -> WalkUpRental:
        """Paid at once: the compartment opens now. Paid at a provider's page: `payment` says where, and
        `complete` is asked until it is paid."""
        self._check_ready()
        rental = await self._asked(
            lambda: self._link.rent(
                size,
                duration_minutes,
                payment_method,
                voucher_code=voucher_code,
                email=renter.email,
                phone=renter.phone,
                language=renter.language,
            )
        )
        if rental.code is not None:
            await self._open(rental.compartment)
        return rental

    async def complete(self, rental_id: str) -> WalkUpRental:
        self._check_ready()
        rental = await self._asked(lambda: self._link.complete_walk_up(rental_id))
        await self._open(rental.compartment)
        return rental

    async def open(self, code: str) -> RentalDoor:
        """The renter's code opens their compartment again (or the server says why not)."""
        self._check_ready()
        door = await self._asked(lambda: self._link.open_rental(code))
        if door.compartment is not None:
            await self._open(door.compartment)
        return door

    async def finish(self, code: str, payment_method: str | None, voucher_code: str | None) -> RentalDoor:
        """Open for the last time (the overdue time paid first, when there is some)."""
        self._check_ready()
        door = await self._asked(lambda: self._link.open_rental_last(code, payment_method, voucher_code))
        if door.compartment is not None:
            await self._open(door.compartment)
        return door

    async def _open(self, number: int) -> None:
        try:
            await self._coordinator.open_compartment(number, OpeningPurpose.RENTAL)
        except DoorControlError as error:
            raise DoorDidNotOpen(
                f"compartment {number} did not open; please ask for help", compartment=number
            ) from error
        finally:
            self._reporter.record_pending()

    async def _asked(self, request: Callable[[], Awaitable[T]]) -> T:
        """The server's answer to `request`; ServerUnreachable while the link is down, its refusal passed on."""
        try:
            return await request()
        except LinkDown as error:
            self._down(error)
        except LinkRefused as error:
            raise _passed_on(error) from None

    def _check_ready(self) -> None:
        if not self._coordinator.reconciled:
            raise NotReady("the locker is starting; try again in a moment")

    def _down(self, error: LinkDown) -> NoReturn:
        self._health.mark_down(error)
        raise ServerUnreachable("the locker cannot reach its server just now; renting must wait") from error


def _passed_on(error: LinkRefused) -> RefusedByServer:
    return RefusedByServer(error.status, error.code, error.message, error.details)
