"""Rentals whose time has come, settled by the server on its own (adapters/rentals/sweeper.py runs this every few
seconds): a payment that never came gives its compartment back, a booking never used ends, and at a site whose
staff collect what overstaying renters leave, a rental past its end stops opening and its renter is told."""

from __future__ import annotations

from dataclasses import dataclass

from parcellocker.domain.audit import AuditRecord
from parcellocker.domain.events import SYSTEM
from parcellocker.domain.payment import PaymentPurpose
from parcellocker.domain.rental import Rental, RentalState
from parcellocker.service.context import Env
from parcellocker.service.ports import UnitOfWork
from parcellocker.service.rental_codes import TO_COLLECT_TEMPLATE, issue_code, tell_renter
from parcellocker.service.rental_compartments import release_compartment
from parcellocker.service.rental_payments import cancel_unpaid, paid_payment


@dataclass(frozen=True, slots=True)
class SettleRentals:
    limit: int = 100


@dataclass(frozen=True, slots=True)
class RentalsSettled:
    cancelled: int = 0
    ended_unused: int = 0
    to_collect: int = 0
    paid_late: int = 0

    @property
    def total(self) -> int:
        return self.cancelled + self.ended_unused + self.to_collect + self.paid_late


async def settle_rentals(cmd: SettleRentals, uow: UnitOfWork, env: Env) -> RentalsSettled:
    now = env.clock.now()
    counts = {"cancelled": 0, "ended_unused": 0, "to_collect": 0, "paid_late": 0}
    for rental in await uow.rentals.due_for_settling(now, cmd.limit):
        counts[await _settle(uow, env, rental)] += 1
    return RentalsSettled(**counts)


async def _settle(uow: UnitOfWork, env: Env, rental: Rental) -> str:
    now = env.clock.now()
    if rental.state is RentalState.AWAITING_PAYMENT:
        if await paid_payment(uow, rental, PaymentPurpose.RENTAL) is not None:
            # A walk-up renter paid at the provider's page but left the kiosk: the code goes to them by message,
            # and the compartment stays held for its first opening.
            await issue_code(uow, env, rental, SYSTEM)
            await uow.rentals.save(rental)
            return "paid_late"
        await cancel_unpaid(uow, env, rental, SYSTEM, "the payment did not come in time")
        return "cancelled"
    if rental.state is RentalState.BOOKED:
        rental.end(now, SYSTEM, "its time passed and it was never used")
        await uow.rentals.save(rental)
        await release_compartment(uow, env, rental, SYSTEM, "rental ended unused")
        return "ended_unused"
    rental.hand_to_staff(now, SYSTEM)
    await uow.rentals.save(rental)
    await tell_renter(uow, env, rental, TO_COLLECT_TEMPLATE, {})
    await uow.audit.append(AuditRecord(now, str(SYSTEM), "rental.to_collect", rental.id, {}))
    return "to_collect"
