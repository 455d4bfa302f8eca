from datetime import timedelta

import pytest

from parcellocker.adapters.payments.prepaid import PrepaidGateway
from parcellocker.domain.compartment import CompartmentState, CompartmentUse, DoorState
from parcellocker.domain.errors import Conflict, Forbidden, IllegalTransition, InvalidInput, NotAuthenticated, NotFound
from parcellocker.domain.payment import PaymentMethod, PaymentState
from parcellocker.domain.rental import RentalState, Renter
from parcellocker.domain.rental_terms import OverduePolicy
from parcellocker.domain.sizes import Size
from parcellocker.service.context import Env, Policy, Services
from parcellocker.service.rental_offer import ReadRentalOffer, read_rental_offer
from parcellocker.service.rental_payments import ConfirmCheckout, confirm_checkout
from parcellocker.service.rental_ports import PaymentGateways
from parcellocker.service.rental_settlement import SettleRentals, settle_rentals
from parcellocker.service.rental_setup import (
    AddRentalAccount,
    DedicateCompartments,
    IssueVouchers,
    ReadRentalTerms,
    SetRentalTerms,
    add_rental_account,
    dedicate_compartments,
    issue_vouchers,
    read_rental_terms,
    set_rental_terms,
)

from .rental_world import DAY, HOUR, PRICES, RentalWorld, rental_world
from .world import KEYS, LOCKER, OTHER_LOCKER, Template, World


async def test_the_offer_tells_each_rented_size_its_free_compartments_and_priced_durations(
    rentals: RentalWorld,
) -> None:
    offer = await rentals.run(read_rental_offer, ReadRentalOffer(rentals.cast.terminal, LOCKER))
    assert [(s.size, s.free, s.per_hour, s.per_day) for s in offer.sizes] == [(Size.S, 1, 200, 1500),
                                                                              (Size.M, 2, 300, 2000)]  # fmt: skip
    m = offer.sizes[1]
    assert [(d.duration, d.price) for d in m.durations][:3] == [(HOUR, 300), (2 * HOUR, 600), (4 * HOUR, 1200)]
    assert m.durations[-1].duration == 3 * DAY
    terms = await rentals.run(read_rental_terms, ReadRentalTerms(rentals.company, LOCKER))
    assert terms.walk_up_methods == {PaymentMethod.PREPAID, PaymentMethod.HOSTED_CHECKOUT}
    with pytest.raises(Forbidden):
        await rentals.run(read_rental_offer, ReadRentalOffer(rentals.cast.other_terminal, LOCKER))


async def test_only_operators_set_terms_and_uses_and_a_server_without_hosted_checkout_refuses_it(
    world: World,
) -> None:
    operator = world.cast.operator
    world.env = Env(world.clock, KEYS, Policy(), PaymentGateways([PrepaidGateway(b"voucher-key")]))
    world.services = Services(world.uow, world.env)
    with pytest.raises(InvalidInput, match="no hosted checkout payments"):
        methods = frozenset({PaymentMethod.HOSTED_CHECKOUT})
        await world.run(set_rental_terms, SetRentalTerms(operator, LOCKER, "EUR", PRICES, walk_up_methods=methods))
    with pytest.raises(Forbidden):
        await world.run(set_rental_terms, SetRentalTerms(world.cast.carrier, LOCKER, "EUR", PRICES))
    with pytest.raises(NotFound, match="rents no compartments"):
        await world.run(read_rental_terms, ReadRentalTerms(operator, LOCKER))
    terms = await world.run(set_rental_terms, SetRentalTerms(operator, LOCKER, "EUR", PRICES))
    assert terms.version == 1
    assert (await world.run(set_rental_terms, SetRentalTerms(operator, LOCKER, "PLN", PRICES))).currency == "PLN"


async def test_compartments_are_kept_for_rentals_all_or_none(world: World) -> None:
    operator = world.cast.operator
    stored = await world.store_parcel("TRK-1")
    with pytest.raises(IllegalTransition, match="once it is free"):
        await world.run(dedicate_compartments, DedicateCompartments(operator, LOCKER, CompartmentUse.RENTAL))
    assert {c.use for c in world.db.compartments.values()} == {CompartmentUse.DELIVERY}
    with pytest.raises(NotFound, match="no compartment 9"):
        await world.run(dedicate_compartments, DedicateCompartments(operator, LOCKER, CompartmentUse.RENTAL, [3, 9]))
    others = [n for n in range(1, 6) if n != stored.compartment_number]
    changed = await world.run(dedicate_compartments, DedicateCompartments(operator, LOCKER, CompartmentUse.RENTAL,
                                                                          others))  # fmt: skip
    assert [c.use for c in changed] == [CompartmentUse.RENTAL] * 4
    assert world.audit_actions().count("compartment.use_set") == 4


