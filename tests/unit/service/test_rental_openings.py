from datetime import timedelta

import pytest

from parcellocker.domain.alarms import AlarmKind
from parcellocker.domain.compartment import CompartmentState, DoorState, PendingAction
from parcellocker.domain.errors import Conflict, LockedOut
from parcellocker.domain.payment import PaymentMethod, PaymentPurpose, PaymentState
from parcellocker.domain.rental import RentalEnded, RentalNotStarted, RentalState, Renter
from parcellocker.domain.rental_terms import OverduePolicy
from parcellocker.domain.sizes import Size
from parcellocker.service.rental_guard import WrongRentalCode
from parcellocker.service.rental_openings import PaymentRequired

from .rental_world import HOUR, RentalWorld, rental_world
from .world import Template


async def rented(rentals: RentalWorld, hours: int = 2) -> tuple[str, int, str]:
    """Rent an S compartment at the kiosk for `hours`, then open and close its door: (code, number, rental id)."""
    [voucher] = await rentals.vouchers(5000)
    started = await rentals.rent(Size.S, hours * HOUR, voucher=voucher, renter=Renter(email="r@example.com"))
    assert started.code is not None
    assert await rentals.cycle_door(started.compartment.number) == "recorded"
    return started.code, started.compartment.number, started.rental.id


async def test_the_code_opens_the_compartment_again_and_again_while_the_rental_lasts(rentals: RentalWorld) -> None:
    code, number, rental_id = await rented(rentals)
    for _ in range(2):
        rentals.clock.advance(timedelta(minutes=20))
        door = await rentals.open(code)
        assert (door.compartment and door.compartment.number, door.last) == (number, False)
        assert rentals.compartment(number).pending is PendingAction.RENTAL
        assert await rentals.cycle_door(number) == "recorded"
    compartment = rentals.compartment(number)
    assert (compartment.state, compartment.pending, compartment.rental_id) == (
        CompartmentState.OCCUPIED,
        None,
        rental_id,
    )
    assert rentals.alarms(AlarmKind.FORCED_DOOR) == []


async def test_finishing_opens_it_a_last_time_and_the_rental_ends_when_the_door_closes(rentals: RentalWorld) -> None:
    code, number, rental_id = await rented(rentals)
    door = await rentals.finish(code)
    assert door.last and door.compartment is not None
    assert rentals.rental(rental_id).last_opening
    with pytest.raises(RentalEnded):  # the code opens no more in between
        await rentals.open(code)
    assert await rentals.cycle_door(number) == "rental_ended"
    assert rentals.rental(rental_id).state is RentalState.ENDED
    assert rentals.compartment(number).state is CompartmentState.FREE
    with pytest.raises(WrongRentalCode):  # the code is gone: a new renter may get the same digits one day
        await rentals.open(code)


async def test_wrong_codes_say_not_found_count_down_and_lock_the_kiosk_out(rentals: RentalWorld) -> None:
    code, _, _ = await rented(rentals)
    wrong = "".join(str((int(digit) + 1) % 10) for digit in code)
    remaining = []
    for _ in range(4):
        with pytest.raises(WrongRentalCode) as refused:
            await rentals.open(wrong)
        remaining.append(refused.value.details["remaining_tries"])
    assert remaining == [4, 3, 2, 1]
    with pytest.raises(LockedOut):
        await rentals.open(wrong)
    with pytest.raises(LockedOut):
        await rentals.open(code)
    assert "locker.locked_out" in rentals.audit_actions()


