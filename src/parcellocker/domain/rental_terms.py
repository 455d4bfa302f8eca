"""A locker's terms for renting its compartments: a price per size by the hour and by the day, the longest rental
of each size, how walk-up renters pay, and what happens when a renter overstays."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from enum import StrEnum

from parcellocker.domain.errors import InvalidInput
from parcellocker.domain.payment import PaymentMethod, check_amount, check_currency, format_amount
from parcellocker.domain.sizes import Size

HOUR = timedelta(hours=1)
DAY = timedelta(days=1)
MIN_DURATION = timedelta(minutes=15)
LONGEST = timedelta(days=366)
OFFERED_DURATIONS = (
    HOUR,
    2 * HOUR,
    4 * HOUR,
    8 * HOUR,
    DAY,
    2 * DAY,
    3 * DAY,
    7 * DAY,
    14 * DAY,
    30 * DAY,
)
"""The durations the kiosk offers a walk-up renter, those up to the size's longest rental."""
WALK_UP_METHODS = frozenset({PaymentMethod.PREPAID, PaymentMethod.HOSTED_CHECKOUT})
"""How a person at the kiosk may pay (an account is for companies, through the API)."""


class OverduePolicy(StrEnum):
    CHARGE = "charge"
    """The code no longer opens freely; the renter pays for the time overdue and the door opens a last time."""
    STAFF_COLLECTION = "staff_collection"
    """The code stops working; staff take the contents out and keep them for the renter."""


@dataclass(frozen=True, slots=True)
class SizePrice:
    per_hour: int
    per_day: int
    max_duration: timedelta

    def __post_init__(self) -> None:
        check_amount(self.per_hour)
        check_amount(self.per_day)
        if not HOUR <= self.max_duration <= LONGEST:
            raise InvalidInput(f"the longest rental is from 1 hour to {LONGEST.days} days")

    def price(self, duration: timedelta) -> int:
        """Each started hour at the hourly price, but no more than the daily price for any day begun."""
        days, rest = divmod(duration, DAY)
        hours = math.ceil(rest / HOUR)
        return int(days * self.per_day + min(hours * self.per_hour, self.per_day))


@dataclass(frozen=True, slots=True)
class RentalTerms:
    locker_id: str
    currency: str
    prices: Mapping[Size, SizePrice]
    overdue: OverduePolicy = OverduePolicy.CHARGE
    walk_up_methods: frozenset[PaymentMethod] = field(default_factory=lambda: frozenset({PaymentMethod.PREPAID}))
    overdue_grace: timedelta = timedelta(minutes=10)
    """Overstaying this long costs nothing."""
    version: int = 0

    def __post_init__(self) -> None:
        object.__setattr__(self, "currency", check_currency(self.currency))
        if not self.prices:
            raise InvalidInput("the rental terms need a price for at least one size")
        if not self.walk_up_methods <= WALK_UP_METHODS:
            allowed = ", ".join(sorted(method.value for method in WALK_UP_METHODS))
            raise InvalidInput(f"walk-up renters pay by {allowed}; an account is for companies")
        if not timedelta(0) <= self.overdue_grace <= DAY:
            raise InvalidInput("the grace time after a rental's end is from 0 to 24 hours")

    def price_of(self, size: Size) -> SizePrice:
        found = self.prices.get(size)
        if found is None:
            offered = ", ".join(size.value for size in self.sizes)
            raise InvalidInput(f"size {size.value} is not for rent at this locker; sizes for rent: {offered}")
        return found

    @property
    def sizes(self) -> list[Size]:
        return sorted(self.prices, key=lambda size: size.rank)

    def price(self, size: Size, duration: timedelta) -> int:
        """What renting a compartment of `size` for `duration` costs; refuses a duration the terms do not allow."""
        row = self.price_of(size)
        if duration < MIN_DURATION:
            raise InvalidInput(f"a rental lasts at least {int(MIN_DURATION.total_seconds() // 60)} minutes")
        if duration > row.max_duration:
            raise InvalidInput(f"a size {size.value} compartment is rented for {describe(row.max_duration)} at most")
        return row.price(duration)

    def overdue_fee(self, size: Size, overdue: timedelta) -> int:
        """What staying `overdue` past the end costs: nothing within the grace time, else priced like a rental of
        that length (whatever the longest rental)."""
        if overdue <= self.overdue_grace:
            return 0
        return self.price_of(size).price(overdue)

    def durations(self, size: Size) -> list[timedelta]:
        row = self.price_of(size)
        return [duration for duration in OFFERED_DURATIONS if duration <= row.max_duration]

    def describe_price(self, amount: int) -> str:
        return format_amount(amount, self.currency)


def describe(duration: timedelta) -> str:
    """E.g. "7 days", "8 hours", "90 minutes"."""
    minutes = int(duration.total_seconds() // 60)
    if minutes % (24 * 60) == 0:
        days = minutes // (24 * 60)
        return f"{days} day{'s' if days != 1 else ''}"
    if minutes % 60 == 0:
        hours = minutes // 60
        return f"{hours} hour{'s' if hours != 1 else ''}"
    return f"{minutes} minutes"
