"""The locker presence of the terminal link's records, in memory, beside the fakes of tests/unit/fakes.py."""

from __future__ import annotations

from datetime import datetime

from parcellocker.domain.locker import Locker, LockerStatus
from parcellocker.service.terminal_sync import LockerPresence, SilentLocker, TerminalLinkUnitOfWork

from ..fakes import FakeDatabase, FakeUnitOfWork


class FakeLockerPresence(LockerPresence):
    def __init__(self, uow: FakeUnitOfWork) -> None:
        self._uow = uow

    def _locker(self, locker_id: str) -> Locker | None:
        return self._uow.tables.lockers.get(locker_id)

    async def change_status(
        self, locker_id: str, status: LockerStatus, *, unless_seen_since: datetime | None = None
    ) -> bool:
        locker = self._locker(locker_id)
        if locker is None or locker.status is status:
            return False
        seen = locker.last_seen_at
        if unless_seen_since is not None and seen is not None and seen >= unless_seen_since:
            return False
        locker.status = status
        return True

    async def forget_sighting(self, locker_id: str) -> None:
        locker = self._locker(locker_id)
        if locker is not None:
            locker.last_seen_at = None

    async def seen(self, locker_id: str, at: datetime, *, unless_seen_since: datetime) -> bool:
        locker = self._locker(locker_id)
        if locker is None:
            return False
        if locker.status is LockerStatus.OFFLINE:
            locker.status, locker.last_seen_at = LockerStatus.ONLINE, at
            return True
        if locker.last_seen_at is None or locker.last_seen_at < unless_seen_since:
            locker.last_seen_at = at
        return False

    async def take_silent_offline(self, seen_before: datetime) -> list[SilentLocker]:
        taken = []
        for locker in sorted(self._uow.tables.lockers.values(), key=lambda locker: locker.id):
            seen = locker.last_seen_at
            if locker.status is LockerStatus.ONLINE and seen is not None and seen < seen_before:
                locker.status = LockerStatus.OFFLINE
                taken.append(SilentLocker(locker.id, seen))
        return taken


class FakeLinkUnitOfWork(FakeUnitOfWork, TerminalLinkUnitOfWork):
    """A FakeUnitOfWork with the locker presence of the terminal link's records (and none of the others)."""

    def __init__(self, database: FakeDatabase) -> None:
        super().__init__(database)
        self.locker_presence = FakeLockerPresence(self)
