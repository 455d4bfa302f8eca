from datetime import timedelta

import pytest

from parcellocker.domain.compartment import CompartmentState, CompartmentUse, PendingAction
from parcellocker.domain.errors import Forbidden, InvalidInput, LockedOut, NotFound
from parcellocker.domain.payment import PaymentMethod, PaymentState, VoucherRefused
from parcellocker.domain.rental import RentalState, Renter
from parcellocker.domain.rental_terms import SizePrice
from parcellocker.domain.sizes import Size
from parcellocker.service.deposits import DepositParcel, deposit_parcel
from parcellocker.service.pickups import PickUpParcel, WrongPickupCode, pick_up_parcel
from parcellocker.service.rental_compartments import NoCompartmentForRent
from parcellocker.service.rental_guard import WrongRentalCode
from parcellocker.service.rental_setup import SetRentalTerms, set_rental_terms
from parcellocker.service.rental_walk_up import (
    CheckoutPending,
    CompleteWalkUp,
    PaymentFailed,
    RentAtLocker,
    complete_walk_up,
    rent_at_locker,
)

from .rental_world import HOUR, PRICES, RentalWorld
from .world import LOCKER, OTHER_LOCKER


async def test_a_voucher_pays_and_the_smallest_free_rental_compartment_opens_with_a_new_code(
    rentals: RentalWorld,
) -> None:
    [voucher] = await rentals.vouchers(1000)
    started = await rentals.rent(Size.S, 4 * HOUR, voucher=voucher, renter=Renter(phone="+48 600 100 200"))
    assert started.compartment.number == 1  # the only S kept for rentals (2 is for parcels)
    assert started.code is not None and len(started.code) == 8
    rental = rentals.rental(started.rental.id)
    assert (rental.state, rental.price, rental.currency) == (RentalState.IN_USE, 800, "EUR")
    assert rental.ends_at == rentals.clock.now() + 4 * HOUR
    compartment = rentals.compartment(1)
    assert (compartment.state, compartment.rental_id, compartment.pending) == (
        CompartmentState.OCCUPIED,
        rental.id,
        PendingAction.RENTAL,
    )
    assert rentals.db.payments[started.payment.id].state is PaymentState.PAID
    assert rentals.rental_messages(rental.id) == [("sms", "rental_code", {"code": started.code})]
    assert "rental.walk_up" in rentals.audit_actions()


async def test_a_voucher_is_good_for_one_rental_up_to_its_value(rentals: RentalWorld) -> None:
    small, big = await rentals.vouchers(500), await rentals.vouchers(5000)
    with pytest.raises(VoucherRefused, match=r"worth 5\.00 EUR; the rental costs 8\.00 EUR"):
        await rentals.rent(voucher=small[0])
    await rentals.rent(voucher=big[0])
    with pytest.raises(VoucherRefused, match="used already"):
        await rentals.rent(Size.M, voucher=big[0])
    assert rentals.compartment(3).state is CompartmentState.FREE  # the refused rental kept nothing


async def test_a_paid_rental_needs_a_voucher_and_wrong_voucher_codes_count_towards_the_lockout(
    rentals: RentalWorld,
) -> None:
    with pytest.raises(InvalidInput, match=r"costs 8\.00 EUR: enter a prepaid voucher"):
        await rentals.rent()
    remaining = []
    for _ in range(4):
        with pytest.raises(WrongRentalCode) as wrong:
            await rentals.rent(voucher="0000-0000-0000")
        remaining.append(wrong.value.details["remaining_tries"])
    assert remaining == [4, 3, 2, 1]
    with pytest.raises(LockedOut):
        await rentals.rent(voucher="0000-0000-0000")
    assert rentals.db.rentals == {}  # nothing of the refused rentals was kept
    [voucher] = await rentals.vouchers(1000)
    with pytest.raises(LockedOut):
        await rentals.rent(voucher=voucher)


async def test_renting_is_free_where_the_prices_are_zero(rentals: RentalWorld) -> None:
    free = {size: SizePrice(0, 0, price.max_duration) for size, price in PRICES.items()}
    await rentals.run(set_rental_terms, SetRentalTerms(rentals.cast.operator, LOCKER, "EUR", free))
    started = await rentals.rent(Size.M, timedelta(days=2))
    assert started.code is not None and started.rental.price == 0
    assert rentals.db.payments[started.payment.id].provider_reference == "free"


async def test_when_every_rental_compartment_of_the_size_is_taken_the_kiosk_says_so(rentals: RentalWorld) -> None:
    [first, second, third] = await rentals.vouchers(5000, 3)
    await rentals.rent(Size.M, voucher=first)
    await rentals.rent(Size.M, voucher=second)
    with pytest.raises(NoCompartmentForRent, match="no compartment of size M is free for rent"):
        await rentals.rent(Size.M, voucher=third)
    assert rentals.compartment(5).state is CompartmentState.FREE  # the L one for parcels is never offered


