"""Allocation at reachable height: within reach first for a recipient who needs it, out of reach first otherwise."""

from datetime import UTC, datetime

import pytest

from parcellocker.domain.allocation import allocation_order, choose_compartment
from parcellocker.domain.compartment import Compartment
from parcellocker.domain.errors import IllegalTransition, LockerFull
from parcellocker.domain.events import Actor, ActorKind
from parcellocker.domain.shipment import Recipient, Shipment
from parcellocker.domain.sizes import ParcelSpec, Size

AT = datetime(2025, 3, 3, 8, 0, tzinfo=UTC)
COURIER = Actor(ActorKind.COURIER, "kuba")
CARRIER = Actor(ActorKind.CARRIER, "fast")
ALL_SIZES = [Size.S, Size.M, Size.L, Size.XL]


def locker(layout: str) -> list[Compartment]:
    """Compartments numbered in the order of `layout`; a lower-case letter is a door within reach: "SSsMmL"."""
    return [
        Compartment(f"L/{n}", "L", n, Size(s.upper()), 0, n, reachable=s.islower())
        for n, s in enumerate(layout, start=1)
    ]


def take(compartments: list[Compartment], *numbers: int) -> None:
    for number in numbers:
        compartments[number - 1].reserve_for_deposit(f"shp-{number}", AT, COURIER)


def test_without_the_wish_a_door_out_of_reach_is_given_before_one_within_reach_of_the_same_size() -> None:
    compartments = locker("sSsS")
    assert choose_compartment(compartments, ALL_SIZES).number == 2
    take(compartments, 2, 4)
    assert choose_compartment(compartments, ALL_SIZES).number == 1


def test_without_the_wish_the_smallest_size_still_comes_first_even_within_reach() -> None:
    compartments = locker("sM")
    assert choose_compartment(compartments, ALL_SIZES).number == 1


def test_with_the_wish_a_door_within_reach_is_given_first_smallest_size_first() -> None:
    compartments = locker("SSmsL")
    assert choose_compartment(compartments, ALL_SIZES, reachable=True).number == 4


def test_with_the_wish_a_larger_door_within_reach_beats_a_smaller_one_out_of_reach() -> None:
    compartments = locker("SSml")
    assert choose_compartment(compartments, ALL_SIZES, reachable=True).number == 3


def test_with_the_wish_and_nothing_within_reach_free_the_smallest_other_door_is_given() -> None:
    compartments = locker("MsSm")
    take(compartments, 2, 4)
    assert choose_compartment(compartments, ALL_SIZES, reachable=True).number == 3


def test_with_the_wish_sizes_the_parcel_does_not_fit_are_never_chosen() -> None:
    compartments = locker("sM")
    assert choose_compartment(compartments, [Size.M, Size.L, Size.XL], reachable=True).number == 2
    with pytest.raises(LockerFull):
        choose_compartment(compartments, [Size.L, Size.XL], reachable=True)


def test_the_order_is_the_same_whichever_order_the_compartments_come_in() -> None:
    compartments = locker("SsMmLlSsMm")
    wanted = [c.number for c in sorted(compartments, key=lambda c: allocation_order(c, reachable=True))]
    plain = [c.number for c in sorted(compartments, key=lambda c: allocation_order(c, reachable=False))]
    assert wanted == [2, 8, 4, 10, 6, 1, 7, 3, 9, 5]
    assert plain == [1, 7, 2, 8, 3, 9, 4, 10, 5, 6]
    assert choose_compartment(reversed(compartments), ALL_SIZES, reachable=True).number == 2
    assert choose_compartment(reversed(compartments), ALL_SIZES).number == 1


def a_shipment(*, reachable_height: bool = False) -> Shipment:
    return Shipment.announce(
        shipment_id="shp-1",
        tracking_number="TRK-1",
        carrier_id="fast",
        locker_id="L",
        parcel=ParcelSpec(size=Size.S),
        recipient=Recipient(email="ola@example.com"),
        at=AT,
        actor=CARRIER,
        reachable_height=reachable_height,
    )


def test_a_shipment_says_whether_its_recipient_needs_a_door_within_reach() -> None:
    assert a_shipment().reachable_height is False
    assert a_shipment(reachable_height=True).reachable_height is True


def test_a_courier_may_ask_for_a_door_within_reach_only_before_the_parcel_is_stored() -> None:
    shipment = a_shipment()
    shipment.ask_for_reachable_height()
    assert shipment.reachable_height is True
    shipment.begin_deposit("L/1", Size.S)
    shipment.store("hash", AT, AT, COURIER)
    with pytest.raises(IllegalTransition, match="is stored"):
        shipment.ask_for_reachable_height()
