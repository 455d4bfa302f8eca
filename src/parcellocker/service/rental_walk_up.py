"""Renting at the kiosk, through the locker's terminal: choose a size and a duration, pay, and the door opens; a
payment at a provider's page (the payer's phone) is waited for by the kiosk, which then opens the door."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import timedelta

from parcellocker.domain.accounts import Principal
from parcellocker.domain.audit import AuditRecord
from parcellocker.domain.compartment import Compartment
from parcellocker.domain.errors import Conflict, InvalidInput, NotFound
from parcellocker.domain.payment import Payment, PaymentMethod, PaymentPurpose, PaymentState
from parcellocker.domain.rental import Rental, RentalOrigin, RentalState, Renter
from parcellocker.domain.rental_terms import RentalTerms
from parcellocker.domain.sizes import Size
from parcellocker.service.context import Env
from parcellocker.service.permissions import require_terminal_of
from parcellocker.service.ports import UnitOfWork
from parcellocker.service.rental_codes import issue_code
from parcellocker.service.rental_compartments import claim_for_rental
from parcellocker.service.rental_guard import guarded_payment, rental_lockout
from parcellocker.service.rental_payments import cancel_unpaid, paid_payment, pending_payment
from parcellocker.service.rental_ports import PaymentDetail


class CheckoutPending(Conflict):
    """The payer has not paid at the provider's page yet."""

    code = "payment_pending"

    def __init__(self, checkout_url: str | None) -> None:
        super().__init__("the payment has not come through yet")
        self.details = {"checkout_url": checkout_url}


class PaymentFailed(Conflict):
    code = "payment_failed"


@dataclass(frozen=True, slots=True)
class RentAtLocker:
    by: Principal  # the locker's terminal, for the person in front of it
    locker_id: str
    size: Size
    duration: timedelta
    method: PaymentMethod
    voucher_code: str | None = None
    renter: Renter = field(default_factory=Renter)


@dataclass(frozen=True, slots=True)
class RentalStarted:
    """A walk-up rental: paid and open (its code given, shown once), or waiting at a provider's checkout page."""

    rental: Rental
    compartment: Compartment
    payment: Payment
    code: str | None = None


async def rent_at_locker(cmd: RentAtLocker, uow: UnitOfWork, env: Env) -> RentalStarted:
    require_terminal_of(cmd.by, cmd.locker_id)
    terms = await terms_of(uow, cmd.locker_id)
    if cmd.method not in terms.walk_up_methods:
        offered = ", ".join(sorted(method.value for method in terms.walk_up_methods))
        raise InvalidInput(f"at this locker a walk-up rental is paid by {offered}")
    lockout = await rental_lockout(uow, env, cmd.locker_id)
    now = env.clock.now()
    price = terms.price(cmd.size, cmd.duration)
    compartment = await claim_for_rental(uow, cmd.locker_id, [cmd.size], now, now + cmd.duration, free_now=True)
    rental = Rental.begin(
        rental_id=str(uuid.uuid4()),
        locker_id=cmd.locker_id,
        compartment_id=compartment.id,
        compartment_number=compartment.number,
        size=cmd.size,
        origin=RentalOrigin.WALK_UP,
        renter=cmd.renter,
        starts_at=now,
        ends_at=now + cmd.duration,
        price=price,
        currency=terms.currency,
        payment_method=cmd.method,
        at=now,
        actor=cmd.by.actor,
    )
    await uow.rentals.add(rental)
    detail = PaymentDetail(voucher_code=cmd.voucher_code)
    payment = await guarded_payment(uow, env, lockout, rental, PaymentPurpose.RENTAL, price, cmd.method, detail, cmd.by)
    details = {"compartment": str(compartment.number), "price": str(price), "method": cmd.method.value}
    await uow.audit.append(AuditRecord(now, str(cmd.by.actor), "rental.walk_up", rental.id, details))
    if payment.state is not PaymentState.PAID:
        compartment.hold_for_rental(rental.id, now, cmd.by.actor)
        await uow.compartments.save(compartment)
        await uow.rentals.save(rental)
        return RentalStarted(rental, compartment, payment)
    code = await _hand_over(uow, env, cmd.by, rental, compartment)
    return RentalStarted(rental, compartment, payment, code)


@dataclass(frozen=True, slots=True)
class CompleteWalkUp:
    by: Principal
    locker_id: str
    rental_id: str


async def complete_walk_up(cmd: CompleteWalkUp, uow: UnitOfWork, env: Env) -> RentalStarted:
    """Asked by the kiosk while the renter pays at the provider's page: once paid, the code is issued and the door
    opens (CheckoutPending until then, PaymentFailed when it will not be paid)."""
    require_terminal_of(cmd.by, cmd.locker_id)
    rental = await uow.rentals.get(cmd.rental_id)
    if rental is None or rental.locker_id != cmd.locker_id or rental.origin is not RentalOrigin.WALK_UP:
        raise NotFound(f"no walk-up rental {cmd.rental_id} was begun at this locker")
    if rental.state is RentalState.CANCELLED:
        raise PaymentFailed(f"the payment did not come through ({rental.end_reason}); the rental was not made")
    if rental.state is not RentalState.AWAITING_PAYMENT:
        raise Conflict("this rental's compartment was handed over already; open it with its code")
    compartment = await uow.compartments.get(rental.compartment_id)
    assert compartment is not None
    paid = await paid_payment(uow, rental, PaymentPurpose.RENTAL)
    if paid is None:
        pending = await pending_payment(uow, rental, PaymentPurpose.RENTAL)
        if pending is None or (rental.hold_until is not None and env.clock.now() >= rental.hold_until):
            await cancel_unpaid(uow, env, rental, cmd.by.actor, "the payment did not come in time")
            await uow.commit()
            raise PaymentFailed("the payment did not come in time; the rental was not made")
        raise CheckoutPending(pending.checkout_url)
    code = await _hand_over(uow, env, cmd.by, rental, compartment)
    return RentalStarted(rental, compartment, paid, code)


async def _hand_over(uow: UnitOfWork, env: Env, by: Principal, rental: Rental, compartment: Compartment) -> str:
    """Paid: the code is issued (and sent), and the compartment is the renter's, its door to be opened now."""
    now = env.clock.now()
    code = await issue_code(uow, env, rental, by.actor)
    compartment.hand_over_to_renter(rental.id, now, by.actor)
    rental.hand_over(compartment.id, compartment.number, now, by.actor)
    await uow.compartments.save(compartment)
    await uow.rentals.save(rental)
    return code


async def terms_of(uow: UnitOfWork, locker_id: str) -> RentalTerms:
    terms = await uow.rental_terms.get(locker_id)
    if terms is None:
        raise NotFound(f"locker {locker_id} rents no compartments")
    return terms
