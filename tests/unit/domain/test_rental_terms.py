from datetime import timedelta

import pytest

from parcellocker.domain.errors import InvalidInput
from parcellocker.domain.payment import PaymentMethod
from parcellocker.domain.rental_terms import OverduePolicy, RentalTerms, SizePrice, describe
from parcellocker.domain.sizes import Size

HOUR, DAY = timedelta(hours=1), timedelta(days=1)


def terms(**overrides: object) -> RentalTerms:
    settings: dict[str, object] = {
        "locker_id": "L1",
        "currency": "eur",
        "prices": {Size.S: SizePrice(200, 1500, 7 * DAY), Size.M: SizePrice(300, 2000, 3 * DAY)},
    }
    settings.update(overrides)
    return RentalTerms(**settings)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("duration", "price"),
    [
        (HOUR, 200),
        (timedelta(minutes=61), 400),  # each started hour
        (4 * HOUR, 800),
        (8 * HOUR, 1500),  # no more than a day
        (DAY, 1500),
        (DAY + HOUR, 1700),
        (2 * DAY + 23 * HOUR, 4500),
        (7 * DAY, 10500),
    ],
)
def test_each_started_hour_costs_the_hourly_price_up_to_the_daily_price_for_each_day(
    duration: timedelta, price: int
) -> None:
    assert terms().price(Size.S, duration) == price


def test_a_rental_longer_than_the_size_allows_or_too_short_is_refused() -> None:
    with pytest.raises(InvalidInput, match="3 days at most"):
        terms().price(Size.M, 3 * DAY + HOUR)
    with pytest.raises(InvalidInput, match="at least 15 minutes"):
        terms().price(Size.S, timedelta(minutes=5))


def test_a_size_without_a_price_is_not_for_rent() -> None:
    with pytest.raises(InvalidInput, match="sizes for rent: S, M"):
        terms().price(Size.L, HOUR)


def test_the_kiosk_offers_the_usual_durations_up_to_the_longest_rental_of_the_size() -> None:
    assert terms().durations(Size.M) == [HOUR, 2 * HOUR, 4 * HOUR, 8 * HOUR, DAY, 2 * DAY, 3 * DAY]
    assert terms().durations(Size.S)[-1] == 7 * DAY


def test_overdue_time_costs_nothing_within_the_grace_then_is_priced_like_a_rental() -> None:
    rented = terms(overdue_grace=timedelta(minutes=10))
    assert rented.overdue_fee(Size.S, timedelta(minutes=10)) == 0
    assert rented.overdue_fee(Size.S, timedelta(minutes=11)) == 200
    assert rented.overdue_fee(Size.S, 10 * DAY) == 15000  # past the longest rental, still priced


def test_the_terms_are_checked() -> None:
    assert terms().currency == "EUR"
    with pytest.raises(InvalidInput, match="currency"):
        terms(currency="euro")
    with pytest.raises(InvalidInput, match="at least one size"):
        terms(prices={})
    with pytest.raises(InvalidInput, match="an account is for companies"):
        terms(walk_up_methods=frozenset({PaymentMethod.ACCOUNT}))
    with pytest.raises(InvalidInput, match="from 1 hour"):
        SizePrice(100, 100, timedelta(minutes=30))
    with pytest.raises(InvalidInput, match="minor units"):
        SizePrice(-1, 100, DAY)
    assert terms().overdue is OverduePolicy.CHARGE


def test_durations_are_told_in_words() -> None:
    assert [describe(d) for d in (DAY, 3 * DAY, HOUR, 8 * HOUR, timedelta(minutes=90))] == [
        "1 day",
        "3 days",
        "1 hour",
        "8 hours",
        "90 minutes",
    ]
