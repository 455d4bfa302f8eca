from datetime import UTC, datetime

import pytest

from parcellocker.domain.allocation import choose_compartment
from parcellocker.domain.compartment import Compartment, CompartmentState, CompartmentUse, DoorState, PendingAction
from parcellocker.domain.errors import IllegalTransition, LockerFull
from parcellocker.domain.events import SYSTEM
from parcellocker.domain.sizes import Size

NOW = datetime(2026, 5, 4, 10, 0, tzinfo=UTC)


def compartment(number: int = 1, use: CompartmentUse = CompartmentUse.RENTAL) -> Compartment:
    return Compartment(f"L1/{number}", "L1", number, Size.S, 0, number, use=use)


def test_a_free_compartment_may_be_kept_for_rentals_and_back_for_parcels() -> None:
    door = compartment(use=CompartmentUse.DELIVERY)
    assert door.dedicate_to(CompartmentUse.RENTAL, NOW, SYSTEM)
    assert not door.dedicate_to(CompartmentUse.RENTAL, NOW, SYSTEM)  # already
    assert door.events[-1].reason == "kept for rentals"
    assert door.dedicate_to(CompartmentUse.DELIVERY, NOW, SYSTEM)


def test_a_compartment_holding_something_keeps_its_use() -> None:
    parcel = compartment(use=CompartmentUse.DELIVERY)
    parcel.reserve_for_deposit("S1", NOW, SYSTEM)
    with pytest.raises(IllegalTransition, match="once it is free"):
        parcel.dedicate_to(CompartmentUse.RENTAL, NOW, SYSTEM)
    rented = compartment()
    rented.hand_over_to_renter("R1", NOW, SYSTEM)
    with pytest.raises(IllegalTransition):
        rented.dedicate_to(CompartmentUse.DELIVERY, NOW, SYSTEM)


def test_a_rental_compartment_never_takes_a_parcel_nor_a_parcel_compartment_a_rental() -> None:
    with pytest.raises(IllegalTransition, match="kept for rentals"):
        compartment().reserve_for_deposit("S1", NOW, SYSTEM)
    with pytest.raises(IllegalTransition, match="kept for parcels"):
        compartment(use=CompartmentUse.DELIVERY).hand_over_to_renter("R1", NOW, SYSTEM)
    with pytest.raises(IllegalTransition, match="kept for parcels"):
        compartment(use=CompartmentUse.DELIVERY).hold_for_rental("R1", NOW, SYSTEM)


def test_choosing_a_compartment_for_a_parcel_passes_over_those_kept_for_rentals() -> None:
    rented, parcels = compartment(1), compartment(2, CompartmentUse.DELIVERY)
    assert choose_compartment([rented, parcels], [Size.S]).number == 2
    with pytest.raises(LockerFull):
        choose_compartment([rented], [Size.S])


def test_a_renter_opens_it_as_often_as_they_like_and_closing_settles_each_opening() -> None:
    door = compartment()
    door.hold_for_rental("R1", NOW, SYSTEM)
    assert (door.state, door.rental_id) == (CompartmentState.RESERVED, "R1")
    with pytest.raises(IllegalTransition, match="held for another rental"):
        door.hand_over_to_renter("R2", NOW, SYSTEM)
    door.hand_over_to_renter("R1", NOW, SYSTEM)
    assert (door.state, door.pending) == (CompartmentState.OCCUPIED, PendingAction.RENTAL)
    for _ in range(2):
        door.renter_door_closed()
        assert door.pending is None
        door.open_for_renter("R1", NOW, SYSTEM)
        assert door.pending is PendingAction.RENTAL
    with pytest.raises(IllegalTransition, match="not rented by this rental"):
        door.open_for_renter("R2", NOW, SYSTEM)
    door.end_rental(NOW, SYSTEM, "ended")
    assert (door.state, door.rental_id, door.pending, door.door) == (
        CompartmentState.FREE,
        None,
        None,
        DoorState.CLOSED,
    )
    with pytest.raises(IllegalTransition, match="not rented"):
        door.end_rental(NOW, SYSTEM, "again")
