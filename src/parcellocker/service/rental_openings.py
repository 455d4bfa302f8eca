"""A renter's code at the kiosk: it opens the compartment as often as they like while the rental lasts, and once
more, for good, to take everything out (the rental ends when that door closes). Past the rental's end the site's
terms decide: the overdue time is paid first, or the code stops working and the staff collect the contents."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NoReturn

from parcellocker.domain.accounts import Principal
from parcellocker.domain.audit import AuditRecord
from parcellocker.domain.compartment import Compartment, CompartmentState, DoorState
from parcellocker.domain.errors import Conflict, InvalidInput
from parcellocker.domain.lockout import Lockout
from parcellocker.domain.payment import Payment, PaymentMethod, PaymentPurpose, PaymentState
from parcellocker.domain.rental import (
    CHECKOUT_HOLD,
    Rental,
    RentalEnded,
    RentalOverdue,
    RentalState,
    normalise_rental_code,
)
from parcellocker.domain.rental_terms import OverduePolicy, RentalTerms
from parcellocker.service.context import Env
from parcellocker.service.permissions import require_terminal_of
from parcellocker.service.ports import UnitOfWork
from parcellocker.service.rental_codes import TO_COLLECT_TEMPLATE, rental_code_hash, tell_renter
from parcellocker.service.rental_compartments import claim_for_rental
from parcellocker.service.rental_guard import guarded_payment, refuse_guess, rental_lockout, tried_right
from parcellocker.service.rental_payments import pending_payment
from parcellocker.service.rental_ports import PaymentDetail
from parcellocker.service.rental_walk_up import terms_of
from parcellocker.service.wrong_codes import CodeTry

STAFF_KEEP_IT = "this rental has ended; what was left inside is kept by the locker's staff"


class PaymentRequired(Conflict):
    """The rental is overdue: its overdue time is paid before the door opens a last time."""

    code = "payment_required"

    def __init__(self, amount: int, currency: str, overdue: timedelta) -> None:
        super().__init__(
            f"this rental ended {int(overdue.total_seconds() // 60)} minutes ago; pay the overdue time to take your "
            "things out"
        )
        self.details = {"amount": amount, "currency": currency, "overdue_minutes": int(overdue.total_seconds() // 60)}


@dataclass(frozen=True, slots=True)
class OpenRental(CodeTry):
    by: Principal  # the locker's terminal, for the renter in front of it
    locker_id: str
    code: str


@dataclass(frozen=True, slots=True)
class FinishRental(CodeTry):
    """Open for the last time: the renter takes everything out, and the rental ends when the door closes. Overdue,
    the time overstayed is paid by `method` first (an account-billed rental is charged on its account)."""

    by: Principal
    locker_id: str
    code: str
    method: PaymentMethod | None = None
    voucher_code: str | None = None


@dataclass(frozen=True, slots=True)
class RentalDoor:
    """The compartment to open now for the renter (`last`: for the last time), or, when `compartment` is None, the
    overdue payment waiting at the provider's page (`payment.checkout_url`)."""

    rental: Rental
    compartment: Compartment | None
    last: bool = False
    payment: Payment | None = None


async def open_rental(cmd: OpenRental, uow: UnitOfWork, env: Env) -> RentalDoor:
    require_terminal_of(cmd.by, cmd.locker_id)
    lockout = await rental_lockout(uow, env, cmd.locker_id)
    rental = await _rental_with_code(uow, env, cmd.locker_id, cmd.code)
    if rental is None:
        await refuse_guess(uow, env, lockout, cmd.locker_id, "rental", cmd.by)
    await tried_right(uow, lockout)
    terms = await terms_of(uow, cmd.locker_id)
    now = env.clock.now()
    try:
        rental.check_opens(now)
    except RentalOverdue as overdue:
        # Past the end: only the last opening remains, free within the grace time or when billed on account.
        if terms.overdue is OverduePolicy.STAFF_COLLECTION:
            await _hand_to_staff(uow, env, cmd.by, rental)
        fee = terms.overdue_fee(rental.size, overdue.overdue)
        if fee and rental.payment_method is not PaymentMethod.ACCOUNT:
            raise PaymentRequired(fee, terms.currency, overdue.overdue) from None
        return await _last_opening(uow, env, cmd.by, rental, terms, None, None, lockout)
    if rental.state is RentalState.BOOKED:
        compartment = await _first_opening(uow, env, cmd.by, rental)
    else:
        compartment = await _compartment(uow, rental)
        compartment.open_for_renter(rental.id, now, cmd.by.actor)
        await uow.compartments.save(compartment)
    details = {"rental": rental.id}
    await uow.audit.append(
        AuditRecord(now, str(cmd.by.actor), "compartment.opened_for_renter", compartment.id, details)
    )
    return RentalDoor(rental, compartment)


