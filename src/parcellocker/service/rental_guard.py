"""Guessing at a locker's kiosk is counted: a wrong rental code or voucher code is a failure of the locker's rental
lockout (DESIGN §4: after 5 wrong tries within 10 minutes the kiosk waits, longer each time, and the operator is
alarmed)."""

from __future__ import annotations

import uuid
from typing import NoReturn

from parcellocker.domain.alarms import Alarm, AlarmKind
from parcellocker.domain.audit import AuditRecord
from parcellocker.domain.errors import LockedOut, NotFound
from parcellocker.domain.lockout import Lockout
from parcellocker.domain.payment import Payment, PaymentMethod, PaymentPurpose
from parcellocker.domain.rental import Rental
from parcellocker.service.context import Env
from parcellocker.service.ports import UnitOfWork
from parcellocker.service.rental_payments import take_payment
from parcellocker.service.rental_ports import PaymentDetail


class WrongRentalCode(NotFound):
    """Says only "not found", plus how many tries are left before the kiosk makes people wait."""

    code = "rental_code_not_found"

    def __init__(self, message: str, remaining_tries: int) -> None:
        super().__init__(message)
        self.details = {"remaining_tries": remaining_tries}


async def rental_lockout(uow: UnitOfWork, env: Env, locker_id: str) -> Lockout:
    """The locker's rental lockout, refusing (LockedOut) while it makes people wait."""
    lockout = await uow.lockouts.get(f"rental:{locker_id}")
    if (wait := lockout.retry_after(env.clock.now())) is not None:
        raise LockedOut(f"too many wrong codes at this locker; try again in {wait} seconds", wait)
    return lockout


async def tried_right(uow: UnitOfWork, lockout: Lockout) -> None:
    if lockout.failures:
        lockout.record_success()
        await uow.lockouts.save(lockout)


async def refuse_guess(uow: UnitOfWork, env: Env, lockout: Lockout, locker_id: str, what: str, actor: str) -> NoReturn:
    """Count the wrong try (kept although the request fails: committed here), alarm on a lockout, then refuse."""
    now = env.clock.now()
    policy = env.policy.pickup_lockout
    await uow.rollback()
    lockout = await uow.lockouts.get(lockout.key)
    locked = lockout.record_failure(now, policy)
    await uow.lockouts.save(lockout)
    if locked:
        wait = lockout.retry_after(now) or 1
        message = f"{policy.max_failures} wrong rental or voucher codes: locker waits {wait} s before the next try"
        await uow.alarms.add(Alarm(str(uuid.uuid4()), locker_id, AlarmKind.LOCKOUT, now, message))
        await uow.audit.append(AuditRecord(now, actor, "locker.locked_out", locker_id, {"seconds": str(wait)}))
        await uow.commit()
        raise LockedOut(f"too many wrong codes at this locker; try again in {wait} seconds", wait)
    await uow.commit()
    raise WrongRentalCode(f"no {what} of this locker has this code; check it", lockout.remaining_tries(now, policy))


async def guarded_payment(
    uow: UnitOfWork,
    env: Env,
    lockout: Lockout,
    rental: Rental,
    purpose: PaymentPurpose,
    amount: int,
    method: PaymentMethod,
    detail: PaymentDetail,
    actor: str,
) -> Payment:
    """take_payment, with an unknown voucher code counted as a wrong guess at the locker (nothing else is kept)."""
    try:
        return await take_payment(uow, env, rental, purpose, amount, method, detail)
    except NotFound:
        if method is not PaymentMethod.PREPAID or detail.voucher_code is None:
            raise
        await refuse_guess(uow, env, lockout, rental.locker_id, "voucher", actor)
