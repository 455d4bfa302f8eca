import pytest

from parcellocker.terminal.doors import BoardWiring, BusWiring, CompartmentWiring, WiringError


def two_boards() -> BusWiring:
    return BusWiring.of({0: 16, 1: 12}, {1: (0, 1), 2: (0, 2), 17: (1, 12), 5: (1, 1)})


def test_compartment_is_found_by_number_and_by_board_channel() -> None:
    wiring = two_boards()
    assert wiring.position(17) == CompartmentWiring(17, 1, 12)
    assert wiring.compartment_at(1, 12) == 17
    assert wiring.compartment_at(0, 2) == 2
    assert wiring.numbers == (1, 2, 5, 17)


def test_channel_wired_to_no_compartment_opens_nothing() -> None:
    assert two_boards().compartment_at(0, 3) is None
    assert two_boards().compartment_at(7, 1) is None


def test_compartment_not_on_this_bus_is_a_key_error() -> None:
    wiring = two_boards()
    assert not wiring.has_compartment(3)
    with pytest.raises(KeyError, match="compartment 3"):
        wiring.position(3)


def test_compartments_of_one_board_are_listed() -> None:
    assert [c.number for c in two_boards().compartments_of(1)] == [17, 5]


def test_two_compartments_on_one_channel_are_refused() -> None:
    with pytest.raises(WiringError, match="compartments 1 and 2 are both wired to board 0 channel 4"):
        BusWiring.of({0: 16}, {1: (0, 4), 2: (0, 4)})


def test_channel_beyond_the_board_lock_count_is_refused() -> None:
    with pytest.raises(WiringError, match=r"channels 1\.\.12, not 13"):
        BusWiring.of({0: 12}, {1: (0, 13)})
    with pytest.raises(WiringError, match="not 0"):
        BusWiring.of({0: 12}, {1: (0, 0)})


def test_compartment_on_a_board_not_on_the_bus_is_refused() -> None:
    with pytest.raises(WiringError, match="board 3, which is not on this bus"):
        BusWiring.of({0: 16}, {1: (3, 1)})


def test_board_listed_twice_is_refused() -> None:
    with pytest.raises(WiringError, match="board 0 is listed twice"):
        BusWiring((BoardWiring(0, 16), BoardWiring(0, 12)), ())


def test_compartment_number_wired_twice_is_refused() -> None:
    with pytest.raises(WiringError, match="compartment 4 is wired twice"):
        BusWiring((BoardWiring(0, 16),), (CompartmentWiring(4, 0, 1), CompartmentWiring(4, 0, 2)))


def test_board_without_locks_and_compartment_zero_are_refused() -> None:
    with pytest.raises(WiringError):
        BoardWiring(0, 0)
    with pytest.raises(WiringError):
        BusWiring.of({0: 16}, {0: (0, 1)})


def test_wiring_maps_compare_by_content_and_are_hashable() -> None:
    assert two_boards() == two_boards()
    assert hash(two_boards()) == hash(two_boards())
