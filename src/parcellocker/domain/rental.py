"""A rental: a compartment booked by a person for a time window, opened by its code as often as they like inside
it (DESIGN §3), and the state machine it follows.

    awaiting_payment → booked → in_use → ended
           ↓              ↓        ↓ (past its end, the site's staff collect the contents)
       cancelled      cancelled  to_collect → ended

`booked`: paid, its code issued, the compartment not handed over yet (a booking ahead, before its first opening).
`in_use`: the compartment is the renter's; past the end it is overdue (the code opens it no more, except to take
the contents out for good once the overdue time is paid, as the site's terms say).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from parcellocker.domain.errors import IllegalTransition, InvalidInput
from parcellocker.domain.events import Actor, Transition
from parcellocker.domain.payment import PaymentMethod
from parcellocker.domain.sizes import Size

RENTAL_CODE_DIGITS = 8
CHECKOUT_HOLD = timedelta(minutes=15)
"""How long a compartment waits for a walk-up renter paying at a provider's page."""


class RentalState(StrEnum):
    AWAITING_PAYMENT = "awaiting_payment"
    BOOKED = "booked"
    IN_USE = "in_use"
    TO_COLLECT = "to_collect"
    ENDED = "ended"
    CANCELLED = "cancelled"


R = RentalState
ALLOWED_TRANSITIONS: dict[RentalState, frozenset[RentalState]] = {
    R.AWAITING_PAYMENT: frozenset({R.BOOKED, R.CANCELLED}),
    R.BOOKED: frozenset({R.IN_USE, R.CANCELLED, R.ENDED}),
    R.IN_USE: frozenset({R.TO_COLLECT, R.ENDED}),
    R.TO_COLLECT: frozenset({R.ENDED}),
    R.ENDED: frozenset(),
    R.CANCELLED: frozenset(),
}
LIVE_STATES = frozenset({R.AWAITING_PAYMENT, R.BOOKED, R.IN_USE, R.TO_COLLECT})
"""States in which a rental holds its compartment for its window (in_use and to_collect: until it ends)."""


class RentalOrigin(StrEnum):
    WALK_UP = "walk_up"
    """Rented at the kiosk, from now."""
    BOOKING = "booking"
    """Booked ahead through the API (a hotel's or an office's app), for a named person and a window."""
    ASSIGNMENT = "assignment"
    """A compartment given by staff to a guest or an employee, until staff take it back."""


@dataclass(frozen=True, slots=True)
class Renter:
    name: str | None = None
    email: str | None = None
    phone: str | None = None
    language: str = "en"

    def __post_init__(self) -> None:
        if self.name is not None and (not self.name.strip() or len(self.name) > 200):
            raise InvalidInput("a renter's name is 1 to 200 characters")
        if self.email is not None and ("@" not in self.email or len(self.email) > 254 or " " in self.email.strip()):
            raise InvalidInput(f"{self.email!r} is not an e-mail address")
        if self.phone is not None:
            digits = self.phone.removeprefix("+").replace(" ", "").replace("-", "")
            if not (digits.isascii() and digits.isdigit()) or not 6 <= len(digits) <= 15:
                raise InvalidInput(f"{self.phone!r} is not a phone number (use international form, +48…)")

    @property
    def reachable(self) -> bool:
        """The renter gave an address to send the code to."""
        return bool(self.email or self.phone)


