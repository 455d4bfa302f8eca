"""Errors of door control, raised to whoever asked for a door to open."""

from __future__ import annotations


class DoorControlError(Exception):
    """Base of every door-control failure."""


class UnknownCompartment(DoorControlError, LookupError):
    """The compartment is not wired on this bus."""


class DoorsNotReconciled(DoorControlError):
    """No door may be opened before every door has been read once (`reconcile`)."""


class CompartmentDidNotOpen(DoorControlError):
    """The lock stayed shut; a LockDidNotOpen event has been published."""

    def __init__(self, compartment: int, reason: str) -> None:
        super().__init__(f"compartment {compartment} did not open: {reason}")
        self.compartment = compartment


class BoardUnreachable(DoorControlError):
    """The board failed during the unlock (no answer, bad frames, line gone); whether the lock fired is unknown."""

    def __init__(self, compartment: int, board: int, reason: str) -> None:
        super().__init__(f"compartment {compartment}: board {board} failed during the unlock: {reason}")
        self.compartment = compartment
        self.board = board
