"""What an operator sees of every locker at a glance: whether its terminal is connected, and how full it is."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from parcellocker.domain.accounts import Principal, Role
from parcellocker.domain.locker import Locker, LockerStatus
from parcellocker.domain.occupancy import SizeFill, fill_by_size
from parcellocker.service.context import Env
from parcellocker.service.permissions import require_role
from parcellocker.service.ports import UnitOfWork


@dataclass(frozen=True, slots=True)
class LockerSummary:
    id: str
    name: str
    address: str
    timezone: str
    status: LockerStatus
    """Whether its terminal is connected (service/locker_presence.py), or maintenance."""
    fill: list[SizeFill]
    """Per size, smallest first."""
    last_seen_at: datetime | None = None
    """When its terminal was last seen on the HTTP link (None: never, or its MQTT link tells its presence)."""

    @property
    def compartments(self) -> int:
        return sum(size.total for size in self.fill)

    @property
    def in_use(self) -> int:
        return sum(size.in_use for size in self.fill)

    @classmethod
    def of(cls, locker: Locker) -> LockerSummary:
        return cls(
            locker.id,
            locker.name,
            locker.address,
            locker.timezone,
            locker.status,
            fill_by_size(locker.compartments),
            locker.last_seen_at,
        )


@dataclass(frozen=True, slots=True)
class ReadLockerOverview:
    by: Principal


async def read_locker_overview(cmd: ReadLockerOverview, uow: UnitOfWork, env: Env) -> list[LockerSummary]:
    """Every locker, by id."""
    require_role(cmd.by, Role.OPERATOR)
    return [LockerSummary.of(locker) for locker in await uow.lockers.list()]
