"""Line faults a test can inject per board: for the next N requests, or until cleared."""

from __future__ import annotations

from enum import StrEnum


class Fault(StrEnum):
    NO_ANSWER = "no_answer"
    """The board ignores the request altogether (as if dead or unplugged)."""
    BAD_CHECKSUM = "bad_checksum"
    """The reply arrives with a wrong checksum."""
    WRONG_ADDRESS = "wrong_address"
    """A well-formed reply arrives with another board's address."""


class FaultPlan:
    def __init__(self) -> None:
        self._remaining: dict[tuple[int, Fault], int | None] = {}
        self.delays: dict[int, float] = {}
        """Seconds each board waits before it answers."""

    def inject(self, board: int, fault: Fault, times: int | None = None) -> None:
        """`times` None: until cleared."""
        if times is not None and times < 1:
            raise ValueError("a fault hits at least one request (or None: every one)")
        self._remaining[board, fault] = times

    def take(self, board: int, fault: Fault) -> bool:
        """Whether `fault` hits this request of `board`; counts it down."""
        key = (board, fault)
        if key not in self._remaining:
            return False
        remaining = self._remaining[key]
        if remaining is not None:
            if remaining <= 1:
                del self._remaining[key]
            else:
                self._remaining[key] = remaining - 1
        return True

    def clear(self, board: int | None = None) -> None:
        """Every fault and delay, of one board or of all."""
        self._remaining = {key: n for key, n in self._remaining.items() if board is not None and key[0] != board}
        self.delays = {key: d for key, d in self.delays.items() if board is not None and key != board}