async def finish_rental(cmd: FinishRental, uow: UnitOfWork, env: Env) -> RentalDoor:
    require_terminal_of(cmd.by, cmd.locker_id)
    lockout = await rental_lockout(uow, env, cmd.locker_id)
    rental = await _rental_with_code(uow, env, cmd.locker_id, cmd.code)
    if rental is None:
        await refuse_guess(uow, env, lockout, cmd.locker_id, "rental", cmd.by)
    await tried_right(uow, lockout)
    terms = await terms_of(uow, cmd.locker_id)
    if rental.state is RentalState.TO_COLLECT:
        raise RentalEnded(STAFF_KEEP_IT)
    if rental.state is not RentalState.IN_USE:
        raise Conflict("this rental's compartment has not been opened yet: there is nothing to take out")
    if rental.overdue_by(env.clock.now()) and terms.overdue is OverduePolicy.STAFF_COLLECTION:
        await _hand_to_staff(uow, env, cmd.by, rental)
    return await _last_opening(uow, env, cmd.by, rental, terms, cmd.method, cmd.voucher_code, lockout)


async def _last_opening(
    uow: UnitOfWork,
    env: Env,
    by: Principal,
    rental: Rental,
    terms: RentalTerms,
    method: PaymentMethod | None,
    voucher_code: str | None,
    lockout: Lockout,
) -> RentalDoor:
    now = env.clock.now()
    overdue = rental.overdue_by(now)
    fee = terms.overdue_fee(rental.size, overdue) if overdue else 0
    if fee and not await _overdue_paid(uow, rental, now):
        if rental.payment_method is PaymentMethod.ACCOUNT:
            method = PaymentMethod.ACCOUNT
        waiting = await pending_payment(uow, rental, PaymentPurpose.OVERDUE)
        if waiting is not None and method in (None, waiting.method):
            return RentalDoor(rental, None, last=True, payment=waiting)
        if method is None:
            raise PaymentRequired(fee, terms.currency, overdue)
        if method is PaymentMethod.HOSTED_CHECKOUT and method not in terms.walk_up_methods:
            raise InvalidInput("this locker takes no payments at a provider's page")
        if waiting is not None:
            waiting.cancel(now)
            await uow.payments.save_payment(waiting)
        detail = PaymentDetail(voucher_code=voucher_code, account_id=rental.account_id)
        payment = await guarded_payment(uow, env, lockout, rental, PaymentPurpose.OVERDUE, fee, method, detail, by)
        if payment.state is not PaymentState.PAID:
            return RentalDoor(rental, None, last=True, payment=payment)
    compartment = await _compartment(uow, rental)
    compartment.open_for_renter(rental.id, now, by.actor)
    rental.open_last_time(now, by.actor, "opened for the last time, to be emptied")
    await uow.compartments.save(compartment)
    await uow.rentals.save(rental)
    details = {"rental": rental.id, "overdue_fee": str(fee)}
    await uow.audit.append(AuditRecord(now, str(by.actor), "compartment.opened_to_empty", compartment.id, details))
    return RentalDoor(rental, compartment, last=True)


async def _overdue_paid(uow: UnitOfWork, rental: Rental, now: datetime) -> bool:
    """An overdue payment paid moments ago (while the renter waited at the kiosk) covers the overdue time."""
    return any(
        payment.purpose is PaymentPurpose.OVERDUE
        and payment.state is PaymentState.PAID
        and payment.created_at >= now - CHECKOUT_HOLD
        for payment in await uow.payments.payments_of(rental.id)
    )


async def _first_opening(uow: UnitOfWork, env: Env, by: Principal, rental: Rental) -> Compartment:
    """A booked rental's compartment is handed over at its first opening; should the one chosen at the booking not
    be free now (its previous renter overstayed, or it is out of order), another of the same size is."""
    now = env.clock.now()
    compartment = await _compartment(uow, rental)
    free = compartment.state is CompartmentState.FREE or (
        compartment.state is CompartmentState.RESERVED and compartment.rental_id == rental.id
    )
    if not free or compartment.door is DoorState.OPEN:
        compartment = await claim_for_rental(
            uow, rental.locker_id, [rental.size], now, rental.ends_at, free_now=True, rental_id=rental.id
        )
    compartment.hand_over_to_renter(rental.id, now, by.actor)
    rental.hand_over(compartment.id, compartment.number, now, by.actor)
    await uow.compartments.save(compartment)
    await uow.rentals.save(rental)
    return compartment


async def _hand_to_staff(uow: UnitOfWork, env: Env, by: Principal, rental: Rental) -> NoReturn:
    """Past the end at a site whose staff collect what was left: the code stops working now (kept, and the renter
    told), then the request is refused."""
    rental.hand_to_staff(env.clock.now(), by.actor)
    await uow.rentals.save(rental)
    await tell_renter(uow, env, rental, TO_COLLECT_TEMPLATE, {})
    await uow.commit()
    raise RentalEnded(STAFF_KEEP_IT)


async def _rental_with_code(uow: UnitOfWork, env: Env, locker_id: str, code: str) -> Rental | None:
    return await uow.rentals.by_code(locker_id, rental_code_hash(env, locker_id, normalise_rental_code(code)))


async def _compartment(uow: UnitOfWork, rental: Rental) -> Compartment:
    compartment = await uow.compartments.get(rental.compartment_id)
    assert compartment is not None
    return compartment