@dataclass(slots=True)
class Rental:
    id: str
    locker_id: str
    compartment_id: str
    compartment_number: int
    size: Size
    origin: RentalOrigin
    renter: Renter
    starts_at: datetime
    ends_at: datetime
    created_at: datetime
    price: int
    currency: str
    payment_method: PaymentMethod
    account_id: str | None = None
    """The company that booked or assigned it (and is billed, on account)."""
    state: RentalState = RentalState.AWAITING_PAYMENT
    code_hash: str | None = None
    hold_until: datetime | None = None
    """Awaiting payment: the compartment is held for it until then."""
    last_opening: bool = False
    """The door is open for the last time: the rental ends when it closes."""
    ended_at: datetime | None = None
    end_reason: str | None = None
    version: int = 0
    events: list[Transition] = field(default_factory=list)

    @classmethod
    def begin(
        cls,
        *,
        rental_id: str,
        locker_id: str,
        compartment_id: str,
        compartment_number: int,
        size: Size,
        origin: RentalOrigin,
        renter: Renter,
        starts_at: datetime,
        ends_at: datetime,
        price: int,
        currency: str,
        payment_method: PaymentMethod,
        at: datetime,
        actor: Actor,
        account_id: str | None = None,
    ) -> Rental:
        if ends_at <= starts_at:
            raise InvalidInput("a rental must end after it starts")
        rental = cls(
            id=rental_id,
            locker_id=locker_id,
            compartment_id=compartment_id,
            compartment_number=compartment_number,
            size=size,
            origin=origin,
            renter=renter,
            starts_at=starts_at,
            ends_at=ends_at,
            created_at=at,
            price=price,
            currency=currency,
            payment_method=payment_method,
            account_id=account_id,
            hold_until=at + CHECKOUT_HOLD,
        )
        rental.events.append(
            Transition("rental", rental_id, None, RentalState.AWAITING_PAYMENT, at, actor, f"{origin.value} begun")
        )
        return rental

    @property
    def duration(self) -> timedelta:
        return self.ends_at - self.starts_at

    @property
    def handed_over(self) -> bool:
        """The compartment is the renter's now (their things may be inside)."""
        return self.state in (RentalState.IN_USE, RentalState.TO_COLLECT)

    def paid(self, code_hash: str, at: datetime, actor: Actor) -> None:
        """The payment came: the code is issued and opens the compartment from `starts_at` until `ends_at`."""
        self._move(RentalState.BOOKED, at, actor, "paid")
        self.code_hash = code_hash
        self.hold_until = None

    def opens_at(self, at: datetime) -> bool:
        """The code opens the compartment now, freely."""
        return (
            self.state in (RentalState.BOOKED, RentalState.IN_USE)
            and self.starts_at <= at < self.ends_at
            and not self.last_opening
        )

    def check_opens(self, at: datetime) -> None:
        """Raises saying why the code does not open the compartment now."""
        if self.opens_at(at):
            return
        if self.state is RentalState.BOOKED and at < self.starts_at:
            raise RentalNotStarted(self.starts_at)
        if self.state is RentalState.IN_USE and at >= self.ends_at:
            raise RentalOverdue(at - self.ends_at)
        if self.state is RentalState.TO_COLLECT:
            raise RentalEnded("this rental has ended; what was left inside is kept by the locker's staff")
        raise RentalEnded("this rental has ended")

    def hand_over(self, compartment_id: str, compartment_number: int, at: datetime, actor: Actor) -> None:
        """The first opening of a booked rental: its compartment (maybe another of the same size, should the one
        chosen at the booking not be free now) becomes the renter's."""
        self._move(RentalState.IN_USE, at, actor, "handed over", compartment=str(compartment_number))
        self.compartment_id = compartment_id
        self.compartment_number = compartment_number

    def overdue_by(self, at: datetime) -> timedelta:
        if not self.handed_over or at <= self.ends_at:
            return timedelta(0)
        return at - self.ends_at

    def open_last_time(self, at: datetime, actor: Actor, reason: str) -> None:
        """The door opens for the contents to be taken out for good; the rental ends when it closes."""
        if not self.handed_over:
            raise IllegalTransition(f"rental {self.id} has no compartment handed over to empty")
        self.last_opening = True
        self.events.append(Transition("rental", self.id, self.state, self.state, at, actor, reason))

    def hand_to_staff(self, at: datetime, actor: Actor) -> None:
        """Past its end: the code stops working, and the locker's staff take out what was left."""
        if at < self.ends_at:
            raise IllegalTransition(f"rental {self.id} has not ended yet")
        self._move(RentalState.TO_COLLECT, at, actor, "ended; contents left for the staff to collect")

    def end(self, at: datetime, actor: Actor, reason: str) -> None:
        self._move(RentalState.ENDED, at, actor, reason)
        self.code_hash = None
        self.last_opening = False
        self.ended_at = at
        self.end_reason = reason

    def cancel(self, at: datetime, actor: Actor, reason: str) -> None:
        self._move(RentalState.CANCELLED, at, actor, reason)
        self.code_hash = None
        self.hold_until = None
        self.ended_at = at
        self.end_reason = reason

    def _move(self, to: RentalState, at: datetime, actor: Actor, reason: str, **details: str) -> None:
        if to not in ALLOWED_TRANSITIONS[self.state]:
            raise IllegalTransition(
                f"rental {self.id} is {self.state.value.replace('_', ' ')}; it cannot become "
                f"{to.value.replace('_', ' ')}"
            )
        self.events.append(Transition("rental", self.id, self.state, to, at, actor, reason, details))
        self.state = to


class RentalNotStarted(IllegalTransition):
    code = "rental_not_started"

    def __init__(self, starts_at: datetime) -> None:
        super().__init__(f"this rental starts at {starts_at:%Y-%m-%d %H:%M} UTC")
        self.starts_at = starts_at


class RentalOverdue(IllegalTransition):
    """Past the end under the CHARGE policy: the overdue time is paid before the door opens a last time."""

    code = "rental_overdue"

    def __init__(self, overdue: timedelta) -> None:
        minutes = int(overdue.total_seconds() // 60)
        super().__init__(f"this rental ended {minutes} minutes ago")
        self.overdue = overdue


class RentalEnded(IllegalTransition):
    code = "rental_ended"


def generate_rental_code() -> str:
    return f"{secrets.randbelow(10**RENTAL_CODE_DIGITS):0{RENTAL_CODE_DIGITS}d}"


def normalise_rental_code(text: str) -> str:
    code = "".join(text.split()).replace("-", "")
    if not (code.isascii() and code.isdigit()) or len(code) != RENTAL_CODE_DIGITS:
        raise InvalidInput(f"a rental code is {RENTAL_CODE_DIGITS} digits")
    return code
