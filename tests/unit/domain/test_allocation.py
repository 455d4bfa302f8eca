from datetime import UTC, datetime

import pytest

from parcellocker.domain.allocation import choose_compartment, sizes_after
from parcellocker.domain.compartment import Compartment
from parcellocker.domain.errors import LockerFull
from parcellocker.domain.events import Actor, ActorKind
from parcellocker.domain.sizes import ParcelSpec, Size

AT = datetime(2025, 3, 3, 8, 0, tzinfo=UTC)
COURIER = Actor(ActorKind.COURIER, "kuba")
ALL_SIZES = [Size.S, Size.M, Size.L, Size.XL]


def locker(layout: str) -> list[Compartment]:
    """Compartments numbered in the order of `layout`, e.g. "SSMML"."""
    return [Compartment(f"L/{n}", "L", n, Size(s), 0, n) for n, s in enumerate(layout, start=1)]


def test_the_smallest_fitting_size_is_chosen() -> None:
    compartments = locker("LMS")
    assert choose_compartment(compartments, ALL_SIZES).number == 3


def test_the_lowest_number_wins_among_compartments_of_one_size() -> None:
    compartments = locker("MSSS")
    assert choose_compartment(reversed(compartments), ALL_SIZES).number == 2


def test_a_full_size_falls_back_to_the_next_size_up() -> None:
    compartments = locker("SSMML")
    compartments[0].reserve_for_deposit("a", AT, COURIER)
    compartments[1].reserve_for_deposit("b", AT, COURIER)
    assert choose_compartment(compartments, ParcelSpec(size=Size.S).fitting_sizes()).number == 3


def test_sizes_the_parcel_does_not_fit_are_never_chosen() -> None:
    compartments = locker("SSSL")
    assert choose_compartment(compartments, [Size.M, Size.L, Size.XL]).number == 4


def test_reserved_occupied_and_out_of_order_compartments_are_skipped() -> None:
    compartments = locker("SSSS")
    compartments[0].reserve_for_deposit("a", AT, COURIER)
    compartments[1].reserve_for_deposit("b", AT, COURIER)
    compartments[1].fill(AT, COURIER)
    compartments[2].take_out_of_order(AT, COURIER, "dirty")
    assert choose_compartment(compartments, ALL_SIZES).number == 4


def test_a_locker_with_nothing_free_that_fits_is_full() -> None:
    compartments = locker("SSL")
    compartments[2].take_out_of_order(AT, COURIER, "damaged")
    with pytest.raises(LockerFull, match="tried sizes M, L, XL"):
        choose_compartment(compartments, [Size.M, Size.L, Size.XL])


def test_an_empty_locker_is_full() -> None:
    with pytest.raises(LockerFull):
        choose_compartment([], ALL_SIZES)


def test_a_parcel_that_did_not_fit_tries_only_larger_sizes() -> None:
    assert sizes_after(ALL_SIZES, Size.S) == [Size.M, Size.L, Size.XL]
    assert sizes_after([Size.M, Size.L], Size.M) == [Size.L]
    assert sizes_after(ALL_SIZES, Size.XL) == []
