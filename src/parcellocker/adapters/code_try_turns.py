"""A locker's code tries taken in turn within one server process, on asyncio: at most a few handled at once, a
bounded number waiting (parked, first come first served), any more refused at once. A flood of codes at one locker
then keeps only a few of its requests runnable in the event loop, whatever its size: the other lockers' requests
do not wait behind it at every step (docs/reliability/random-codes.md)."""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from parcellocker.domain.errors import LockerBusy
from parcellocker.service.ports import CodeTryTurns

AT_ONCE = 2
"""Tries of one locker handled at once: a locker has one screen, a person types one code at a time."""
WAITING = 64
"""Tries of one locker that may wait for their turn; a try beyond them is refused (LockerBusy). Parked, a try costs
its connection and a small task, nothing runnable; refused, it is answered and (from a client that ignores
Retry-After) sent again at once, runnable at every turn of the loop. So the bound is set well above any locker's
real need, for a flood to park rather than bounce: 64 drain in well under a second even when each try reads the
database (measured in docs/reliability/random-codes.md)."""
BUSY_RETRY_AFTER_SECONDS = 1
"""The Retry-After of a try refused as busy: the tries ahead of it take milliseconds each."""


@dataclass(slots=True)
class _Locker:
    handling: int = 0
    waiting: deque[asyncio.Future[None]] = field(default_factory=deque)


class AsyncioCodeTryTurns(CodeTryTurns):
    """Per locker: a count of tries handled and a queue of futures parked for a turn. A turn that ends is handed
    to the first waiter still waiting; a locker with none handled and none waiting is forgotten."""

    def __init__(self, at_once: int = AT_ONCE, waiting: int = WAITING) -> None:
        if at_once < 1 or waiting < 0:
            raise ValueError("a locker needs at least one try at once, and no negative number waiting")
        self.at_once = at_once
        self.waiting = waiting
        self._lockers: dict[str, _Locker] = {}

    @asynccontextmanager
    async def turn(self, locker_id: str) -> AsyncIterator[None]:
        await self._take(locker_id)
        try:
            yield
        finally:
            self._hand_on(locker_id)

    def handling(self, locker_id: str) -> int:
        """Tries of the locker being handled now."""
        locker = self._lockers.get(locker_id)
        return locker.handling if locker else 0

    def queued(self, locker_id: str) -> int:
        """Tries of the locker waiting for their turn now."""
        locker = self._lockers.get(locker_id)
        return len(locker.waiting) if locker else 0

    def __len__(self) -> int:
        """Lockers with a try handled or waiting."""
        return len(self._lockers)

    async def _take(self, locker_id: str) -> None:
        locker = self._lockers.setdefault(locker_id, _Locker())
        if locker.handling < self.at_once and not locker.waiting:
            locker.handling += 1
            return
        if len(locker.waiting) >= self.waiting:
            raise LockerBusy(
                f"this locker is handling other codes just now; try again in {BUSY_RETRY_AFTER_SECONDS} second",
                BUSY_RETRY_AFTER_SECONDS,
            )
        parked: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        locker.waiting.append(parked)
        try:
            await parked
        except asyncio.CancelledError:
            if parked.done() and not parked.cancelled():  # the turn was handed over as the wait was cancelled
                self._hand_on(locker_id)
            else:
                if parked in locker.waiting:  # (a turn handed on meanwhile skips it and takes it out)
                    locker.waiting.remove(parked)
                self._forget_if_idle(locker_id, locker)
            raise

    def _hand_on(self, locker_id: str) -> None:
        locker = self._lockers[locker_id]
        while locker.waiting:
            parked = locker.waiting.popleft()
            if not parked.done():
                parked.set_result(None)  # the turn passes on: `handling` stays the same
                return
        locker.handling -= 1
        self._forget_if_idle(locker_id, locker)

    def _forget_if_idle(self, locker_id: str, locker: _Locker) -> None:
        if locker.handling == 0 and not locker.waiting and self._lockers.get(locker_id) is locker:
            del self._lockers[locker_id]