async def test_accounts_and_vouchers_are_issued_by_operators_with_their_secrets_shown_once(world: World) -> None:
    operator = world.cast.operator
    added = await world.run(add_rental_account, AddRentalAccount(operator, "Office Park", frozenset({LOCKER}), "OP"))
    assert added.api_key.startswith("plr_")
    assert world.db.api_keys  # kept by its hash
    with pytest.raises(Conflict, match="already"):
        await world.run(add_rental_account, AddRentalAccount(operator, "Again", frozenset({LOCKER}), "OP"))
    with pytest.raises(NotFound, match="no locker"):
        await world.run(add_rental_account, AddRentalAccount(operator, "X", frozenset({"NOPE"})))
    issued = await world.run(issue_vouchers, IssueVouchers(operator, 1500, "eur", 3))
    assert len({voucher.code for voucher in issued}) == 3
    assert all(v.voucher.currency == "EUR" and v.code not in v.voucher.code_hash for v in issued)
    for wrong in (IssueVouchers(operator, 0, "EUR"), IssueVouchers(operator, 100, "EUR", 101)):
        with pytest.raises(InvalidInput):
            await world.run(issue_vouchers, wrong)


async def test_the_sweep_gives_back_unpaid_holds_ends_unused_bookings_and_hands_overstays_to_staff(
    template: Template,
) -> None:
    rentals = rental_world(template)
    await rentals.set_up(OverduePolicy.STAFF_COLLECTION)
    unpaid = await rentals.rent(Size.M, HOUR, PaymentMethod.HOSTED_CHECKOUT)
    unused = await rentals.book(starts_in=HOUR, lasts=HOUR, size=Size.M)
    [voucher] = await rentals.vouchers(5000)
    overstay = await rentals.rent(Size.S, HOUR, voucher=voucher, renter=Renter(email="s@example.com"))
    assert (await rentals.run(settle_rentals, SettleRentals())).total == 0

    rentals.clock.advance(3 * HOUR)
    settled = await rentals.run(settle_rentals, SettleRentals())
    assert (settled.cancelled, settled.ended_unused, settled.to_collect) == (1, 1, 1)
    assert rentals.rental(unpaid.rental.id).state is RentalState.CANCELLED
    assert rentals.db.payments[unpaid.payment.id].state is PaymentState.CANCELLED
    assert rentals.compartment(unpaid.compartment.number).state is CompartmentState.FREE
    assert rentals.rental(unused.rental.id).state is RentalState.ENDED
    assert rentals.rental(overstay.rental.id).state is RentalState.TO_COLLECT
    assert (await rentals.run(settle_rentals, SettleRentals())).total == 0
    assert rentals.compartment(overstay.compartment.number).state is CompartmentState.OCCUPIED  # until collected


async def test_a_walk_up_renter_who_paid_but_left_the_kiosk_gets_the_code_by_message(rentals: RentalWorld) -> None:
    started = await rentals.rent(Size.M, HOUR, PaymentMethod.HOSTED_CHECKOUT, renter=Renter(phone="+48600100200"))
    assert started.payment.checkout_url is not None
    await rentals.provider_says(started.payment.checkout_url)
    rentals.clock.advance(timedelta(minutes=16))
    assert (await rentals.run(settle_rentals, SettleRentals())).paid_late == 1
    rental = rentals.rental(started.rental.id)
    assert rental.state is RentalState.BOOKED
    [(_, _, secrets)] = rentals.rental_messages(rental.id)
    door = await rentals.open(secrets["code"])
    assert door.compartment is not None and door.compartment.number == started.compartment.number


async def test_the_providers_webhook_must_be_signed_recent_and_agree_with_the_payment(rentals: RentalWorld) -> None:
    started = await rentals.rent(Size.M, HOUR, PaymentMethod.HOSTED_CHECKOUT)
    url = started.payment.checkout_url
    assert url is not None
    with pytest.raises(NotAuthenticated, match="too old"):
        await rentals.provider_says(url, at=rentals.clock.now() - timedelta(minutes=6))
    body = b'{"payment_id": "x", "status": "paid", "amount": 1, "currency": "EUR"}'
    for signature in ("", "t=1,v1=00", f"t={int(rentals.clock.now().timestamp())},v1=deadbeef"):
        with pytest.raises(NotAuthenticated):
            await rentals.run(confirm_checkout, ConfirmCheckout(body, signature))
    tampered = url.replace("amount=300", "amount=1")
    with pytest.raises(InvalidInput, match="the notice says 1 EUR"):
        await rentals.provider_says(tampered)
    assert rentals.db.payments[started.payment.id].state is PaymentState.PENDING
    env = Env(rentals.clock, KEYS, Policy())  # a server without the gateway
    services = Services(rentals.uow, env)
    with pytest.raises(InvalidInput, match="no hosted checkout"):
        await services.run(confirm_checkout, ConfirmCheckout(body, "t=1,v1=0"), lambda done: done)


async def test_a_door_of_a_rented_compartment_opened_without_a_command_is_forced(rentals: RentalWorld) -> None:
    [voucher] = await rentals.vouchers(5000)
    started = await rentals.rent(Size.S, HOUR, voucher=voucher)
    assert await rentals.cycle_door(started.compartment.number) == "recorded"
    applied = await rentals.door(started.compartment.number, DoorState.OPEN)
    assert applied.outcome == "forced_door"
    assert OTHER_LOCKER not in rentals.db.rental_terms
