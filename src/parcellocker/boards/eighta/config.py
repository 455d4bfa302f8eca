"""What the disputed bytes of an 8A/80 board mean; sources disagree, and the wiring of each lock's
feedback switch decides, so it is configuration."""

from __future__ import annotations

from dataclasses import dataclass

STATES = (0x00, 0x11)


@dataclass(frozen=True, slots=True)
class EightAConfig:
    closed_state: int = 0x11
    """State byte of a query-one reply that means the door is closed (the other one means open)."""
    opened_state: int = 0x00
    """State byte of an unlock reply that means the lock opened (the other one means it failed)."""
    closed_bit_set: bool = True
    """In a query-all reply, a set bit means closed (as in `80 01 01 01 01 33 B3`: 1, 9, 17 closed)."""
    query_timeout: float = 0.3
    """Seconds to wait for the reply to a query."""
    unlock_timeout: float = 1.5
    """Seconds to wait for the reply to an unlock, which may take about a second."""

    def __post_init__(self) -> None:
        for name in ("closed_state", "opened_state"):
            if getattr(self, name) not in STATES:
                raise ValueError(f"{name} must be 0x00 or 0x11")

    def other_state(self, state: int) -> int:
        return STATES[1] if state == STATES[0] else STATES[0]
