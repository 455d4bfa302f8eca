"""The server's periodic check that takes offline, with an alarm, the lockers whose terminal went silent on the
HTTP link. Every server process runs it; the change is conditional, so a locker goes offline once."""

from __future__ import annotations

import asyncio
import logging

from parcellocker.background_loop import BackgroundLoop
from parcellocker.service.context import Services
from parcellocker.service.locker_presence import TakeSilentLockersOffline, take_silent_lockers_offline
from parcellocker.service.terminal_sync import SilentLocker

log = logging.getLogger(__name__)

MAX_INTERVAL = 5.0


class SilentLockerCheck:
    def __init__(self, services: Services, interval: float | None = None) -> None:
        """`interval`: seconds between two checks; by default a quarter of the window, at most 5 s."""
        window = services.env.policy.link_silence.total_seconds()
        self._services = services
        self.interval = interval if interval is not None else min(MAX_INTERVAL, window / 4)
        self._loop = BackgroundLoop("silent-locker-check", self._run)

    def start(self) -> None:
        self._loop.start()

    async def stop(self) -> None:
        await self._loop.stop()

    async def check(self) -> list[SilentLocker]:
        """Take the silent lockers offline now; the ones this check took."""
        taken: list[SilentLocker] = await self._services.run(
            take_silent_lockers_offline, TakeSilentLockersOffline(), _as_they_are
        )
        for locker in taken:
            log.warning(
                "locker %s is offline: its terminal was last seen on the HTTP link at %s",
                locker.locker_id,
                locker.last_seen_at.isoformat(),
            )
        return taken

    async def _run(self) -> None:
        while True:
            try:
                await self.check()
            except Exception:  # the database out of reach, say: the next check tries again
                log.warning("the check for silent lockers failed", exc_info=True)
            await asyncio.sleep(self.interval)


def _as_they_are(taken: list[SilentLocker]) -> list[SilentLocker]:
    return taken
