"""Rentals made through the API: a booking ahead for a named person and a window (a hotel's or an office's app),
and a compartment assigned by staff to a guest or an employee until they take it back. Either is handed over at
its first opening at the kiosk, by its code."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from parcellocker.domain.accounts import Principal, Role
from parcellocker.domain.audit import AuditRecord
from parcellocker.domain.compartment import Compartment, CompartmentState, CompartmentUse
from parcellocker.domain.errors import Conflict, InvalidInput, NotFound
from parcellocker.domain.payment import Payment, PaymentMethod, PaymentPurpose, PaymentState
from parcellocker.domain.rental import Rental, RentalOrigin, Renter
from parcellocker.domain.sizes import Size
from parcellocker.service.context import Env
from parcellocker.service.permissions import require_role
from parcellocker.service.ports import UnitOfWork
from parcellocker.service.rental_codes import issue_code
from parcellocker.service.rental_compartments import NoCompartmentForRent, claim_for_rental
from parcellocker.service.rental_payments import take_payment
from parcellocker.service.rental_ports import PaymentDetail
from parcellocker.service.rental_setup import require_rental_access
from parcellocker.service.rental_walk_up import terms_of

PAST_TOLERANCE = timedelta(minutes=5)
"""A window may start this long before the request (clocks differ a little)."""
BOOKING_HORIZON = timedelta(days=366)


@dataclass(frozen=True, slots=True)
class BookRental:
    by: Principal  # a company (its app) or an operator
    locker_id: str
    size: Size
    starts_at: datetime
    ends_at: datetime
    renter: Renter
    method: PaymentMethod = PaymentMethod.ACCOUNT
    account_id: str | None = None
    """An operator's booking billed on account names the account; a company's is billed on its own."""
    voucher_code: str | None = None
    return_url: str | None = None


@dataclass(frozen=True, slots=True)
class RentalBooked:
    rental: Rental
    payment: Payment
    code: str | None
    """Given once, when paid at once (it is also sent to the renter); None while paid at a provider's page, after
    which it is sent to the renter only."""


async def book_rental(cmd: BookRental, uow: UnitOfWork, env: Env) -> RentalBooked:
    """The compartment is chosen now among those of the size that no other rental holds in the window."""
    account_id = await _billed_account(uow, cmd.by, cmd.locker_id, cmd.method, cmd.account_id)
    now = env.clock.now()
    _check_window(cmd.starts_at, cmd.ends_at, now)
    _check_renter(cmd.renter, cmd.method)
    terms = await terms_of(uow, cmd.locker_id)
    price = terms.price(cmd.size, cmd.ends_at - cmd.starts_at)
    compartment = await claim_for_rental(uow, cmd.locker_id, [cmd.size], cmd.starts_at, cmd.ends_at, free_now=False)
    detail = PaymentDetail(cmd.voucher_code, account_id, cmd.return_url)
    return await _book(
        uow,
        env,
        cmd.by,
        compartment,
        RentalOrigin.BOOKING,
        cmd.renter,
        cmd.starts_at,
        cmd.ends_at,
        price,
        terms.currency,
        cmd.method,
        account_id,
        detail,
    )


@dataclass(frozen=True, slots=True)
class AssignCompartment:
    """Staff give a compartment to a guest or an employee from now until `until` (or until they take it back),
    billed on account; `number` picks the compartment, or else one of `size` is chosen."""

    by: Principal
    locker_id: str
    renter: Renter
    until: datetime
    number: int | None = None
    size: Size | None = None
    account_id: str | None = None


async def assign_compartment(cmd: AssignCompartment, uow: UnitOfWork, env: Env) -> RentalBooked:
    account_id = await _billed_account(uow, cmd.by, cmd.locker_id, PaymentMethod.ACCOUNT, cmd.account_id)
    now = env.clock.now()
    _check_window(now, cmd.until, now)
    _check_renter(cmd.renter, PaymentMethod.ACCOUNT)
    terms = await terms_of(uow, cmd.locker_id)
    if cmd.number is not None:
        compartment = await _assignable(uow, cmd.locker_id, cmd.number, now, cmd.until)
    elif cmd.size is not None:
        compartment = await claim_for_rental(uow, cmd.locker_id, [cmd.size], now, cmd.until, free_now=True)
    else:
        raise InvalidInput("name the compartment's number, or the size of the compartment to assign")
    price = terms.price(compartment.size, cmd.until - now)
    detail = PaymentDetail(account_id=account_id)
    return await _book(
        uow,
        env,
        cmd.by,
        compartment,
        RentalOrigin.ASSIGNMENT,
        cmd.renter,
        now,
        cmd.until,
        price,
        terms.currency,
        PaymentMethod.ACCOUNT,
        account_id,
        detail,
    )


async def _book(
    uow: UnitOfWork,
    env: Env,
    by: Principal,
    compartment: Compartment,
    origin: RentalOrigin,
    renter: Renter,
    starts_at: datetime,
    ends_at: datetime,
    price: int,
    currency: str,
    method: PaymentMethod,
    account_id: str | None,
    detail: PaymentDetail,
) -> RentalBooked:
    now = env.clock.now()
    rental = Rental.begin(
        rental_id=str(uuid.uuid4()),
        locker_id=compartment.locker_id,
        compartment_id=compartment.id,
        compartment_number=compartment.number,
        size=compartment.size,
        origin=origin,
        renter=renter,
        starts_at=starts_at,
        ends_at=ends_at,
        price=price,
        currency=currency,
        payment_method=method,
        at=now,
        actor=by.actor,
        account_id=account_id,
    )
    await uow.rentals.add(rental)
    payment = await take_payment(uow, env, rental, PaymentPurpose.RENTAL, price, method, detail)
    code = None
    if payment.state is PaymentState.PAID:
        code = await issue_code(uow, env, rental, by.actor)
        await uow.rentals.save(rental)
    details = {"compartment": str(compartment.number), "from": starts_at.isoformat(), "until": ends_at.isoformat()}
    await uow.audit.append(AuditRecord(now, str(by.actor), f"rental.{origin.value}", rental.id, details))
    return RentalBooked(rental, payment, code)


async def _billed_account(
    uow: UnitOfWork, by: Principal, locker_id: str, method: PaymentMethod, named: str | None
) -> str | None:
    """The account a rental is made for, and billed on when paid on account (a company's own; the one an operator
    names), checking who may rent at the locker."""
    require_role(by, Role.OPERATOR, Role.COMPANY)
    account = await require_rental_access(uow, by, locker_id)
    if by.role is Role.COMPANY:
        assert account is not None
        if named is not None and named != account.id:
            raise InvalidInput("a company books on its own account")
        return account.id
    if named is None:
        if method is PaymentMethod.ACCOUNT:
            raise InvalidInput("name the account to bill (account_id)")
        return None
    found = await uow.payments.get_account(named)
    if found is None or not found.may_use(locker_id):
        raise NotFound(f"account {named} does not rent at locker {locker_id}")
    return found.id


def _check_window(starts_at: datetime, ends_at: datetime, now: datetime) -> None:
    if starts_at.tzinfo is None or ends_at.tzinfo is None:
        raise InvalidInput("give the times with their time zone, e.g. 2026-12-01T09:00:00+01:00")
    if starts_at < now - PAST_TOLERANCE:
        raise InvalidInput("a rental cannot start in the past")
    if ends_at <= starts_at:
        raise InvalidInput("a rental must end after it starts")
    if starts_at > now + BOOKING_HORIZON:
        raise InvalidInput(f"a rental is booked at most {BOOKING_HORIZON.days} days ahead")


def _check_renter(renter: Renter, method: PaymentMethod) -> None:
    if renter.name is None:
        raise InvalidInput("a booking names the person it is for (renter.name)")
    if method is PaymentMethod.HOSTED_CHECKOUT and not renter.reachable:
        raise InvalidInput("paid at a provider's page, the code is sent to the renter: give an e-mail or a phone")


async def _assignable(
    uow: UnitOfWork, locker_id: str, number: int, starts_at: datetime, ends_at: datetime
) -> Compartment:
    compartment = await uow.compartments.by_number(locker_id, number)
    if compartment is None:
        raise NotFound(f"locker {locker_id} has no compartment {number}")
    if compartment.use is not CompartmentUse.RENTAL:
        raise Conflict(f"compartment {number} is kept for parcels, not for rentals")
    if compartment.state is not CompartmentState.FREE:
        raise NoCompartmentForRent(f"compartment {number} is {compartment.state.value.replace('_', ' ')}")
    return await claim_for_rental(uow, locker_id, [compartment.size], starts_at, ends_at, free_now=True, number=number)
