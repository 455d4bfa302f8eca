"""Carriers' shares of a locker: the allocation keeps to them, and an operator's share is checked and picked well."""

from datetime import UTC, datetime

import pytest

from parcellocker.domain.allocation import allocation_order, choose_compartment
from parcellocker.domain.carrier_shares import (
    CarrierShare,
    apply_share,
    open_to_carrier,
    share_by_numbers,
    share_by_sizes,
    share_of,
    shares_of,
)
from parcellocker.domain.compartment import Compartment, CompartmentState
from parcellocker.domain.errors import Conflict, InvalidInput, LockerFull
from parcellocker.domain.events import Actor, ActorKind
from parcellocker.domain.sizes import Size

AT = datetime(2025, 3, 3, 8, 0, tzinfo=UTC)
COURIER = Actor(ActorKind.COURIER, "kuba")
ALL_SIZES = [Size.S, Size.M, Size.L, Size.XL]


def locker(layout: str, shares: dict[int, str] | None = None) -> list[Compartment]:
    """Compartments numbered in the order of `layout` (lower case: within reach), `shares` by number."""
    return [
        Compartment(
            f"L/{n}",
            "L",
            n,
            Size(s.upper()),
            0,
            n,
            reachable=s.islower(),
            reserved_for_carrier_id=(shares or {}).get(n),
        )
        for n, s in enumerate(layout, start=1)
    ]


def take(compartments: list[Compartment], *numbers: int) -> None:
    for number in numbers:
        compartments[number - 1].reserve_for_deposit(f"shp-{number}", AT, COURIER)


# -- the allocation -------------------------------------------------------------------------------------------------


def test_a_carriers_parcel_goes_into_its_own_share_before_the_pool() -> None:
    compartments = locker("SSMM", {3: "fast", 4: "fast"})
    assert choose_compartment(compartments, ALL_SIZES, carrier_id="fast").number == 3  # its share, though larger
    take(compartments, 3, 4)
    assert choose_compartment(compartments, ALL_SIZES, carrier_id="fast").number == 1  # then the pool


def test_a_parcel_never_goes_into_another_carriers_share_even_when_the_pool_is_full() -> None:
    compartments = locker("SSMM", {3: "fast", 4: "fast"})
    assert choose_compartment(compartments, ALL_SIZES, carrier_id="slow").number == 1
    take(compartments, 1, 2)
    with pytest.raises(LockerFull):
        choose_compartment(compartments, ALL_SIZES, carrier_id="slow")
    with pytest.raises(LockerFull):  # a parcel of no carrier: the pool only
        choose_compartment(compartments, ALL_SIZES)


def test_within_a_share_the_smallest_fitting_size_and_doors_out_of_reach_come_first() -> None:
    compartments = locker("LmMS", {1: "fast", 2: "fast", 3: "fast"})
    order = [c.number for c in sorted(compartments, key=lambda c: allocation_order(c, reachable=False))]
    assert order == [3, 2, 1, 4]  # share: M out of reach, M within reach, L; then the pool
    assert choose_compartment(compartments, [Size.L, Size.XL], carrier_id="fast").number == 1


def test_a_recipient_who_needs_reach_gets_a_door_within_reach_of_the_pool_before_one_out_of_reach_in_the_share() -> (
    None
):
    compartments = locker("MMsm", {1: "fast", 2: "fast", 4: "fast"})
    order = [c.number for c in sorted(compartments, key=lambda c: allocation_order(c, reachable=True))]
    assert order == [4, 3, 1, 2]  # within reach: share then pool; out of reach: share
    assert choose_compartment(compartments, ALL_SIZES, reachable=True, carrier_id="fast").number == 4
    take(compartments, 4)
    assert choose_compartment(compartments, ALL_SIZES, reachable=True, carrier_id="fast").number == 3
    assert choose_compartment(compartments, ALL_SIZES, reachable=True, carrier_id="slow").number == 3
    take(compartments, 3)
    with pytest.raises(LockerFull):  # the share's doors out of reach are not "slow"'s either
        choose_compartment(compartments, ALL_SIZES, reachable=True, carrier_id="slow")


# -- setting a share ------------------------------------------------------------------------------------------------


def test_a_share_by_numbers_must_name_doors_of_the_locker_in_no_other_share() -> None:
    compartments = locker("SSMML", {5: "slow"})
    assert share_by_numbers(compartments, "fast", [3, 4, 3]) == {3, 4}
    with pytest.raises(InvalidInput, match="no compartment 9"):
        share_by_numbers(compartments, "fast", [1, 9])
    with pytest.raises(Conflict, match="compartment 5 is in the share of carrier slow"):
        share_by_numbers(compartments, "fast", [1, 5])
    assert share_by_numbers(compartments, "slow", [5, 1]) == {1, 5}  # its own stays its own


def test_a_share_by_sizes_keeps_its_doors_then_picks_free_working_doors_out_of_reach_lowest_first() -> None:
    compartments = locker("MmMMMM", {6: "fast", 5: "slow"})
    compartments[2].take_out_of_order(AT, COURIER, "hinge")  # door 3
    take(compartments, 4)
    picked = share_by_sizes(compartments, "fast", {Size.M: 3})
    assert picked == {6, 1, 2}  # its own 6; free working out of reach: 1; then 2 within reach before 4 in use
    assert share_by_sizes(compartments, "fast", {Size.M: 1}) == {6}  # shrinking keeps its own
    assert share_by_sizes(compartments, "fast", {Size.M: 0}) == frozenset()


def test_a_share_by_sizes_refuses_more_than_is_free_of_other_shares_and_sizes_the_locker_lacks() -> None:
    compartments = locker("MMML", {1: "slow"})
    with pytest.raises(Conflict, match="3 M compartments, 2 of them in no other carrier's share: not enough for 3"):
        share_by_sizes(compartments, "fast", {Size.M: 3})
    with pytest.raises(InvalidInput, match="no XL compartments"):
        share_by_sizes(compartments, "fast", {Size.XL: 1})
    with pytest.raises(InvalidInput, match="0 to 500"):
        share_by_sizes(compartments, "fast", {Size.M: -1})


def test_applying_a_share_gives_the_carriers_other_doors_back_to_the_pool_and_leaves_other_shares_alone() -> None:
    compartments = locker("SSMML", {1: "fast", 2: "fast", 5: "slow"})
    changed = apply_share(compartments, "fast", frozenset({2, 3}))
    assert sorted(c.number for c in changed) == [1, 3]
    assert [c.reserved_for_carrier_id for c in compartments] == [None, "fast", "fast", None, "slow"]
    assert share_of(compartments, "fast") == CarrierShare("fast", (2, 3), {Size.S: 1, Size.M: 1})
    assert shares_of(compartments) == [
        CarrierShare("fast", (2, 3), {Size.S: 1, Size.M: 1}),
        CarrierShare("slow", (5,), {Size.L: 1}),
    ]
    assert apply_share(compartments, "fast", frozenset({2, 3})) == []


def test_a_carrier_is_shown_the_pool_and_its_own_share_only() -> None:
    compartments = locker("SSMML", {1: "fast", 5: "slow"})
    assert [c.number for c in open_to_carrier(compartments, "fast")] == [1, 2, 3, 4]
    assert [c.number for c in open_to_carrier(compartments, "slow")] == [2, 3, 4, 5]


def test_a_share_leaves_a_parcel_already_in_the_compartment_where_it_is() -> None:
    compartments = locker("SS")
    take(compartments, 1)
    apply_share(compartments, "fast", frozenset({1}))
    assert (compartments[0].state, compartments[0].shipment_id) == (CompartmentState.RESERVED, "shp-1")
