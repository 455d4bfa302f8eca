from datetime import UTC, datetime, timedelta

import pytest

from parcellocker.domain.compartment import Compartment, CompartmentState
from parcellocker.domain.events import Actor, ActorKind, Transition
from parcellocker.domain.occupancy import SizeFill, fill_by_size, hourly_use
from parcellocker.domain.sizes import Size

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


START = datetime(2025, 3, 3, 8, 0, tzinfo=UTC)
COURIER = Actor(ActorKind.COURIER, "kuba")


def at(hours: float) -> datetime:
    return START + timedelta(hours=hours)


def move(compartment_id: str, from_state: St, to_state: St, hours: float) -> Transition:
    return Transition("compartment", compartment_id, from_state, to_state, at(hours), COURIER, "test")


def test_hourly_use_undoes_the_windows_transitions_to_know_the_states_at_its_start() -> None:
    # L/1 held a parcel from before the window all along; L/2 took one from 8:30 to 9:30; L/3 stayed free.
    compartments = [("L/1", Size.S, St.OCCUPIED), ("L/2", Size.S, St.FREE), ("L/3", Size.S, St.FREE)]
    transitions = [
        move("L/2", St.FREE, St.RESERVED, 0.5),
        move("L/2", St.RESERVED, St.OCCUPIED, 0.75),
        move("L/2", St.OCCUPIED, St.OCCUPIED, 1.25),  # opened for the pickup: no change of use
        move("L/2", St.OCCUPIED, St.FREE, 1.5),
    ]
    (small,) = hourly_use(compartments, transitions, at(0), at(2))
    assert (small.size, small.compartments) == (Size.S, 3)
    assert [(h.start, h.end, h.average_in_use, h.peak_in_use) for h in small.hours] == [
        (at(0), at(1), 1.5, 2),
        (at(1), at(2), 1.5, 2),
    ]
    assert small.utilisation(small.hours[0]) == 0.5
    assert small.average_utilisation == 0.5


def test_each_size_is_counted_apart_and_out_of_order_is_not_in_use() -> None:
    compartments = [("L/1", Size.M, St.OUT_OF_ORDER), ("L/2", Size.S, St.RESERVED)]
    transitions = [move("L/1", St.OCCUPIED, St.FREE, 0.25), move("L/1", St.FREE, St.OUT_OF_ORDER, 0.5)]
    transitions.append(move("L/2", St.FREE, St.RESERVED, 0.5))
    small, medium = hourly_use(compartments, transitions, at(0), at(1))
    assert [(h.average_in_use, h.peak_in_use) for h in small.hours] == [(0.5, 1)]
    assert [(h.average_in_use, h.peak_in_use) for h in medium.hours] == [(0.25, 1)]


def test_the_last_hour_ends_at_the_end_of_the_window_and_older_transitions_are_ignored() -> None:
    compartments = [("L/1", Size.L, St.OCCUPIED)]
    older = move("L/1", St.FREE, St.OCCUPIED, -5)  # before the window: already in the state at its start
    (large,) = hourly_use(compartments, [older], at(0), at(1.5))
    assert [(h.start, h.end, h.average_in_use) for h in large.hours] == [(at(0), at(1), 1.0), (at(1), at(1.5), 1.0)]
    assert large.average_utilisation == 1.0


def test_a_locker_with_no_transitions_in_the_window_keeps_its_states_throughout() -> None:
    (small,) = hourly_use([("L/1", Size.S, St.FREE)], [], at(0), at(3))
    assert [h.average_in_use for h in small.hours] == [0.0, 0.0, 0.0]
    with pytest.raises(ValueError, match="must end after it starts"):
        hourly_use([], [], at(1), at(1))
