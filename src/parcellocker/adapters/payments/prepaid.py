"""Prepaid vouchers, and free rentals: a price of 0 needs nothing, any other is covered by one voucher."""

from __future__ import annotations

from datetime import datetime

from parcellocker.domain.errors import InvalidInput, NotFound
from parcellocker.domain.payment import (
    Payment,
    PaymentMethod,
    format_amount,
    hash_voucher_code,
    normalise_voucher_code,
)
from parcellocker.service.rental_ports import Paid, PaymentDetail, PaymentGateway, PaymentLedger, PaymentStep


class VoucherNotFound(NotFound):
    """Counted as a wrong guess at the locker (see service/rental_guard.py)."""

    code = "voucher_not_found"


class VoucherRequired(InvalidInput):
    code = "voucher_required"


class PrepaidGateway(PaymentGateway):
    method = PaymentMethod.PREPAID

    def __init__(self, voucher_key: bytes) -> None:
        """`voucher_key`: what voucher codes are hashed with (derived from the server's key)."""
        self._key = voucher_key

    async def begin(self, payment: Payment, detail: PaymentDetail, ledger: PaymentLedger, at: datetime) -> PaymentStep:
        if payment.amount == 0:
            return Paid("free")
        if not detail.voucher_code:
            raise VoucherRequired(
                f"this rental costs {format_amount(payment.amount, payment.currency)}: enter a prepaid voucher's code"
            )
        code_hash = hash_voucher_code(self._key, normalise_voucher_code(detail.voucher_code))
        voucher = await ledger.voucher_by_code(code_hash)
        if voucher is None:
            raise VoucherNotFound("no voucher has this code; check it")
        await ledger.redeem_voucher(voucher.redeem(payment, at))
        payment.voucher_id = voucher.id
        return Paid(f"voucher:{voucher.id}")
