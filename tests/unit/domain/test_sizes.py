import pytest

from parcellocker.domain.errors import InvalidInput, ParcelTooLarge
from parcellocker.domain.sizes import DEFAULT_INNER_DIMENSIONS, Dimensions, ParcelSpec, Size, parse_size


def test_sizes_are_ordered_from_small_to_extra_large() -> None:
    assert [Size.S.next_up(), Size.M.next_up(), Size.L.next_up(), Size.XL.next_up()] == [Size.M, Size.L, Size.XL, None]
    assert Size.S.rank < Size.M.rank < Size.L.rank < Size.XL.rank


def test_default_sizes_follow_the_common_three_size_layout() -> None:
    heights = [DEFAULT_INNER_DIMENSIONS[size].height_mm for size in (Size.S, Size.M, Size.L)]
    assert heights == [80, 190, 410]
    assert {(d.width_mm, d.depth_mm) for size, d in DEFAULT_INNER_DIMENSIONS.items() if size is not Size.XL} == {
        (380, 640)
    }


def test_a_flat_parcel_fits_the_small_size_and_everything_larger() -> None:
    assert ParcelSpec(dimensions=Dimensions(60, 300, 500)).fitting_sizes() == [Size.S, Size.M, Size.L, Size.XL]


@pytest.mark.parametrize(
    "dimensions",
    [Dimensions(60, 300, 500), Dimensions(300, 60, 500), Dimensions(500, 300, 60), Dimensions(300, 500, 60)],
)
def test_a_parcel_fits_whichever_way_it_is_turned(dimensions: Dimensions) -> None:
    assert ParcelSpec(dimensions=dimensions).fitting_sizes()[0] is Size.S


def test_a_parcel_a_millimetre_too_high_for_small_goes_to_medium() -> None:
    assert ParcelSpec(dimensions=Dimensions(81, 300, 500)).fitting_sizes()[0] is Size.M
    assert ParcelSpec(dimensions=Dimensions(80, 380, 640)).fitting_sizes()[0] is Size.S


def test_a_parcel_longer_than_every_compartment_is_too_large() -> None:
    with pytest.raises(ParcelTooLarge, match="700 × 100 × 100 mm fits in no compartment"):
        ParcelSpec(dimensions=Dimensions(700, 100, 100)).fitting_sizes()


def test_a_parcel_too_large_for_the_sizes_a_locker_knows_is_too_large() -> None:
    three_sizes = {size: DEFAULT_INNER_DIMENSIONS[size] for size in (Size.S, Size.M, Size.L)}
    with pytest.raises(ParcelTooLarge):
        ParcelSpec(dimensions=Dimensions(500, 380, 600)).fitting_sizes(three_sizes)
    with pytest.raises(ParcelTooLarge):
        ParcelSpec(size=Size.XL).fitting_sizes(three_sizes)


@pytest.mark.parametrize(
    ("size", "fitting"),
    [
        (Size.S, [Size.S, Size.M, Size.L, Size.XL]),
        (Size.M, [Size.M, Size.L, Size.XL]),
        (Size.L, [Size.L, Size.XL]),
        (Size.XL, [Size.XL]),
    ],
)
def test_a_size_class_fits_itself_and_every_larger_size(size: Size, fitting: list[Size]) -> None:
    assert ParcelSpec(size=size).fitting_sizes() == fitting


def test_size_and_dimensions_together_must_both_hold() -> None:
    assert ParcelSpec(size=Size.M, dimensions=Dimensions(50, 50, 50)).fitting_sizes() == [Size.M, Size.L, Size.XL]
    assert ParcelSpec(size=Size.S, dimensions=Dimensions(300, 300, 300)).fitting_sizes() == [Size.L, Size.XL]


def test_a_parcel_needs_a_size_or_dimensions() -> None:
    with pytest.raises(InvalidInput):
        ParcelSpec()


@pytest.mark.parametrize("bad", [0, -5, 1.5, "80"])
def test_dimensions_are_positive_whole_millimetres(bad: object) -> None:
    with pytest.raises(InvalidInput):
        Dimensions(bad, 100, 100)  # type: ignore[arg-type]


@pytest.mark.parametrize(("text", "size"), [("s", Size.S), (" M ", Size.M), ("xl", Size.XL)])
def test_size_names_are_read_in_any_case(text: str, size: Size) -> None:
    assert parse_size(text) is size


@pytest.mark.parametrize("text", ["XXL", "", "medium"])
def test_unknown_size_names_are_refused(text: str) -> None:
    with pytest.raises(InvalidInput, match="use one of S, M, L, XL"):
        parse_size(text)
