"""Paying for a rental: the payments taken, prepaid vouchers, and the accounts of companies billed for theirs.

Amounts are whole minor units (cents) of the currency the locker's rental terms name. No card data is ever held
here: a card is paid at a payment provider's own page (hosted checkout), which tells the server the outcome.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from parcellocker.domain.errors import Conflict, IllegalTransition, InvalidInput

VOUCHER_DIGITS = 12
MAX_AMOUNT = 100_000_000
"""The largest amount of one payment or voucher, in minor units (a million in the currency)."""


class PaymentMethod(StrEnum):
    PREPAID = "prepaid"
    """A prepaid voucher covers it, or nothing does when the price is 0 (a free site)."""
    ACCOUNT = "account"
    """Billed to a company's rental account: the charge is recorded, the company pays the invoice."""
    HOSTED_CHECKOUT = "hosted_checkout"
    """Paid at a payment provider's page, which tells the server by a signed webhook."""


class PaymentPurpose(StrEnum):
    RENTAL = "rental"
    OVERDUE = "overdue"
    """The time a renter stayed past the rental's end, paid before the door opens a last time."""


class PaymentState(StrEnum):
    PENDING = "pending"
    PAID = "paid"
    FAILED = "failed"
    CANCELLED = "cancelled"


@dataclass(slots=True)
class Payment:
    id: str
    rental_id: str
    purpose: PaymentPurpose
    method: PaymentMethod
    amount: int
    currency: str
    created_at: datetime
    state: PaymentState = PaymentState.PENDING
    account_id: str | None = None
    """ACCOUNT: the company billed."""
    voucher_id: str | None = None
    """PREPAID: the voucher that covered it (None when the price was 0)."""
    provider_reference: str | None = None
    """HOSTED_CHECKOUT: the provider's own name for the payment."""
    checkout_url: str | None = None
    """HOSTED_CHECKOUT: where the payer goes to pay."""
    settled_at: datetime | None = None
    version: int = 0

    def __post_init__(self) -> None:
        check_amount(self.amount)

    def settle(self, at: datetime, reference: str | None = None) -> None:
        """Paid. A repeated notice of the same payment changes nothing; a paid payment never fails afterwards. A
        payment given up (its rental cancelled) is paid all the same when the provider says the money was taken:
        the operator refunds it (see service/rental_payments.py)."""
        if self.state is PaymentState.PAID:
            return
        if self.state is not PaymentState.CANCELLED:
            self._require_pending("settle")
        self.state = PaymentState.PAID
        self.settled_at = at
        if reference is not None:
            self.provider_reference = reference

    def fail(self, at: datetime, reference: str | None = None) -> None:
        self._require_pending("fail")
        self.state = PaymentState.FAILED
        self.settled_at = at
        if reference is not None:
            self.provider_reference = reference

    def cancel(self, at: datetime) -> None:
        if self.state is PaymentState.PENDING:
            self.state = PaymentState.CANCELLED
            self.settled_at = at

    def _require_pending(self, doing: str) -> None:
        if self.state is not PaymentState.PENDING:
            raise IllegalTransition(f"cannot {doing} payment {self.id}: it is {self.state.value}")


@dataclass(frozen=True, slots=True)
class Voucher:
    """A prepaid voucher (sold at a reception desk, say): good for one rental, up to its value."""

    id: str
    code_hash: str
    value: int
    currency: str
    created_at: datetime
    created_by: str
    expires_at: datetime | None = None
    redeemed_at: datetime | None = None
    payment_id: str | None = None

    def redeem(self, payment: Payment, at: datetime) -> Voucher:
        """This voucher spent on `payment`; what is left of its value is not kept."""
        if self.redeemed_at is not None:
            raise VoucherRefused("this voucher was used already")
        if self.expires_at is not None and at >= self.expires_at:
            raise VoucherRefused("this voucher has expired")
        if self.currency != payment.currency:
            raise VoucherRefused(f"this voucher is in {self.currency}; the rental costs {payment.currency}")
        if self.value < payment.amount:
            raise VoucherRefused(
                f"this voucher is worth {format_amount(self.value, self.currency)}; the rental costs "
                f"{format_amount(payment.amount, payment.currency)}"
            )
        return dataclasses.replace(self, redeemed_at=at, payment_id=payment.id)


class VoucherRefused(Conflict):
    code = "voucher_refused"


@dataclass(frozen=True, slots=True)
class RentalAccount:
    """A company or hotel that books and assigns compartments at some lockers, billed on account."""

    id: str
    name: str
    locker_ids: frozenset[str]
    created_at: datetime
    active: bool = True

    def may_use(self, locker_id: str) -> bool:
        return self.active and locker_id in self.locker_ids


def check_amount(amount: int) -> int:
    if not isinstance(amount, int) or isinstance(amount, bool) or not 0 <= amount <= MAX_AMOUNT:
        raise InvalidInput(f"an amount is a whole number of minor units (cents) from 0 to {MAX_AMOUNT}")
    return amount


def check_currency(currency: str) -> str:
    code = currency.strip().upper()
    if len(code) != 3 or not (code.isascii() and code.isalpha()):
        raise InvalidInput(f"{currency!r} is not a currency code; use three letters such as EUR or PLN")
    return code


def format_amount(amount: int, currency: str) -> str:
    """E.g. "12.50 EUR": two decimals, as most currencies have."""
    return f"{amount // 100}.{amount % 100:02d} {currency}"


def generate_voucher_code() -> str:
    return f"{secrets.randbelow(10**VOUCHER_DIGITS):0{VOUCHER_DIGITS}d}"


def normalise_voucher_code(text: str) -> str:
    code = "".join(text.split()).replace("-", "")
    if not (code.isascii() and code.isdigit()) or len(code) != VOUCHER_DIGITS:
        raise InvalidInput(f"a voucher code is {VOUCHER_DIGITS} digits")
    return code


def hash_voucher_code(key: bytes, code: str) -> str:
    return hmac.new(key, code.encode(), hashlib.sha256).hexdigest()


def show_voucher_code(code: str) -> str:
    """Grouped for reading: 1234-5678-9012."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))
