"""Billing on a company's rental account: each charge is recorded against the account (the rental's payments with
the account's id) and exported for the company's invoice as CSV."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import datetime

from parcellocker.domain.errors import Conflict, InvalidInput, NotFound
from parcellocker.domain.payment import Payment, PaymentMethod
from parcellocker.service.rental_ports import (
    AccountCharge,
    Paid,
    PaymentDetail,
    PaymentGateway,
    PaymentLedger,
    PaymentStep,
)

CSV_COLUMNS = (
    "settled_at",
    "payment_id",
    "rental_id",
    "locker_id",
    "compartment",
    "size",
    "purpose",
    "renter",
    "starts_at",
    "ends_at",
    "amount",
    "currency",
)


class AccountBillingGateway(PaymentGateway):
    method = PaymentMethod.ACCOUNT

    async def begin(self, payment: Payment, detail: PaymentDetail, ledger: PaymentLedger, at: datetime) -> PaymentStep:
        if detail.account_id is None:
            raise InvalidInput("billing on account needs the account to bill")
        account = await ledger.get_account(detail.account_id)
        if account is None:
            raise NotFound(f"there is no rental account {detail.account_id}")
        if not account.active:
            raise Conflict(f"rental account {account.id} is closed")
        payment.account_id = account.id
        return Paid(f"account:{account.id}")


def charges_csv(charges: Iterable[AccountCharge]) -> str:
    """The charges as CSV, one row each, with a header; amounts in the currency's units with two decimals."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for charge in charges:
        writer.writerow(
            (
                charge.settled_at.isoformat(timespec="seconds"),
                charge.payment_id,
                charge.rental_id,
                charge.locker_id,
                charge.compartment_number,
                charge.size.value,
                charge.purpose.value,
                _safe(charge.renter_name or ""),
                charge.starts_at.isoformat(timespec="minutes"),
                charge.ends_at.isoformat(timespec="minutes"),
                f"{charge.amount // 100}.{charge.amount % 100:02d}",
                charge.currency,
            )
        )
    return out.getvalue()


def _safe(text: str) -> str:
    """A name as a spreadsheet shows it, never run as a formula (CSV injection)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
