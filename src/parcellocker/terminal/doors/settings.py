"""The timings of door monitoring."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class DoorMonitorSettings:
    poll_interval: float = 0.2
    """Seconds from the start of one round of reads (every board once) to the start of the next."""
    left_open_after: float = 60.0
    """Seconds a door may stay open before DoorLeftOpen is raised (once per opening)."""
    opening_grace: float = 30.0
    """Seconds after an unlock during which the door opening counts as expected; after that, an opening of
    a door that stayed shut is forced."""
    faulted_board_retry: float = 2.0
    """Seconds between attempts to read a faulted board, so a dead board does not slow the others' rounds."""
    faulted_after_failures: int = 1
    """Failed reads in a row (each already tried several times by the driver) before BoardFaulted is raised, and the
    server takes the board's free compartments out of service: a board that misses one read on a starved machine
    and answers the next is not worth an alarm. The terminal's own config sets 3 (terminal/config.py)."""

    def __post_init__(self) -> None:
        for name in ("poll_interval", "left_open_after", "opening_grace", "faulted_board_retry"):
            if getattr(self, name) <= 0:
                raise ValueError(f"{name} must be positive")
        if self.faulted_after_failures < 1:
            raise ValueError("faulted_after_failures must be at least 1")