async def test_overdue_the_code_asks_for_the_overdue_time_then_opens_a_last_time(rentals: RentalWorld) -> None:
    code, number, rental_id = await rented(rentals, hours=2)
    rentals.clock.advance(2 * HOUR + timedelta(minutes=5))
    door = await rentals.open(code)  # within the ten minutes' grace: free, and the last opening
    assert door.last
    await rentals.door(number, DoorState.OPEN)
    assert rentals.rental(rental_id).state is RentalState.IN_USE
    assert (await rentals.door(number, DoorState.CLOSED)).outcome == "rental_ended"

    code, number, rental_id = await rented(rentals, hours=1)
    rentals.clock.advance(HOUR + timedelta(minutes=90))
    with pytest.raises(PaymentRequired) as required:
        await rentals.open(code)
    assert required.value.details == {"amount": 400, "currency": "EUR", "overdue_minutes": 90}
    with pytest.raises(PaymentRequired):
        await rentals.finish(code)
    [voucher] = await rentals.vouchers(400)
    door = await rentals.finish(code, PaymentMethod.PREPAID, voucher)
    assert door.last and door.compartment is not None and door.compartment.number == number
    overdue = [p for p in rentals.db.payments.values() if p.purpose is PaymentPurpose.OVERDUE]
    assert [(p.amount, p.state) for p in overdue] == [(400, PaymentState.PAID)]
    assert await rentals.cycle_door(number) == "rental_ended"
    assert rentals.rental(rental_id).state is RentalState.ENDED


async def test_overdue_paid_at_the_providers_page_opens_once_the_provider_says_so(rentals: RentalWorld) -> None:
    code, number, _ = await rented(rentals, hours=1)
    rentals.clock.advance(3 * HOUR)
    waiting = await rentals.finish(code, PaymentMethod.HOSTED_CHECKOUT)
    assert waiting.compartment is None and waiting.payment is not None
    assert waiting.payment.checkout_url is not None
    again = await rentals.finish(code)  # the kiosk asks while the renter pays on their phone
    assert again.compartment is None and again.payment is not None and again.payment.id == waiting.payment.id
    await rentals.provider_says(waiting.payment.checkout_url)
    door = await rentals.finish(code)
    assert door.last and door.compartment is not None and door.compartment.number == number


async def test_at_a_site_whose_staff_collect_the_code_stops_working_at_the_end(template: Template) -> None:
    rentals = rental_world(template)
    await rentals.set_up(OverduePolicy.STAFF_COLLECTION)
    code, number, rental_id = await rented(rentals, hours=1)
    rentals.clock.advance(HOUR + timedelta(minutes=1))
    with pytest.raises(RentalEnded, match="kept by the locker's staff"):
        await rentals.open(code)
    assert rentals.rental(rental_id).state is RentalState.TO_COLLECT
    assert rentals.compartment(number).state is CompartmentState.OCCUPIED  # the contents wait for the staff
    assert [template for _, template, _ in rentals.rental_messages(rental_id)] == ["rental_code", "rental_to_collect"]
    with pytest.raises(RentalEnded):
        await rentals.finish(code)


async def test_a_booking_opens_only_from_its_start_and_is_handed_over_at_its_first_opening(
    rentals: RentalWorld,
) -> None:
    booked = await rentals.book(starts_in=HOUR, lasts=2 * HOUR)
    assert booked.code is not None and booked.rental.state is RentalState.BOOKED
    number = booked.rental.compartment_number
    assert rentals.compartment(number).state is CompartmentState.FREE  # not held before its window
    with pytest.raises(RentalNotStarted):
        await rentals.open(booked.code)
    rentals.clock.advance(HOUR)
    door = await rentals.open(booked.code)
    assert door.compartment is not None and door.compartment.number == number
    assert rentals.rental(booked.rental.id).state is RentalState.IN_USE
    with pytest.raises(Conflict, match="nothing to take out"):
        await rentals.finish((await rentals.book(starts_in=3 * HOUR)).code or "")


async def test_a_booked_compartment_still_held_by_an_overstaying_renter_is_swapped_at_the_first_opening(
    rentals: RentalWorld,
) -> None:
    booked = await rentals.book(starts_in=2 * HOUR, lasts=HOUR)
    assert booked.rental.compartment_number == 3 and booked.code is not None
    [voucher] = await rentals.vouchers(5000)
    walk_up = await rentals.rent(Size.M, HOUR, voucher=voucher)  # compartment 3 too: done before the booking
    assert walk_up.compartment.number == 3
    rentals.clock.advance(2 * HOUR)  # the walk-up renter has not come back
    assert rentals.rental(walk_up.rental.id).state is RentalState.IN_USE
    door = await rentals.open(booked.code)
    assert door.compartment is not None and door.compartment.number == 4
    assert rentals.rental(booked.rental.id).compartment_number == 4
