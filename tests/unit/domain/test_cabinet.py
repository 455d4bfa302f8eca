import itertools

from parcellocker.domain.cabinet import COLUMN_TOP_MM, PLINTH_MM, WALL_MM, arrange, reachable_numbers
from parcellocker.domain.locker import parse_layout, plan_compartments
from parcellocker.domain.sizes import Size


def _demo_layout() -> list[tuple[int, Size]]:
    return [(c.number, c.size) for c in plan_compartments(parse_layout("S:8,M:6,L:4"))]


def test_doors_stack_from_the_top_of_a_column_in_number_order() -> None:
    placements = arrange(_demo_layout())
    first, second = placements[0], placements[1]
    assert (first.column, first.top_mm) == (0, COLUMN_TOP_MM)
    assert first.height_mm == 80 + WALL_MM
    assert second.top_mm == first.floor_mm
    assert [p.number for p in placements] == list(range(1, 19))


def test_a_door_that_would_reach_below_the_plinth_starts_the_next_column() -> None:
    placements = arrange(_demo_layout())
    for before, after in itertools.pairwise(placements):
        if after.column != before.column:
            assert after.column == before.column + 1
            assert after.top_mm == COLUMN_TOP_MM
            assert before.floor_mm - after.height_mm < PLINTH_MM
    assert all(p.floor_mm >= PLINTH_MM for p in placements)
    assert max(p.column for p in placements) >= 1


def test_only_doors_with_their_floor_in_reach_are_reachable() -> None:
    placements = arrange(_demo_layout())
    reachable = reachable_numbers(_demo_layout())
    assert reachable
    assert reachable != {p.number for p in placements}
    for placement in placements:
        assert (placement.number in reachable) == (380 <= placement.floor_mm <= 1220)
