from datetime import timedelta

import pytest

from parcellocker.domain.accounts import Principal, Role
from parcellocker.domain.compartment import CompartmentState, DoorState
from parcellocker.domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from parcellocker.domain.payment import PaymentMethod, PaymentState
from parcellocker.domain.rental import RentalOrigin, RentalState, Renter
from parcellocker.domain.sizes import Size
from parcellocker.service.rental_bookings import AssignCompartment, assign_compartment
from parcellocker.service.rental_compartments import NoCompartmentForRent
from parcellocker.service.rental_staff import GetRental, ListRentals, TakeBack, get_rental, list_rentals, take_back
from parcellocker.service.rental_walk_up import CompleteWalkUp, complete_walk_up

from .rental_world import DAY, HOTEL, HOUR, RentalWorld
from .world import LOCKER, OTHER_LOCKER


async def test_a_company_books_ahead_billed_on_its_account_and_gets_the_code_once(rentals: RentalWorld) -> None:
    booked = await rentals.book(starts_in=DAY, lasts=4 * HOUR)
    rental = rentals.rental(booked.rental.id)
    assert (rental.state, rental.origin, rental.account_id, rental.price) == (
        RentalState.BOOKED,
        RentalOrigin.BOOKING,
        HOTEL,
        1200,
    )
    assert rental.starts_at == rentals.clock.now() + DAY
    payment = rentals.db.payments[booked.payment.id]
    assert (payment.state, payment.method, payment.account_id) == (PaymentState.PAID, PaymentMethod.ACCOUNT, HOTEL)
    assert rentals.rental_messages(rental.id) == [("email", "rental_code", {"code": booked.code})]


async def test_bookings_of_one_compartment_never_overlap(rentals: RentalWorld) -> None:
    first = await rentals.book(starts_in=HOUR, lasts=4 * HOUR)
    second = await rentals.book(starts_in=2 * HOUR, lasts=HOUR)
    assert {first.rental.compartment_number, second.rental.compartment_number} == {3, 4}
    after = await rentals.book(starts_in=5 * HOUR, lasts=HOUR)  # when the first ends: its compartment again
    assert after.rental.compartment_number == first.rental.compartment_number
    with pytest.raises(NoCompartmentForRent):
        await rentals.book(starts_in=2 * HOUR + timedelta(minutes=30), lasts=HOUR)
    assert (await rentals.book(starts_in=3 * HOUR, lasts=HOUR)).rental.compartment_number == 4


async def test_a_booking_is_checked_and_says_what_is_wrong(rentals: RentalWorld) -> None:
    with pytest.raises(InvalidInput, match="cannot start in the past"):
        await rentals.book(starts_in=-HOUR)
    with pytest.raises(InvalidInput, match="names the person"):
        await rentals.book(renter=Renter(email="x@example.com"))
    with pytest.raises(InvalidInput, match="give an e-mail or a phone"):
        await rentals.book(method=PaymentMethod.HOSTED_CHECKOUT, renter=Renter(name="Ola"))
    with pytest.raises(InvalidInput, match="3 days at most"):
        await rentals.book(lasts=4 * DAY)
    with pytest.raises(InvalidInput, match="own account"):
        await rentals.book(account_id="someone-else")
    with pytest.raises(InvalidInput, match="name the account"):
        await rentals.book(by=rentals.cast.operator)


async def test_a_company_rents_only_at_its_lockers_and_sees_only_its_rentals(rentals: RentalWorld) -> None:
    with pytest.raises(NotFound, match="rents nothing at locker"):
        await rentals.run(
            assign_compartment,
            AssignCompartment(
                rentals.company, OTHER_LOCKER, Renter(name="Ola"), rentals.clock.now() + DAY, size=Size.M
            ),
        )
    booked = await rentals.book(by=rentals.cast.operator, account_id=HOTEL)
    stranger = Principal(Role.COMPANY, "stranger")
    with pytest.raises(NotFound):
        await rentals.run(get_rental, GetRental(stranger, booked.rental.id))
    assert await rentals.run(list_rentals, ListRentals(stranger)) == []
    listed = await rentals.run(list_rentals, ListRentals(rentals.company, LOCKER))
    assert [rental.id for rental in listed] == [booked.rental.id]
    with pytest.raises(Forbidden):
        await rentals.run(list_rentals, ListRentals(rentals.cast.carrier))


