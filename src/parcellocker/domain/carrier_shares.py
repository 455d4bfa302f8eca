"""Carriers' shares of a locker: compartments an operator sets aside for one carrier at a site that several serve.

A share is a set of compartments, each marked with its carrier (`Compartment.reserved_for_carrier_id`); every other
compartment is in the pool that all carriers share. The allocation (allocation.py) gives a carrier's parcels its
own share first, then the pool, and never another carrier's share. An operator names the compartments, or asks for
how many of each size and the compartments are picked here (`share_by_sizes`); either way what is kept is the
compartments, so that the claim of a deposit reads the share from the compartment rows it reads anyway.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from parcellocker.domain.compartment import Compartment, CompartmentState
from parcellocker.domain.errors import Conflict, InvalidInput
from parcellocker.domain.sizes import Size

MAX_SHARE = 500


@dataclass(frozen=True, slots=True)
class CarrierShare:
    """The compartments of one locker set aside for one carrier."""

    carrier_id: str
    numbers: tuple[int, ...] = ()
    """By number."""
    sizes: Mapping[Size, int] = field(default_factory=dict)
    """How many compartments of each size the share holds (sizes it holds none of are left out)."""


def share_of(compartments: Iterable[Compartment], carrier_id: str) -> CarrierShare:
    mine = sorted((c for c in compartments if c.reserved_for_carrier_id == carrier_id), key=lambda c: c.number)
    sizes: dict[Size, int] = {}
    for compartment in sorted(mine, key=lambda c: c.size.rank):
        sizes[compartment.size] = sizes.get(compartment.size, 0) + 1
    return CarrierShare(carrier_id, tuple(c.number for c in mine), sizes)


def shares_of(compartments: Sequence[Compartment]) -> list[CarrierShare]:
    """Every carrier's share of the locker, by carrier id."""
    carriers = sorted({c.reserved_for_carrier_id for c in compartments if c.reserved_for_carrier_id is not None})
    return [share_of(compartments, carrier_id) for carrier_id in carriers]


def share_by_numbers(compartments: Sequence[Compartment], carrier_id: str, numbers: Iterable[int]) -> frozenset[int]:
    """The compartments `numbers` as `carrier_id`'s share, once checked: each is a compartment of the locker and in no
    other carrier's share (moving a compartment from one carrier to another takes it out of the first share
    first, so that no carrier loses a door by a slip)."""
    wanted = frozenset(numbers)
    if len(wanted) > MAX_SHARE:
        raise InvalidInput(f"a share holds at most {MAX_SHARE} compartments")
    by_number = {c.number: c for c in compartments}
    unknown = sorted(wanted - by_number.keys())
    if unknown:
        raise InvalidInput(f"the locker has no compartment {_listed(unknown)}")
    taken = sorted(n for n in wanted if not by_number[n].serves(carrier_id))
    if taken:
        owners = sorted({str(by_number[n].reserved_for_carrier_id) for n in taken})
        raise Conflict(
            f"compartment {_listed(taken)} is in the share of carrier {', '.join(owners)}; "
            "take it out of that share first"
        )
    return wanted


def share_by_sizes(compartments: Sequence[Compartment], carrier_id: str, counts: Mapping[Size, int]) -> frozenset[int]:
    """A share of `counts[size]` compartments of each size (sizes left out: none), picked among those in no other
    carrier's share: those of the carrier's share now first (so that growing or shrinking a share moves as few
    doors as possible), then working ones before out-of-order ones, free ones before those in use, out of reach
    before within reach (doors within reach stay in the pool, for every carrier's recipients who need them), and
    the lowest number first."""
    picked: set[int] = set()
    for size, count in sorted(counts.items(), key=lambda item: item[0].rank):
        if not 0 <= count <= MAX_SHARE:
            raise InvalidInput(f"the number of {size.value} compartments in a share is 0 to {MAX_SHARE}")
        if count == 0:
            continue
        there = sum(1 for c in compartments if c.size is size)
        if there == 0:
            raise InvalidInput(f"the locker has no {size.value} compartments")
        open_to_carrier = [c for c in compartments if c.size is size and c.serves(carrier_id)]
        if len(open_to_carrier) < count:
            raise Conflict(
                f"the locker has {there} {size.value} compartment{'s' if there != 1 else ''}, "
                f"{len(open_to_carrier)} of them in no other carrier's share: not enough for {count}"
            )
        picked.update(c.number for c in sorted(open_to_carrier, key=lambda c: _pick_order(c, carrier_id))[:count])
    return frozenset(picked)


def apply_share(compartments: Iterable[Compartment], carrier_id: str, numbers: frozenset[int]) -> list[Compartment]:
    """Make `numbers` (checked by share_by_numbers or share_by_sizes) exactly `carrier_id`'s share: those join it, the
    carrier's other compartments go back to the pool. The compartments that changed."""
    changed: list[Compartment] = []
    for compartment in compartments:
        if compartment.number in numbers:
            wanted: str | None = carrier_id
        elif compartment.reserved_for_carrier_id == carrier_id:
            wanted = None
        else:
            continue
        if compartment.reserved_for_carrier_id != wanted:
            compartment.reserve_for_carrier(wanted)
            changed.append(compartment)
    return changed


def open_to_carrier(compartments: Iterable[Compartment], carrier_id: str | None) -> list[Compartment]:
    """The compartments a carrier and its couriers are shown: the pool and the carrier's own share, not the shares
    of other carriers."""
    return [c for c in compartments if c.serves(carrier_id)]


def _pick_order(compartment: Compartment, carrier_id: str) -> tuple[int, int, int, int, int]:
    return (
        int(compartment.reserved_for_carrier_id != carrier_id),
        int(compartment.state is CompartmentState.OUT_OF_ORDER),
        int(compartment.state is not CompartmentState.FREE),
        int(compartment.reachable),
        compartment.number,
    )


def _listed(numbers: Sequence[int]) -> str:
    return ", ".join(str(n) for n in numbers) if len(numbers) <= 10 else f"{numbers[0]}, {numbers[1]} and others"
