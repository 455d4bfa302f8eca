"""Guessing at a locker's kiosk is counted: a wrong rental code or voucher code is a failure of the locker's one
lockout, shared with wrong pickup and drop-off codes (service/wrong_codes.py; DESIGN §4: after 5 wrong tries within
10 minutes the kiosk waits, longer each time, and the operator is alarmed)."""

from __future__ import annotations

from typing import NoReturn

from parcellocker.domain.accounts import Principal
from parcellocker.domain.errors import NotFound
from parcellocker.domain.lockout import Lockout
from parcellocker.domain.payment import Payment, PaymentMethod, PaymentPurpose
from parcellocker.domain.rental import Rental
from parcellocker.service.context import Env
from parcellocker.service.ports import UnitOfWork
from parcellocker.service.rental_payments import take_payment
from parcellocker.service.rental_ports import PaymentDetail
from parcellocker.service.wrong_codes import count_wrong_code, forgive, unlocked_record


class WrongRentalCode(NotFound):
    """Says only "not found", plus how many tries are left before the kiosk makes people wait."""

    code = "rental_code_not_found"

    def __init__(self, message: str, remaining_tries: int) -> None:
        super().__init__(message)
        self.details = {"remaining_tries": remaining_tries}


async def rental_lockout(uow: UnitOfWork, env: Env, locker_id: str) -> Lockout:
    """The locker's one guessing record (shared with pickup and drop-off codes), refusing (LockedOut) while it makes
    people wait."""
    return await unlocked_record(uow, env, locker_id)


async def tried_right(uow: UnitOfWork, lockout: Lockout) -> None:
    await forgive(uow, lockout)


async def refuse_guess(
    uow: UnitOfWork, env: Env, lockout: Lockout, locker_id: str, what: str, by: Principal
) -> NoReturn:
    """Count the wrong try toward the locker's lockout (kept although the request fails: committed here, with nothing
    else this unit of work had changed), alarm on a lockout, then refuse."""
    await uow.rollback()
    lockout = await uow.lockouts.get(lockout.key)
    remaining = await count_wrong_code(uow, env, by, locker_id, lockout)
    raise WrongRentalCode(f"no {what} of this locker has this code; check it", remaining)


async def guarded_payment(
    uow: UnitOfWork,
    env: Env,
    lockout: Lockout,
    rental: Rental,
    purpose: PaymentPurpose,
    amount: int,
    method: PaymentMethod,
    detail: PaymentDetail,
    by: Principal,
) -> Payment:
    """take_payment, with an unknown voucher code counted as a wrong guess at the locker (nothing else is kept)."""
    try:
        return await take_payment(uow, env, rental, purpose, amount, method, detail)
    except NotFound:
        if method is not PaymentMethod.PREPAID or detail.voucher_code is None:
            raise
        await refuse_guess(uow, env, lockout, rental.locker_id, "voucher", by)