async def test_parcels_never_get_a_compartment_kept_for_rentals(rentals: RentalWorld) -> None:
    await rentals.announce("TRK-1", size=Size.M)
    opened = await rentals.run(deposit_parcel, DepositParcel(rentals.cast.courier, LOCKER, "TRK-1"))
    assert opened.compartment.number == 5  # M ones (3, 4) are for rentals: the next size up
    assert rentals.compartment(3).use is CompartmentUse.RENTAL


async def test_the_terms_decide_the_duration_the_size_and_how_a_walk_up_renter_pays(rentals: RentalWorld) -> None:
    with pytest.raises(InvalidInput, match="3 days at most"):
        await rentals.rent(Size.M, timedelta(days=4))
    with pytest.raises(InvalidInput, match="not for rent"):
        await rentals.rent(Size.L)
    with pytest.raises(InvalidInput, match="paid by hosted_checkout, prepaid"):
        await rentals.rent(method=PaymentMethod.ACCOUNT)


async def test_only_the_lockers_own_terminal_rents_at_it(rentals: RentalWorld) -> None:
    command = RentAtLocker(rentals.cast.other_terminal, LOCKER, Size.S, HOUR, PaymentMethod.PREPAID)
    with pytest.raises(Forbidden):
        await rentals.run(rent_at_locker, command)
    command = RentAtLocker(rentals.cast.other_terminal, OTHER_LOCKER, Size.S, HOUR, PaymentMethod.PREPAID)
    with pytest.raises(NotFound, match="rents no compartments"):
        await rentals.run(rent_at_locker, command)


async def test_paid_at_the_providers_page_the_compartment_is_held_then_opened_for_the_kiosk_waiting(
    rentals: RentalWorld,
) -> None:
    started = await rentals.rent(Size.M, 2 * HOUR, PaymentMethod.HOSTED_CHECKOUT)
    assert started.code is None and started.payment.checkout_url is not None
    assert started.payment.checkout_url.startswith("https://pay.example/checkout?")
    held = rentals.compartment(started.compartment.number)
    assert (held.state, held.rental_id) == (CompartmentState.RESERVED, started.rental.id)
    complete = CompleteWalkUp(rentals.cast.terminal, LOCKER, started.rental.id)
    with pytest.raises(CheckoutPending) as pending:
        await rentals.run(complete_walk_up, complete)
    assert pending.value.details["checkout_url"] == started.payment.checkout_url

    await rentals.provider_says(started.payment.checkout_url)
    assert rentals.rental(started.rental.id).state is RentalState.AWAITING_PAYMENT  # the kiosk hands it over
    done = await rentals.run(complete_walk_up, complete)
    assert done.code is not None
    assert rentals.rental(started.rental.id).state is RentalState.IN_USE
    assert rentals.compartment(started.compartment.number).state is CompartmentState.OCCUPIED


async def test_a_failed_payment_at_the_provider_gives_the_compartment_back(rentals: RentalWorld) -> None:
    started = await rentals.rent(Size.M, 2 * HOUR, PaymentMethod.HOSTED_CHECKOUT)
    assert started.payment.checkout_url is not None
    await rentals.provider_says(started.payment.checkout_url, "failed")
    assert rentals.rental(started.rental.id).state is RentalState.CANCELLED
    assert rentals.compartment(started.compartment.number).state is CompartmentState.FREE
    with pytest.raises(PaymentFailed):
        await rentals.run(complete_walk_up, CompleteWalkUp(rentals.cast.terminal, LOCKER, started.rental.id))


async def test_wrong_voucher_codes_and_wrong_pickup_codes_count_toward_one_lockout_of_the_locker(
    rentals: RentalWorld,
) -> None:
    for expected in (4, 3):
        with pytest.raises(WrongRentalCode) as wrong:
            await rentals.rent(voucher="0000-0000-0000")
        assert wrong.value.details["remaining_tries"] == expected
    for expected in (2, 1):
        with pytest.raises(WrongPickupCode) as wrong_pickup:
            await rentals.run(pick_up_parcel, PickUpParcel(rentals.cast.terminal, LOCKER, code="000000"))
        assert wrong_pickup.value.remaining_tries == expected
    with pytest.raises(LockedOut):
        await rentals.rent(voucher="0000-0000-0000")
    with pytest.raises(LockedOut):
        await rentals.run(pick_up_parcel, PickUpParcel(rentals.cast.terminal, LOCKER, code="000000"))
