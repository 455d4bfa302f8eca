from datetime import UTC, datetime

from parcellocker.domain.compartment import Compartment, CompartmentState
from parcellocker.domain.occupancy import SizeFill, fill_by_size
from parcellocker.domain.sizes import Size

AT = datetime(2025, 3, 3, 8, 0, tzinfo=UTC)
St = CompartmentState


def compartment(number: int, size: Size, state: CompartmentState) -> Compartment:
    return Compartment(f"L/{number}", "L", number, size, 0, number, state=state)


def test_fill_counts_reserved_and_occupied_compartments_as_in_use_per_size_smallest_first() -> None:
    compartments = [
        compartment(1, Size.L, St.OCCUPIED),
        compartment(2, Size.S, St.FREE),
        compartment(3, Size.S, St.RESERVED),
        compartment(4, Size.S, St.OUT_OF_ORDER),
        compartment(5, Size.S, St.OCCUPIED),
    ]
    fill = fill_by_size(compartments)
    assert fill == [SizeFill(Size.S, total=4, in_use=2, out_of_order=1), SizeFill(Size.L, 1, 1, 0)]
    assert (fill[0].free, fill[0].ratio, fill[1].ratio) == (1, 0.5, 1.0)


def test_a_locker_without_compartments_has_no_fill_and_an_empty_size_reads_as_zero() -> None:
    assert fill_by_size([]) == []
    assert SizeFill(Size.M, 0, 0, 0).ratio == 0.0