async def test_staff_assign_a_compartment_to_a_guest_and_take_it_back(rentals: RentalWorld) -> None:
    until = rentals.clock.now() + 2 * DAY
    command = AssignCompartment(rentals.company, LOCKER, Renter(name="Room 12", phone="+49 170 1234567"), until, 4)
    assigned = await rentals.run(assign_compartment, command)
    assert (assigned.rental.origin, assigned.rental.compartment_number, assigned.rental.price) == (
        RentalOrigin.ASSIGNMENT,
        4,
        4000,
    )
    assert assigned.code is not None
    with pytest.raises(NoCompartmentForRent, match="compartment 4 is not free"):
        await rentals.run(assign_compartment, command)
    with pytest.raises(Conflict, match="kept for parcels"):
        await rentals.run(assign_compartment, AssignCompartment(rentals.company, LOCKER, Renter(name="X"), until, 5))

    door = await rentals.open(assigned.code)  # the guest's first opening hands it over
    assert door.compartment is not None and door.compartment.number == 4
    await rentals.door(4, DoorState.OPEN)
    with pytest.raises(Conflict, match="is open"):
        await rentals.run(take_back, TakeBack(rentals.company, assigned.rental.id))
    await rentals.door(4, DoorState.CLOSED)
    taken = await rentals.run(take_back, TakeBack(rentals.company, assigned.rental.id))
    assert taken.state is RentalState.ENDED and taken.code_hash is None
    assert rentals.compartment(4).state is CompartmentState.FREE
    with pytest.raises(Conflict, match="ended already"):
        await rentals.run(take_back, TakeBack(rentals.company, assigned.rental.id))


async def test_taking_back_a_booking_not_yet_used_cancels_it_and_frees_its_window(rentals: RentalWorld) -> None:
    booked = await rentals.book(starts_in=HOUR, lasts=HOUR, size=Size.M)
    await rentals.book(starts_in=HOUR, lasts=HOUR, size=Size.M)
    taken = await rentals.run(take_back, TakeBack(rentals.cast.operator, booked.rental.id))
    assert taken.state is RentalState.CANCELLED
    again = await rentals.book(starts_in=HOUR, lasts=HOUR, size=Size.M)
    assert again.rental.compartment_number == booked.rental.compartment_number


async def test_a_booking_paid_at_the_providers_page_gets_its_code_by_message_once_paid(rentals: RentalWorld) -> None:
    booked = await rentals.book(method=PaymentMethod.HOSTED_CHECKOUT, return_url="https://hotel.example/done")
    assert booked.code is None and booked.payment.checkout_url is not None
    assert "return_url=https%3A%2F%2Fhotel.example%2Fdone" in booked.payment.checkout_url
    assert rentals.rental(booked.rental.id).state is RentalState.AWAITING_PAYMENT
    await rentals.provider_says(booked.payment.checkout_url)
    rental = rentals.rental(booked.rental.id)
    assert rental.state is RentalState.BOOKED and rental.code_hash is not None
    [(channel, template, secrets)] = rentals.rental_messages(rental.id)
    assert (channel, template) == ("email", "rental_code")
    assert rentals.code_hash(secrets["code"]) == rental.code_hash
    await rentals.provider_says(booked.payment.checkout_url)  # told again: nothing changes, no second message
    assert len(rentals.rental_messages(rental.id)) == 1
    with pytest.raises(NotFound):  # a walk-up the kiosk could complete is another thing
        await rentals.run(complete_walk_up, CompleteWalkUp(rentals.cast.terminal, LOCKER, booked.rental.id))
