"""The emulated hardware: boards of spring-loaded doors, each with a latch, a door sensor and an item
sensor. Firing a latch pops its door ajar; the door stays open until someone closes it, which latches
it again."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(slots=True)
class Compartment:
    latched: bool = True
    door_closed: bool = True
    item_present: bool = False
    jammed: bool = False
    """The latch does not fire: unlock commands leave the door shut."""
    forced: bool = False
    """The door was opened while latched, without a command."""
    unlocks: int = 0
    """Times the latch actually fired."""


class Cabinet:
    def __init__(self, boards: Iterable[int], locks: int) -> None:
        self._locks = locks
        self._boards = {board: {lock: Compartment() for lock in range(1, locks + 1)} for board in boards}

    @property
    def locks(self) -> int:
        return self._locks

    @property
    def boards(self) -> list[int]:
        return sorted(self._boards)

    def has_board(self, board: int) -> bool:
        return board in self._boards

    def compartment(self, board: int, lock: int) -> Compartment:
        try:
            return self._boards[board][lock]
        except KeyError:
            raise ValueError(f"no lock {lock} on board {board} in this cabinet") from None

    def door_closed(self, board: int, lock: int) -> bool:
        return self.compartment(board, lock).door_closed

    def item_present(self, board: int, lock: int) -> bool:
        return self.compartment(board, lock).item_present

    def unlock(self, board: int, lock: int) -> bool:
        compartment = self.compartment(board, lock)
        if compartment.jammed:
            return False
        compartment.latched = False
        compartment.door_closed = False
        compartment.unlocks += 1
        return True

    def open_door(self, board: int, lock: int) -> None:
        """Someone pulls the door open; if it was latched, that is a forced door."""
        compartment = self.compartment(board, lock)
        if compartment.door_closed and compartment.latched:
            compartment.forced = True
        compartment.door_closed = False
        compartment.latched = False

    def close_door(self, board: int, lock: int) -> None:
        compartment = self.compartment(board, lock)
        compartment.door_closed = True
        compartment.latched = True
        compartment.forced = False

    def set_item(self, board: int, lock: int, present: bool) -> None:
        self.compartment(board, lock).item_present = present

    def set_jammed(self, board: int, lock: int, jammed: bool) -> None:
        self.compartment(board, lock).jammed = jammed
