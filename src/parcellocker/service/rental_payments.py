"""Taking a rental's payments through the gateways, and a payment provider's signed word that one was paid."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from parcellocker.domain.audit import AuditRecord
from parcellocker.domain.errors import InvalidInput, NotFound
from parcellocker.domain.events import SYSTEM, Actor
from parcellocker.domain.payment import Payment, PaymentMethod, PaymentPurpose, PaymentState
from parcellocker.domain.rental import Rental, RentalOrigin, RentalState
from parcellocker.service.context import Env
from parcellocker.service.ports import UnitOfWork
from parcellocker.service.rental_codes import issue_code
from parcellocker.service.rental_compartments import release_compartment
from parcellocker.service.rental_ports import GoToCheckout, Paid, PaymentDetail


async def take_payment(
    uow: UnitOfWork,
    env: Env,
    rental: Rental,
    purpose: PaymentPurpose,
    amount: int,
    method: PaymentMethod,
    detail: PaymentDetail,
) -> Payment:
    """Take `amount` for `rental` by `method`: paid at once (the payment says PAID) or pending at a provider's
    checkout page (`checkout_url`). Kept either way; a refused payment raises and keeps nothing."""
    now = env.clock.now()
    account_id = detail.account_id if method is PaymentMethod.ACCOUNT else None
    payment = Payment(
        str(uuid.uuid4()), rental.id, purpose, method, amount, rental.currency, now, account_id=account_id
    )
    step = await env.payments.get(method).begin(payment, detail, uow.payments, now)
    if isinstance(step, Paid):
        payment.settle(now, step.reference)
    else:
        assert isinstance(step, GoToCheckout)
        payment.checkout_url = step.url
    await uow.payments.add_payment(payment)
    return payment


async def paid_payment(uow: UnitOfWork, rental: Rental, purpose: PaymentPurpose) -> Payment | None:
    """The newest payment of the rental for `purpose` that was paid, if any."""
    payments = [p for p in await uow.payments.payments_of(rental.id) if p.purpose is purpose]
    return next((p for p in reversed(payments) if p.state is PaymentState.PAID), None)


async def pending_payment(uow: UnitOfWork, rental: Rental, purpose: PaymentPurpose) -> Payment | None:
    payments = [p for p in await uow.payments.payments_of(rental.id) if p.purpose is purpose]
    return next((p for p in reversed(payments) if p.state is PaymentState.PENDING), None)


@dataclass(frozen=True, slots=True)
class ConfirmCheckout:
    body: bytes
    signature: str


@dataclass(frozen=True, slots=True)
class CheckoutConfirmed:
    payment: Payment
    rental: Rental


async def confirm_checkout(cmd: ConfirmCheckout, uow: UnitOfWork, env: Env) -> CheckoutConfirmed:
    """The provider's signed webhook: a payment was paid or failed. Told again, nothing changes.

    A rental booked through the API gets its code then (sent to the renter); a walk-up rental gets it at the kiosk
    that waits for it (see rental_walk_up.py). A payment that failed cancels its rental; one paid after its rental
    was given up is kept as paid and audited, for the operator to refund."""
    now = env.clock.now()
    notice = env.payments.checkout().read_notice(cmd.body, cmd.signature, now)
    payment = await uow.payments.get_payment(notice.payment_id)
    if payment is None or payment.method is not PaymentMethod.HOSTED_CHECKOUT:
        raise NotFound(f"there is no hosted-checkout payment {notice.payment_id}")
    if (notice.amount, notice.currency) != (payment.amount, payment.currency):
        raise InvalidInput(
            f"payment {payment.id} is of {payment.amount} {payment.currency}, the notice says "
            f"{notice.amount} {notice.currency}"
        )
    rental = await uow.rentals.get(payment.rental_id)
    assert rental is not None
    if payment.state in (PaymentState.PAID, PaymentState.FAILED):
        return CheckoutConfirmed(payment, rental)  # told before
    given_up = payment.state is PaymentState.CANCELLED
    if notice.paid:
        payment.settle(now, notice.reference)
    elif not given_up:
        payment.fail(now, notice.reference)
    await uow.payments.save_payment(payment)
    action = f"payment.{payment.state.value}" + ("_after_cancel" if given_up and notice.paid else "")
    details = {"rental": rental.id, "amount": str(payment.amount), "currency": payment.currency}
    await uow.audit.append(AuditRecord(now, "provider:hosted_checkout", action, payment.id, details))
    if given_up or payment.purpose is not PaymentPurpose.RENTAL or rental.state is not RentalState.AWAITING_PAYMENT:
        return CheckoutConfirmed(payment, rental)
    if not notice.paid:
        await cancel_unpaid(uow, env, rental, SYSTEM, "the payment failed")
    elif rental.origin is not RentalOrigin.WALK_UP:
        await issue_code(uow, env, rental, SYSTEM)
        await uow.rentals.save(rental)
    return CheckoutConfirmed(payment, rental)


async def cancel_unpaid(uow: UnitOfWork, env: Env, rental: Rental, actor: Actor, reason: str) -> None:
    """Give a rental up before it was paid: its pending payments are cancelled, a compartment held is free again."""
    now = env.clock.now()
    for payment in await uow.payments.payments_of(rental.id):
        if payment.state is PaymentState.PENDING:
            payment.cancel(now)
            await uow.payments.save_payment(payment)
    rental.cancel(now, actor, reason)
    await uow.rentals.save(rental)
    await release_compartment(uow, env, rental, actor, reason)
