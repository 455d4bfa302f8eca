"""The lockouts one server process knows of, in its own memory: a flood of codes at a locked-out locker is then
answered without a unit of work. Each process learns on its own, from the lockouts its units of work read or
engage; it trusts what it learnt for a short while only, so that a lockout changed in the database by any other
means (another process cannot shorten one; an operator's hand in the database can) is seen again soon."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from parcellocker.service.ports import LockoutMemory

RECHECK = timedelta(seconds=10)
"""How long a remembered lockout is trusted before the next try asks the database again (at most one unit of work
per locker in this time, however many tries come)."""


@dataclass(frozen=True, slots=True)
class _Known:
    locked_until: datetime
    trusted_until: datetime


class InProcessLockoutMemory(LockoutMemory):
    """At most one entry per locker that was seen locked out (so no more entries than lockers); an entry goes at
    the first look after it stops being trusted."""

    def __init__(self, recheck: timedelta = RECHECK) -> None:
        self._recheck = recheck
        self._known: dict[str, _Known] = {}

    def remember(self, locker_id: str, locked_until: datetime, now: datetime) -> None:
        self._known[locker_id] = _Known(locked_until, min(locked_until, now + self._recheck))

    def locked_until(self, locker_id: str, now: datetime) -> datetime | None:
        known = self._known.get(locker_id)
        if known is None:
            return None
        if now >= known.trusted_until:
            del self._known[locker_id]
            return None
        return known.locked_until

    def __len__(self) -> int:
        return len(self._known)
