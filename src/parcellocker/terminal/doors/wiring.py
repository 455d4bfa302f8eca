"""Which lock of which board opens which compartment, for the boards cascaded on one bus."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field


class WiringError(ValueError):
    """A wiring map that cannot be right: a channel used twice, off its board, or a board listed twice."""


@dataclass(frozen=True, slots=True)
class BoardWiring:
    """One board on the bus: its address and how many locks it drives (channels 1..locks)."""

    address: int
    locks: int

    def __post_init__(self) -> None:
        if self.address < 0:
            raise WiringError(f"board address {self.address} is negative")
        if self.locks < 1:
            raise WiringError(f"board {self.address} has {self.locks} locks; it needs at least one")


@dataclass(frozen=True, slots=True)
class CompartmentWiring:
    """The number shown on a compartment's door, and the lock channel of the board that opens it."""

    number: int
    board: int
    channel: int


@dataclass(frozen=True, slots=True)
class BusWiring:
    """The boards on one bus and the compartments they open. Channels wired to no compartment are ignored."""

    boards: tuple[BoardWiring, ...]
    compartments: tuple[CompartmentWiring, ...]
    _by_number: dict[int, CompartmentWiring] = field(init=False, repr=False, compare=False)
    _by_channel: dict[tuple[int, int], int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "boards", tuple(self.boards))
        object.__setattr__(self, "compartments", tuple(self.compartments))
        locks = _lock_counts(self.boards)
        by_number: dict[int, CompartmentWiring] = {}
        by_channel: dict[tuple[int, int], int] = {}
        for compartment in self.compartments:
            _check_compartment(compartment, locks, by_number, by_channel)
            by_number[compartment.number] = compartment
            by_channel[compartment.board, compartment.channel] = compartment.number
        object.__setattr__(self, "_by_number", by_number)
        object.__setattr__(self, "_by_channel", by_channel)

    @classmethod
    def of(cls, boards: Mapping[int, int], compartments: Mapping[int, tuple[int, int]]) -> BusWiring:
        """From `{address: locks}` and `{compartment number: (board address, channel)}`."""
        return cls(
            tuple(BoardWiring(address, locks) for address, locks in boards.items()),
            tuple(CompartmentWiring(number, board, channel) for number, (board, channel) in compartments.items()),
        )

    @property
    def numbers(self) -> tuple[int, ...]:
        """Compartment numbers on this bus, in ascending order."""
        return tuple(sorted(self._by_number))

    def has_compartment(self, number: int) -> bool:
        return number in self._by_number

    def position(self, number: int) -> CompartmentWiring:
        """Where compartment `number` is wired; KeyError when it is not on this bus."""
        try:
            return self._by_number[number]
        except KeyError:
            raise KeyError(f"compartment {number} is not wired on this bus") from None

    def compartment_at(self, board: int, channel: int) -> int | None:
        """The compartment that channel `channel` of board `board` opens, or None if it opens none."""
        return self._by_channel.get((board, channel))

    def board(self, address: int) -> BoardWiring:
        for board in self.boards:
            if board.address == address:
                return board
        raise KeyError(f"board {address} is not on this bus")

    def compartments_of(self, address: int) -> Iterable[CompartmentWiring]:
        return (compartment for compartment in self.compartments if compartment.board == address)


def _lock_counts(boards: Iterable[BoardWiring]) -> dict[int, int]:
    locks: dict[int, int] = {}
    for board in boards:
        if board.address in locks:
            raise WiringError(f"board {board.address} is listed twice")
        locks[board.address] = board.locks
    return locks


def _check_compartment(
    compartment: CompartmentWiring,
    locks: Mapping[int, int],
    by_number: Mapping[int, CompartmentWiring],
    by_channel: Mapping[tuple[int, int], int],
) -> None:
    number, board, channel = compartment.number, compartment.board, compartment.channel
    if number < 1:
        raise WiringError(f"compartment number {number} must be at least 1")
    if number in by_number:
        raise WiringError(f"compartment {number} is wired twice")
    if board not in locks:
        raise WiringError(f"compartment {number} is wired to board {board}, which is not on this bus")
    if not 1 <= channel <= locks[board]:
        raise WiringError(f"compartment {number}: board {board} has channels 1..{locks[board]}, not {channel}")
    if (board, channel) in by_channel:
        other = by_channel[board, channel]
        raise WiringError(f"compartments {other} and {number} are both wired to board {board} channel {channel}")
