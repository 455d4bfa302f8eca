"""Time as the door coordinator sees it, injected so tests can move it by hand."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """UTC wall time, stamped on events and in the snapshot."""
        ...

    def monotonic(self) -> float:
        """Seconds that only go forward, for durations (the wall clock of a locker may jump at NTP sync)."""
        ...

    async def sleep(self, seconds: float) -> None: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)

    def monotonic(self) -> float:
        return time.monotonic()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)
