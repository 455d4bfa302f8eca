from datetime import UTC, datetime, timedelta

import pytest

from parcellocker.domain.errors import IllegalTransition, InvalidInput
from parcellocker.domain.payment import (
    Payment,
    PaymentMethod,
    PaymentPurpose,
    PaymentState,
    Voucher,
    VoucherRefused,
    check_currency,
    format_amount,
    normalise_voucher_code,
    show_voucher_code,
)

NOW = datetime(2026, 5, 4, 10, 0, tzinfo=UTC)


def payment(amount: int = 800, currency: str = "EUR") -> Payment:
    return Payment("P1", "R1", PaymentPurpose.RENTAL, PaymentMethod.PREPAID, amount, currency, NOW)


def voucher(value: int = 1000, **fields: object) -> Voucher:
    return Voucher("V1", "hash", value, "EUR", NOW, "operator:anna", **fields)  # type: ignore[arg-type]


def test_a_voucher_pays_once_for_a_rental_costing_up_to_its_value() -> None:
    redeemed = voucher().redeem(payment(), NOW)
    assert (redeemed.redeemed_at, redeemed.payment_id) == (NOW, "P1")
    with pytest.raises(VoucherRefused, match="used already"):
        redeemed.redeem(payment(), NOW)
    with pytest.raises(VoucherRefused, match=r"worth 5\.00 EUR; the rental costs 8\.00 EUR"):
        voucher(500).redeem(payment(), NOW)
    with pytest.raises(VoucherRefused, match="in EUR; the rental costs PLN"):
        voucher().redeem(payment(currency="PLN"), NOW)
    with pytest.raises(VoucherRefused, match="expired"):
        voucher(expires_at=NOW).redeem(payment(), NOW + timedelta(seconds=1))


def test_a_payment_is_settled_once_and_a_paid_one_never_fails() -> None:
    paid = payment()
    paid.settle(NOW, "ref-1")
    paid.settle(NOW + timedelta(minutes=1), "ref-2")  # told again: nothing changes
    assert (paid.state, paid.settled_at, paid.provider_reference) == (PaymentState.PAID, NOW, "ref-1")
    with pytest.raises(IllegalTransition):
        paid.fail(NOW)


def test_money_taken_after_the_payment_was_given_up_is_still_recorded_as_paid() -> None:
    late = payment()
    late.cancel(NOW)
    late.settle(NOW + timedelta(minutes=20))
    assert late.state is PaymentState.PAID


def test_amounts_currencies_and_voucher_codes_are_checked() -> None:
    with pytest.raises(InvalidInput, match="minor units"):
        payment(amount=-5)
    assert check_currency(" pln ") == "PLN"
    assert format_amount(1205, "EUR") == "12.05 EUR"
    assert normalise_voucher_code("1234-5678-9012") == "123456789012"
    assert show_voucher_code("123456789012") == "1234-5678-9012"
    with pytest.raises(InvalidInput, match="12 digits"):
        normalise_voucher_code("1234")
