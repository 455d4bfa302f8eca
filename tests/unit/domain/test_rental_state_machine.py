from datetime import UTC, datetime, timedelta

import pytest

from parcellocker.domain.errors import IllegalTransition, InvalidInput
from parcellocker.domain.events import SYSTEM
from parcellocker.domain.payment import PaymentMethod
from parcellocker.domain.rental import (
    CHECKOUT_HOLD,
    Rental,
    RentalEnded,
    RentalNotStarted,
    RentalOrigin,
    RentalOverdue,
    RentalState,
    Renter,
    normalise_rental_code,
)
from parcellocker.domain.sizes import Size

NOW = datetime(2026, 5, 4, 10, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


def rental(starts_at: datetime = NOW, hours: int = 4) -> Rental:
    return Rental.begin(
        rental_id="R1",
        locker_id="L1",
        compartment_id="L1/3",
        compartment_number=3,
        size=Size.M,
        origin=RentalOrigin.BOOKING,
        renter=Renter(name="Ola", email="ola@example.com"),
        starts_at=starts_at,
        ends_at=starts_at + hours * HOUR,
        price=1200,
        currency="EUR",
        payment_method=PaymentMethod.ACCOUNT,
        at=NOW,
        actor=SYSTEM,
    )


def test_a_rental_waits_for_its_payment_holding_its_compartment_a_while() -> None:
    begun = rental()
    assert begun.state is RentalState.AWAITING_PAYMENT
    assert begun.hold_until == NOW + CHECKOUT_HOLD
    assert not begun.opens_at(NOW)
    assert [(t.from_state, t.to_state) for t in begun.events] == [(None, "awaiting_payment")]


def test_once_paid_its_code_opens_only_inside_the_window() -> None:
    booked = rental(starts_at=NOW + HOUR)
    booked.paid("hash", NOW, SYSTEM)
    assert (booked.state, booked.code_hash, booked.hold_until) == (RentalState.BOOKED, "hash", None)
    with pytest.raises(RentalNotStarted):
        booked.check_opens(NOW)
    assert booked.opens_at(NOW + HOUR)
    booked.hand_over("L1/4", 4, NOW + HOUR, SYSTEM)
    assert (booked.state, booked.compartment_number) == (RentalState.IN_USE, 4)
    assert booked.opens_at(NOW + 4 * HOUR)
    with pytest.raises(RentalOverdue) as overdue:
        booked.check_opens(NOW + 5 * HOUR + timedelta(minutes=30))
    assert overdue.value.overdue == timedelta(minutes=30)
    assert booked.overdue_by(NOW + 5 * HOUR + timedelta(minutes=30)) == timedelta(minutes=30)


def test_the_last_opening_ends_it_and_the_code_with_it() -> None:
    used = rental()
    used.paid("hash", NOW, SYSTEM)
    used.hand_over("L1/3", 3, NOW, SYSTEM)
    used.open_last_time(NOW + HOUR, SYSTEM, "to be emptied")
    assert used.last_opening and not used.opens_at(NOW + HOUR)
    used.end(NOW + HOUR, SYSTEM, "emptied")
    assert (used.state, used.code_hash, used.ended_at) == (RentalState.ENDED, None, NOW + HOUR)
    with pytest.raises(RentalEnded):
        used.check_opens(NOW + HOUR)


def test_past_its_end_the_contents_may_go_to_the_staff_and_the_code_stops_working() -> None:
    used = rental()
    used.paid("hash", NOW, SYSTEM)
    used.hand_over("L1/3", 3, NOW, SYSTEM)
    with pytest.raises(IllegalTransition, match="not ended yet"):
        used.hand_to_staff(NOW + HOUR, SYSTEM)
    used.hand_to_staff(NOW + 5 * HOUR, SYSTEM)
    assert used.state is RentalState.TO_COLLECT and used.handed_over
    with pytest.raises(RentalEnded, match="staff"):
        used.check_opens(NOW + 5 * HOUR)


def test_illegal_moves_are_refused_and_change_nothing() -> None:
    begun = rental()
    with pytest.raises(IllegalTransition, match="awaiting payment; it cannot become in use"):
        begun.hand_over("L1/3", 3, NOW, SYSTEM)
    with pytest.raises(IllegalTransition, match="no compartment handed over"):
        begun.open_last_time(NOW, SYSTEM, "x")
    begun.cancel(NOW, SYSTEM, "not paid")
    with pytest.raises(IllegalTransition):
        begun.paid("hash", NOW, SYSTEM)
    assert begun.state is RentalState.CANCELLED and begun.code_hash is None


def test_a_window_must_end_after_it_starts() -> None:
    with pytest.raises(InvalidInput, match="end after it starts"):
        rental(hours=0)


def test_a_renter_may_leave_no_contact_but_what_they_give_is_checked() -> None:
    assert not Renter().reachable
    assert Renter(phone="+48 600 100 200").reachable
    for wrong in ({"email": "nobody"}, {"phone": "12"}, {"name": " "}):
        with pytest.raises(InvalidInput):
            Renter(**wrong)  # type: ignore[arg-type]


def test_a_rental_code_is_eight_digits_typed_with_spaces_or_dashes() -> None:
    assert normalise_rental_code("1234 5678") == normalise_rental_code("1234-5678") == "12345678"
    for wrong in ("1234567", "123456789", "abcdefgh"):
        with pytest.raises(InvalidInput, match="8 digits"):
            normalise_rental_code(wrong)
