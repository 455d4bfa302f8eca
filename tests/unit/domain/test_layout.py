import pytest

from parcellocker.domain.compartment import Compartment
from parcellocker.domain.errors import InvalidInput
from parcellocker.domain.locker import LayoutEntry, Locker, parse_layout, plan_compartments
from parcellocker.domain.sizes import Size


def test_a_layout_lists_sizes_and_counts_in_door_order() -> None:
    assert parse_layout("S:8,M:6,L:4") == [LayoutEntry(Size.S, 8), LayoutEntry(Size.M, 6), LayoutEntry(Size.L, 4)]


def test_a_layout_forgives_spaces_case_and_a_trailing_comma() -> None:
    assert parse_layout(" s : 2 , xl:1, ") == [LayoutEntry(Size.S, 2), LayoutEntry(Size.XL, 1)]


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("", "at least one part"),
        (" , ", "at least one part"),
        ("S8", "should look like 'M:6'"),
        ("S:", "should look like 'M:6'"),
        ("S:-1", "should look like 'M:6'"),
        ("S:two", "should look like 'M:6'"),
        ("S:²", "should look like 'M:6'"),
        ("S:0", "between 1 and 500"),
        ("S:501", "between 1 and 500"),
        ("Q:3", "unknown compartment size"),
    ],
)
def test_a_malformed_layout_is_refused_with_a_useful_message(text: str, says: str) -> None:
    with pytest.raises(InvalidInput, match=says):
        parse_layout(text)


def test_compartments_are_numbered_from_one_in_layout_order() -> None:
    planned = plan_compartments(parse_layout("S:2,M:2,L:1"))
    assert [(p.number, p.size) for p in planned] == [(1, Size.S), (2, Size.S), (3, Size.M), (4, Size.M), (5, Size.L)]


def test_each_board_drives_sixteen_locks_numbered_from_one() -> None:
    planned = plan_compartments(parse_layout("S:20,L:14"))
    wiring = [(p.number, p.board, p.channel) for p in planned]
    assert wiring[0] == (1, 0, 1)
    assert wiring[15] == (16, 0, 16)
    assert wiring[16] == (17, 1, 1)
    assert wiring[-1] == (34, 2, 2)
    assert len({(p.board, p.channel) for p in planned}) == 34


def test_boards_per_lock_count_and_first_board_can_be_set() -> None:
    planned = plan_compartments(parse_layout("M:5"), locks_per_board=2, first_board=3)
    assert [(p.board, p.channel) for p in planned] == [(3, 1), (3, 2), (4, 1), (4, 2), (5, 1)]


@pytest.mark.parametrize("locks", [0, 65])
def test_a_board_has_one_to_sixty_four_locks(locks: int) -> None:
    with pytest.raises(InvalidInput):
        plan_compartments(parse_layout("S:1"), locks_per_board=locks)


def test_a_locker_finds_its_compartments_by_the_number_on_the_door() -> None:
    locker = Locker("L", "Main Street", "Main Street 1")
    locker.compartments = [Compartment(f"L/{n}", "L", n, Size.S, 0, n) for n in (1, 2, 3)]
    found = locker.compartment_by_number(2)
    assert found is not None and found.id == "L/2"
    assert locker.compartment_by_number(4) is None
